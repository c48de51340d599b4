/**
 * Selecting a node for one placement (Nomad's GenericStack.Select): walk the
 * shuffled candidate list from a cursor, filter infeasible nodes, rank the
 * feasible ones, stop after a limit of ranked options (skipping up to three
 * low scorers), and keep the best. The cursor carries over between
 * placements of one evaluation so successive placements start where the last
 * one stopped, which keeps the cost sublinear in the number of nodes.
 */

import type { Rng } from "../core/mod.ts";
import type {
  Affinity,
  AllocatedResources,
  Allocation,
  AllocationMetric,
  Constraint,
  Job,
  Node,
  Plan,
  TaskGroup,
} from "../structs/mod.ts";
import type { SchedulerAlgorithm, StateView } from "./types.ts";
import { combinedAffinities } from "./affinity_score.ts";
import { CONSTRAINT_DISTINCT_HOSTS, CONSTRAINT_DISTINCT_PROPERTY } from "./constraints.ts";
import {
  cachedNodeFeasibility,
  loadCache,
  type NodeFeasibility,
  type NodeLoad,
} from "./rank_cache.ts";
import { type SpreadState, spreadState } from "./spread_score.ts";
import {
  checkDistinctHosts,
  checkDistinctProperty,
  checkNodeAvailability,
  checkNodeClassFeasibility,
  type PropertyUsage,
} from "./feasibility.ts";
import { assignCoresAndDevices, coresAndDevicesExhausted } from "./alloc_fit.ts";
import { selectPreemptions, withPreemption } from "./preemption.ts";
import {
  exhaustNode,
  filterNode,
  MAX_RETAINED_NODE_SCORES,
  newMetric,
  type NodeScoreRecord,
  populateScoreMetaData,
} from "./metrics.ts";
import {
  type GroupAsk,
  groupAsk,
  materialize,
  namedScores,
  type RankedOption,
  type ScoredNode,
  scoreNode,
} from "./rank.ts";

/** Ranked options whose score is at or below this are skipped when others remain. */
export const SKIP_SCORE_THRESHOLD = 0;
/** At most this many low-scoring options are skipped per selection. */
export const MAX_SKIP = 3;
/** Fewest ranked options inspected per selection (batch jobs use exactly this). */
export const MIN_SELECT_LIMIT = 2;
/**
 * Fewest ranked options inspected when affinities or spreads apply: scoring
 * those needs a wide view of the cluster (Nomad's empirically chosen 100, or
 * the group's count when larger).
 */
export const MIN_SCORING_SELECT_LIMIT = 100;

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
  /** The job's allocations for distinct_property; without it the constraint is not checked. */
  propertyUsage?: PropertyUsage;
  /** Current spread of the group (from {@linkcode rankingInputs}); none when absent. */
  spread?: SpreadState | null;
  /** Memoized class and availability checks (from {@linkcode rankingInputs}); computed per node when absent. */
  nodeFeasibility?: (node: Node) => NodeFeasibility;
  /** Memoized usage and ports of `proposed` (from {@linkcode rankingInputs}). */
  load?: (nodeID: string) => NodeLoad;
  /** Whether tasks keep their memory_max (scheduler configuration); true when absent. */
  memoryOversubscription?: boolean;
  /**
   * When set, a node without room for the group is made room on by evicting
   * lower-priority allocations (see `selectPreemptions`); `planPreemptions`
   * are those the plan already evicts.
   */
  preemption?: { planPreemptions: readonly Allocation[] } | null;
}

/**
 * The plan-dependent inputs of a selection: memoized proposed allocations of
 * each node and the group's current spread.
 */
export function rankingInputs(
  state: StateView,
  plan: Plan,
  group: { job: Job; taskGroup: TaskGroup },
): Pick<
  SelectInput,
  "proposed" | "spread" | "nodeFeasibility" | "load" | "memoryOversubscription"
> {
  const loads = loadCache(state, plan);
  return {
    proposed: loads.proposed,
    load: loads.load,
    nodeFeasibility: cachedNodeFeasibility(plan, group),
    memoryOversubscription: state.memoryOversubscriptionEnabled?.() ?? true,
    spread: spreadState({
      job: group.job,
      taskGroup: group.taskGroup,
      existing: state.allocsByJob(group.job.Namespace, group.job.ID),
      plan,
      nodeByID: (id) => state.nodeByID(id),
    }),
  };
}

/**
 * The limit for one task group: the base limit, widened to the group's count
 * (at least {@linkcode MIN_SCORING_SELECT_LIMIT}) when it has affinities or
 * spreads, as Nomad's GenericStack.Select does.
 */
export function groupSelectLimit(base: number, tg: TaskGroup, scoring: boolean): number {
  if (!scoring) return base;
  return Math.max(base, tg.Count, MIN_SCORING_SELECT_LIMIT);
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
  affinities: readonly Affinity[];
  offset: number;
  seen: number;
  metric: AllocationMetric;
  /** Every node scored so far, in the order visited. */
  scored: ScoredNode[];
  classEligibility: Record<string, boolean>;
  /** The group's ask, derived once per group object. */
  ask: GroupAsk;
  /** Whether the job or group has distinct_hosts or distinct_property constraints. */
  distinct: boolean;
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

// The group's resources before ports, reserved cores and devices are assigned.
function baseResources(tg: TaskGroup, ask: GroupAsk): AllocatedResources {
  return {
    Tasks: ask.tasks,
    TaskLifecycles: ask.lifecycles,
    Shared: { DiskMB: tg.EphemeralDisk.SizeMB, Networks: null, Ports: null },
  };
}

// Feasibility checks that depend on the node's allocations; the failure's
// reason (filtered) or dimension (exhausted), or null when the node passes.
function checkProposed(
  walk: Walk,
  node: Node,
  proposed: readonly Allocation[],
): { filtered: string } | { exhausted: string } | null {
  const { input } = walk;
  if (!walk.distinct) return coresAndDevices(walk, node, proposed);
  const distinct = checkDistinctHosts(input.job, input.taskGroup, proposed);
  if (!distinct.feasible) return { filtered: distinct.reason };
  if (input.propertyUsage !== undefined) {
    const property = checkDistinctProperty(input.job, input.taskGroup, {
      node,
      usage: input.propertyUsage,
    });
    if (!property.feasible) return { filtered: property.reason };
  }
  return coresAndDevices(walk, node, proposed);
}

function coresAndDevices(
  walk: Walk,
  node: Node,
  proposed: readonly Allocation[],
): { exhausted: string } | null {
  if (!walk.ask.wantsCoresOrDevices) return null;
  const scarce = coresAndDevicesExhausted({ node, taskGroup: walk.input.taskGroup, proposed });
  return scarce === null ? null : { exhausted: scarce };
}

// The distinct_* checks pass trivially without such constraints; skipping them
// keeps a selection over many nodes cheap.
function hasDistinctConstraints(job: Job, tg: TaskGroup): boolean {
  const distinct = (c: Constraint) =>
    c.Operand === CONSTRAINT_DISTINCT_HOSTS || c.Operand === CONSTRAINT_DISTINCT_PROPERTY;
  return (job.Constraints ?? []).some(distinct) || (tg.Constraints ?? []).some(distinct);
}

function uncachedFeasibility(input: SelectInput, node: Node): NodeFeasibility {
  const classCheck = checkNodeClassFeasibility(node, input.job, input.taskGroup);
  if (!classCheck.feasible) return { classCheck, available: classCheck };
  return { classCheck, available: checkNodeAvailability(node, input.taskGroup) };
}

// Scores a node that passed the feasibility checks; null when it is exhausted.
function scoreCandidate(
  walk: Walk,
  candidate: { node: Node; proposed: readonly Allocation[]; load: NodeLoad | undefined },
): ScoredNode | null {
  const { input } = walk;
  const { node, proposed, load } = candidate;
  const result = scoreNode({
    node,
    job: input.job,
    taskGroup: input.taskGroup,
    proposed,
    algorithm: input.algorithm,
    penaltyNodeIDs: input.penaltyNodeIDs,
    affinities: walk.affinities,
    spread: input.spread ?? null,
    ask: walk.ask,
    ...(load === undefined ? {} : { load }),
  });
  if (!result.ok) return exhausted(walk, candidate, result.dimension);
  if (!walk.ask.wantsCoresOrDevices) return result.scored;
  const extras = assignCoresAndDevices(
    { node, taskGroup: input.taskGroup, proposed },
    baseResources(input.taskGroup, walk.ask),
  );
  if (!extras.ok) return exhausted(walk, candidate, extras.dimension);
  return { ...result.scored, tasks: extras.resources.Tasks };
}

// A node without room: scored after evicting lower-priority allocations when
// preemption is on and that makes room, else recorded as exhausted. Unlike
// Nomad (whose fit score counts the evicted allocations, so it saturates at
// 1), the fit is scored on the node as it will be after the evictions.
function exhausted(
  walk: Walk,
  candidate: { node: Node; proposed: readonly Allocation[] },
  dimension: string,
): ScoredNode | null {
  const preemption = walk.input.preemption ?? null;
  const victims = preemption === null ? null : selectPreemptions({
    node: candidate.node,
    proposed: candidate.proposed,
    job: walk.input.job,
    taskGroup: walk.input.taskGroup,
    ask: walk.ask,
    planPreemptions: preemption.planPreemptions,
  });
  if (victims === null) {
    exhaustNode(walk.metric, candidate.node, dimension);
    return null;
  }
  const gone = new Set(victims.map((a) => a.ID));
  const proposed = candidate.proposed.filter((a) => !gone.has(a.ID));
  const plain = { ...walk, input: { ...walk.input, preemption: null } };
  const scored = scoreCandidate(plain, { node: candidate.node, proposed, load: undefined });
  return scored === null ? null : withPreemption(scored, victims);
}

// The next feasible, scored node from the source, or null when every node was seen.
function nextRanked(walk: Walk): ScoredNode | null {
  const { input, metric } = walk;
  for (let node = nextNode(walk); node !== null; node = nextNode(walk)) {
    const checks = input.nodeFeasibility?.(node) ?? uncachedFeasibility(input, node);
    noteClass(walk, node, checks.classCheck.feasible);
    if (!checks.classCheck.feasible) {
      filterNode(metric, node, checks.classCheck.reason);
      continue;
    }
    if (!checks.available.feasible) {
      filterNode(metric, node, checks.available.reason);
      continue;
    }
    const load = input.load?.(node.ID);
    const proposed = load?.allocs ?? input.proposed(node.ID);
    const failure = checkProposed(walk, node, proposed);
    if (failure !== null) {
      if ("filtered" in failure) filterNode(metric, node, failure.filtered);
      else {
        const preempting = exhausted(walk, { node, proposed }, failure.exhausted);
        if (preempting !== null) {
          walk.scored.push(preempting);
          return preempting;
        }
      }
      continue;
    }
    const scored = scoreCandidate(walk, { node, proposed, load });
    if (scored === null) continue;
    walk.scored.push(scored);
    return scored;
  }
  return null;
}

// Nomad's LimitIterator feeding a MaxScoreIterator.
function bestOfLimited(walk: Walk): ScoredNode | null {
  const skipped: ScoredNode[] = [];
  let skippedIndex = 0;
  let best: ScoredNode | null = null;
  const fromSourceOrSkipped = (): ScoredNode | null => {
    const next = nextRanked(walk);
    if (next === null && skippedIndex < skipped.length) return skipped[skippedIndex++] ?? null;
    return next;
  };
  const scoring = walk.affinities.length > 0 || (walk.input.spread ?? null) !== null;
  const limit = groupSelectLimit(walk.input.limit, walk.input.taskGroup, scoring);
  for (let returned = 0; returned < limit; returned++) {
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

// Score records of the best-scoring nodes (what `ScoreMetaData` keeps), built
// only for those: a stable sort keeps the first of equal scores first.
function topRecords(scored: readonly ScoredNode[]): NodeScoreRecord[] {
  return [...scored]
    .sort((a, b) => b.finalScore - a.finalScore)
    .slice(0, MAX_RETAINED_NODE_SCORES)
    .map((s) => ({ nodeID: s.node.ID, scores: namedScores(s), normScore: s.finalScore }));
}

/**
 * Selects the best node for one placement of `taskGroup`, recording Nomad's
 * metrics (evaluated, filtered with reasons, exhausted with dimensions, top
 * scores).
 */
export function selectNode(input: SelectInput): SelectResult {
  const walk: Walk = {
    input,
    affinities: combinedAffinities(input.job, input.taskGroup),
    offset: input.offset,
    seen: 0,
    metric: newMetric(),
    scored: [],
    classEligibility: {},
    ask: groupAsk(input.taskGroup, input.memoryOversubscription ?? true),
    distinct: hasDistinctConstraints(input.job, input.taskGroup),
  };
  const best = bestOfLimited(walk);
  populateScoreMetaData(walk.metric, topRecords(walk.scored));
  return {
    option: best === null ? null : materialize(best, { ...input, ask: walk.ask }),
    offset: walk.offset,
    metric: walk.metric,
    classEligibility: walk.classEligibility,
  };
}
