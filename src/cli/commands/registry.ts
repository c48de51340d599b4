/** Every command of the `nomad` binary, with Nomad's names and aliases. */

import type { CliOptions, Command } from "../cli.ts";
import { varGetCommand, varGroup, varListCommand, varPurgeCommand, varPutCommand } from "./var.ts";
import {
  serviceDeleteCommand,
  serviceGroup,
  serviceInfoCommand,
  serviceListCommand,
} from "./service.ts";
import { agentCommand, executorCommand } from "./agent.ts";
import { allocLogsCommand, runAllocLogs } from "./alloc_logs.ts";
import { allocStatusCommand } from "./alloc_status.ts";
import { allocExecCommand } from "./alloc_exec.ts";
import { allocFsCommand, runAllocFs } from "./alloc_fs.ts";
import { allocRestartCommand, allocSignalCommand, allocStopCommand } from "./alloc_lifecycle.ts";
import { fmtCommand } from "./fmt.ts";
import {
  deploymentFailCommand,
  deploymentListCommand,
  deploymentPauseCommand,
  deploymentPromoteCommand,
  deploymentResumeCommand,
  deploymentStatusCommand,
} from "./deployment.ts";
import { deploymentGroup } from "./deployment_group.ts";
import { allocGroup, jobGroup, nodeGroup, serverGroup } from "./groups.ts";
import { jobInitCommand, runJobInit } from "./job_init.ts";
import {
  operatorGroup,
  operatorSchedulerGetConfigCommand,
  operatorSchedulerGroup,
  operatorSchedulerSetConfigCommand,
} from "./operator_scheduler.ts";
import { jobDispatchCommand } from "./job_dispatch.ts";
import { jobPeriodicForceCommand, jobPeriodicGroup } from "./job_periodic.ts";
import { jobPlanCommand, runJobPlan } from "./job_plan.ts";
import { jobHistoryCommand, jobRevertCommand, jobScaleCommand } from "./job_versions.ts";
import { jobRunCommand, runJobRun } from "./job_run.ts";
import { jobStatusCommand } from "./job_status.ts";
import { jobStopCommand, runJobStop } from "./job_stop.ts";
import { jobValidateCommand, runJobValidate } from "./job_validate.ts";
import { nodeStatusCommand } from "./node_status.ts";
import { nodeDrainCommand } from "./node_drain.ts";
import { nodeEligibilityCommand } from "./node_eligibility.ts";
import {
  systemGcCommand,
  systemGroup,
  systemReconcileGroup,
  systemReconcileSummariesCommand,
} from "./system_gc.ts";
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
    jobDispatchCommand,
    jobPeriodicGroup,
    jobPeriodicForceCommand,
    jobPlanCommand,
    jobHistoryCommand,
    jobRevertCommand,
    jobScaleCommand,
    allocGroup,
    allocStatusCommand,
    allocLogsCommand,
    allocFsCommand,
    allocExecCommand,
    allocSignalCommand,
    allocRestartCommand,
    allocStopCommand,
    nodeGroup,
    nodeStatusCommand,
    nodeDrainCommand,
    nodeEligibilityCommand,
    systemGroup,
    systemGcCommand,
    varGroup,
    varListCommand,
    varGetCommand,
    varPutCommand,
    varPurgeCommand,
    serviceGroup,
    serviceListCommand,
    serviceInfoCommand,
    serviceDeleteCommand,
    systemReconcileGroup,
    systemReconcileSummariesCommand,
    operatorGroup,
    operatorSchedulerGroup,
    operatorSchedulerGetConfigCommand,
    operatorSchedulerSetConfigCommand,
    serverGroup,
    serverMembersCommand,
    deploymentGroup,
    deploymentListCommand,
    deploymentStatusCommand,
    deploymentPromoteCommand,
    deploymentFailCommand,
    deploymentPauseCommand,
    deploymentResumeCommand,
    alias("run", jobRunCommand, runJobRun),
    alias("stop", jobStopCommand, runJobStop),
    alias("init", jobInitCommand, runJobInit),
    alias("logs", allocLogsCommand, runAllocLogs),
    alias("fs", allocFsCommand, runAllocFs),
    alias("validate", jobValidateCommand, runJobValidate),
    alias("plan", jobPlanCommand, runJobPlan),
  ];
}

/** Top-level help layout and version text. */
export function cliOptions(): CliOptions {
  return {
    versionText: versionText(),
    commonCommands: ["run", "stop", "status", "alloc", "job", "node", "agent"],
    aliases: ["init", "logs", "validate", "plan"],
  };
}
