/** `nomad node status [<node>]`: the node list, or one node's details and allocations. */

import type { NomadClient } from "../../api/mod.ts";
import type { Allocation, Node, NodeListStub } from "../../structs/mod.ts";
import type { Command, CommandContext } from "../cli.ts";
import {
  formatKV,
  formatList,
  formatTime,
  humanizeIBytes,
  limit,
  parseApiTime,
  quote,
} from "../format.ts";
import { CommandError, errorMessage, formatAllocList, sanitizeUUIDPrefix } from "../helpers.ts";
import {
  addClientFlags,
  clientFromFlags,
  commandErrorText,
  commandFlagSet,
  generalOptionsUsage,
  idLength,
  parseFlags,
} from "../meta.ts";

const HELP = `
Usage: nomad node status [options] <node>

  Display status information about a given node. The list of nodes
  returned includes only nodes which jobs may be scheduled to, and
  includes status and other high-level information.

  If a node ID is passed, information for that specific node will be displayed,
  including resource usage statistics. If no node ID's are passed, then a
  short-hand list of all nodes will be displayed. The -self flag is useful to
  quickly access the status of the local node.

General Options:

  ${generalOptionsUsage({ namespace: false })}

Node Status Options:

  -self
    Query the status of the local node.

  -allocs
    Display a count of running allocations for each node.

  -short
    Display short output. Used only when a single node is being
    queried, and drops verbose output about node allocations.

  -verbose
    Display full information.

  -quiet
    Display only node IDs.

  -json
    Output the node in its JSON format.
`;

interface NodeOptions {
  verbose: boolean;
  short: boolean;
  allocs: boolean;
  quiet: boolean;
  json: boolean;
  length: number;
}

/** `nomad node status`. */
export const nodeStatusCommand: Command = {
  name: "node status",
  synopsis: "Display status information about nodes",
  help: () => HELP.trim(),
  run: (args, ctx) => runNodeStatus(nodeStatusCommand, args, ctx),
};

async function runNodeStatus(
  command: Command,
  args: string[],
  ctx: CommandContext,
): Promise<number> {
  const flags = commandFlagSet(command, ctx);
  const clientFlags = addClientFlags(flags);
  const o = {
    self: flags.bool("self"),
    allocs: flags.bool("allocs"),
    short: flags.bool("short"),
    verbose: flags.bool("verbose"),
    quiet: flags.bool("quiet"),
    json: flags.bool("json"),
  };
  flags.bool("stats");
  flags.bool("os");
  const positional = parseFlags(flags, args);
  if (positional === null) return 1;
  if (positional.length > 1) {
    ctx.ui.error("This command takes either one or no arguments");
    ctx.ui.error(commandErrorText(command));
    return 1;
  }
  const options: NodeOptions = {
    verbose: o.verbose.value,
    short: o.short.value,
    allocs: o.allocs.value,
    quiet: o.quiet.value,
    json: o.json.value,
    length: idLength(o.verbose.value),
  };
  const client = clientFromFlags(ctx, clientFlags);
  try {
    if (positional.length === 0 && !o.self.value) return await listNodes(client, options, ctx);
    const id = o.self.value ? await localNodeId(client) : positional[0] ?? "";
    return await showNode(client, id, options, ctx);
  } catch (error) {
    ctx.ui.error(errorMessage(error));
    return 1;
  }
}

async function listNodes(
  client: NomadClient,
  options: NodeOptions,
  ctx: CommandContext,
): Promise<number> {
  if (options.quiet && (options.verbose || options.json)) {
    throw new CommandError("-quiet cannot be used with -verbose or -json");
  }
  let nodes: NodeListStub[];
  try {
    nodes = (await client.nodes.list()).data;
  } catch (error) {
    throw new CommandError(`Error querying node status: ${errorMessage(error)}`);
  }
  if (options.json) {
    ctx.ui.output(JSON.stringify(nodes, null, 4));
    return 0;
  }
  if (nodes.length === 0) {
    ctx.ui.output("No nodes registered");
    return 0;
  }
  if (options.quiet) {
    ctx.ui.output(formatList(nodes.map((n) => n.ID)));
    return 0;
  }
  let header = "ID|Node Pool|DC|Name|Class|";
  if (options.verbose) header += "Address|Version|";
  header += "Drain|Eligibility|Status";
  if (options.allocs) header += "|Running Allocs";
  const rows: string[] = [];
  for (const node of nodes) {
    const cells: (string | number | boolean)[] = [
      limit(node.ID, options.length),
      node.NodePool,
      node.Datacenter,
      node.Name,
      node.NodeClass,
    ];
    if (options.verbose) cells.push(node.Address, node.Version);
    cells.push(node.Drain, node.SchedulingEligibility, node.Status);
    if (options.allocs) cells.push(await runningAllocCount(client, node.ID));
    rows.push(cells.join("|"));
  }
  ctx.ui.output(formatList([header, ...rows]));
  return 0;
}

async function runningAllocCount(client: NomadClient, nodeId: string): Promise<number> {
  try {
    return (await client.nodes.allocations(nodeId)).data.filter((a) => a.ClientStatus === "running")
      .length;
  } catch (error) {
    throw new CommandError(`Error querying node allocations: ${errorMessage(error)}`);
  }
}

async function localNodeId(client: NomadClient): Promise<string> {
  let self;
  try {
    self = await client.agent.self();
  } catch (error) {
    throw new CommandError(`Error querying agent info: ${errorMessage(error)}`);
  }
  const clientStats = self.stats?.["client"];
  if (clientStats === undefined) throw new CommandError("Nomad not running in client mode");
  const id = clientStats["node_id"];
  if (id === undefined) throw new CommandError("Failed to determine node ID");
  return id;
}

async function showNode(
  client: NomadClient,
  prefix: string,
  options: NodeOptions,
  ctx: CommandContext,
): Promise<number> {
  if (prefix.length === 1) {
    throw new CommandError("Identifier must contain at least two characters.");
  }
  const id = sanitizeUUIDPrefix(prefix);
  let stubs: NodeListStub[];
  try {
    stubs = (await client.nodes.prefixList(id)).data;
  } catch (error) {
    throw new CommandError(`Error querying node info: ${errorMessage(error)}`);
  }
  const first = stubs[0];
  if (first === undefined) throw new CommandError(`No node(s) with prefix ${quote(id)} found`);
  if (stubs.length > 1) {
    throw new CommandError(
      `Prefix matched multiple nodes\n\n${formatNodeStubList(stubs, options.verbose)}`,
    );
  }
  let node: Node;
  let allocs: Allocation[];
  try {
    node = (await client.nodes.info(first.ID)).data;
  } catch (error) {
    throw new CommandError(`Error querying node info: ${errorMessage(error)}`);
  }
  if (options.json) {
    ctx.ui.output(JSON.stringify(node, null, 4));
    return 0;
  }
  try {
    allocs = (await client.nodes.allocations(node.ID)).data;
  } catch (error) {
    throw new CommandError(`Error querying node allocations: ${errorMessage(error)}`);
  }
  printNode(node, allocs, options, ctx);
  return 0;
}

/** The table printed when a node prefix matches several nodes. */
export function formatNodeStubList(nodes: readonly NodeListStub[], verbose: boolean): string {
  const length = idLength(verbose);
  const rows = nodes.map((n) =>
    [
      limit(n.ID, length),
      n.Datacenter,
      n.Name,
      n.NodeClass,
      n.Drain,
      n.SchedulingEligibility,
      n.Status,
    ].join("|")
  );
  return formatList(["ID|DC|Name|Class|Drain|Eligibility|Status", ...rows]);
}

function printNode(
  node: Node,
  allocs: readonly Allocation[],
  options: NodeOptions,
  ctx: CommandContext,
): void {
  const sorted = (record: Record<string, unknown> | null | undefined) =>
    Object.keys(record ?? {}).sort().join(",");
  const basics = [
    `ID|${node.ID}`,
    `Name|${node.Name}`,
    `Node Pool|${node.NodePool}`,
    `Class|${node.NodeClass}`,
    `DC|${node.Datacenter}`,
    `Drain|${node.Drain}`,
    `Eligibility|${node.SchedulingEligibility}`,
    `Status|${node.Status}`,
    "CSI Controllers|",
    "CSI Drivers|",
  ];
  if (options.short || !options.verbose) {
    basics.push(
      `Host Volumes|${sorted(node.HostVolumes)}`,
      `Host Networks|${sorted(node.HostNetworks)}`,
      "CSI Volumes|",
    );
  }
  if (options.short) basics.push(`Drivers|${detectedDrivers(node, false)}`);
  else if (!options.verbose) basics.push(`Driver Status| ${detectedDrivers(node, true)}`);
  ctx.ui.output(formatKV(basics));
  if (!options.short) {
    if (options.verbose) printDrivers(node, ctx);
    printNodeEvents(node, options.verbose, ctx);
    const running = allocs.filter((a) => a.ClientStatus === "running");
    ctx.ui.output("\nAllocated Resources");
    ctx.ui.output(formatList(allocatedResources(node, running)));
  }
  ctx.ui.output("\nAllocations");
  ctx.ui.output(
    formatAllocList(allocs, {
      verbose: options.verbose,
      length: options.length,
      nowMs: ctx.io.now(),
    }),
  );
  if (options.verbose) {
    ctx.ui.output("\nAttributes");
    ctx.ui.output(
      formatKV(Object.keys(node.Attributes ?? {}).sort().map((k) => `${k}|${node.Attributes[k]}`)),
    );
    ctx.ui.output("\nMeta");
    ctx.ui.output(formatKV(Object.keys(node.Meta ?? {}).sort().map((k) => `${k}|${node.Meta[k]}`)));
  }
}

/** Detected drivers, `name (unhealthy)` for unhealthy ones when asked. */
function detectedDrivers(node: Node, markUnhealthy: boolean): string {
  return Object.entries(node.Drivers ?? {})
    .filter(([, info]) => info.Detected)
    .map(([name, info]) => (markUnhealthy && !info.Healthy ? `${name} (unhealthy)` : name))
    .sort()
    .join(",");
}

function printDrivers(node: Node, ctx: CommandContext): void {
  const rows = Object.keys(node.Drivers ?? {}).sort().map((name) => {
    const info = node.Drivers[name];
    if (info === undefined) return name;
    return [
      name,
      info.Detected,
      info.Healthy,
      info.HealthDescription,
      formatTime(parseApiTime(info.UpdateTime)),
    ].join("|");
  });
  ctx.ui.output("\nDrivers");
  ctx.ui.output(formatList(["Driver|Detected|Healthy|Message|Time", ...rows]));
}

function printNodeEvents(node: Node, verbose: boolean, ctx: CommandContext): void {
  const events = [...(node.Events ?? [])].reverse().map((event) => {
    const driver = event.Details?.["driver"];
    const subsystem = driver ? `Driver: ${driver}` : event.Subsystem;
    const cells = [formatTime(parseApiTime(event.Timestamp)), subsystem, event.Message];
    if (verbose) {
      cells.push(Object.entries(event.Details ?? {}).map(([k, v]) => `${k}: ${v}`).join(", "));
    }
    return cells.join("|");
  });
  ctx.ui.output("\nNode Events");
  ctx.ui.output(
    formatList([verbose ? "Time|Subsystem|Message|Details" : "Time|Subsystem|Message", ...events]),
  );
}

const BYTES_PER_MB = 1024 * 1024;

/** "Allocated Resources": what running allocations hold against what the node offers. */
function allocatedResources(node: Node, running: readonly Allocation[]): string[] {
  let cpu = 0;
  let memory = 0;
  let disk = 0;
  for (const alloc of running) {
    for (const task of Object.values(alloc.AllocatedResources?.Tasks ?? {})) {
      cpu += task.Cpu.CpuShares;
      memory += task.Memory.MemoryMB;
    }
    disk += alloc.AllocatedResources?.Shared.DiskMB ?? 0;
  }
  const r = node.NodeResources;
  const reserved = node.ReservedResources;
  const totalCpu = (r?.Cpu.CpuShares ?? 0) - (reserved?.Cpu.CpuShares ?? 0);
  const totalMemory = (r?.Memory.MemoryMB ?? 0) - (reserved?.Memory.MemoryMB ?? 0);
  const totalDisk = (r?.Disk.DiskMB ?? 0) - (reserved?.Disk.DiskMB ?? 0);
  const bytes = (mb: number) => humanizeIBytes(mb * BYTES_PER_MB);
  return [
    "CPU|Memory|Disk",
    `${cpu}/${totalCpu} MHz|${bytes(memory)}/${bytes(totalMemory)}|${bytes(disk)}/${
      bytes(totalDisk)
    }`,
  ];
}
