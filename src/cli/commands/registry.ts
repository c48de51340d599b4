/** Every command of the `nomad` binary, with Nomad's names and aliases. */

import type { CliOptions, Command } from "../cli.ts";
import { agentCommand, executorCommand } from "./agent.ts";
import { allocLogsCommand, runAllocLogs } from "./alloc_logs.ts";
import { allocStatusCommand } from "./alloc_status.ts";
import { fmtCommand } from "./fmt.ts";
import { allocGroup, jobGroup, nodeGroup, serverGroup } from "./groups.ts";
import { jobInitCommand, runJobInit } from "./job_init.ts";
import { jobRunCommand, runJobRun } from "./job_run.ts";
import { jobStatusCommand } from "./job_status.ts";
import { jobStopCommand, runJobStop } from "./job_stop.ts";
import { jobValidateCommand, runJobValidate } from "./job_validate.ts";
import { nodeStatusCommand } from "./node_status.ts";
import { serverMembersCommand } from "./server_members.ts";
import { statusCommand } from "./status.ts";
import { versionCommand, versionText } from "./version.ts";

/** A top-level alias that behaves exactly like `target` (help included). */
function alias(
  name: string,
  target: Command,
  run: (command: Command, args: string[], ctx: Parameters<Command["run"]>[1]) => Promise<number>,
): Command {
  const command: Command = {
    name,
    synopsis: target.synopsis,
    help: () => target.help(),
    run: (args, ctx) => run(command, args, ctx),
  };
  return command;
}

/** All commands, parents and aliases included. */
export function allCommands(): Command[] {
  return [
    agentCommand,
    executorCommand,
    versionCommand,
    statusCommand,
    fmtCommand,
    jobGroup,
    jobRunCommand,
    jobStatusCommand,
    jobStopCommand,
    jobInitCommand,
    jobValidateCommand,
    allocGroup,
    allocStatusCommand,
    allocLogsCommand,
    nodeGroup,
    nodeStatusCommand,
    serverGroup,
    serverMembersCommand,
    alias("run", jobRunCommand, runJobRun),
    alias("stop", jobStopCommand, runJobStop),
    alias("init", jobInitCommand, runJobInit),
    alias("logs", allocLogsCommand, runAllocLogs),
    alias("validate", jobValidateCommand, runJobValidate),
  ];
}

/** Top-level help layout and version text. */
export function cliOptions(): CliOptions {
  return {
    versionText: versionText(),
    commonCommands: ["run", "stop", "status", "alloc", "job", "node", "agent"],
    aliases: ["init", "logs", "validate"],
  };
}
