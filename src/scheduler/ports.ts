/**
 * Host ports: which are taken on a node (node reserved ports plus every
 * proposed allocation's ports) and assignment of a group network's static and
 * dynamic ports. Mirrors Nomad's NetworkIndex for the default host network.
 */

import { randomInt, type Rng } from "../core/mod.ts";
import {
  type AllocatedPortMapping,
  type Allocation,
  allocClientTerminal,
  type NetworkResource,
  type Node,
  type Port,
} from "../structs/mod.ts";

/** Smallest dynamic port when the node does not say. */
export const DEFAULT_MIN_DYNAMIC_PORT = 20000;
/** Largest dynamic port when the node does not say. */
export const DEFAULT_MAX_DYNAMIC_PORT = 32000;
/** Ports must be below this. */
export const MAX_VALID_PORT = 65536;
/** Random probes for a free dynamic port before scanning the whole range. */
export const MAX_RANDOM_PORT_ATTEMPTS = 20;
/** Largest port range spec accepted, to bound memory. */
const MAX_PORT_RANGE_ITEMS = MAX_VALID_PORT;

/** Ports in use on one node, per IP, plus the node's reserved ports (all IPs). */
export interface PortIndex {
  readonly reserved: ReadonlySet<number>;
  readonly used: Map<string, Set<number>>;
  readonly minDynamicPort: number;
  readonly maxDynamicPort: number;
}

/** Either a value or the reason it could not be produced. */
export type PortResult<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Parses a port spec like "22,80,8000-8010" (Nomad's ParsePortRanges).
 *
 * @example
 * ```ts
 * import { parsePortRanges } from "./ports.ts";
 * parsePortRanges("22, 80-82"); // { ok: true, value: [22, 80, 81, 82] }
 * ```
 */
export function parsePortRanges(spec: string): PortResult<number[]> {
  if (spec.trim() === "") return { ok: true, value: [] };
  const ports = new Set<number>();
  for (const raw of spec.split(",")) {
    const part = raw.trim();
    const range = part.split("-");
    const start = Number(range[0]);
    const end = range.length === 2 ? Number(range[1]) : start;
    if (range.length > 2 || part === "" || !Number.isInteger(start) || !Number.isInteger(end)) {
      return { ok: false, error: `invalid port spec ${JSON.stringify(part)}` };
    }
    if (start <= 0 || end >= MAX_VALID_PORT || end < start) {
      return { ok: false, error: `invalid port range ${JSON.stringify(part)}` };
    }
    if (ports.size + (end - start) > MAX_PORT_RANGE_ITEMS) {
      return { ok: false, error: "port spec too large" };
    }
    for (let p = start; p <= end; p++) ports.add(p);
  }
  return { ok: true, value: [...ports].sort((a, b) => a - b) };
}

/**
 * The IP a node's allocations bind to: its first host network's IP, else the
 * `unique.network.ip-address` attribute, else loopback.
 */
export function nodeAddress(node: Node): string {
  const networks = node.NodeResources.Networks ?? [];
  const host = networks.find((n) => n.IP !== "" && (n.Mode === "host" || n.Mode === ""));
  const any = host ?? networks.find((n) => n.IP !== "");
  if (any !== undefined) return any.IP;
  return node.Attributes["unique.network.ip-address"] ?? "127.0.0.1";
}

/** An index with only the node's reserved ports; fails when they do not parse. */
export function newPortIndex(node: Node): PortResult<PortIndex> {
  const reserved = parsePortRanges(node.ReservedResources.Networks.ReservedHostPorts);
  if (!reserved.ok) return reserved;
  const min = node.NodeResources.MinDynamicPort;
  const max = node.NodeResources.MaxDynamicPort;
  return {
    ok: true,
    value: {
      reserved: new Set(reserved.value),
      used: new Map(),
      minDynamicPort: min > 0 ? min : DEFAULT_MIN_DYNAMIC_PORT,
      maxDynamicPort: max > 0 ? max : DEFAULT_MAX_DYNAMIC_PORT,
    },
  };
}

/** True when `port` is taken on `ip`. */
export function portUsed(index: PortIndex, ip: string, port: number): boolean {
  return index.reserved.has(port) || (index.used.get(ip)?.has(port) ?? false);
}

// Returns the reason when the port is already taken, else marks it used.
function reservePort(index: PortIndex, ip: string, port: number): string | null {
  if (port < 0 || port >= MAX_VALID_PORT) return `invalid port ${port}`;
  if (portUsed(index, ip, port)) return `port ${port} already in use`;
  let set = index.used.get(ip);
  if (set === undefined) {
    set = new Set();
    index.used.set(ip, set);
  }
  set.add(port);
  return null;
}

/** Every (ip, port) an allocation holds, from its assigned ports or networks. */
export function allocationPorts(alloc: Allocation): { ip: string; port: number }[] {
  const resources = alloc.AllocatedResources;
  if (resources === null) return [];
  const shared = resources.Shared.Ports ?? [];
  if (shared.length > 0) return shared.map((p) => ({ ip: p.HostIP, port: p.Value }));
  const networks: NetworkResource[] = [...(resources.Shared.Networks ?? [])];
  for (const task of Object.values(resources.Tasks)) {
    const first = task.Networks?.[0];
    if (first !== undefined) networks.push(first);
  }
  return networks.flatMap((n) =>
    [...(n.ReservedPorts ?? []), ...(n.DynamicPorts ?? [])].map((p) => ({
      ip: n.IP,
      port: p.Value,
    }))
  );
}

/**
 * Marks the ports of `allocs` used. Returns Nomad's collision reason for the
 * first allocation that reuses a taken port, or null. Client-terminal
 * allocations hold no ports.
 */
export function addAllocationPorts(index: PortIndex, allocs: readonly Allocation[]): string | null {
  let collision: string | null = null;
  for (const alloc of allocs) {
    if (allocClientTerminal(alloc)) continue;
    const reasons: string[] = [];
    for (const { ip, port } of allocationPorts(alloc)) {
      const reason = reservePort(index, ip, port);
      if (reason !== null) reasons.push(reason);
    }
    if (reasons.length > 0 && collision === null) {
      collision = `collision when reserving port for alloc ${alloc.ID}: [${reasons.join(" ")}]`;
    }
  }
  return collision;
}

function pickDynamicPort(
  index: PortIndex,
  ip: string,
  taken: ReadonlySet<number>,
  rng: Rng,
): number | null {
  const free = (p: number) => !portUsed(index, ip, p) && !taken.has(p);
  const min = index.minDynamicPort;
  const max = index.maxDynamicPort;
  for (let attempt = 0; attempt < MAX_RANDOM_PORT_ATTEMPTS; attempt++) {
    const p = randomInt(rng, min, max);
    if (free(p)) return p;
  }
  // Random probing failed: scan precisely, then pick uniformly among the free ports.
  const candidates: number[] = [];
  for (let p = min; p <= max; p++) if (free(p)) candidates.push(p);
  if (candidates.length === 0) return null;
  return candidates[randomInt(rng, 0, candidates.length - 1)] ?? null;
}

/**
 * Assigns a group network's ports on `ip`: static ports must be free, dynamic
 * ports get random free values in the node's dynamic range, distinct from each
 * other and from the static ones. Does not mark them used.
 */
export function assignPorts(
  index: PortIndex,
  ask: NetworkResource,
  ip: string,
  rng: Rng,
): PortResult<AllocatedPortMapping[]> {
  const offer: AllocatedPortMapping[] = [];
  const taken = new Set<number>();
  for (const port of ask.ReservedPorts ?? []) {
    if (port.Value < 0 || port.Value >= MAX_VALID_PORT) {
      return { ok: false, error: `invalid port ${port.Value} (out of range)` };
    }
    if (portUsed(index, ip, port.Value)) {
      return { ok: false, error: `reserved port collision ${port.Label}=${port.Value}` };
    }
    offer.push({ Label: port.Label, Value: port.Value, To: port.To, HostIP: ip });
    taken.add(port.Value);
  }
  for (const port of ask.DynamicPorts ?? []) {
    const value = pickDynamicPort(index, ip, taken, rng);
    if (value === null) return { ok: false, error: "dynamic port selection failed" };
    offer.push({
      Label: port.Label,
      Value: value,
      To: port.To === -1 ? value : port.To,
      HostIP: ip,
    });
    taken.add(value);
  }
  return { ok: true, value: offer };
}

/** Marks an offer's ports used so later asks on the same node avoid them. */
export function reserveOffer(index: PortIndex, offer: readonly AllocatedPortMapping[]): void {
  for (const p of offer) reservePort(index, p.HostIP, p.Value);
}

/** The group network as placed: the ask with its IP and dynamic port values filled in. */
export function networkFromOffer(
  ask: NetworkResource,
  offer: readonly AllocatedPortMapping[],
  ip: string,
): NetworkResource {
  const fill = (p: Port): Port => {
    const assigned = offer.find((o) => o.Label === p.Label);
    return assigned === undefined ? { ...p } : { ...p, Value: assigned.Value, To: assigned.To };
  };
  return {
    ...ask,
    IP: ip,
    DNS: ask.DNS === null ? null : { ...ask.DNS },
    ReservedPorts: ask.ReservedPorts === null ? null : ask.ReservedPorts.map((p) => ({ ...p })),
    DynamicPorts: ask.DynamicPorts === null ? null : ask.DynamicPorts.map(fill),
  };
}
