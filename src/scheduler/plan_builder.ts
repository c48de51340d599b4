/**
 * Building the plan of one scheduling attempt. The plan is a local
 * accumulator owned by that attempt (never shared or read from the state
 * store), so these helpers append to it in place, like Nomad's Plan methods.
 */

import {
  type Allocation,
  type AllocClientStatus,
  allocTerminal,
  type Evaluation,
  type Job,
  type Plan,
} from "../structs/mod.ts";
import type { StateView } from "./types.ts";

/** An empty plan for the evaluation. */
export function newPlan(evaluation: Evaluation, job: Job | null, snapshotIndex: number): Plan {
  return {
    EvalID: evaluation.ID,
    Priority: evaluation.Priority,
    AllAtOnce: job?.AllAtOnce ?? false,
    Job: job,
    NodeUpdate: {},
    NodeAllocation: {},
    Annotations: null,
    SnapshotIndex: snapshotIndex,
    Deployment: null,
    DeploymentUpdates: [],
  };
}

/** How to record a stop. */
export interface StopOptions {
  description: string;
  clientStatus?: AllocClientStatus | "";
  followupEvalID?: string;
}

/** Adds a stopped copy of `alloc` (desired status "stop") to `plan.NodeUpdate`. */
export function appendStoppedAlloc(plan: Plan, alloc: Allocation, options: StopOptions): void {
  if (plan.Job === null && alloc.Job !== null) plan.Job = alloc.Job;
  const stopped: Allocation = {
    ...alloc,
    DesiredStatus: "stop",
    DesiredDescription: options.description,
  };
  if (options.clientStatus !== undefined && options.clientStatus !== "") {
    stopped.ClientStatus = options.clientStatus;
  }
  if (options.followupEvalID !== undefined && options.followupEvalID !== "") {
    stopped.FollowupEvalID = options.followupEvalID;
  }
  (plan.NodeUpdate[alloc.NodeID] ??= []).push(stopped);
}

/** Removes a stop added by {@linkcode appendStoppedAlloc} (placement of its replacement failed). */
export function popStoppedAlloc(plan: Plan, alloc: Allocation): void {
  const list = plan.NodeUpdate[alloc.NodeID];
  if (list === undefined) return;
  const kept = list.filter((a) => a.ID !== alloc.ID);
  if (kept.length === 0) delete plan.NodeUpdate[alloc.NodeID];
  else plan.NodeUpdate[alloc.NodeID] = kept;
}

/**
 * Records on the plan's stopped copy of `previous` which allocation replaces
 * it, so the plan says both halves of the chain (the state store links them
 * too, as Nomad's does).
 */
export function linkReplacement(plan: Plan, previous: Allocation, replacementID: string): void {
  const stopped = plan.NodeUpdate[previous.NodeID]?.find((a) => a.ID === previous.ID);
  if (stopped !== undefined) stopped.NextAllocation = replacementID;
}

/** Adds a new or in-place updated allocation to `plan.NodeAllocation`. */
export function appendAlloc(plan: Plan, alloc: Allocation): void {
  (plan.NodeAllocation[alloc.NodeID] ??= []).push(alloc);
}

/**
 * The allocations a node would hold if the plan were applied: its
 * non-terminal allocations, minus those the plan stops (and `excludeIDs`),
 * with the plan's new and updated allocations laid over them.
 */
export function proposedAllocs(
  state: StateView,
  plan: Plan,
  nodeID: string,
  excludeIDs: ReadonlySet<string> = new Set(),
): Allocation[] {
  const stopped = new Set((plan.NodeUpdate[nodeID] ?? []).map((a) => a.ID));
  for (const preempted of plan.NodePreemptions?.[nodeID] ?? []) stopped.add(preempted.ID);
  const byID = new Map<string, Allocation>();
  for (const alloc of state.allocsByNode(nodeID)) {
    if (allocTerminal(alloc) || stopped.has(alloc.ID) || excludeIDs.has(alloc.ID)) continue;
    byID.set(alloc.ID, alloc);
  }
  for (const alloc of plan.NodeAllocation[nodeID] ?? []) {
    if (excludeIDs.has(alloc.ID)) continue;
    if (allocTerminal(alloc)) byID.delete(alloc.ID);
    else byID.set(alloc.ID, alloc);
  }
  return [...byID.values()];
}

/** True when the plan committed anything (Nomad's progressMade). */
export function planMadeProgress(result: Pick<Plan, "NodeUpdate" | "NodeAllocation">): boolean {
  const any = (r: Record<string, Allocation[]>) => Object.values(r).some((l) => l.length > 0);
  return any(result.NodeUpdate) || any(result.NodeAllocation);
}
