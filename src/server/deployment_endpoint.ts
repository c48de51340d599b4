/**
 * Deployment.Promote / Fail / Pause as pure checks that turn a request into
 * one raft log entry, with Nomad's error texts. The server applies the entry.
 */

import { CodedError } from "../core/errors.ts";
import {
  type Deployment,
  DEPLOYMENT_DESCRIPTION,
  deploymentActive,
  type DeploymentUpdateResponse,
  type Evaluation,
  runningDescription,
} from "../structs/mod.ts";
import type {
  DeploymentPromotionEntry,
  DeploymentStatusUpdateEntry,
  LogEntry,
} from "../fsm/mod.ts";
import type { StateSnapshot } from "../state/mod.ts";
import { rollbackTarget, watcherEvaluation } from "./deployment_watcher.ts";

/** A checked request: the entry to apply and what to report. */
export interface DeploymentWrite {
  entry: LogEntry;
  evaluation: Evaluation | null;
  revertedJobVersion: number | null;
}

export type { DeploymentUpdateResponse };

/** Shared inputs: the state, and how to make an evaluation. */
export interface WriteContext {
  snapshot: StateSnapshot;
  nowNs: number;
  newId: () => string;
}

/** The deployment, or Nomad's error for an unknown one. */
export function findDeployment(snapshot: StateSnapshot, id: string): Deployment {
  const d = snapshot.deploymentByID(id);
  if (d === undefined) throw new CodedError(404, "deployment not found");
  return d;
}

function evaluationFor(ctx: WriteContext, d: Deployment): Evaluation | null {
  const job = ctx.snapshot.jobByID(d.Namespace, d.JobID);
  return job === undefined
    ? null
    : watcherEvaluation(d, job, { id: ctx.newId(), nowNs: ctx.nowNs });
}

/** Nomad's multierror text. */
function multiError(errors: readonly string[]): string {
  const noun = errors.length === 1 ? "error" : "errors";
  return `${errors.length} ${noun} occurred:\n${errors.map((e) => `\t* ${e}`).join("\n")}\n\n`;
}

/** Deployment.Promote: every chosen group's canaries must be placed and healthy. */
export function promoteDeployment(
  ctx: WriteContext,
  request: { id: string; all: boolean; groups: readonly string[] },
): DeploymentWrite {
  const d = findDeployment(ctx.snapshot, request.id);
  if (!deploymentActive(d)) throw new CodedError(500, "can't promote terminal deployment");
  const chosen = new Set(request.groups);
  const canaryIDs = new Set<string>();
  for (const [name, state] of Object.entries(d.TaskGroups)) {
    if (!request.all && !chosen.has(name)) continue;
    for (const id of state.PlacedCanaries ?? []) canaryIDs.add(id);
  }
  const unhealthy: string[] = [];
  let haveCanaries = false;
  for (const alloc of ctx.snapshot.allocsByJob(d.Namespace, d.JobID)) {
    if (!canaryIDs.has(alloc.ID)) continue;
    if (alloc.DeploymentStatus?.Healthy !== true) {
      unhealthy.push(
        `Canary allocation "${alloc.ID}" for group "${alloc.TaskGroup}" is not healthy`,
      );
      continue;
    }
    haveCanaries = true;
  }
  if (unhealthy.length > 0) throw new CodedError(500, multiError(unhealthy));
  if (!haveCanaries) throw new CodedError(500, "no canaries to promote");
  const evaluation = evaluationFor(ctx, d);
  const entry: DeploymentPromotionEntry = {
    Type: "DeploymentPromotion",
    DeploymentID: d.ID,
    All: request.all,
    Groups: request.all ? null : [...request.groups],
    Eval: evaluation,
    UpdatedAt: ctx.nowNs,
  };
  return { entry, evaluation, revertedJobVersion: null };
}

/** Deployment.Fail: marks it failed by the user, reverting when a group has auto_revert. */
export function failDeployment(ctx: WriteContext, id: string): DeploymentWrite {
  const d = findDeployment(ctx.snapshot, id);
  if (!deploymentActive(d)) throw new CodedError(500, "can't fail terminal deployment");
  const autoRevert = Object.values(d.TaskGroups).some((s) => s.AutoRevert);
  const target = autoRevert
    ? rollbackTarget({
      job: ctx.snapshot.jobByID(d.Namespace, d.JobID),
      versions: ctx.snapshot.jobVersions(d.Namespace, d.JobID),
    }, DEPLOYMENT_DESCRIPTION.failedByUser)
    : { description: DEPLOYMENT_DESCRIPTION.failedByUser, rollback: null };
  const evaluation = evaluationFor(ctx, d);
  const entry: DeploymentStatusUpdateEntry = {
    Type: "DeploymentStatusUpdate",
    Update: { DeploymentID: d.ID, Status: "failed", StatusDescription: target.description },
    Job: target.rollback,
    Eval: evaluation,
    UpdatedAt: ctx.nowNs,
  };
  const reverted = target.rollback === null ? null : ctx.snapshot.jobVersions(d.Namespace, d.JobID)
    .find((v) => v.Stable && v.Version !== d.JobVersion)?.Version ?? null;
  return { entry, evaluation, revertedJobVersion: reverted };
}

/** Deployment.Pause: pausing creates no evaluation; resuming does. */
export function pauseDeployment(
  ctx: WriteContext,
  request: { id: string; pause: boolean },
): DeploymentWrite {
  const d = findDeployment(ctx.snapshot, request.id);
  if (!deploymentActive(d)) {
    throw new CodedError(
      500,
      request.pause ? "can't pause terminal deployment" : "can't resume terminal deployment",
    );
  }
  const evaluation = request.pause ? null : evaluationFor(ctx, d);
  const entry: DeploymentStatusUpdateEntry = {
    Type: "DeploymentStatusUpdate",
    Update: request.pause
      ? { DeploymentID: d.ID, Status: "paused", StatusDescription: DEPLOYMENT_DESCRIPTION.paused }
      : { DeploymentID: d.ID, Status: "running", StatusDescription: runningDescription(d) },
    Job: null,
    Eval: evaluation,
    UpdatedAt: ctx.nowNs,
  };
  return { entry, evaluation, revertedJobVersion: null };
}

/** Deployment.SetAllocHealth: manual health (`health_check = "manual"`); the watcher reacts to it. */
export function setAllocHealth(
  ctx: WriteContext,
  request: { id: string; healthy: readonly string[]; unhealthy: readonly string[] },
): DeploymentWrite {
  const d = findDeployment(ctx.snapshot, request.id);
  if (!deploymentActive(d)) {
    throw new CodedError(500, "can't set health of allocations for a terminal deployment");
  }
  if (request.healthy.length + request.unhealthy.length === 0) {
    throw new CodedError(500, "must specify at least one healthy/unhealthy allocation ID");
  }
  const mine = new Set(
    ctx.snapshot.allocsByJob(d.Namespace, d.JobID).filter((a) => a.DeploymentID === d.ID)
      .map((a) => a.ID),
  );
  for (const id of [...request.healthy, ...request.unhealthy]) {
    if (!mine.has(id)) {
      throw new CodedError(500, `Allocation ${id} not part of deployment`);
    }
  }
  const evaluation = evaluationFor(ctx, d);
  return {
    entry: {
      Type: "DeploymentAllocHealth",
      DeploymentID: d.ID,
      HealthyAllocationIDs: [...request.healthy],
      UnhealthyAllocationIDs: [...request.unhealthy],
      DeploymentUpdate: null,
      Job: null,
      Eval: evaluation,
      UpdatedAt: ctx.nowNs,
    },
    evaluation,
    revertedJobVersion: null,
  };
}
