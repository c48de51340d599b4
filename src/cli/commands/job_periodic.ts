/** `nomad job periodic` and `nomad job periodic force`. */

import { type Command, RUN_RESULT_HELP } from "../cli.ts";
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
import { filteredJobIdByPrefix } from "./job_dispatch.ts";
import { EvalMonitor } from "./monitor.ts";

/** `nomad job periodic`: lists its subcommands. */
export const jobPeriodicGroup: Command = {
  name: "job periodic",
  synopsis: "Interact with periodic jobs",
  help: () =>
    `
Usage: nomad job periodic <subcommand> [options] [args]

  This command groups subcommands for interacting with periodic jobs.

  Force a periodic job:

      $ nomad job periodic force <job_id>

  Please see the individual subcommand help for detailed usage information.
`.trim(),
  run: () => Promise.resolve(RUN_RESULT_HELP),
};

const FORCE_HELP = `
Usage: nomad job periodic force <job id>

  This command is used to force the creation of a new instance of a periodic job.
  This is used to immediately run a periodic job, even if it violates the job's
  prohibit_overlap setting.

  When ACLs are enabled, this command requires a token with the 'submit-job'
  and 'list-jobs' capabilities for the job's namespace. The 'list-jobs'
  capability is required to run the command with a job prefix instead of the
  exact job ID. The 'read-job' capability is required to monitor the resulting
  evaluation when -detach is not used.

General Options:

  ${generalOptionsUsage()}

Periodic Force Options:

  -detach
    Return immediately instead of entering monitor mode. After the force,
    the evaluation ID will be printed to the screen, which can be used to
    examine the evaluation using the eval-status command.

  -verbose
    Display full information.
`;

/** `nomad job periodic force`. */
export const jobPeriodicForceCommand: Command = {
  name: "job periodic force",
  synopsis: "Force the launch of a periodic job",
  help: () => FORCE_HELP.trim(),
  run: async (args, ctx) => {
    const flags = commandFlagSet(jobPeriodicForceCommand, ctx);
    const clientFlags = addClientFlags(flags);
    const detach = flags.bool("detach");
    const verbose = flags.bool("verbose");
    const positional = parseFlags(flags, args);
    if (positional === null) return 1;
    if (positional.length !== 1) {
      ctx.ui.error("This command takes one argument: <job id>");
      ctx.ui.error(commandErrorText(jobPeriodicForceCommand));
      return 1;
    }
    const client = clientFromFlags(ctx, clientFlags);
    let resolved: { id: string; namespace: string };
    try {
      resolved = await filteredJobIdByPrefix(
        client,
        positional[0]!.trim(),
        (job) => job.Periodic,
      );
    } catch (error) {
      ctx.ui.error(errorMessage(error));
      return 1;
    }
    const scoped = resolved.namespace === ""
      ? client
      : client.with({ namespace: resolved.namespace });
    let evalId: string;
    try {
      evalId = (await scoped.jobs.periodicForce(resolved.id)).EvalID;
    } catch (error) {
      ctx.ui.error(`Error forcing periodic job "${resolved.id}": ${errorMessage(error)}`);
      return 1;
    }
    if (detach.value) {
      ctx.ui.output("Force periodic successful");
      ctx.ui.output(`Evaluation ID: ${evalId}`);
      return 0;
    }
    return await new EvalMonitor(ctx.io, scoped, idLength(verbose.value)).monitor(evalId);
  },
};
