/** `nomad node drain`: set or cancel a node's drain, and monitor it until it completes. */

import type { NomadClient } from "../../api/mod.ts";
import { parseDuration } from "../../core/clock.ts";
import type { Allocation, DrainSpec, Node } from "../../structs/mod.ts";
import type { Command, CommandContext } from "../cli.ts";
import { formatTime } from "../format.ts";
import { CommandError, errorMessage, sanitizeUUIDPrefix } from "../helpers.ts";
import {
  addClientFlags,
  clientFromFlags,
  commandErrorText,
  commandFlagSet,
  generalOptionsUsage,
  parseFlags,
} from "../meta.ts";
import { formatNodeStubList } from "./node_status.ts";

/** Nomad's default drain deadline: one hour. */
export const DEFAULT_DRAIN_DEADLINE_NS = 3600e9;
/** Longest wait of one blocking query while monitoring. */
const MONITOR_WAIT_MS = 30_000;

const HELP = `
Usage: nomad node drain [options] <node>

  Toggles node draining on a specified node. It is required that either
  -enable or -disable is specified, but not both.  The -self flag is useful to
  drain the local node.

  If ACLs are enabled, this option requires a token with the 'node:write'
  capability.

General Options:

  ${generalOptionsUsage({ namespace: false })}

Node Drain Options:

  -disable
    Disable draining for the specified node.

  -enable
    Enable draining for the specified node.

  -deadline <duration>
    Set the deadline by which all allocations must be moved off the node.
    Remaining allocations after the deadline are forced removed from the node.
    If unspecified, a default deadline of one hour is applied.

  -detach
    Return immediately instead of entering monitor mode.

  -monitor
    Enter monitor mode directly without modifying the drain status.

  -force
    Force remove allocations off the node immediately.

  -no-deadline
    No deadline allows the allocations to drain off the node without being force
    stopped after a certain deadline.

  -ignore-system
    Ignore system allows the drain to complete without stopping system job
    allocations. By default system jobs are stopped last.

  -keep-ineligible
    Keep ineligible will maintain the node's scheduling ineligibility even if
    the drain is being disabled. This is useful when an existing drain is being
    cancelled but additional scheduling on the node is not desired.

  -m 
    Message for the drain update operation. Registered in drain metadata as
    "message" during drain enable and "cancel_message" during drain disable.

  -meta <key>=<value>
    Custom metadata to store on the drain operation, can be used multiple times.

  -self
    Set the drain status of the local node.

  -yes
    Automatic yes to prompts.
`;

/** `nomad node drain`. */
export const nodeDrainCommand: Command = {
  name: "node drain",
  synopsis: "Toggle drain mode on a given node",
  help: () => HELP.trim(),
  run: runNodeDrain,
};

/** The drain deadline the flags ask for, or an error message (Nomad's checks, in its order). */
export function drainDeadline(
  options: { force: boolean; noDeadline: boolean; deadline: string },
): number | string {
  if (options.force) return -1e9;
  if (options.noDeadline) return 0;
  if (options.deadline === "") return DEFAULT_DRAIN_DEADLINE_NS;
  const negative = options.deadline.startsWith("-");
  const parsed = parseDuration(negative ? options.deadline.slice(1) : options.deadline);
  if (parsed === undefined) {
    return `Failed to parse deadline "${options.deadline}": time: invalid duration "${options.deadline}"`;
  }
  if (negative || parsed <= 0) return "A positive drain duration must be given";
  return parsed;
}

async function runNodeDrain(args: string[], ctx: CommandContext): Promise<number> {
  const flags = commandFlagSet(nodeDrainCommand, ctx);
  const clientFlags = addClientFlags(flags);
  const f = {
    enable: flags.bool("enable"),
    disable: flags.bool("disable"),
    deadline: flags.string("deadline"),
    detach: flags.bool("detach"),
    force: flags.bool("force"),
    noDeadline: flags.bool("no-deadline"),
    ignoreSystem: flags.bool("ignore-system"),
    keepIneligible: flags.bool("keep-ineligible"),
    self: flags.bool("self"),
    yes: flags.bool("yes"),
    monitor: flags.bool("monitor"),
    message: flags.string("m"),
    meta: flags.stringList("meta"),
  };
  const positional = parseFlags(flags, args);
  if (positional === null) return 1;
  const usageError = (message: string) => {
    ctx.ui.error(message);
    ctx.ui.error(commandErrorText(nodeDrainCommand));
    return 1;
  };
  const enable = f.enable.value;
  const disable = f.disable.value;
  if (f.monitor.value && (enable || disable)) {
    return usageError("The -monitor flag cannot be used with the '-enable' or '-disable' flags");
  }
  if ((enable && disable) || (!f.monitor.value && !enable && !disable)) {
    return usageError(
      "Either the '-enable' or '-disable' flag must be set, unless using '-monitor'",
    );
  }
  if (f.self.value ? positional.length !== 0 : positional.length !== 1) {
    return usageError("Node ID must be specified if -self isn't being used");
  }
  const strategyFlags = f.deadline.value !== "" || f.force.value || f.noDeadline.value ||
    f.ignoreSystem.value;
  if (disable && strategyFlags) {
    return usageError("-disable can't be combined with flags configuring drain strategy");
  }
  if (f.deadline.value !== "" && (f.force.value || f.noDeadline.value)) {
    return usageError("-deadline can't be combined with -force or -no-deadline");
  }
  if (f.force.value && f.noDeadline.value) {
    return usageError("-force and -no-deadline are mutually exclusive");
  }
  const deadline = drainDeadline({
    force: f.force.value,
    noDeadline: f.noDeadline.value,
    deadline: f.deadline.value,
  });
  if (typeof deadline === "string") {
    ctx.ui.error(deadline);
    return 1;
  }
  const client = clientFromFlags(ctx, clientFlags);
  let node: Node;
  let nodeIndex: number;
  let prefix: string;
  try {
    prefix = f.self.value ? await localNodeId(client) : positional[0]!;
    ({ node, index: nodeIndex } = await resolveNode(client, prefix, "Error toggling drain mode"));
  } catch (error) {
    ctx.ui.error(errorMessage(error));
    return 1;
  }
  if (f.monitor.value) {
    if (node.DrainStrategy === null) {
      ctx.ui.warn("No drain strategy set");
      return 0;
    }
    ctx.ui.info(
      `${formatTime(ctx.io.now())}: Monitoring node "${node.ID}": Ctrl-C to detach monitoring`,
    );
    await monitorDrain(client, ctx, {
      nodeID: node.ID,
      index: nodeIndex,
      ignoreSystem: f.ignoreSystem.value,
    });
    return 0;
  }
  if (sanitizeUUIDPrefix(prefix) !== node.ID && !f.yes.value) {
    const verb = disable ? "disable" : "enable";
    const confirmed = await confirm(
      ctx,
      `Are you sure you want to ${verb} drain mode for node "${node.ID}"? [y/N]`,
    );
    if (confirmed !== true) return confirmed;
  }
  const spec: DrainSpec | null = enable
    ? { Deadline: deadline, IgnoreSystemJobs: f.ignoreSystem.value }
    : null;
  const meta = drainMeta({ node, enable, message: f.message.value, meta: f.meta.value });
  let index: number;
  try {
    const response = await client.nodes.updateDrain(node.ID, {
      spec,
      markEligible: !f.keepIneligible.value,
      meta,
    });
    index = response.index;
  } catch (error) {
    ctx.ui.error(`Error updating drain specification: ${errorMessage(error)}`);
    return 1;
  }
  if (!enable || f.detach.value) {
    ctx.ui.output(`Node "${node.ID}" drain strategy ${enable ? "set" : "unset"}`);
    return 0;
  }
  const now = formatTime(ctx.io.now());
  ctx.ui.info(`${now}: Ctrl-C to stop monitoring: will not cancel the node drain`);
  ctx.ui.output(`${now}: Node "${node.ID}" drain strategy set`);
  await monitorDrain(client, ctx, { nodeID: node.ID, index, ignoreSystem: f.ignoreSystem.value });
  return 0;
}

function drainMeta(
  options: { node: Node; enable: boolean; message: string; meta: readonly string[] },
): Record<string, string> {
  const meta: Record<string, string> = !options.enable && options.node.LastDrain?.Meta
    ? { ...options.node.LastDrain.Meta }
    : {};
  if (options.message !== "") meta[options.enable ? "message" : "cancel_message"] = options.message;
  for (const entry of options.meta) {
    if (entry === "") continue;
    const at = entry.indexOf("=");
    if (at < 0) meta[entry] = "";
    else meta[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return meta;
}

async function confirm(ctx: CommandContext, question: string): Promise<true | number> {
  const answer = await ctx.ui.ask(question);
  const lower = answer.toLowerCase();
  if (answer === "" || lower.startsWith("n")) {
    ctx.ui.output("Canceling drain toggle");
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

/** The agent's own node ID (`-self`). */
export async function localNodeId(client: NomadClient): Promise<string> {
  let self;
  try {
    self = await client.agent.self();
  } catch (error) {
    throw new CommandError(`Error querying agent info: ${errorMessage(error)}`);
  }
  const id = self.stats?.["client"]?.["node_id"];
  if (self.stats?.["client"] === undefined) {
    throw new CommandError("Nomad not running in client mode");
  }
  if (id === undefined) throw new CommandError("Failed to determine node ID");
  return id;
}

/** Resolves a node ID prefix to one node, with Nomad's errors (`what` prefixes API failures). */
export async function resolveNode(
  client: NomadClient,
  prefix: string,
  what: string,
): Promise<{ node: Node; index: number }> {
  if (prefix.length === 1) {
    throw new CommandError("Identifier must contain at least two characters.");
  }
  const id = sanitizeUUIDPrefix(prefix);
  let stubs;
  try {
    stubs = (await client.nodes.prefixList(id)).data;
  } catch (error) {
    throw new CommandError(`${what}: ${errorMessage(error)}`);
  }
  if (stubs.length === 0) throw new CommandError(`No node(s) with prefix or id "${id}" found`);
  if (stubs.length > 1) {
    throw new CommandError(`Prefix matched multiple nodes\n\n${formatNodeStubList(stubs, true)}`);
  }
  try {
    const result = await client.nodes.info(stubs[0]!.ID);
    return { node: result.data, index: result.index };
  } catch (error) {
    throw new CommandError(`${what}: ${errorMessage(error)}`);
  }
}

/**
 * Nomad's MonitorDrain: watches the node (until its drain strategy is gone)
 * and its allocations (until none is pending or running) with blocking
 * queries, printing what changes.
 */
export async function monitorDrain(
  client: NomadClient,
  ctx: CommandContext,
  options: { nodeID: string; index: number; ignoreSystem: boolean },
): Promise<void> {
  const line = (text: string) => `${formatTime(ctx.io.now())}: ${text}`;
  const abort = new AbortController();
  const node = async () => {
    let index = options.index;
    for (;;) {
      const result = await client.nodes.info(options.nodeID, {
        index,
        waitMs: MONITOR_WAIT_MS,
        signal: abort.signal,
      });
      if (result.data.DrainStrategy === null) {
        ctx.ui.info(line(`Drain complete for node ${options.nodeID}`));
        return;
      }
      if (result.data.Status === "down") ctx.ui.warn(line(`Node "${options.nodeID}" down`));
      index = result.index;
    }
  };
  const allocs = async () => {
    const seen = new Map<string, Allocation>();
    let index = 0;
    for (;;) {
      const result = await client.nodes.allocations(options.nodeID, {
        index,
        waitMs: MONITOR_WAIT_MS,
        signal: abort.signal,
      });
      index = result.index;
      let running = 0;
      for (const alloc of result.data) {
        const before = seen.get(alloc.ID);
        seen.set(alloc.ID, alloc);
        const message = before === undefined ? "" : allocChange(before, alloc);
        if (message !== "") ctx.ui.output(line(`Alloc "${alloc.ID}" ${message}`));
        if (alloc.Job === null) continue;
        if (options.ignoreSystem && alloc.Job.Type === "system") continue;
        if (alloc.ClientStatus === "pending" || alloc.ClientStatus === "running") running++;
      }
      if (running === 0) {
        ctx.ui.info(line(`All allocations on node "${options.nodeID}" have stopped`));
        return;
      }
    }
  };
  try {
    await Promise.all([node(), allocs()]);
  } catch (error) {
    abort.abort();
    ctx.ui.error(line(`Error monitoring node: ${errorMessage(error)}`));
  }
}

function allocChange(before: Allocation, after: Allocation): string {
  const migrating = after.DesiredTransition.Migrate === true;
  if (before.ClientStatus !== after.ClientStatus) {
    return `status ${before.ClientStatus} -> ${after.ClientStatus}`;
  }
  if (migrating && before.DesiredTransition.Migrate !== true) return "marked for migration";
  if (migrating && before.DesiredStatus !== after.DesiredStatus && after.DesiredStatus === "stop") {
    return "draining";
  }
  return "";
}
