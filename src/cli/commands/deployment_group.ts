/** `nomad deployment`: lists its subcommands. */

import { type Command, RUN_RESULT_HELP } from "../cli.ts";

const HELP = `
Usage: nomad deployment <subcommand> [options] [args]

  This command groups subcommands for interacting with deployments.
  Deployments are used to manage a transition between two versions of a Nomad
  job. Users can inspect an ongoing deployment, promote canary allocations,
  force fail deployments, and more.

  Examine a deployments status:

      $ nomad deployment status <deployment-id>

  Promote the canaries to allow the remaining allocations to be updated in a
  rolling deployment fashion:

      $ nomad deployment promote <deployment-id>

  Mark a deployment as failed. This will stop new allocations from being placed
  and if the job's upgrade stanza specifies auto_revert, causes the job to
  revert back to the last stable version of the job:

      $ nomad deployment fail <deployment-id>

  Please see the individual subcommand help for detailed usage information.
`;

/** `nomad deployment`. */
export const deploymentGroup: Command = {
  name: "deployment",
  synopsis: "Interact with deployments",
  help: () => HELP.trim(),
  run: () => Promise.resolve(RUN_RESULT_HELP),
};
