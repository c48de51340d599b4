/** `nomad system`, `nomad system gc` and `nomad system reconcile summaries`. */

import { type Command, type CommandContext, RUN_RESULT_HELP } from "../cli.ts";
import { errorMessage } from "../helpers.ts";
import {
  addClientFlags,
  clientFromFlags,
  commandErrorText,
  commandFlagSet,
  generalOptionsUsage,
  parseFlags,
} from "../meta.ts";

/** `nomad system`. */
export const systemGroup: Command = {
  name: "system",
  synopsis: "Interact with the system API",
  help: () =>
    `
Usage: nomad system <subcommand> [options]

  This command groups subcommands for interacting with the system API. Users
  can perform system maintenance tasks such as trigger the garbage collector or
  perform job summary reconciliation.

  Run the system garbage collection:

      $ nomad system gc

  Perform job summary reconciliation:

      $ nomad system reconcile summaries

  Please see the individual subcommand help for detailed usage information.
`.trim(),
  run: () => Promise.resolve(RUN_RESULT_HELP),
};

/** `nomad system reconcile`. */
export const systemReconcileGroup: Command = {
  name: "system reconcile",
  synopsis: "Performs system reconciliation",
  help: () =>
    `
Usage: nomad system reconcile <subcommand> [options]

  This command groups subcommands for interacting with the system reconcile API.

  Reconcile the summaries of all registered jobs:

      $ nomad system reconcile summaries

  Please see the individual subcommand help for detailed usage information.
`.trim(),
  run: () => Promise.resolve(RUN_RESULT_HELP),
};

/** `nomad system gc`. */
export const systemGcCommand: Command = {
  name: "system gc",
  synopsis: "Run the system garbage collection process",
  help: () =>
    `
Usage: nomad system gc [options]

  Initializes a garbage collection of jobs, evaluations, allocations, and nodes.

  If ACLs are enabled, this option requires a management token.

General Options:

  ${generalOptionsUsage({ namespace: false })}
`.trim(),
  run: (args, ctx) =>
    runSystemCall(systemGcCommand, args, ctx, {
      call: (client) => client.system.garbageCollect(),
      failure: "Error running system garbage-collection",
    }),
};

/** `nomad system reconcile summaries`. */
export const systemReconcileSummariesCommand: Command = {
  name: "system reconcile summaries",
  synopsis: "Reconciles the summaries of all registered jobs",
  help: () =>
    `
Usage: nomad system reconcile summaries [options]

  Reconciles the summaries of all registered jobs.

  If ACLs are enabled, this option requires a management token.

General Options:

  ${generalOptionsUsage({ namespace: false })}
`.trim(),
  run: (args, ctx) =>
    runSystemCall(systemReconcileSummariesCommand, args, ctx, {
      call: (client) => client.system.reconcileSummaries(),
      failure: "Error while reconciling job summaries",
    }),
};

async function runSystemCall(
  command: Command,
  args: string[],
  ctx: CommandContext,
  options: {
    call: (client: ReturnType<typeof clientFromFlags>) => Promise<void>;
    failure: string;
  },
): Promise<number> {
  const flags = commandFlagSet(command, ctx);
  const clientFlags = addClientFlags(flags);
  const positional = parseFlags(flags, args);
  if (positional === null) return 1;
  if (positional.length > 0) {
    ctx.ui.error("This command takes no arguments");
    ctx.ui.error(commandErrorText(command));
    return 1;
  }
  try {
    await options.call(clientFromFlags(ctx, clientFlags));
  } catch (error) {
    ctx.ui.error(`${options.failure}: ${errorMessage(error)}`);
    return 1;
  }
  return 0;
}
