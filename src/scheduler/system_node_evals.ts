/**
 * Which evaluations a node change calls for (Nomad's shouldCreateNodeEval and
 * createNodeEvals): one `node-update` evaluation for every job with an
 * allocation on the node, plus one for every `system` job that could run
 * there, so that nodes joining later get their system allocations. Pure: the
 * server supplies the state, IDs and time.
 */

import type { IdGenerator } from "../core/mod.ts";
import {
  type Allocation,
  type Evaluation,
  type Job,
  newEvaluation,
  type Node,
} from "../structs/mod.ts";
import { nodeInDatacenters, nodeInPool } from "./feasibility.ts";

/**
 * True when a node moving from `oldStatus` to `newStatus` needs evaluations:
 * initializing or down → ready, and into or out of disconnected.
 *
 * @example
 * ```ts
 * import { statusTransitionNeedsEvals } from "./system_node_evals.ts";
 * statusTransitionNeedsEvals("ready", "down"); // true
 * ```
 */
export function statusTransitionNeedsEvals(newStatus: string, oldStatus: string): boolean {
  const initToReady = oldStatus === "initializing" && newStatus === "ready";
  const downToReady = oldStatus === "down" && newStatus === "ready";
  const leftDisconnected = oldStatus === "disconnected" && newStatus !== "disconnected";
  const becameDisconnected = oldStatus !== "disconnected" && newStatus === "disconnected";
  return initToReady || downToReady || leftDisconnected || becameDisconnected;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * Nomad's shouldCreateNodeEval: a new or re-registered node needs evaluations
 * when it went down, became ready, or changed anything feasibility checks
 * read (datacenter, pool, class, attributes, meta, drivers, host volumes,
 * devices). Resource changes alone are left to blocked evaluations.
 *
 * @example
 * ```ts
 * import { nodeUpdateNeedsEvals } from "./system_node_evals.ts";
 * // nodeUpdateNeedsEvals(null, freshReadyNode) → true
 * ```
 */
export function nodeUpdateNeedsEvals(original: Node | null, updated: Node): boolean {
  if (updated.Status === "down") return true;
  if (original === null) return statusTransitionNeedsEvals(updated.Status, "initializing");
  if (statusTransitionNeedsEvals(updated.Status, original.Status)) return true;
  return original.Datacenter !== updated.Datacenter || original.Name !== updated.Name ||
    original.NodeClass !== updated.NodeClass || original.NodePool !== updated.NodePool ||
    !sameJson(original.Attributes, updated.Attributes) || !sameJson(original.Meta, updated.Meta) ||
    !sameJson(original.Drivers, updated.Drivers) ||
    !sameJson(original.HostVolumes, updated.HostVolumes) ||
    !sameJson(original.NodeResources.Devices, updated.NodeResources.Devices);
}

/** Running `system` jobs whose datacenters and node pool include the node. */
export function systemJobsForNode(jobs: readonly Job[], node: Node): Job[] {
  return jobs.filter((job) =>
    job.Type === "system" && !job.Stop && nodeInPool(node, job.NodePool) &&
    nodeInDatacenters(node, job.Datacenters)
  );
}

/** Inputs of {@linkcode nodeEvaluations}. */
export interface NodeEvaluationsInput {
  node: Node;
  /** Every allocation on the node. */
  allocs: readonly Allocation[];
  /** Every job (all namespaces). */
  jobs: readonly Job[];
  newId: IdGenerator;
  nowNs: number;
}

/**
 * Nomad's createNodeEvals: one pending `node-update` evaluation per job with
 * an allocation on the node, then per system job that could run there, each
 * job once.
 */
export function nodeEvaluations(input: NodeEvaluationsInput): Evaluation[] {
  const seen = new Set<string>();
  const out: Evaluation[] = [];
  const add = (job: Pick<Job, "Namespace" | "ID" | "Priority" | "Type">) => {
    const key = `${job.Namespace}\u0000${job.ID}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(newEvaluation({
      ID: input.newId(),
      Namespace: job.Namespace,
      Priority: job.Priority,
      Type: job.Type,
      TriggeredBy: "node-update",
      JobID: job.ID,
      NodeID: input.node.ID,
      NodeModifyIndex: input.node.ModifyIndex,
      CreateTime: input.nowNs,
      ModifyTime: input.nowNs,
    }));
  };
  for (const alloc of input.allocs) {
    if (alloc.Job !== null) add({ ...alloc.Job, Namespace: alloc.Namespace, ID: alloc.JobID });
  }
  for (const job of systemJobsForNode(input.jobs, input.node)) add(job);
  return out;
}
