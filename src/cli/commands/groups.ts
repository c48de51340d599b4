/** Parent commands (`nomad job`, `alloc`, `node`, `server`) that only list their subcommands. */

import { type Command, RUN_RESULT_HELP } from "../cli.ts";

function group(name: string, synopsis: string, help: string): Command {
  return {
    name,
    synopsis,
    help: () => help.trim(),
    run: () => Promise.resolve(RUN_RESULT_HELP),
  };
}

/** `nomad job`. */
export const jobGroup: Command = group(
  "job",
  "Interact with jobs",
  `
Usage: nomad job <subcommand> [options] [args]

  This command groups subcommands for interacting with jobs.

  Run a new job:

      $ nomad job run <path>

  Check the status of a job:

      $ nomad job status <job_id>

  Stop a running job:

      $ nomad job stop <job_id>

  Please see the individual subcommand help for detailed usage information.
`,
);

/** `nomad alloc`. */
export const allocGroup: Command = group(
  "alloc",
  "Interact with allocations",
  `
Usage: nomad alloc <subcommand> [options] [args]

  This command groups subcommands for interacting with allocations.

  Inspect the status of an allocation:

      $ nomad alloc status <alloc-id>

  Stream a task's logs:

      $ nomad alloc logs -f <alloc-id> <task>

  Please see the individual subcommand help for detailed usage information.
`,
);

/** `nomad node`. */
export const nodeGroup: Command = group(
  "node",
  "Interact with nodes",
  `
Usage: nomad node <subcommand> [options] [args]

  This command groups subcommands for interacting with nodes.

  List and inspect client nodes:

      $ nomad node status [<node-id>]

  Please see the individual subcommand help for detailed usage information.
`,
);

/** `nomad server`. */
export const serverGroup: Command = group(
  "server",
  "Interact with servers",
  `
Usage: nomad server <subcommand> [options] [args]

  This command groups subcommands for interacting with Nomad servers.

  List the servers of the cluster:

      $ nomad server members

  Please see the individual subcommand help for detailed usage information.
`,
);
