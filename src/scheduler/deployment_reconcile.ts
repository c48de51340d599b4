/**
 * The deployment side of the reconciler, as pure functions: which deployment
 * a job's allocations belong to, how many destructive updates a group may
 * make now (`max_parallel`, canaries, paused or failed deployments), and when
 * a group's rollout is complete.
 */

import {
  type Allocation,
  allocTerminal,
  type Deployment,
  DEPLOYMENT_DESCRIPTION,
  deploymentActive,
  type DeploymentState,
  type DeploymentStatusUpdate,
  type Job,
  type TaskGroup,
} from "../structs/mod.ts";

/** The deployment a reconciliation works within. */
export interface DeploymentContext {
  /** The deployment of the job's current version; null when none is in progress. */
  current: Deployment | null;
  /** The current deployment is paused (or pending): nothing new is placed. */
  paused: boolean;
  /** The current deployment failed: nothing new is placed. */
  failed: boolean;
  /** Cancellations of deployments the job no longer needs. */
  updates: DeploymentStatusUpdate[];
}

function cancel(d: Deployment, description: string): DeploymentStatusUpdate {
  return { DeploymentID: d.ID, Status: "cancelled", StatusDescription: description };
}

/**
 * Nomad's cancelUnneededDeployments: a stopped job cancels its active
 * deployment; a deployment of an older job version is cancelled; a successful
 * one is finished. What is left is the current deployment.
 */
export function deploymentContext(job: Job | null, latest: Deployment | null): DeploymentContext {
  const none: DeploymentContext = { current: null, paused: false, failed: false, updates: [] };
  if (latest === null) return none;
  if (job === null || job.Stop) {
    return deploymentActive(latest)
      ? { ...none, updates: [cancel(latest, DEPLOYMENT_DESCRIPTION.stoppedJob)] }
      : none;
  }
  if (latest.JobCreateIndex !== job.CreateIndex || latest.JobVersion !== job.Version) {
    return deploymentActive(latest)
      ? { ...none, updates: [cancel(latest, DEPLOYMENT_DESCRIPTION.newerJob)] }
      : none;
  }
  if (latest.Status === "successful" || latest.Status === "cancelled") return none;
  return {
    current: latest,
    paused: latest.Status === "paused" || latest.Status === "pending",
    failed: latest.Status === "failed",
    updates: [],
  };
}

/** True when the group rolls out through deployments (an `update` block with max_parallel > 0). */
export function hasUpdateStrategy(tg: TaskGroup): boolean {
  return tg.Update !== null && tg.Update.MaxParallel > 0;
}

/** True while the group's canaries wait for promotion. */
export function isCanarying(state: DeploymentState | null): boolean {
  return state !== null && state.DesiredCanaries > 0 && !state.Promoted;
}

/** Inputs of {@linkcode destructiveLimit}. */
export interface LimitInput {
  tg: TaskGroup;
  context: DeploymentContext;
  canarying: boolean;
  /** The group's live allocations (canaries included). */
  untainted: readonly Allocation[];
  /** Destructive updates plus migrations wanted. */
  changes: number;
}

/**
 * Nomad's computeLimit: how many destructive updates the group may make in
 * this evaluation. Without a strategy, all; while paused, failed or waiting
 * for promotion, none; otherwise `max_parallel` minus the deployment's
 * allocations that are not healthy yet (none at all once one is unhealthy).
 */
export function destructiveLimit(input: LimitInput): number {
  const { tg, context } = input;
  if (!hasUpdateStrategy(tg) || input.changes === 0) return tg.Count;
  if (context.paused || context.failed || input.canarying) return 0;
  let limit = tg.Update?.MaxParallel ?? 0;
  const current = context.current;
  if (current !== null) {
    for (const alloc of input.untainted) {
      if (alloc.DeploymentID !== current.ID || allocTerminal(alloc)) continue;
      const healthy = alloc.DeploymentStatus?.Healthy ?? null;
      if (healthy === false) return 0;
      if (healthy !== true) limit--;
    }
  }
  return Math.max(0, limit);
}

/** Inputs of {@linkcode groupComplete}. */
export interface CompleteInput {
  /** Placements, destructive and in-place updates, migrations and reschedules still to do. */
  pending: number;
  requireCanary: boolean;
  /** The group's state in the current deployment (null: not part of one). */
  state: DeploymentState | null;
}

/** Nomad's deployment completeness of one group: nothing left to do and enough healthy allocations. */
export function groupComplete(input: CompleteInput): boolean {
  if (input.pending > 0 || input.requireCanary) return false;
  const s = input.state;
  if (s === null) return true;
  if (s.HealthyAllocs < Math.max(s.DesiredTotal, s.DesiredCanaries)) return false;
  return !(s.DesiredCanaries > 0 && !s.Promoted);
}

/** The deployment status update that finishes a deployment whose groups are all complete. */
export function successfulUpdate(d: Deployment): DeploymentStatusUpdate {
  return {
    DeploymentID: d.ID,
    Status: "successful",
    StatusDescription: DEPLOYMENT_DESCRIPTION.successful,
  };
}

/** True when the allocation is a canary of `deployment`. */
export function isCanaryOf(alloc: Allocation, deployment: Deployment | null): boolean {
  return deployment !== null && alloc.DeploymentID === deployment.ID &&
    alloc.DeploymentStatus?.Canary === true;
}

/**
 * Failed allocations of the active deployment are not rescheduled (unless
 * marked for it): the deployment watcher decides their fate, as in Nomad.
 */
export function heldByDeployment(alloc: Allocation, context: DeploymentContext): boolean {
  const d = context.current;
  return d !== null && deploymentActive(d) && alloc.DeploymentID === d.ID &&
    alloc.ClientStatus === "failed" && alloc.DesiredStatus === "run" &&
    alloc.DesiredTransition.Reschedule !== true;
}
