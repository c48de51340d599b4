/**
 * Deployments: the rollout of one job version, tracked per task group
 * (Nomad's structs.Deployment), with Nomad's status names and descriptions.
 */

import type { Job, TaskGroup } from "./job.ts";
import type { Allocation } from "./allocation.ts";

/** Status of a deployment. */
export type DeploymentStatusName =
  | "running"
  | "successful"
  | "failed"
  | "paused"
  | "cancelled"
  | "blocked"
  | "pending"
  | "initializing"
  | "unblocking";

/** Nomad's deployment status descriptions. */
export const DEPLOYMENT_DESCRIPTION = {
  running: "Deployment is running",
  runningNeedsPromotion: "Deployment is running but requires manual promotion",
  runningAutoPromotion: "Deployment is running pending automatic promotion",
  paused: "Deployment is paused",
  successful: "Deployment completed successfully",
  stoppedJob: "Cancelled because job is stopped",
  newerJob: "Cancelled due to newer version of job",
  failedAllocations: "Failed due to unhealthy allocations",
  progressDeadline: "Failed due to progress deadline",
  failedByUser: "Deployment marked as failed",
} as const;

/** "<base> - rolling back to job version N" (Nomad's DeploymentStatusDescriptionRollback). */
export function rollbackDescription(base: string, version: number): string {
  return `${base} - rolling back to job version ${version}`;
}

/** The rollback target has the same spec as the failed job. */
export function rollbackNoopDescription(base: string, version: number): string {
  return `${base} - not rolling back to stable job version ${version} as current job has same specification`;
}

/** There is no stable version to revert to. */
export function noRollbackTargetDescription(base: string): string {
  return `${base} - no stable job version to auto revert to`;
}

/** Go's zero time, which Nomad sends for an unset RequireProgressBy. */
export const ZERO_TIME = "0001-01-01T00:00:00Z";

/** One task group's progress in a deployment. */
export interface DeploymentState {
  AutoRevert: boolean;
  AutoPromote: boolean;
  ProgressDeadline: number;
  /** RFC 3339 deadline for the next allocation to become healthy ({@linkcode ZERO_TIME} when unset). */
  RequireProgressBy: string;
  Promoted: boolean;
  PlacedCanaries: string[] | null;
  DesiredCanaries: number;
  DesiredTotal: number;
  PlacedAllocs: number;
  HealthyAllocs: number;
  UnhealthyAllocs: number;
}

/** The rollout of one job version. */
export interface Deployment {
  ID: string;
  Namespace: string;
  JobID: string;
  JobVersion: number;
  JobModifyIndex: number;
  JobSpecModifyIndex: number;
  JobCreateIndex: number;
  IsMultiregion: boolean;
  TaskGroups: Record<string, DeploymentState>;
  Status: DeploymentStatusName;
  StatusDescription: string;
  EvalPriority: number;
  CreateIndex: number;
  ModifyIndex: number;
  /** Unix nanoseconds. */
  CreateTime: number;
  ModifyTime: number;
}

/** A change of a deployment's status (Nomad's DeploymentStatusUpdate). */
export interface DeploymentStatusUpdate {
  DeploymentID: string;
  Status: DeploymentStatusName;
  StatusDescription: string;
}

/** An allocation's health within its deployment. */
export type AllocDeploymentStatus = NonNullable<Allocation["DeploymentStatus"]>;

/** A new running deployment of `job` (task groups are added by the reconciler). */
export function newDeployment(
  job: Job,
  options: { id: string; evalPriority: number; nowNs: number },
): Deployment {
  return {
    ID: options.id,
    Namespace: job.Namespace,
    JobID: job.ID,
    JobVersion: job.Version,
    JobModifyIndex: job.ModifyIndex,
    JobSpecModifyIndex: job.JobModifyIndex,
    JobCreateIndex: job.CreateIndex,
    IsMultiregion: false,
    TaskGroups: {},
    Status: "running",
    StatusDescription: DEPLOYMENT_DESCRIPTION.running,
    EvalPriority: options.evalPriority,
    CreateIndex: 0,
    ModifyIndex: 0,
    CreateTime: options.nowNs,
    ModifyTime: options.nowNs,
  };
}

/** A group's initial state from its update strategy. */
export function newDeploymentState(tg: TaskGroup): DeploymentState {
  return {
    AutoRevert: tg.Update?.AutoRevert ?? false,
    AutoPromote: tg.Update?.AutoPromote ?? false,
    ProgressDeadline: tg.Update?.ProgressDeadline ?? 0,
    RequireProgressBy: ZERO_TIME,
    Promoted: false,
    PlacedCanaries: null,
    DesiredCanaries: 0,
    DesiredTotal: tg.Count,
    PlacedAllocs: 0,
    HealthyAllocs: 0,
    UnhealthyAllocs: 0,
  };
}

/** True while the deployment can still make progress (running, paused, pending, ...). */
export function deploymentActive(d: Pick<Deployment, "Status">): boolean {
  return d.Status === "running" || d.Status === "paused" || d.Status === "pending" ||
    d.Status === "blocked" || d.Status === "initializing" || d.Status === "unblocking";
}

/** True when some group has canaries that wait for promotion. */
export function deploymentRequiresPromotion(d: Pick<Deployment, "TaskGroups">): boolean {
  return Object.values(d.TaskGroups).some((s) => s.DesiredCanaries > 0 && !s.Promoted);
}

/** True when every group waiting for promotion promotes itself. */
export function deploymentHasAutoPromote(d: Pick<Deployment, "TaskGroups">): boolean {
  const waiting = Object.values(d.TaskGroups).filter((s) => s.DesiredCanaries > 0);
  return waiting.length > 0 && waiting.every((s) => s.AutoPromote);
}

/** The description of a running deployment, by whether it waits for promotion. */
export function runningDescription(d: Pick<Deployment, "TaskGroups">): string {
  if (!deploymentRequiresPromotion(d)) return DEPLOYMENT_DESCRIPTION.running;
  return deploymentHasAutoPromote(d)
    ? DEPLOYMENT_DESCRIPTION.runningAutoPromotion
    : DEPLOYMENT_DESCRIPTION.runningNeedsPromotion;
}

/** Response of the deployment write endpoints (Nomad's DeploymentUpdateResponse). */
export interface DeploymentUpdateResponse {
  EvalID: string;
  EvalCreateIndex: number;
  DeploymentModifyIndex: number;
  RevertedJobVersion: number | null;
  Index: number;
  LastContact: number;
  KnownLeader: boolean;
}
