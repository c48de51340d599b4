/**
 * The scheduler for `system` and `sysbatch` jobs (Nomad's SystemScheduler):
 * one allocation of each task group on every feasible node. One attempt
 * diffs the job node by node, stops what is no longer wanted, updates in
 * place where it can, replaces the rest at most `max_parallel` at a time, and
 * places what is missing; the attempt's plan is then submitted through the
 * planner, retrying on partial commits.
 */

import {
  type Allocation,
  type AllocationMetric,
  type DesiredUpdates,
  type Evaluation,
  type Job,
  newEvaluation,
  type Plan,
  planIsNoOp,
} from "../structs/mod.ts";
import type { SchedulerContext, StateView } from "./types.ts";
import { type TaintedNodes, taintedNodes } from "./alloc_sets.ts";
import { jobEscapesClasses, readyNodesForJob } from "./feasibility.ts";
import { MAX_SCHEDULE_PASSES } from "./generic_scheduler.ts";
import { appendAlloc, appendStoppedAlloc, newPlan, planMadeProgress } from "./plan_builder.ts";
import { inplaceUpdateFn, type PlacementContext } from "./placement.ts";
import { ALLOC_LOST, ALLOC_NOT_NEEDED, ALLOC_UPDATING } from "./reconcile.ts";
import { placeSystemAllocs } from "./system_placement.ts";
import {
  ALLOC_NODE_TAINTED,
  notReadyNodeIDs,
  reconcileSystem,
  type SystemAllocTuple,
  type SystemReconcileResult,
} from "./system_reconcile.ts";

/** Plan submissions without progress before a system evaluation fails. */
export const MAX_SYSTEM_SCHEDULE_ATTEMPTS = 5;
/** Plan submissions without progress before a sysbatch evaluation fails. */
export const MAX_SYSBATCH_SCHEDULE_ATTEMPTS = 2;
/** Status description of blocked evaluations for nodes that lacked resources. */
export const SYSTEM_BLOCKED_DESC = "created to place remaining allocations";

/** Evaluation triggers the system scheduler accepts (sysbatch also takes periodic-job). */
const SYSTEM_TRIGGERS: ReadonlySet<string> = new Set([
  "job-register",
  "node-update",
  "failed-follow-up",
  "job-deregister",
  "rolling-update",
  "preemption",
  "deployment-watcher",
  "node-drain",
  "alloc-stop",
  "queued-allocs",
  "job-scaling",
  "reconnect",
]);

/** Everything one scheduling attempt computed before submitting its plan. */
export interface SystemAttempt {
  plan: Plan;
  failedTGAllocs: Record<string, AllocationMetric> | null;
  queued: Record<string, number>;
  placedIDs: Set<string>;
  /** Destructive updates were held back by `max_parallel`; a rolling evaluation follows. */
  limitReached: boolean;
  /** Wait before the rolling follow-up (the update block's stagger), in nanoseconds. */
  staggerNs: number;
  /** First node that lacked resources, or null. */
  exhaustedNodeID: string | null;
  classEligibility: Record<string, boolean>;
  escaped: boolean;
}

/** True when the system (or sysbatch) scheduler handles this trigger. */
export function systemCanHandle(trigger: string, sysbatch: boolean): boolean {
  return SYSTEM_TRIGGERS.has(trigger) || (sysbatch && trigger === "periodic-job");
}

// Nomad's updateNonTerminalAllocsToLost: stopped allocations still running on a down node are lost.
function markLostOnDownNodes(plan: Plan, tainted: TaintedNodes, allocs: readonly Allocation[]) {
  for (const alloc of allocs) {
    if (!tainted.has(alloc.NodeID)) continue;
    const node = tainted.get(alloc.NodeID) ?? null;
    if (node !== null && node.Status !== "down") continue;
    const stopped = alloc.DesiredStatus === "stop" || alloc.DesiredStatus === "evict";
    if (stopped && (alloc.ClientStatus === "running" || alloc.ClientStatus === "pending")) {
      appendStoppedAlloc(plan, alloc, { description: ALLOC_LOST, clientStatus: "lost" });
    }
  }
}

function appendStops(plan: Plan, diff: SystemReconcileResult): void {
  for (const t of diff.stop) appendStoppedAlloc(plan, t.alloc!, { description: ALLOC_NOT_NEEDED });
  for (const t of diff.migrate) {
    appendStoppedAlloc(plan, t.alloc!, { description: ALLOC_NODE_TAINTED });
  }
  for (const t of diff.lost) {
    appendStoppedAlloc(plan, t.alloc!, { description: ALLOC_LOST, clientStatus: "lost" });
  }
}

/** The in-place and destructive split of the diff's updates. */
interface UpdateSplit {
  inplace: SystemAllocTuple[];
  destructive: SystemAllocTuple[];
  /** Terminal allocations whose new version needs no new run (sysbatch). */
  unchanged: SystemAllocTuple[];
}

function splitUpdates(ctx: PlacementContext, updates: readonly SystemAllocTuple[]): UpdateSplit {
  const out: UpdateSplit = { inplace: [], destructive: [], unchanged: [] };
  const decide = inplaceUpdateFn(ctx);
  for (const tuple of updates) {
    const decision = decide(tuple.alloc!, tuple.taskGroup!);
    if (decision.kind === "inplace") {
      appendAlloc(ctx.plan, decision.alloc);
      out.inplace.push(tuple);
    } else if (decision.kind === "destructive") {
      out.destructive.push(tuple);
    } else {
      out.unchanged.push(tuple);
    }
  }
  return out;
}

/**
 * Stops destructive updates and queues their replacements, at most
 * `update.max_parallel` per group (Nomad's evictAndPlace); the rest wait for
 * the rolling follow-up evaluation.
 */
function evictAndPlace(
  plan: Plan,
  destructive: readonly SystemAllocTuple[],
): { place: SystemAllocTuple[]; limitReached: boolean; staggerNs: number } {
  const left = new Map<string, number>();
  const out = { place: [] as SystemAllocTuple[], limitReached: false, staggerNs: 0 };
  for (const tuple of destructive) {
    const tg = tuple.taskGroup!;
    const strategy = tg.Update;
    const limited = strategy !== null && strategy.MaxParallel > 0;
    const remaining = left.get(tg.Name) ?? (limited ? strategy.MaxParallel : Infinity);
    if (remaining <= 0) {
      out.limitReached = true;
      out.staggerNs = Math.max(out.staggerNs, strategy?.Stagger ?? 0);
      continue;
    }
    left.set(tg.Name, remaining - 1);
    appendStoppedAlloc(plan, tuple.alloc!, { description: ALLOC_UPDATING });
    out.place.push(tuple);
  }
  return out;
}

function desiredUpdates(
  job: Job | null,
  buckets: {
    diff: SystemReconcileResult;
    split: UpdateSplit;
    place: readonly SystemAllocTuple[];
  },
): Record<string, DesiredUpdates> {
  const out: Record<string, DesiredUpdates> = {};
  const of = (name: string): DesiredUpdates =>
    out[name] ??= {
      Ignore: 0,
      Place: 0,
      Migrate: 0,
      Stop: 0,
      InPlaceUpdate: 0,
      DestructiveUpdate: 0,
      Canary: 0,
      Preemptions: 0,
      Disconnect: 0,
      Reconnect: 0,
      RescheduleNow: 0,
      RescheduleLater: 0,
    };
  for (const tg of job?.TaskGroups ?? []) of(tg.Name);
  const group = (t: SystemAllocTuple) => t.taskGroup?.Name ?? t.alloc?.TaskGroup ?? "";
  const { diff, split } = buckets;
  for (const t of buckets.place) of(group(t)).Place += 1;
  for (const t of diff.stop) of(group(t)).Stop += 1;
  for (const t of [...diff.ignore, ...split.unchanged]) of(group(t)).Ignore += 1;
  for (const t of diff.migrate) of(group(t)).Migrate += 1;
  for (const t of split.inplace) of(group(t)).InPlaceUpdate += 1;
  for (const t of split.destructive) of(group(t)).DestructiveUpdate += 1;
  return out;
}

function placementContext(
  evaluation: Evaluation,
  ctx: SchedulerContext,
  input: { job: Job; plan: Plan },
): PlacementContext {
  const ready = readyNodesForJob(ctx.state, input.job);
  return {
    state: ctx.state,
    plan: input.plan,
    job: input.job,
    evaluation,
    candidates: ready.nodes,
    byDatacenter: ready.byDatacenter,
    limit: 1,
    algorithm: ctx.state.schedulerAlgorithm(),
    rng: ctx.rng,
    newId: ctx.newId,
    nowNs: ctx.nowNs,
  };
}

/**
 * Computes one attempt's plan for a system or sysbatch evaluation, without
 * submitting it.
 */
export function computeSystemAttempt(evaluation: Evaluation, ctx: SchedulerContext): SystemAttempt {
  const found = ctx.state.jobByID(evaluation.Namespace, evaluation.JobID) ?? null;
  const job = found !== null && !found.Stop ? found : null;
  const allocs = ctx.state.allocsByJob(evaluation.Namespace, evaluation.JobID);
  const tainted = taintedNodes(ctx.state, allocs);
  const plan = newPlan(evaluation, found, ctx.state.index);
  markLostOnDownNodes(plan, tainted, allocs);
  const placing = job === null ? null : placementContext(evaluation, ctx, { job, plan });
  const diff = reconcileSystem({
    job,
    readyNodes: placing?.candidates ?? [],
    notReadyNodeIDs: job === null ? new Set() : notReadyNodeIDs(ctx.state, job.NodePool),
    tainted,
    allocs,
  });
  appendStops(plan, diff);
  const attempt: SystemAttempt = {
    plan,
    failedTGAllocs: null,
    queued: Object.fromEntries((job?.TaskGroups ?? []).map((tg) => [tg.Name, 0])),
    placedIDs: new Set(),
    limitReached: false,
    staggerNs: 0,
    exhaustedNodeID: null,
    classEligibility: {},
    escaped: job !== null && jobEscapesClasses(job),
  };
  const noUpdates: UpdateSplit = { inplace: [], destructive: [], unchanged: [] };
  if (placing === null) {
    plan.Annotations = {
      DesiredTGUpdates: desiredUpdates(found, { diff, split: noUpdates, place: [] }),
      PreemptedAllocs: null,
    };
    return attempt;
  }
  const split = splitUpdates(placing, diff.update);
  const evicted = evictAndPlace(plan, split.destructive);
  const place = [...diff.place, ...evicted.place];
  plan.Annotations = {
    DesiredTGUpdates: desiredUpdates(job, { diff, split, place }),
    PreemptedAllocs: null,
  };
  const existingGroups = new Set(
    [...diff.ignore, ...split.inplace, ...split.unchanged].map((t) => t.taskGroup?.Name ?? ""),
  );
  const placed = placeSystemAllocs(placing, { place, existingGroups });
  return {
    ...attempt,
    ...placed,
    limitReached: evicted.limitReached,
    staggerNs: evicted.staggerNs,
  };
}

function rollingEvaluation(evaluation: Evaluation, ctx: SchedulerContext, waitNs: number) {
  return newEvaluation({
    ID: ctx.newId(),
    Namespace: evaluation.Namespace,
    Priority: evaluation.Priority,
    Type: evaluation.Type,
    TriggeredBy: "rolling-update",
    JobID: evaluation.JobID,
    JobModifyIndex: evaluation.JobModifyIndex,
    Wait: waitNs,
    PreviousEval: evaluation.ID,
    CreateTime: ctx.nowNs,
    ModifyTime: ctx.nowNs,
  });
}

function blockedEvaluation(
  evaluation: Evaluation,
  ctx: SchedulerContext,
  attempt: SystemAttempt,
): Evaluation {
  return newEvaluation({
    ID: ctx.newId(),
    Namespace: evaluation.Namespace,
    Priority: evaluation.Priority,
    Type: evaluation.Type,
    TriggeredBy: evaluation.TriggeredBy,
    JobID: evaluation.JobID,
    JobModifyIndex: evaluation.JobModifyIndex,
    NodeID: attempt.exhaustedNodeID ?? "",
    Status: "blocked",
    StatusDescription: SYSTEM_BLOCKED_DESC,
    PreviousEval: evaluation.ID,
    FailedTGAllocs: attempt.failedTGAllocs,
    ClassEligibility: attempt.escaped ? null : { ...attempt.classEligibility },
    EscapedComputedClass: attempt.escaped,
    CreateTime: ctx.nowNs,
    ModifyTime: ctx.nowNs,
  });
}

/** What the evaluation loop carries between attempts. */
interface SystemLoop {
  state: StateView;
  attempt: SystemAttempt | null;
  nextEval: Evaluation | null;
}

type Step = { done: true } | { done: false; progress: boolean };

async function runAttempt(evaluation: Evaluation, ctx: SchedulerContext, loop: SystemLoop) {
  const attempt = computeSystemAttempt(evaluation, { ...ctx, state: loop.state });
  loop.attempt = attempt;
  if (planIsNoOp(attempt.plan)) return { done: true } satisfies Step;
  if (attempt.limitReached && loop.nextEval === null) {
    loop.nextEval = rollingEvaluation(evaluation, ctx, attempt.staggerNs);
    await ctx.planner.createEval(loop.nextEval);
  }
  const submitted = await ctx.planner.submitPlan(attempt.plan);
  for (const list of Object.values(submitted.result.NodeAllocation)) {
    for (const alloc of list) {
      if (!attempt.placedIDs.has(alloc.ID)) continue;
      attempt.queued[alloc.TaskGroup] = (attempt.queued[alloc.TaskGroup] ?? 1) - 1;
    }
  }
  if (submitted.refreshedState === null) return { done: true } satisfies Step;
  loop.state = submitted.refreshedState;
  return { done: false, progress: planMadeProgress(submitted.result) } satisfies Step;
}

async function finish(evaluation: Evaluation, ctx: SchedulerContext, loop: SystemLoop) {
  const attempt = loop.attempt;
  if (attempt !== null && attempt.exhaustedNodeID !== null) {
    const blocked = blockedEvaluation(evaluation, ctx, attempt);
    if (evaluation.Status === "blocked") {
      // Still short of room: stay blocked rather than spawn a chain of blocked evaluations.
      await ctx.planner.reblockEval({
        ...evaluation,
        NodeID: blocked.NodeID,
        FailedTGAllocs: blocked.FailedTGAllocs,
        ClassEligibility: blocked.ClassEligibility,
        EscapedComputedClass: blocked.EscapedComputedClass,
        ModifyTime: ctx.nowNs,
      });
      return;
    }
    await ctx.planner.createEval(blocked);
  }
  await setStatus(ctx, evaluation, { status: "complete", description: "", loop });
}

async function setStatus(
  ctx: SchedulerContext,
  evaluation: Evaluation,
  update: { status: Evaluation["Status"]; description: string; loop: SystemLoop | null },
): Promise<void> {
  const attempt = update.loop?.attempt ?? null;
  await ctx.planner.updateEval({
    ...evaluation,
    Status: update.status,
    StatusDescription: update.description,
    FailedTGAllocs: attempt?.failedTGAllocs ?? null,
    QueuedAllocations: attempt?.queued ?? evaluation.QueuedAllocations,
    NextEval: update.loop?.nextEval?.ID ?? evaluation.NextEval,
    ModifyTime: ctx.nowNs,
  });
}

/**
 * Processes a `system` (sysbatch = false) or `sysbatch` evaluation end to end.
 *
 * @example
 * ```ts
 * import { processSystemEvaluation } from "./system_scheduler.ts";
 * // await processSystemEvaluation(evaluation, ctx, { sysbatch: false });
 * ```
 */
export async function processSystemEvaluation(
  evaluation: Evaluation,
  ctx: SchedulerContext,
  options: { sysbatch: boolean },
): Promise<void> {
  if (!systemCanHandle(evaluation.TriggeredBy, options.sysbatch)) {
    const description = `scheduler cannot handle '${evaluation.TriggeredBy}' evaluation reason`;
    return await setStatus(ctx, evaluation, { status: "failed", description, loop: null });
  }
  const limit = options.sysbatch ? MAX_SYSBATCH_SCHEDULE_ATTEMPTS : MAX_SYSTEM_SCHEDULE_ATTEMPTS;
  const loop: SystemLoop = { state: ctx.state, attempt: null, nextEval: null };
  let attempts = 0;
  for (let pass = 0; attempts < limit && pass < MAX_SCHEDULE_PASSES; pass++) {
    const step: Step = await runAttempt(evaluation, ctx, loop);
    if (step.done) return await finish(evaluation, ctx, loop);
    attempts = step.progress ? 0 : attempts + 1;
  }
  await setStatus(ctx, evaluation, {
    status: "failed",
    description: `maximum attempts reached (${limit})`,
    loop,
  });
}
