/**
 * Recording an {@linkcode AllocationMetric} while one placement is searched.
 * The metric object is owned by a single selection and filled in as nodes are
 * visited, the way Nomad's AllocMetric is.
 */

import {
  type AllocationMetric,
  emptyAllocationMetric,
  type Node,
  type TaskGroup,
} from "../structs/mod.ts";

/** Nomad keeps the scores of the best five nodes in `ScoreMetaData`. */
export const MAX_RETAINED_NODE_SCORES = 5;

/** Scores gathered for one node during a selection. */
export interface NodeScoreRecord {
  nodeID: string;
  scores: Record<string, number>;
  normScore: number;
}

/** A fresh metric for one selection. */
export function newMetric(): AllocationMetric {
  return emptyAllocationMetric();
}

function increment(map: Record<string, number> | null, key: string): Record<string, number> {
  const out = map ?? {};
  out[key] = (out[key] ?? 0) + 1;
  return out;
}

/** Counts a node removed by a feasibility check; `reason` keys `ConstraintFiltered`. */
export function filterNode(metric: AllocationMetric, node: Node, reason: string): void {
  metric.NodesFiltered += 1;
  if (node.NodeClass !== "") metric.ClassFiltered = increment(metric.ClassFiltered, node.NodeClass);
  if (reason !== "") metric.ConstraintFiltered = increment(metric.ConstraintFiltered, reason);
}

/** Counts a feasible node that lacked resources; `dimension` keys `DimensionExhausted`. */
export function exhaustNode(metric: AllocationMetric, node: Node, dimension: string): void {
  metric.NodesExhausted += 1;
  if (node.NodeClass !== "") {
    metric.ClassExhausted = increment(metric.ClassExhausted, node.NodeClass);
  }
  if (dimension !== "") {
    metric.DimensionExhausted = increment(metric.DimensionExhausted, dimension);
  }
}

/** Records the resources a failed task group asked for (Nomad's ExhaustResources). */
export function exhaustResources(metric: AllocationMetric, tg: TaskGroup): void {
  const dims = metric.DimensionExhausted;
  if (dims === null) return;
  const out: Record<string, unknown> = { ...(metric.ResourcesExhausted ?? {}) };
  for (const task of tg.Tasks) {
    const prev = out[task.Name] as { CPU: number; MemoryMB: number } | undefined;
    const next = { CPU: prev?.CPU ?? 0, MemoryMB: prev?.MemoryMB ?? 0 };
    if ((dims["memory"] ?? 0) > 0) next.MemoryMB += task.Resources.MemoryMB;
    if ((dims["cpu"] ?? 0) > 0) next.CPU += task.Resources.CPU;
    out[task.Name] = next;
  }
  metric.ResourcesExhausted = out;
}

/** Stores the best-scoring nodes, highest normalized score first. */
export function populateScoreMetaData(
  metric: AllocationMetric,
  records: readonly NodeScoreRecord[],
): void {
  if (records.length === 0) return;
  const top = [...records]
    .sort((a, b) => b.normScore - a.normScore)
    .slice(0, MAX_RETAINED_NODE_SCORES);
  metric.ScoreMetaData = top.map((r) => ({
    NodeID: r.nodeID,
    Scores: r.scores,
    NormScore: r.normScore,
  }));
}
