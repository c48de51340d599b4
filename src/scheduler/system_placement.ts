/**
 * Placing a system job's missing allocations: each placement targets one
 * known node, so the node is checked alone (Nomad's SystemStack). A node the
 * group cannot use (constraints, drivers) is skipped quietly; a node without
 * room is reported in the group's failure metric and blocks the evaluation on
 * that node, without holding back the other nodes.
 */

import type { AllocationMetric, Node } from "../structs/mod.ts";
import { planPropertyUsage } from "./feasibility.ts";
import { exhaustResources } from "./metrics.ts";
import { appendAlloc, linkReplacement, proposedAllocs } from "./plan_builder.ts";
import { buildAllocation, type PlacementContext } from "./placement.ts";
import { selectNode, type SelectResult } from "./select.ts";
import { planPreemptions, preemptionEnabledIn, recordPreemptions } from "./preemption_plan.ts";
import type { SystemAllocTuple } from "./system_reconcile.ts";

/** What placing a system job's tuples produced. */
export interface SystemPlacementOutcome {
  /** Task group → metric of its first failed placement (Nomad's FailedTGAllocs). */
  failedTGAllocs: Record<string, AllocationMetric> | null;
  /** IDs of the new allocations added to the plan. */
  placedIDs: Set<string>;
  /** Task group → placements still queued (filtered nodes do not count). */
  queued: Record<string, number>;
  /** The first node that lacked resources; the blocked evaluation waits on it. */
  exhaustedNodeID: string | null;
  classEligibility: Record<string, boolean>;
}

function addCounts(
  into: Record<string, number> | null,
  from: Record<string, number> | null,
): Record<string, number> | null {
  if (from === null) return into;
  const out = { ...(into ?? {}) };
  for (const [key, n] of Object.entries(from)) out[key] = (out[key] ?? 0) + n;
  return out;
}

/** Sums the filter counts of two selections (Nomad's mergeNodeFiltered). */
export function mergeNodeFiltered(
  acc: AllocationMetric | undefined,
  current: AllocationMetric,
): AllocationMetric {
  if (acc === undefined) return structuredClone(current);
  return {
    ...acc,
    NodesEvaluated: acc.NodesEvaluated + current.NodesEvaluated,
    NodesFiltered: acc.NodesFiltered + current.NodesFiltered,
    ClassFiltered: addCounts(acc.ClassFiltered, current.ClassFiltered),
    ConstraintFiltered: addCounts(acc.ConstraintFiltered, current.ConstraintFiltered),
  };
}

function selectOnNode(ctx: PlacementContext, tuple: SystemAllocTuple, node: Node): SelectResult {
  const tg = tuple.taskGroup;
  if (tg === null) throw new TypeError(`placement of ${tuple.name} has no task group`);
  return selectNode({
    nodes: [node],
    offset: 0,
    limit: 1,
    job: ctx.job,
    taskGroup: tg,
    proposed: (nodeID) => proposedAllocs(ctx.state, ctx.plan, nodeID),
    algorithm: ctx.algorithm,
    rng: ctx.rng,
    penaltyNodeIDs: new Set(),
    propertyUsage: planPropertyUsage(ctx.state, { plan: ctx.plan, job: ctx.job }),
    // System jobs may preempt by default (Nomad's SystemStack enables eviction).
    preemption: preemptionEnabledIn(ctx.state, ctx.job.Type)
      ? { planPreemptions: planPreemptions(ctx.plan) }
      : null,
  });
}

/** Mutable tallies of one placement pass; owned by {@linkcode placeSystemAllocs}. */
interface Tally {
  outcome: SystemPlacementOutcome;
  failed: Record<string, AllocationMetric>;
  filtered: Record<string, AllocationMetric>;
}

function recordMiss(
  tally: Tally,
  tuple: SystemAllocTuple & { taskGroup: NonNullable<SystemAllocTuple["taskGroup"]> },
  selected: SelectResult,
  options: { ctx: PlacementContext; node: Node; hasExisting: boolean },
): void {
  const tg = tuple.taskGroup;
  const { outcome, failed, filtered } = tally;
  const metric = selected.metric;
  if (metric.NodesFiltered > 0) {
    // An infeasible node is not a failure; the group only fails when no node was feasible.
    const queued = (outcome.queued[tg.Name] ?? 1) - 1;
    outcome.queued[tg.Name] = queued;
    filtered[tg.Name] = mergeNodeFiltered(filtered[tg.Name], metric);
    if (queued <= 0 && !options.hasExisting) failed[tg.Name] = filtered[tg.Name]!;
    return;
  }
  const earlier = failed[tg.Name];
  if (earlier !== undefined && earlier.NodesExhausted > 0) {
    earlier.CoalescedFailures += 1;
    exhaustResources(earlier, tg);
    return;
  }
  metric.NodesAvailable = { ...options.ctx.byDatacenter };
  metric.NodesInPool = options.ctx.candidates.length;
  exhaustResources(metric, tg);
  failed[tg.Name] = metric;
  outcome.exhaustedNodeID ??= options.node.ID;
}

/**
 * Places each tuple on its own node, appending allocations to `ctx.plan`.
 * `existingGroups` names the groups that already run somewhere (in-place
 * updated or ignored), whose infeasible nodes are not reported as failures.
 */
export function placeSystemAllocs(
  ctx: PlacementContext,
  work: { place: readonly SystemAllocTuple[]; existingGroups: ReadonlySet<string> },
): SystemPlacementOutcome {
  const nodes = new Map(ctx.candidates.map((n) => [n.ID, n]));
  const tally: Tally = {
    outcome: {
      failedTGAllocs: null,
      placedIDs: new Set(),
      queued: Object.fromEntries(ctx.job.TaskGroups.map((tg) => [tg.Name, 0])),
      exhaustedNodeID: null,
      classEligibility: {},
    },
    failed: {},
    filtered: {},
  };
  for (const t of work.place) {
    if (t.taskGroup !== null) tally.outcome.queued[t.taskGroup.Name]! += 1;
  }
  for (const tuple of work.place) {
    const node = nodes.get(tuple.nodeID);
    const tg = tuple.taskGroup;
    if (node === undefined || tg === null) continue;
    const selected = selectOnNode(ctx, tuple, node);
    for (const [cls, ok] of Object.entries(selected.classEligibility)) {
      tally.outcome.classEligibility[cls] = ok || (tally.outcome.classEligibility[cls] ?? false);
    }
    if (selected.option === null) {
      const hasExisting = work.existingGroups.has(tg.Name);
      recordMiss(tally, { ...tuple, taskGroup: tg }, selected, { ctx, node, hasExisting });
      continue;
    }
    const metric = selected.metric;
    metric.NodesAvailable = { ...ctx.byDatacenter };
    metric.NodesInPool = ctx.candidates.length;
    const request = {
      name: tuple.name,
      taskGroup: tg,
      previousAlloc: tuple.alloc,
      reschedule: false,
      lost: false,
    };
    const built = buildAllocation(ctx, { request, option: selected.option, metric });
    const alloc = recordPreemptions(ctx.plan, built, selected.option.preemptedAllocs ?? []);
    appendAlloc(ctx.plan, alloc);
    if (tuple.alloc !== null) linkReplacement(ctx.plan, tuple.alloc, alloc.ID);
    tally.outcome.placedIDs.add(alloc.ID);
  }
  const failed = tally.failed;
  tally.outcome.failedTGAllocs = Object.keys(failed).length > 0 ? failed : null;
  return tally.outcome;
}
