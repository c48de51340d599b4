/** `nomad node eligibility`: toggle a node's scheduling eligibility. */

import type { Command, CommandContext } from "../cli.ts";
import { errorMessage } from "../helpers.ts";
import {
  addClientFlags,
  clientFromFlags,
  commandErrorText,
  commandFlagSet,
  generalOptionsUsage,
  parseFlags,
} from "../meta.ts";
import { localNodeId, resolveNode } from "./node_drain.ts";

const HELP = `
Usage: nomad node eligibility [options] <node>

  Toggles the nodes scheduling eligibility. When a node is marked as ineligible,
  no new allocations will be placed on it but existing allocations will remain.
  To remove existing allocations, use the node drain command.

  It is required that either -enable or -disable is specified, but not both.
  The -self flag is useful to set the scheduling eligibility of the local node.

  If ACLs are enabled, this option requires a token with the 'node:write'
  capability.

General Options:

  ${generalOptionsUsage({ namespace: false })}

Node Eligibility Options:

  -disable
    Mark the specified node as ineligible for new allocations.

  -enable
    Mark the specified node as eligible for new allocations.

  -self
    Set the eligibility of the local node.
`;

/** `nomad node eligibility`. */
export const nodeEligibilityCommand: Command = {
  name: "node eligibility",
  synopsis: "Toggle scheduling eligibility for a given node",
  help: () => HELP.trim(),
  run: runNodeEligibility,
};

async function runNodeEligibility(args: string[], ctx: CommandContext): Promise<number> {
  const flags = commandFlagSet(nodeEligibilityCommand, ctx);
  const clientFlags = addClientFlags(flags);
  const enable = flags.bool("enable");
  const disable = flags.bool("disable");
  const self = flags.bool("self");
  const positional = parseFlags(flags, args);
  if (positional === null) return 1;
  const usageError = (message: string) => {
    ctx.ui.error(message);
    ctx.ui.error(commandErrorText(nodeEligibilityCommand));
    return 1;
  };
  if (enable.value === disable.value) {
    return usageError("Either the '-enable' or '-disable' flag must be set");
  }
  if (self.value ? positional.length !== 0 : positional.length !== 1) {
    return usageError("Node ID must be specified if -self isn't being used");
  }
  const client = clientFromFlags(ctx, clientFlags);
  try {
    const prefix = self.value ? await localNodeId(client) : positional[0]!;
    const { node } = await resolveNode(client, prefix, "Error updating scheduling eligibility");
    try {
      await client.nodes.toggleEligibility(node.ID, enable.value);
    } catch (error) {
      ctx.ui.error(`Error updating scheduling eligibility: ${errorMessage(error)}`);
      return 1;
    }
    ctx.ui.output(
      `Node "${node.ID}" scheduling eligibility set: ${
        enable.value ? "eligible" : "ineligible"
      } for scheduling`,
    );
    return 0;
  } catch (error) {
    ctx.ui.error(errorMessage(error));
    return 1;
  }
}
