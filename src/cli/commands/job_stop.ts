/** `nomad job stop` (alias `nomad stop`): deregister a job and monitor the resulting evaluation. */

import type { NomadClient } from "../../api/mod.ts";
import type { Command, CommandContext } from "../cli.ts";
import { quote } from "../format.ts";
import { errorMessage, jobIdByPrefix } from "../helpers.ts";
import {
  addClientFlags,
  clientFromFlags,
  commandErrorText,
  commandFlagSet,
  generalOptionsUsage,
  idLength,
  parseFlags,
} from "../meta.ts";
import { EvalMonitor } from "./monitor.ts";

const HELP = `
Usage: nomad job stop [options] <job>
Alias: nomad stop

  Stop an existing job. This command is used to signal allocations to shut
  down for the given job ID. Upon successful deregistration, an interactive
  monitor session will start to display log lines as the job unwinds its
  allocations and completes shutting down. It is safe to exit the monitor
  early using ctrl+c.

General Options:

  ${generalOptionsUsage()}

Stop Options:

  -detach
    Return immediately instead of entering monitor mode. After the
    deregister command is submitted, a new evaluation ID is printed to the
    screen, which can be used to examine the evaluation.

  -eval-priority
    Override the priority of the evaluations produced as a result of this job
    deregistration. By default, this is set to the priority of the job.

  -global
    Stop a multi-region job in all its regions.

  -no-shutdown-delay
    Ignore the group and task shutdown_delay configuration.

  -purge
    Purge is used to stop the job and purge it from the system. If not set, the
    job will still be queryable and will be purged by the garbage collector.

  -yes
    Automatic yes to prompts.

  -verbose
    Display full information.
`;

/** `nomad job stop`. */
export const jobStopCommand: Command = {
  name: "job stop",
  synopsis: "Stop a running job",
  help: () => HELP.trim(),
  run: (args, ctx) => runJobStop(jobStopCommand, args, ctx),
};

interface StopOptions {
  detach: boolean;
  purge: boolean;
  global: boolean;
  yes: boolean;
  noShutdownDelay: boolean;
  evalPriority: number;
  length: number;
  single: boolean;
}

/** Runs `job stop` for `command` (shared by the `stop` alias). */
export async function runJobStop(
  command: Command,
  args: string[],
  ctx: CommandContext,
): Promise<number> {
  const flags = commandFlagSet(command, ctx);
  const clientFlags = addClientFlags(flags);
  const detach = flags.bool("detach");
  const verbose = flags.bool("verbose");
  const global = flags.bool("global");
  const noShutdownDelay = flags.bool("no-shutdown-delay");
  const yes = flags.bool("yes");
  const purge = flags.bool("purge");
  const evalPriority = flags.int("eval-priority");
  const positional = parseFlags(flags, args);
  if (positional === null) return 1;
  if (positional.length < 1) {
    ctx.ui.error("This command takes at least one argument: <job>");
    ctx.ui.error(commandErrorText(command));
    return 1;
  }
  const client = clientFromFlags(ctx, clientFlags);
  const options: StopOptions = {
    detach: detach.value,
    purge: purge.value,
    global: global.value,
    yes: yes.value,
    noShutdownDelay: noShutdownDelay.value,
    evalPriority: evalPriority.value,
    length: idLength(verbose.value),
    single: positional.length === 1,
  };
  // Jobs are stopped one after another so their monitors do not interleave.
  let status = 0;
  for (const jobId of positional.map((id) => id.trim())) {
    const code = await stopOne(client, jobId, options, ctx);
    if (code !== 0 && status === 0) status = code;
  }
  return status;
}

async function stopOne(
  client: NomadClient,
  jobId: string,
  options: StopOptions,
  ctx: CommandContext,
): Promise<number> {
  let resolved: { id: string; namespace: string };
  try {
    resolved = await jobIdByPrefix(client, jobId);
  } catch (error) {
    ctx.ui.error(errorMessage(error));
    return 1;
  }
  const scoped = resolved.namespace === ""
    ? client
    : client.with({ namespace: resolved.namespace });
  if (options.single && jobId !== resolved.id && !options.yes) {
    const confirmed = await confirm(
      ctx,
      `Are you sure you want to stop job ${quote(resolved.id)}? [y/N]`,
    );
    if (confirmed !== true) return confirmed;
  }
  let evalId: string;
  try {
    const response = await scoped.jobs.deregister(resolved.id, {
      purge: options.purge,
      global: options.global,
      evalPriority: options.evalPriority,
      noShutdownDelay: options.noShutdownDelay,
    });
    evalId = response.data.EvalID;
  } catch (error) {
    ctx.ui.error(`Error deregistering job with id ${jobId} err: ${errorMessage(error)}`);
    return 1;
  }
  if (evalId === "") return 0;
  if (options.detach) {
    ctx.ui.output(evalId);
    return 0;
  }
  // As Nomad's monitor: the stop evaluation names the job's latest deployment,
  // which is followed to its end; one the stop cancelled makes the exit code 1.
  return await new EvalMonitor(ctx.io, scoped, options.length, { followDeployment: true })
    .monitor(evalId);
}

/** Asks for an exact "y"; returns true or the exit code to stop with. */
async function confirm(ctx: CommandContext, question: string): Promise<true | number> {
  const answer = await ctx.ui.ask(question);
  const lower = answer.toLowerCase();
  if (answer === "" || lower.startsWith("n")) {
    ctx.ui.output("Cancelling job stop");
    return 0;
  }
  if (lower.startsWith("y") && answer.length > 1) {
    ctx.ui.output("For confirmation, an exact ‘y’ is required.");
    return 0;
  }
  if (answer !== "y") {
    ctx.ui.output("No confirmation detected. For confirmation, an exact 'y' is required.");
    return 1;
  }
  return true;
}
