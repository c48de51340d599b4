/** `nomad alloc signal`, `nomad alloc restart` and `nomad alloc stop`. */

import type { NomadClient } from "../../api/mod.ts";
import type { Allocation } from "../../structs/mod.ts";
import type { Command, CommandContext } from "../cli.ts";
import { errorMessage } from "../helpers.ts";
import {
  addClientFlags,
  clientFromFlags,
  commandErrorText,
  commandFlagSet,
  generalOptionsUsage,
  idLength,
  parseFlags,
} from "../meta.ts";
import { resolveAllocation } from "./alloc_status.ts";
import { validateTaskExists } from "./alloc_task.ts";
import { EvalMonitor } from "./monitor.ts";

/** Signal sent by `alloc signal` without `-s` (Nomad's default). */
export const DEFAULT_ALLOC_SIGNAL = "SIGKILL";

const SIGNAL_HELP = `
Usage: nomad alloc signal [options] <allocation> <task>

  Signal an existing allocation. This command is used to signal a specific alloc
  and its subtasks. If no task is provided then all of the allocations subtasks
  will receive the signal.

General Options:

  ${generalOptionsUsage()}

Signal Specific Options:

  -s
    Specify the signal that the selected tasks should receive. Defaults to SIGKILL.

  -task <task-name>
    Specify the individual task that will receive the signal. If task name is given
    with both an argument and the '-task' option, preference is given to the '-task'
    option.

  -verbose
    Show full information.
`;

const RESTART_HELP = `
Usage: nomad alloc restart [options] <allocation> <task>

  Restart an existing allocation. This command is used to restart a specific alloc
  and its tasks. If no task is provided then all of the allocation's tasks that
  are currently running will be restarted.

General Options:

  ${generalOptionsUsage()}

Restart Specific Options:

  -all-tasks
    If set, all tasks in the allocation will be restarted, even the ones that
    already ran. This option cannot be used with '-task' or the '<task>'
    argument.

  -task <task-name>
    Specify the individual task to restart. If task name is given with both an
    argument and the '-task' option, preference is given to the '-task' option.
    This option cannot be used with '-all-tasks'.

  -verbose
    Show full information.
`;

const STOP_HELP = `
Usage: nomad alloc stop [options] <allocation>
Alias: nomad stop

  Stop an existing allocation. This command is used to signal a specific alloc
  to shut down. When the allocation has been shut down, it will then be
  rescheduled. An interactive monitoring session will display log lines as the
  allocation completes shutting down. It is safe to exit the monitor early with
  ctrl-c.

General Options:

  ${generalOptionsUsage()}

Stop Specific Options:

  -detach
    Return immediately instead of entering monitor mode. After the
    stop command is submitted, a new evaluation ID is printed to the
    screen, which can be used to examine the rescheduling evaluation using the
    eval-status command.

  -no-shutdown-delay
    Ignore the the group and task shutdown_delay configuration so there is no
    delay between service deregistration and task shutdown. Note that using
    this flag will result in failed network connections to the allocation
    being stopped.

  -verbose
    Display verbose output.
`;

/** Finds the allocation for `prefix`; a number is the exit code of a failed lookup. */
async function lookup(
  client: NomadClient,
  prefix: string,
  verbose: boolean,
  ctx: CommandContext,
): Promise<Allocation | number> {
  return await resolveAllocation(client, prefix, {
    length: idLength(verbose),
    verbose,
    ctx,
    listIsError: true,
  });
}

/** `nomad alloc signal`. */
export const allocSignalCommand: Command = {
  name: "alloc signal",
  synopsis: "Signal a running allocation",
  help: () => SIGNAL_HELP.trim(),
  async run(args, ctx) {
    const flags = commandFlagSet(allocSignalCommand, ctx);
    const clientFlags = addClientFlags(flags);
    const verbose = flags.bool("verbose", false, "Show full information.");
    const signal = flags.string("s", DEFAULT_ALLOC_SIGNAL, "Signal to send.");
    const taskFlag = flags.string("task", "", "Task to signal.");
    const positional = parseFlags(flags, args);
    if (positional === null) return 1;
    if (positional.length < 1 || positional.length > 2) {
      ctx.ui.error("This command takes up to two arguments: <alloc-id> <task>");
      ctx.ui.error(commandErrorText(allocSignalCommand));
      return 1;
    }
    const client = clientFromFlags(ctx, clientFlags);
    const alloc = await lookup(client, positional[0]!, verbose.value, ctx);
    if (typeof alloc === "number") return alloc;
    const task = taskFlag.value || positional[1] || "";
    try {
      if (task !== "") validateTaskExists(alloc, task);
    } catch (error) {
      ctx.ui.error(errorMessage(error));
      return 1;
    }
    try {
      await client.with({ namespace: alloc.Namespace }).allocations.signal(alloc.ID, {
        task,
        signal: signal.value,
      });
    } catch (error) {
      ctx.ui.error(`Error signalling allocation: ${errorMessage(error)}`);
      return 1;
    }
    return 0;
  },
};

/** `nomad alloc restart`. */
export const allocRestartCommand: Command = {
  name: "alloc restart",
  synopsis: "Restart a running allocation",
  help: () => RESTART_HELP.trim(),
  async run(args, ctx) {
    const flags = commandFlagSet(allocRestartCommand, ctx);
    const clientFlags = addClientFlags(flags);
    const verbose = flags.bool("verbose", false, "Show full information.");
    const allTasks = flags.bool("all-tasks", false, "Restart all tasks.");
    const taskFlag = flags.string("task", "", "Task to restart.");
    const positional = parseFlags(flags, args);
    if (positional === null) return 1;
    if (positional.length < 1 || positional.length > 2) {
      ctx.ui.error("This command takes one or two arguments: <alloc-id> <task>");
      ctx.ui.error(commandErrorText(allocRestartCommand));
      return 1;
    }
    const task = taskFlag.value || positional[1] || "";
    if (allTasks.value && task !== "") {
      ctx.ui.error("The -all-tasks option is not allowed when restarting a specific task.");
      return 1;
    }
    const client = clientFromFlags(ctx, clientFlags);
    const alloc = await lookup(client, positional[0]!, verbose.value, ctx);
    if (typeof alloc === "number") return alloc;
    try {
      if (task !== "") validateTaskExists(alloc, task);
    } catch (error) {
      ctx.ui.error(errorMessage(error));
      return 1;
    }
    try {
      await client.with({ namespace: alloc.Namespace }).allocations.restart(alloc.ID, {
        taskName: task,
        allTasks: allTasks.value,
      });
    } catch (error) {
      ctx.ui.error(`Failed to restart allocation:\n\n${errorMessage(error)}`);
      return 1;
    }
    return 0;
  },
};

/** `nomad alloc stop`. */
export const allocStopCommand: Command = {
  name: "alloc stop",
  synopsis: "Stop and reschedule a running allocation",
  help: () => STOP_HELP.trim(),
  async run(args, ctx) {
    const flags = commandFlagSet(allocStopCommand, ctx);
    const clientFlags = addClientFlags(flags);
    const verbose = flags.bool("verbose", false, "Display verbose output.");
    const detach = flags.bool("detach", false, "Return immediately.");
    const noShutdownDelay = flags.bool("no-shutdown-delay", false, "Skip shutdown delays.");
    const positional = parseFlags(flags, args);
    if (positional === null) return 1;
    if (positional.length !== 1) {
      ctx.ui.error("This command takes one argument: <alloc-id>");
      ctx.ui.error(commandErrorText(allocStopCommand));
      return 1;
    }
    const client = clientFromFlags(ctx, clientFlags);
    const alloc = await lookup(client, positional[0]!, verbose.value, ctx);
    if (typeof alloc === "number") return alloc;
    const scoped = client.with({ namespace: alloc.Namespace });
    let evalId: string;
    try {
      evalId = (await scoped.allocations.stop(alloc.ID, { noShutdownDelay: noShutdownDelay.value }))
        .EvalID;
    } catch (error) {
      ctx.ui.error(`Error stopping allocation: ${errorMessage(error)}`);
      return 1;
    }
    if (detach.value) {
      ctx.ui.output(evalId);
      return 0;
    }
    return await new EvalMonitor(ctx.io, scoped, idLength(verbose.value)).monitor(evalId);
  },
};
