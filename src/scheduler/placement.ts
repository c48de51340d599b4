/**
 * Turning the reconciler's placement requests into allocations on nodes, and
 * checking whether an existing allocation can take a new job version in place.
 */

import type { IdGenerator, Rng } from "../core/mod.ts";
import {
  type Allocation,
  type AllocationMetric,
  allocTerminal,
  emptyDesiredTransition,
  type Evaluation,
  type Job,
  type Node,
  nodeSchedulable,
  type Plan,
  type TaskGroup,
  ZERO_TIME,
} from "../structs/mod.ts";
import type { SchedulerAlgorithm, StateView } from "./types.ts";
import { nodeInDatacenters, nodeInPool, planPropertyUsage } from "./feasibility.ts";
import { exhaustResources } from "./metrics.ts";
import {
  appendAlloc,
  appendStoppedAlloc,
  linkReplacement,
  popStoppedAlloc,
  proposedAllocs,
} from "./plan_builder.ts";
import type { RankedOption } from "./rank.ts";
import type { AllocUpdateFn, DestructiveUpdateRequest, PlacementRequest } from "./reconcile.ts";
import { nextRescheduleTracker } from "./reschedule.ts";
import { rankingInputs, selectNode, type SelectResult } from "./select.ts";
import { planPreemptions, preemptionEnabledIn, recordPreemptions } from "./preemption_plan.ts";
import { tasksUpdated } from "./tasks_updated.ts";

/** Everything placements of one attempt share. */
export interface PlacementContext {
  state: StateView;
  /** The attempt's plan; placements are appended to it. */
  plan: Plan;
  job: Job;
  evaluation: Evaluation;
  /** Shuffled ready nodes of the job's datacenters and pool. */
  candidates: readonly Node[];
  byDatacenter: Record<string, number>;
  limit: number;
  algorithm: SchedulerAlgorithm;
  rng: Rng;
  newId: IdGenerator;
  nowNs: number;
  /** The deployment new allocations join ("" or absent: none). */
  deploymentID?: string;
}

/** What placing the requests produced. */
export interface PlacementOutcome {
  /** Task group → metric of its first failed placement (with coalesced failures). */
  failedTGAllocs: Record<string, AllocationMetric> | null;
  /** IDs of the new allocations added to the plan. */
  placedIDs: Set<string>;
  classEligibility: Record<string, boolean>;
}

/** One placement to attempt: a new allocation, possibly replacing one it stops first. */
interface Missing {
  request: PlacementRequest;
  stopAlloc: Allocation | null;
  stopDescription: string;
}

function penaltyNodes(prev: Allocation | null): Set<string> {
  const out = new Set<string>();
  if (prev === null) return out;
  if (prev.ClientStatus === "failed") out.add(prev.NodeID);
  for (const e of prev.RescheduleTracker?.Events ?? []) out.add(e.PrevNodeID);
  return out;
}

// Sticky or migrating ephemeral disks prefer the previous allocation's node.
function preferredNode(ctx: PlacementContext, request: PlacementRequest): Node | null {
  const prev = request.previousAlloc;
  const disk = request.taskGroup.EphemeralDisk;
  if (prev === null || (!disk.Sticky && !disk.Migrate)) return null;
  const node = ctx.state.nodeByID(prev.NodeID);
  return node !== undefined && nodeSchedulable(node) ? node : null;
}

function selectFor(
  ctx: PlacementContext,
  request: PlacementRequest,
  offset: number,
): SelectResult {
  const base = {
    limit: ctx.limit,
    job: ctx.job,
    taskGroup: request.taskGroup,
    ...rankingInputs(ctx.state, ctx.plan, { job: ctx.job, taskGroup: request.taskGroup }),
    algorithm: ctx.algorithm,
    rng: ctx.rng,
    penaltyNodeIDs: penaltyNodes(request.previousAlloc),
    propertyUsage: planPropertyUsage(ctx.state, { plan: ctx.plan, job: ctx.job }),
  };
  const preferred = preferredNode(ctx, request);
  if (preferred !== null) {
    const first = selectNode({ ...base, nodes: [preferred], offset: 0 });
    if (first.option !== null) return { ...first, offset };
  }
  const selected = selectNode({ ...base, nodes: ctx.candidates, offset });
  // Nomad's selectNextOption: only when no node has room, select again allowing preemption.
  if (selected.option !== null || !preemptionEnabledIn(ctx.state, ctx.job.Type)) return selected;
  const preemption = { planPreemptions: planPreemptions(ctx.plan) };
  const preempting = selectNode({ ...base, nodes: ctx.candidates, offset, preemption });
  return preempting.option === null ? selected : preempting;
}

/** A complete new allocation for a placement on the chosen node. */
export function buildAllocation(
  ctx: Pick<PlacementContext, "job" | "evaluation" | "newId" | "nowNs" | "deploymentID">,
  placement: { request: PlacementRequest; option: RankedOption; metric: AllocationMetric },
): Allocation {
  const { request, option } = placement;
  const prev = request.previousAlloc;
  return {
    ID: ctx.newId(),
    Namespace: ctx.job.Namespace,
    EvalID: ctx.evaluation.ID,
    Name: request.name,
    NodeID: option.node.ID,
    NodeName: option.node.Name,
    JobID: ctx.job.ID,
    Job: ctx.job,
    TaskGroup: request.taskGroup.Name,
    AllocatedResources: option.resources,
    Metrics: placement.metric,
    DesiredStatus: "run",
    DesiredDescription: "",
    DesiredTransition: emptyDesiredTransition(),
    ClientStatus: "pending",
    ClientDescription: "",
    TaskStates: null,
    PreviousAllocation: prev?.ID ?? "",
    NextAllocation: "",
    DeploymentID: ctx.deploymentID ?? "",
    DeploymentStatus: request.canary === true
      ? { Healthy: null, Timestamp: ZERO_TIME, Canary: true, ModifyIndex: 0 }
      : null,
    RescheduleTracker: prev !== null && request.reschedule
      ? nextRescheduleTracker(prev, ctx.nowNs)
      : null,
    FollowupEvalID: "",
    PreemptedAllocations: null,
    PreemptedByAllocation: "",
    CreateIndex: 0,
    ModifyIndex: 0,
    AllocModifyIndex: 0,
    CreateTime: ctx.nowNs,
    ModifyTime: ctx.nowNs,
  };
}

function mergeClasses(into: Record<string, boolean>, from: Record<string, boolean>): void {
  for (const [cls, ok] of Object.entries(from)) into[cls] = ok || (into[cls] ?? false);
}

/**
 * Places destructive updates first (their stops free resources), then the
 * other placements. A task group that failed once is not searched again; its
 * metric counts the further failures in `CoalescedFailures`.
 */
export function placeAllocations(
  ctx: PlacementContext,
  work: { destructive: readonly DestructiveUpdateRequest[]; place: readonly PlacementRequest[] },
): PlacementOutcome {
  const missing: Missing[] = [
    ...work.destructive.map((d) => ({
      request: {
        name: d.name,
        taskGroup: d.taskGroup,
        previousAlloc: d.stopAlloc,
        reschedule: false,
        lost: false,
      },
      stopAlloc: d.stopAlloc,
      stopDescription: d.stopDescription,
    })),
    ...work.place.map((request) => ({ request, stopAlloc: null, stopDescription: "" })),
  ];
  const failed: Record<string, AllocationMetric> = {};
  const outcome: PlacementOutcome = {
    failedTGAllocs: null,
    placedIDs: new Set(),
    classEligibility: {},
  };
  let offset = 0;
  for (const m of missing) {
    const tg = m.request.taskGroup;
    const earlier = failed[tg.Name];
    if (earlier !== undefined) {
      earlier.CoalescedFailures += 1;
      exhaustResources(earlier, tg);
      continue;
    }
    if (m.stopAlloc !== null) {
      appendStoppedAlloc(ctx.plan, m.stopAlloc, { description: m.stopDescription });
    }
    const selected = selectFor(ctx, m.request, offset);
    offset = selected.offset;
    const metric = selected.metric;
    metric.NodesAvailable = { ...ctx.byDatacenter };
    metric.NodesInPool = ctx.candidates.length;
    mergeClasses(outcome.classEligibility, selected.classEligibility);
    if (selected.option !== null) {
      const built = buildAllocation(ctx, { request: m.request, option: selected.option, metric });
      const alloc = recordPreemptions(ctx.plan, built, selected.option.preemptedAllocs ?? []);
      appendAlloc(ctx.plan, alloc);
      if (m.request.previousAlloc !== null) {
        linkReplacement(ctx.plan, m.request.previousAlloc, alloc.ID);
      }
      outcome.placedIDs.add(alloc.ID);
    } else {
      exhaustResources(metric, tg);
      failed[tg.Name] = metric;
      if (m.stopAlloc !== null) popStoppedAlloc(ctx.plan, m.stopAlloc);
    }
  }
  outcome.failedTGAllocs = Object.keys(failed).length > 0 ? failed : null;
  return outcome;
}

/**
 * The scheduler's update function for the reconciler (Nomad's
 * genericAllocUpdateFn): unchanged job → ignore; changed tasks → destructive;
 * otherwise an in-place update if the allocation's node still qualifies and
 * the new version fits there (discounting the allocation itself).
 */
export function inplaceUpdateFn(ctx: PlacementContext): AllocUpdateFn {
  return (existing: Allocation, tg: TaskGroup) => {
    const job = ctx.job;
    const old = existing.Job;
    if (old !== null && old.JobModifyIndex === job.JobModifyIndex && old.Version === job.Version) {
      return { kind: "ignore" };
    }
    if (old === null || tasksUpdated(old, job, tg.Name)) return { kind: "destructive" };
    if (allocTerminal(existing)) return { kind: "ignore" };
    const node = ctx.state.nodeByID(existing.NodeID);
    if (node === undefined || !nodeInDatacenters(node, job.Datacenters)) {
      return { kind: "destructive" };
    }
    if (!nodeInPool(node, job.NodePool)) return { kind: "destructive" };
    const selected = selectNode({
      nodes: [node],
      offset: 0,
      limit: ctx.limit,
      job,
      taskGroup: tg,
      proposed: (nodeID) => proposedAllocs(ctx.state, ctx.plan, nodeID, new Set([existing.ID])),
      algorithm: ctx.algorithm,
      rng: ctx.rng,
      penaltyNodeIDs: new Set(),
      propertyUsage: planPropertyUsage(ctx.state, {
        plan: ctx.plan,
        job,
        excludeIDs: new Set([existing.ID]),
      }),
      memoryOversubscription: ctx.state.memoryOversubscriptionEnabled?.() ?? true,
    });
    if (selected.option === null) return { kind: "destructive" };
    return { kind: "inplace", alloc: inplaceAllocation(ctx, existing, tg, selected) };
  };
}

function inplaceAllocation(
  ctx: PlacementContext,
  existing: Allocation,
  tg: TaskGroup,
  selected: SelectResult,
): Allocation {
  const fresh = selected.option?.resources;
  const shared = existing.AllocatedResources?.Shared;
  return {
    ...existing,
    EvalID: ctx.evaluation.ID,
    Job: ctx.job,
    Metrics: selected.metric,
    AllocatedResources: {
      Tasks: fresh?.Tasks ?? {},
      TaskLifecycles: fresh?.TaskLifecycles ?? null,
      // Ports cannot change in place (tasksUpdated guards that), so keep the assigned ones.
      Shared: {
        DiskMB: tg.EphemeralDisk.SizeMB,
        Networks: shared?.Networks ?? null,
        Ports: shared?.Ports ?? null,
      },
    },
  };
}
