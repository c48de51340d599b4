/**
 * Selecting a node for one placement (Nomad's GenericStack.Select): walk the
 * shuffled candidate list from a cursor, filter infeasible nodes, rank the
 * feasible ones, stop after a limit of ranked options (skipping up to three
 * low scorers), and keep the best. The cursor carries over between
 * placements of one evaluation so successive placements start where the last
 * one stopped, which keeps the cost sublinear in the number of nodes.
 */

import type { Rng } from "../core/mod.ts";
import type { Allocation, AllocationMetric, Job, Node, TaskGroup } from "../structs/mod.ts";
import type { SchedulerAlgorithm } from "./types.ts";
import { checkDistinctHosts, checkNodeClassFeasibility } from "./feasibility.ts";
import {
  exhaustNode,
  filterNode,
  newMetric,
  type NodeScoreRecord,
  populateScoreMetaData,
} from "./metrics.ts";
import { type RankedOption, rankNode } from "./rank.ts";

/** Ranked options whose score is at or below this are skipped when others remain. */
export const SKIP_SCORE_THRESHOLD = 0;
/** At most this many low-scoring options are skipped per selection. */
export const MAX_SKIP = 3;
/** Fewest ranked options inspected per selection (batch jobs use exactly this). */
export const MIN_SELECT_LIMIT = 2;

/** Inputs of one selection. */
export interface SelectInput {
  /** Candidate nodes, already shuffled. */
  nodes: readonly Node[];
  /** Where in `nodes` to start. */
  offset: number;
  /** How many ranked options to inspect. */
  limit: number;
  job: Job;
  taskGroup: TaskGroup;
  /** Allocations on a node, existing plus planned in this run. */
  proposed: (nodeID: string) => readonly Allocation[];
  algorithm: SchedulerAlgorithm;
  rng: Rng;
  penaltyNodeIDs: ReadonlySet<string>;
}

/** Outcome of one selection. */
export interface SelectResult {
  option: RankedOption | null;
  /** Cursor for the next selection. */
  offset: number;
  metric: AllocationMetric;
  /** Computed node class → whether some node of that class passed the class checks. */
  classEligibility: Record<string, boolean>;
}

/**
 * How many ranked options to inspect: ⌈log2 n⌉ for services (at least 2), 2
 * for batch, relying on the power of two choices.
 *
 * @example
 * ```ts
 * import { selectLimit } from "./select.ts";
 * selectLimit(1000, false); // 10
 * ```
 */
export function selectLimit(nodeCount: number, batch: boolean): number {
  if (batch || nodeCount <= 0) return MIN_SELECT_LIMIT;
  return Math.max(MIN_SELECT_LIMIT, Math.ceil(Math.log2(nodeCount)));
}

/** Fisher–Yates shuffle into a new array. */
export function shuffleNodes(nodes: readonly Node[], rng: Rng): Node[] {
  const out = [...nodes];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const a = out[i];
    const b = out[j];
    if (a === undefined || b === undefined) continue;
    out[i] = b;
    out[j] = a;
  }
  return out;
}

/** Mutable state of one selection walk; private to {@linkcode selectNode}. */
interface Walk {
  input: SelectInput;
  offset: number;
  seen: number;
  metric: AllocationMetric;
  records: NodeScoreRecord[];
  classEligibility: Record<string, boolean>;
}

function nextNode(walk: Walk): Node | null {
  const n = walk.input.nodes.length;
  if (walk.seen >= n) return null;
  if (walk.offset >= n) walk.offset = 0;
  const node = walk.input.nodes[walk.offset];
  walk.offset += 1;
  walk.seen += 1;
  walk.metric.NodesEvaluated += 1;
  return node ?? null;
}

function noteClass(walk: Walk, node: Node, eligible: boolean): void {
  if (node.ComputedClass === "") return;
  walk.classEligibility[node.ComputedClass] = eligible ||
    (walk.classEligibility[node.ComputedClass] ?? false);
}

// The next feasible, ranked option from the source, or null when every node was seen.
function nextRanked(walk: Walk): RankedOption | null {
  const { input, metric } = walk;
  for (let node = nextNode(walk); node !== null; node = nextNode(walk)) {
    const classCheck = checkNodeClassFeasibility(node, input.job, input.taskGroup);
    noteClass(walk, node, classCheck.feasible);
    if (!classCheck.feasible) {
      filterNode(metric, node, classCheck.reason);
      continue;
    }
    const proposed = input.proposed(node.ID);
    const distinct = checkDistinctHosts(input.job, input.taskGroup, proposed);
    if (!distinct.feasible) {
      filterNode(metric, node, distinct.reason);
      continue;
    }
    const ranked = rankNode({ ...input, node, proposed });
    if (!ranked.ok) {
      exhaustNode(metric, node, ranked.dimension);
      continue;
    }
    const option = ranked.option;
    walk.records.push({ nodeID: node.ID, scores: option.scores, normScore: option.finalScore });
    return option;
  }
  return null;
}

// Nomad's LimitIterator feeding a MaxScoreIterator.
function bestOfLimited(walk: Walk): RankedOption | null {
  const skipped: RankedOption[] = [];
  let skippedIndex = 0;
  let best: RankedOption | null = null;
  const fromSourceOrSkipped = (): RankedOption | null => {
    const next = nextRanked(walk);
    if (next === null && skippedIndex < skipped.length) return skipped[skippedIndex++] ?? null;
    return next;
  };
  for (let returned = 0; returned < walk.input.limit; returned++) {
    let option = fromSourceOrSkipped();
    if (option === null) break;
    while (
      option !== null && option.finalScore <= SKIP_SCORE_THRESHOLD && skipped.length < MAX_SKIP
    ) {
      skipped.push(option);
      option = nextRanked(walk);
    }
    if (option === null) option = fromSourceOrSkipped();
    if (option === null) break;
    if (best === null || option.finalScore > best.finalScore) best = option;
  }
  return best;
}

/**
 * Selects the best node for one placement of `taskGroup`, recording Nomad's
 * metrics (evaluated, filtered with reasons, exhausted with dimensions, top
 * scores).
 */
export function selectNode(input: SelectInput): SelectResult {
  const walk: Walk = {
    input,
    offset: input.offset,
    seen: 0,
    metric: newMetric(),
    records: [],
    classEligibility: {},
  };
  const option = bestOfLimited(walk);
  populateScoreMetaData(walk.metric, walk.records);
  return {
    option,
    offset: walk.offset,
    metric: walk.metric,
    classEligibility: walk.classEligibility,
  };
}
