/** Plans: what a scheduler wants changed, and what the plan applier committed. */

import type { Allocation, AllocationListStub, AllocationMetric } from "./allocation.ts";
import type { Job } from "./job.ts";
import type { Deployment, DeploymentStatusUpdate } from "./deployment.ts";

/** Counts of what a plan does per task group (for `job plan` and monitoring). */
export interface DesiredUpdates {
  Ignore: number;
  Place: number;
  Migrate: number;
  Stop: number;
  InPlaceUpdate: number;
  DestructiveUpdate: number;
  Canary: number;
  Preemptions: number;
  /** Allocations on disconnected nodes marked "unknown". */
  Disconnect: number;
  /** Allocations that reconnected. */
  Reconnect: number;
  /** Allocations rescheduled now (set only when the group has disconnecting allocations). */
  RescheduleNow: number;
  /** Allocations to reschedule later, with a follow-up evaluation. */
  RescheduleLater: number;
}

/** Annotations a scheduler attaches to a plan. */
export interface PlanAnnotations {
  DesiredTGUpdates: Record<string, DesiredUpdates> | null;
  /** Stubs of the allocations the plan preempts (Nomad's PreemptedAllocs), or null. */
  PreemptedAllocs: AllocationListStub[] | null;
}

/** A scheduler's proposed change. Allocations are keyed by node ID. */
export interface Plan {
  EvalID: string;
  Priority: number;
  AllAtOnce: boolean;
  Job: Job | null;
  /** Allocations to stop or evict, by node. */
  NodeUpdate: Record<string, Allocation[]>;
  /** Allocations to create or update in place, by node. */
  NodeAllocation: Record<string, Allocation[]>;
  Annotations: PlanAnnotations | null;
  SnapshotIndex: number;
  /** A deployment to create or update with the plan. */
  Deployment: Deployment | null;
  /** Status changes of deployments, applied with the plan. */
  DeploymentUpdates: DeploymentStatusUpdate[];
  /**
   * Allocations of lower-priority jobs to evict, by node (desired status
   * "evict", `PreemptedByAllocation` set); absent means none.
   */
  NodePreemptions?: Record<string, Allocation[]>;
}

/** What the plan applier committed. */
export interface PlanResult {
  NodeUpdate: Record<string, Allocation[]>;
  NodeAllocation: Record<string, Allocation[]>;
  /** Non-zero when only part of the plan was committed; the scheduler refreshes to this index. */
  RefreshIndex: number;
  /** Raft index at which the result was committed. */
  AllocIndex: number;
  /** The deployment committed with the plan, if any. */
  Deployment?: Deployment | null;
  /** Deployment status changes committed with the plan. */
  DeploymentUpdates?: DeploymentStatusUpdate[];
  /** Preemptions committed with the plan, by node. */
  NodePreemptions?: Record<string, Allocation[]>;
}

/** True when the plan does nothing. */
export function planIsNoOp(plan: Pick<Plan, "NodeUpdate" | "NodeAllocation">): boolean {
  return Object.values(plan.NodeUpdate).every((a) => a.length === 0) &&
    Object.values(plan.NodeAllocation).every((a) => a.length === 0);
}

/** True when the plan neither changes allocations nor deployments. */
export function planIsEmpty(
  plan: Pick<Plan, "NodeUpdate" | "NodeAllocation" | "Deployment" | "DeploymentUpdates">,
): boolean {
  return planIsNoOp(plan) && plan.Deployment === null && plan.DeploymentUpdates.length === 0;
}

/** Failed placements keyed by task group. */
export type FailedTaskGroupAllocs = Record<string, AllocationMetric>;
