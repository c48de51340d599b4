/**
 * The generic scheduler for `service` and `batch` jobs (Nomad's
 * GenericScheduler): reconcile, place, submit one plan per attempt, retry on
 * partial commits, and report the evaluation's outcome through the planner.
 */

import { MAX_BATCH_SCHEDULE_ATTEMPTS, MAX_SERVICE_SCHEDULE_ATTEMPTS } from "../core/mod.ts";
import {
  type Allocation,
  type AllocationMetric,
  type Evaluation,
  type Job,
  newEvaluation,
  type Plan,
  planIsEmpty,
} from "../structs/mod.ts";
import type { SchedulerContext, StateView } from "./types.ts";
import { type TaintedNodes, taintedNodes } from "./alloc_sets.ts";
import { jobEscapesClasses, readyNodesForJob } from "./feasibility.ts";
import { appendAlloc, appendStoppedAlloc, newPlan, planMadeProgress } from "./plan_builder.ts";
import { inplaceUpdateFn, placeAllocations, type PlacementContext } from "./placement.ts";
import { ALLOC_LOST, reconcile, type ReconcileResult } from "./reconcile.ts";
import { selectLimit, shuffleNodes } from "./select.ts";
import { parseRfc3339Ns } from "./time_format.ts";

/** Status description of blocked evaluations for unplaced allocations. */
export const BLOCKED_EVAL_FAILED_PLACEMENTS = "created to place remaining allocations";
/** Status description of blocked evaluations after too many plan conflicts. */
export const BLOCKED_EVAL_MAX_PLAN_DESC = "created due to placement conflicts";
/**
 * Hard cap on scheduling passes of one evaluation. Attempts reset whenever a
 * plan commits something (as in Nomad), so this bounds the loop regardless.
 */
export const MAX_SCHEDULE_PASSES = 100;

/** Evaluation triggers the generic scheduler accepts. */
const KNOWN_TRIGGERS: ReadonlySet<string> = new Set([
  "job-register",
  "job-deregister",
  "node-drain",
  "node-update",
  "alloc-stop",
  "rolling-update",
  "queued-allocs",
  "periodic-job",
  "max-plan-attempts",
  "deployment-watcher",
  "alloc-failure",
  "failed-follow-up",
  "preemption",
  "job-scaling",
  "max-disconnect-timeout",
  "reconnect",
]);

/** Everything one scheduling attempt computed before submitting its plan. */
interface Attempt {
  plan: Plan;
  failedTGAllocs: Record<string, AllocationMetric> | null;
  queued: Record<string, number>;
  placedIDs: Set<string>;
  followupEvals: Evaluation[];
  classEligibility: Record<string, boolean>;
  escaped: boolean;
  /** The deployment the plan works within ("" when none). */
  deploymentID: string;
}

/** What the evaluation loop carries between attempts. */
interface LoopState {
  state: StateView;
  blocked: Evaluation | null;
  attempt: Attempt | null;
}

// Nomad's updateNonTerminalAllocsToLost: stopped allocations still running on a down node are lost.
function markLostOnDownNodes(
  plan: Plan,
  tainted: TaintedNodes,
  allocs: readonly Allocation[],
): void {
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

function applyReconcile(
  plan: Plan,
  result: ReconcileResult,
  options: { withFollowups: boolean },
): void {
  for (const group of result.groups) {
    for (const stop of group.stop) {
      appendStoppedAlloc(plan, stop.alloc, {
        description: stop.description,
        clientStatus: stop.clientStatus,
        followupEvalID: stop.followupEvalID,
      });
    }
    for (const alloc of group.inplaceUpdate) appendAlloc(plan, alloc);
    if (options.withFollowups) {
      for (const alloc of group.attributeUpdates) appendAlloc(plan, alloc);
    }
    // Disconnected allocations become unknown; without follow-ups they point at none.
    for (const alloc of group.disconnectUpdates) {
      appendAlloc(plan, options.withFollowups ? alloc : { ...alloc, FollowupEvalID: "" });
    }
    for (const alloc of group.reconnectUpdates) appendAlloc(plan, alloc);
  }
  plan.Annotations = {
    DesiredTGUpdates: Object.fromEntries(result.groups.map((g) => [g.group, g.desiredTGUpdates])),
    PreemptedAllocs: null,
  };
}

function placementContext(
  evaluation: Evaluation,
  ctx: SchedulerContext,
  options: { job: Job; plan: Plan; batch: boolean },
): PlacementContext {
  const ready = readyNodesForJob(ctx.state, options.job);
  return {
    state: ctx.state,
    plan: options.plan,
    job: options.job,
    evaluation,
    candidates: shuffleNodes(ready.nodes, ctx.rng),
    byDatacenter: ready.byDatacenter,
    limit: selectLimit(ready.nodes.length, options.batch),
    algorithm: ctx.state.schedulerAlgorithm(),
    rng: ctx.rng,
    newId: ctx.newId,
    nowNs: ctx.nowNs,
  };
}

/** Reconciles the job and places what it needs: one attempt's plan, not yet submitted. */
export function computeAttempt(
  evaluation: Evaluation,
  ctx: SchedulerContext,
  batch: boolean,
): Attempt {
  const found = ctx.state.jobByID(evaluation.Namespace, evaluation.JobID) ?? null;
  const job = found !== null && !found.Stop ? found : null;
  const allocs = ctx.state.allocsByJob(evaluation.Namespace, evaluation.JobID);
  const tainted = taintedNodes(ctx.state, allocs);
  const plan = newPlan(evaluation, found, ctx.state.index);
  markLostOnDownNodes(plan, tainted, allocs);
  const placing = job === null ? null : placementContext(evaluation, ctx, { job, plan, batch });
  const latestDeployment =
    ctx.state.latestDeploymentByJob(evaluation.Namespace, evaluation.JobID) ?? null;
  const result = reconcile({
    job,
    jobID: evaluation.JobID,
    batch,
    allocs,
    tainted,
    evalID: evaluation.ID,
    evalPriority: evaluation.Priority,
    nowNs: ctx.nowNs,
    newId: ctx.newId,
    updateFn: placing === null ? () => ({ kind: "ignore" }) : inplaceUpdateFn(placing),
    deployment: latestDeployment,
  });
  // The plan carries the deployment; its new allocations join it (Nomad's plan.Deployment).
  plan.Deployment = result.deployment;
  plan.DeploymentUpdates = result.deploymentUpdates;
  if (placing !== null) placing.deploymentID = result.deploymentID;
  // A delayed evaluation does not spawn follow-ups (as in Nomad); unlike Nomad it
  // also leaves FollowupEvalID unset so those allocations are not stranded.
  const withFollowups = !hasWaitUntil(evaluation);
  applyReconcile(plan, result, { withFollowups });
  const attempt: Attempt = {
    plan,
    failedTGAllocs: null,
    queued: Object.fromEntries((found?.TaskGroups ?? []).map((tg) => [tg.Name, 0])),
    placedIDs: new Set(),
    followupEvals: withFollowups ? result.groups.flatMap((g) => g.followupEvals) : [],
    classEligibility: {},
    escaped: job !== null && jobEscapesClasses(job),
    // A stopped service job's evaluation names its latest deployment (the one it
    // cancels), as Nomad's eval.DeploymentID does, so `job stop` can follow it.
    deploymentID: result.deploymentID ||
      (job === null && !batch ? latestDeployment?.ID ?? "" : ""),
  };
  const destructive = result.groups.flatMap((g) => g.destructiveUpdate);
  const place = result.groups.flatMap((g) => g.place);
  if (placing === null || destructive.length + place.length === 0) return attempt;
  for (const p of [...destructive.map((d) => d.taskGroup), ...place.map((p) => p.taskGroup)]) {
    attempt.queued[p.Name] = (attempt.queued[p.Name] ?? 0) + 1;
  }
  const placed = placeAllocations(placing, { destructive, place });
  return { ...attempt, ...placed };
}

function blockedEvaluation(
  evaluation: Evaluation,
  ctx: SchedulerContext,
  attempt: Attempt | null,
  planFailure: boolean,
): Evaluation {
  const escaped = attempt?.escaped ?? false;
  return newEvaluation({
    ID: ctx.newId(),
    Namespace: evaluation.Namespace,
    Priority: evaluation.Priority,
    Type: evaluation.Type,
    TriggeredBy: planFailure ? "max-plan-attempts" : "queued-allocs",
    JobID: evaluation.JobID,
    JobModifyIndex: evaluation.JobModifyIndex,
    Status: "blocked",
    StatusDescription: planFailure ? BLOCKED_EVAL_MAX_PLAN_DESC : BLOCKED_EVAL_FAILED_PLACEMENTS,
    PreviousEval: evaluation.ID,
    FailedTGAllocs: attempt?.failedTGAllocs ?? null,
    ClassEligibility: escaped ? null : { ...(attempt?.classEligibility ?? {}) },
    EscapedComputedClass: escaped,
    CreateTime: ctx.nowNs,
    ModifyTime: ctx.nowNs,
  });
}

function hasWaitUntil(evaluation: Evaluation): boolean {
  if (evaluation.WaitUntil === null || evaluation.WaitUntil === "") return false;
  const ns = parseRfc3339Ns(evaluation.WaitUntil);
  // Go's zero time ("0001-01-01T00:00:00Z") means unset.
  return ns !== undefined && ns > 0;
}

/** Result of one attempt after submission: done, or retry against a refreshed state. */
type AttemptStep = { done: true } | { done: false; state: StateView; progress: boolean };

async function runAttempt(
  evaluation: Evaluation,
  ctx: SchedulerContext,
  loop: LoopState,
  batch: boolean,
): Promise<AttemptStep> {
  const attempt = computeAttempt(evaluation, { ...ctx, state: loop.state }, batch);
  loop.attempt = attempt;
  // A failed allocation waiting for its follow-up evaluation does not block the job.
  const delayInstead = attempt.followupEvals.length > 0;
  if (
    evaluation.Status !== "blocked" && attempt.failedTGAllocs !== null && loop.blocked === null &&
    !delayInstead
  ) {
    loop.blocked = blockedEvaluation(evaluation, ctx, attempt, false);
    await ctx.planner.createEval(loop.blocked);
  }
  // A plan-only run (`job plan`) still submits, so its annotations are seen.
  if (planIsEmpty(attempt.plan) && !evaluation.AnnotatePlan) return { done: true };
  if (delayInstead) {
    for (const followup of attempt.followupEvals) {
      await ctx.planner.createEval({ ...followup, PreviousEval: evaluation.ID });
    }
  }
  const submitted = await ctx.planner.submitPlan(attempt.plan);
  for (const allocs of Object.values(submitted.result.NodeAllocation)) {
    for (const alloc of allocs) {
      if (!attempt.placedIDs.has(alloc.ID)) continue;
      attempt.queued[alloc.TaskGroup] = (attempt.queued[alloc.TaskGroup] ?? 1) - 1;
    }
  }
  if (submitted.refreshedState === null) return { done: true };
  ctx.logger.debug("refresh forced", { eval_id: evaluation.ID });
  return {
    done: false,
    state: submitted.refreshedState,
    progress: planMadeProgress(submitted.result),
  };
}

async function setStatus(
  ctx: SchedulerContext,
  evaluation: Evaluation,
  update: {
    status: Evaluation["Status"];
    description: string;
    blocked: Evaluation | null;
    attempt: Attempt | null;
  },
): Promise<void> {
  await ctx.planner.updateEval({
    ...evaluation,
    Status: update.status,
    StatusDescription: update.description,
    FailedTGAllocs: update.attempt?.failedTGAllocs ?? null,
    BlockedEval: update.blocked?.ID ?? evaluation.BlockedEval,
    QueuedAllocations: update.attempt?.queued ?? evaluation.QueuedAllocations,
    DeploymentID: update.attempt?.deploymentID || evaluation.DeploymentID,
    ModifyTime: ctx.nowNs,
  });
}

/**
 * Processes a `service` (batch = false) or `batch` evaluation end to end.
 *
 * @example
 * ```ts
 * import { processGenericEvaluation } from "./generic_scheduler.ts";
 * // await processGenericEvaluation(evaluation, ctx, { batch: false });
 * ```
 */
export async function processGenericEvaluation(
  evaluation: Evaluation,
  ctx: SchedulerContext,
  options: { batch: boolean },
): Promise<void> {
  if (!KNOWN_TRIGGERS.has(evaluation.TriggeredBy)) {
    const description = `scheduler cannot handle '${evaluation.TriggeredBy}' evaluation reason`;
    return await setStatus(ctx, evaluation, {
      status: "failed",
      description,
      blocked: null,
      attempt: null,
    });
  }
  const limit = options.batch ? MAX_BATCH_SCHEDULE_ATTEMPTS : MAX_SERVICE_SCHEDULE_ATTEMPTS;
  const loop: LoopState = { state: ctx.state, blocked: null, attempt: null };
  let attempts = 0;
  for (let pass = 0; attempts < limit && pass < MAX_SCHEDULE_PASSES; pass++) {
    const step = await runAttempt(evaluation, ctx, loop, options.batch);
    if (step.done) return await finish(evaluation, ctx, loop);
    loop.state = step.state;
    attempts = step.progress ? 0 : attempts + 1;
  }
  // No forward progress: block so the job is retried when the cluster changes.
  loop.blocked = blockedEvaluation(evaluation, ctx, loop.attempt, true);
  await ctx.planner.createEval(loop.blocked);
  await setStatus(ctx, evaluation, {
    status: "failed",
    description: `maximum attempts reached (${limit})`,
    blocked: loop.blocked,
    attempt: loop.attempt,
  });
}

async function finish(evaluation: Evaluation, ctx: SchedulerContext, loop: LoopState) {
  const attempt = loop.attempt;
  if (evaluation.Status === "blocked" && attempt !== null && attempt.failedTGAllocs !== null) {
    // Still unplaceable: stay blocked rather than spawning another blocked evaluation.
    await ctx.planner.reblockEval({
      ...evaluation,
      EscapedComputedClass: attempt.escaped,
      ClassEligibility: attempt.escaped ? null : { ...attempt.classEligibility },
      QuotaLimitReached: "",
      ModifyTime: ctx.nowNs,
    });
    return;
  }
  await setStatus(ctx, evaluation, {
    status: "complete",
    description: "",
    blocked: loop.blocked,
    attempt,
  });
}
