/**
 * The node reconciler for `system` and `sysbatch` jobs (Nomad's
 * diffSystemAllocs): such a job wants one allocation of each task group on
 * every ready node of its datacenters and pool, so the diff is computed node
 * by node. Pure: it returns the buckets (place, update, migrate, stop, ignore,
 * lost) and changes nothing.
 */

import {
  type Allocation,
  allocTerminal,
  type Job,
  type Node,
  nodeSchedulable,
  type TaskGroup,
} from "../structs/mod.ts";
import { ranSuccessfully, type TaintedNodes } from "./alloc_sets.ts";
import { nodeInPool } from "./feasibility.ts";
import type { StateView } from "./types.ts";

/** Stop description of a system allocation on a draining node marked to migrate. */
export const ALLOC_NODE_TAINTED = "system alloc not needed as node is tainted";

/** One allocation slot of a system job on one node. */
export interface SystemAllocTuple {
  /** Allocation name `<job>.<group>[<index>]`. */
  name: string;
  nodeID: string;
  /** The group that wants the slot; null when the job no longer wants it. */
  taskGroup: TaskGroup | null;
  /** The existing allocation, or for a placement the previous one on the node (or null). */
  alloc: Allocation | null;
}

/** What the node reconciler decided, over all nodes. */
export interface SystemReconcileResult {
  place: SystemAllocTuple[];
  update: SystemAllocTuple[];
  migrate: SystemAllocTuple[];
  stop: SystemAllocTuple[];
  ignore: SystemAllocTuple[];
  lost: SystemAllocTuple[];
}

/** Inputs of {@linkcode reconcileSystem}. */
export interface SystemReconcileInput {
  /** The job; null when it is stopped or purged (every allocation stops). */
  job: Job | null;
  /** Ready, eligible, not draining nodes in the job's datacenters and pool. */
  readyNodes: readonly Node[];
  /** Nodes in the job's pool that are not ready, ineligible or draining. */
  notReadyNodeIDs: ReadonlySet<string>;
  tainted: TaintedNodes;
  /** Every allocation of the job, terminal ones included. */
  allocs: readonly Allocation[];
}

/** Latest terminal allocation per node and name (Nomad's TerminalByNodeByName). */
export type TerminalByNode = ReadonlyMap<string, ReadonlyMap<string, Allocation>>;

function emptyResult(): SystemReconcileResult {
  return { place: [], update: [], migrate: [], stop: [], ignore: [], lost: [] };
}

/**
 * The allocation names a system job requires on each node: `count` slots per
 * group (normally one). A stopped or missing job requires nothing.
 *
 * @example
 * ```ts
 * import { requiredSystemGroups } from "./system_reconcile.ts";
 * // requiredSystemGroups(job) → Map { "agent.agent[0]" => group }
 * ```
 */
export function requiredSystemGroups(job: Job | null): Map<string, TaskGroup> {
  const out = new Map<string, TaskGroup>();
  if (job === null || job.Stop) return out;
  for (const tg of job.TaskGroups) {
    for (let i = 0; i < tg.Count; i++) out.set(`${job.Name}.${tg.Name}[${i}]`, tg);
  }
  return out;
}

/** Splits allocations into live ones and the latest terminal one per node and name. */
export function splitTerminalAllocs(
  allocs: readonly Allocation[],
): { live: Allocation[]; terminal: TerminalByNode } {
  const live: Allocation[] = [];
  const terminal = new Map<string, Map<string, Allocation>>();
  for (const alloc of allocs) {
    if (!allocTerminal(alloc)) {
      live.push(alloc);
      continue;
    }
    let byName = terminal.get(alloc.NodeID);
    if (byName === undefined) {
      byName = new Map();
      terminal.set(alloc.NodeID, byName);
    }
    const seen = byName.get(alloc.Name);
    if (seen === undefined || seen.CreateIndex < alloc.CreateIndex) byName.set(alloc.Name, alloc);
  }
  return { live, terminal };
}

/** Nodes in the pool that may not receive new allocations (Nomad's notReady set). */
export function notReadyNodeIDs(state: StateView, pool: string): Set<string> {
  const out = new Set<string>();
  for (const node of state.nodes()) {
    if (nodeInPool(node, pool) && !nodeSchedulable(node)) out.add(node.ID);
  }
  return out;
}

/** Everything one node's diff looks at. */
interface NodeDiffInput {
  job: Job | null;
  nodeID: string;
  eligible: ReadonlySet<string>;
  notReady: ReadonlySet<string>;
  tainted: TaintedNodes;
  required: ReadonlyMap<string, TaskGroup>;
  live: readonly Allocation[];
  terminal: ReadonlyMap<string, Allocation>;
}

type Bucket = keyof SystemReconcileResult;

// Where one live allocation of the node goes.
function classifyLive(input: NodeDiffInput, alloc: Allocation, tg: TaskGroup | null): Bucket {
  if (tg === null) return "stop";
  if (alloc.DesiredTransition.Migrate === true) return "migrate";
  if (input.tainted.has(input.nodeID)) {
    // Finished sysbatch work stays done even if its node goes away.
    if (alloc.Job?.Type === "sysbatch" && ranSuccessfully(alloc)) return "ignore";
    const node = input.tainted.get(input.nodeID) ?? null;
    return node === null || node.Status === "down" ? "lost" : "ignore";
  }
  // Ineligible or draining nodes keep what they run; only new placements stop.
  if (input.notReady.has(input.nodeID)) return "ignore";
  if (!input.eligible.has(input.nodeID)) return "stop";
  if (input.job !== null && alloc.Job?.JobModifyIndex !== input.job.JobModifyIndex) {
    return "update";
  }
  return "ignore";
}

// A required slot with no live allocation: place it, or for sysbatch leave finished work alone.
function classifyMissing(
  input: NodeDiffInput,
  name: string,
): { bucket: Bucket; alloc: Allocation | null } | null {
  const previous = input.terminal.get(name) ?? null;
  if (input.job?.Type === "sysbatch" && previous !== null) {
    const changed = previous.Job?.JobModifyIndex !== input.job.JobModifyIndex;
    return { bucket: changed ? "update" : "ignore", alloc: previous };
  }
  if (input.tainted.has(input.nodeID) || !input.eligible.has(input.nodeID)) return null;
  return { bucket: "place", alloc: previous };
}

/** Nomad's diffSystemAllocsForNode: the buckets of one node. */
export function diffSystemNode(input: NodeDiffInput): SystemReconcileResult {
  const result = emptyResult();
  const existing = new Set<string>();
  for (const alloc of input.live) {
    existing.add(alloc.Name);
    const tg = input.required.get(alloc.Name) ?? null;
    const bucket = classifyLive(input, alloc, tg);
    result[bucket].push({ name: alloc.Name, nodeID: input.nodeID, taskGroup: tg, alloc });
  }
  for (const [name, tg] of input.required) {
    if (existing.has(name)) continue;
    const missing = classifyMissing(input, name);
    if (missing === null) continue;
    result[missing.bucket].push({
      name,
      nodeID: input.nodeID,
      taskGroup: tg,
      alloc: missing.alloc,
    });
  }
  return result;
}

/**
 * Diffs a system job against its allocations on every node that is ready or
 * holds one of them, in node ID order so results are deterministic.
 *
 * @example
 * ```ts
 * import { reconcileSystem } from "./system_reconcile.ts";
 * // reconcileSystem({ job, readyNodes, notReadyNodeIDs, tainted, allocs }).place
 * ```
 */
export function reconcileSystem(input: SystemReconcileInput): SystemReconcileResult {
  const { live, terminal } = splitTerminalAllocs(input.allocs);
  const liveByNode = new Map<string, Allocation[]>();
  for (const alloc of live) {
    const list = liveByNode.get(alloc.NodeID) ?? [];
    list.push(alloc);
    liveByNode.set(alloc.NodeID, list);
  }
  const eligible = new Set(input.readyNodes.map((n) => n.ID));
  const nodeIDs = [...new Set([...eligible, ...liveByNode.keys()])].sort();
  const required = requiredSystemGroups(input.job);
  const result = emptyResult();
  for (const nodeID of nodeIDs) {
    const diff = diffSystemNode({
      job: input.job,
      nodeID,
      eligible,
      notReady: input.notReadyNodeIDs,
      tainted: input.tainted,
      required,
      live: liveByNode.get(nodeID) ?? [],
      terminal: terminal.get(nodeID) ?? new Map(),
    });
    for (const bucket of Object.keys(result) as Bucket[]) result[bucket].push(...diff[bucket]);
  }
  return result;
}
