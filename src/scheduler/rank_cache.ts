/**
 * Memoization that keeps ranking cheap when one evaluation places thousands of
 * allocations. Everything cached is derived from frozen state objects or from
 * the attempt's plan, keyed by object identity in WeakMaps so nothing outlives
 * the objects it describes:
 *
 * - the proposed allocations of a node with their usage and ports, rebuilt
 *   only when the plan's lists for that node change length (the plan builder
 *   only appends, or removes the entry it just appended, so the lengths
 *   identify the content);
 * - the resources each allocation weighs;
 * - a node's reserved ports, parsed once per node object;
 * - the class checks (constraints, drivers) and availability checks (host
 *   volumes) of a node for a task group during one attempt (the job and nodes
 *   cannot change within it).
 */

import {
  type AllocatedResources,
  type Allocation,
  allocTerminal,
  type Job,
  type Node,
  type Plan,
  type TaskGroup,
} from "../structs/mod.ts";
import {
  checkNodeAvailability,
  checkNodeClassFeasibility,
  type Feasibility,
} from "./feasibility.ts";
import type { StateView } from "./types.ts";
import { allocatedComparable, type ComparableResources } from "./alloc_fit.ts";
import { proposedAllocs } from "./plan_builder.ts";
import { addAllocationPorts, nodeAddress, parsePortRanges, type PortIndex } from "./ports.ts";
import { DEFAULT_MAX_DYNAMIC_PORT, DEFAULT_MIN_DYNAMIC_PORT } from "./ports.ts";

/** A node's proposed allocations with what they weigh and the ports they hold. */
export interface NodeLoad {
  allocs: readonly Allocation[];
  usage: ComparableResources;
  /** Built on first use; callers only read it. */
  ports: PortsResult | null;
  /** The node's address ({@linkcode addressOf}), looked up on first use. */
  ip: string | null;
}

interface LoadEntry {
  allocationsLength: number;
  updatesLength: number;
  load: NodeLoad;
}

interface PlanCache {
  state: StateView;
  byNode: Map<string, LoadEntry>;
}

const planCaches = new WeakMap<Plan, PlanCache>();

/** Memoized per-node loads of one attempt's plan. */
export interface LoadCache {
  /** The node's allocations if the plan were applied. */
  proposed(nodeID: string): readonly Allocation[];
  /** The same allocations with their usage and ports. */
  load(nodeID: string): NodeLoad;
}

/**
 * Per-node loads for selections over `plan`: the node's allocations if the
 * plan were applied (see {@linkcode proposedAllocs}), their usage and ports,
 * memoized per node until the plan's lists for that node change.
 *
 * @example
 * ```ts
 * import { loadCache } from "./rank_cache.ts";
 * // const cache = loadCache(state, plan); cache.proposed(id) === cache.proposed(id) → true
 * ```
 */
export function loadCache(state: StateView, plan: Plan): LoadCache {
  let cache = planCaches.get(plan);
  if (cache === undefined || cache.state !== state) {
    cache = { state, byNode: new Map() };
    planCaches.set(plan, cache);
  }
  const byNode = cache.byNode;
  const load = (nodeID: string): NodeLoad => {
    const allocationsLength = plan.NodeAllocation[nodeID]?.length ?? 0;
    const updatesLength = plan.NodeUpdate[nodeID]?.length ?? 0;
    const hit = byNode.get(nodeID);
    if (
      hit !== undefined && hit.allocationsLength === allocationsLength &&
      hit.updatesLength === updatesLength
    ) {
      return hit.load;
    }
    const allocs = proposedAllocs(state, plan, nodeID);
    const fresh = { allocs, usage: usageOf(allocs), ports: null, ip: null };
    byNode.set(nodeID, { allocationsLength, updatesLength, load: fresh });
    return fresh;
  };
  return { proposed: (nodeID) => load(nodeID).allocs, load };
}

/** The address of a load's node, looked up once. */
export function loadAddress(node: Node, load: NodeLoad): string {
  load.ip ??= addressOf(node);
  return load.ip;
}

/** The ports of a load, built once. */
export function loadPorts(node: Node, load: NodeLoad): PortsResult {
  load.ports ??= buildPorts(node, load.allocs);
  return load.ports;
}

const comparableCache = new WeakMap<AllocatedResources, ComparableResources>();

/** What an allocation's resources weigh, memoized per resources object. */
export function comparableOf(resources: AllocatedResources): ComparableResources {
  let value = comparableCache.get(resources);
  if (value === undefined) {
    value = allocatedComparable(resources);
    comparableCache.set(resources, value);
  }
  return value;
}

/** Sum of the live allocations' resources (terminal ones weigh nothing). */
export function usageOf(allocs: readonly Allocation[]): ComparableResources {
  let cpuShares = 0;
  let memoryMB = 0;
  let diskMB = 0;
  for (const alloc of allocs) {
    if (alloc.AllocatedResources === null || allocTerminal(alloc)) continue;
    const r = comparableOf(alloc.AllocatedResources);
    cpuShares += r.cpuShares;
    memoryMB += r.memoryMB;
    diskMB += r.diskMB;
  }
  return { cpuShares, memoryMB, diskMB };
}

type Reserved = { ok: true; value: ReadonlySet<number> } | { ok: false; error: string };
const reservedCache = new WeakMap<Node, Reserved>();

function reservedPorts(node: Node): Reserved {
  let value = reservedCache.get(node);
  if (value === undefined) {
    const parsed = parsePortRanges(node.ReservedResources.Networks.ReservedHostPorts);
    value = parsed.ok ? { ok: true, value: new Set(parsed.value) } : parsed;
    reservedCache.set(node, value);
  }
  return value;
}

/** A node's port index with the proposed allocations' ports marked, or why it cannot be built. */
export type PortsResult = { ok: true; index: PortIndex } | { ok: false; dimension: string };

/** The ports taken on `node` by its reserved ports and `proposed`. */
export function portsOf(node: Node, proposed: readonly Allocation[]): PortsResult {
  return buildPorts(node, proposed);
}

function buildPorts(node: Node, proposed: readonly Allocation[]): PortsResult {
  const reserved = reservedPorts(node);
  if (!reserved.ok) return { ok: false, dimension: "network: invalid node" };
  const min = node.NodeResources.MinDynamicPort;
  const max = node.NodeResources.MaxDynamicPort;
  const index: PortIndex = {
    reserved: reserved.value,
    used: new Map(),
    minDynamicPort: min > 0 ? min : DEFAULT_MIN_DYNAMIC_PORT,
    maxDynamicPort: max > 0 ? max : DEFAULT_MAX_DYNAMIC_PORT,
  };
  if (addAllocationPorts(index, proposed) !== null) {
    return { ok: false, dimension: "network: port collision" };
  }
  return { ok: true, index };
}

/** The allocation-independent checks of a node for a task group. */
export interface NodeFeasibility {
  /** The class-cacheable checks ({@linkcode checkNodeClassFeasibility}). */
  classCheck: Feasibility;
  /** The availability checks ({@linkcode checkNodeAvailability}); not part of the class. */
  available: Feasibility;
}

const feasibilityCaches = new WeakMap<
  Plan,
  WeakMap<TaskGroup, WeakMap<Node, NodeFeasibility>>
>();

/**
 * `checkNodeClassFeasibility` and `checkNodeAvailability` for one task group
 * of the attempt owning `plan`, memoized per node object: a node is visited
 * by many placements of one evaluation, and its constraints, drivers and
 * volumes do not change meanwhile.
 */
export function cachedNodeFeasibility(
  plan: Plan,
  group: { job: Job; taskGroup: TaskGroup },
): (node: Node) => NodeFeasibility {
  let perGroup = feasibilityCaches.get(plan);
  if (perGroup === undefined) {
    perGroup = new WeakMap();
    feasibilityCaches.set(plan, perGroup);
  }
  let perNode = perGroup.get(group.taskGroup);
  if (perNode === undefined) {
    perNode = new WeakMap();
    perGroup.set(group.taskGroup, perNode);
  }
  const cache = perNode;
  return (node) => {
    let result = cache.get(node);
    if (result === undefined) {
      const classCheck = checkNodeClassFeasibility(node, group.job, group.taskGroup);
      // Nomad checks availability only for nodes whose class passed.
      const available = classCheck.feasible
        ? checkNodeAvailability(node, group.taskGroup)
        : classCheck;
      result = { classCheck, available };
      cache.set(node, result);
    }
    return result;
  };
}

const addressCache = new WeakMap<Node, string>();

/** The IP a node's allocations bind to ({@linkcode nodeAddress}), memoized per node object. */
export function addressOf(node: Node): string {
  let ip = addressCache.get(node);
  if (ip === undefined) {
    ip = nodeAddress(node);
    addressCache.set(node, ip);
  }
  return ip;
}
