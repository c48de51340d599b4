/**
 * The plan applier: plans are applied one at a time against the latest state.
 * Each node of a plan is re-checked; nodes that no longer fit are left out and the
 * scheduler is told to refresh (partial commit), as Nomad's plan applier does.
 */

import { MAX_PLAN_QUEUE } from "../core/bounds.ts";
import { CodedError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import {
  type Allocation,
  allocTerminal,
  type Evaluation,
  newEvaluation,
  nodeSchedulable,
  type Plan,
  type PlanResult,
} from "../structs/mod.ts";
import type { Clock } from "../core/clock.ts";
import type { PreemptedAllocationDiff } from "../fsm/messages.ts";
import { allocsFit } from "../scheduler/mod.ts";
import type { StateSnapshot, StateStore } from "../state/mod.ts";
import type { Raft } from "./raft.ts";

/** Which nodes of a plan may be committed. */
export interface PlanEvaluation {
  result: Omit<PlanResult, "AllocIndex">;
  rejectedNodes: { nodeID: string; reason: string }[];
}

/** Re-checks every node of a plan against `snapshot` (pure). */
export function evaluatePlan(snapshot: StateSnapshot, plan: Plan): PlanEvaluation {
  const nodeIDs = new Set([
    ...Object.keys(plan.NodeAllocation),
    ...Object.keys(plan.NodeUpdate),
    ...Object.keys(plan.NodePreemptions ?? {}),
  ]);
  const result: PlanEvaluation["result"] = { NodeUpdate: {}, NodeAllocation: {}, RefreshIndex: 0 };
  const rejectedNodes: PlanEvaluation["rejectedNodes"] = [];
  for (const nodeID of nodeIDs) {
    const reason = rejectReason(snapshot, plan, nodeID);
    if (reason !== null) {
      rejectedNodes.push({ nodeID, reason });
      continue;
    }
    const updates = plan.NodeUpdate[nodeID];
    const placements = plan.NodeAllocation[nodeID];
    if (updates !== undefined && updates.length > 0) result.NodeUpdate[nodeID] = updates;
    if (placements !== undefined && placements.length > 0) {
      result.NodeAllocation[nodeID] = placements;
    }
    const preemptions = livePreemptions(snapshot, plan, nodeID);
    if (preemptions.length > 0) (result.NodePreemptions ??= {})[nodeID] = preemptions;
  }
  if (rejectedNodes.length > 0) {
    result.RefreshIndex = snapshot.index;
    if (plan.AllAtOnce) {
      result.NodeUpdate = {};
      result.NodeAllocation = {};
      delete result.NodePreemptions;
    }
  }
  return { result, rejectedNodes };
}

function rejectReason(snapshot: StateSnapshot, plan: Plan, nodeID: string): string | null {
  const placements = plan.NodeAllocation[nodeID] ?? [];
  if (placements.length === 0) return null; // stopping allocations always fits
  const node = snapshot.nodeByID(nodeID);
  if (node === undefined) return "node does not exist";
  const existingIDs = new Set(snapshot.allocsByNode(nodeID).map((a) => a.ID));
  const newPlacements = placements.some((a) => !existingIDs.has(a.ID));
  if (newPlacements && !nodeSchedulable(node)) return "node is not ready for placements";
  const removed = new Set(
    [
      ...(plan.NodeUpdate[nodeID] ?? []),
      ...(plan.NodePreemptions?.[nodeID] ?? []),
      ...placements,
    ].map((a) => a.ID),
  );
  const proposed: Allocation[] = snapshot.allocsByNode(nodeID)
    .filter((a) => !allocTerminal(a) && !removed.has(a.ID));
  proposed.push(...placements.filter((a) => !allocTerminal(a)));
  const fit = allocsFit(node, proposed);
  return fit.fit ? null : `node resources exhausted: ${fit.dimension}`;
}

// The plan's preemptions on the node whose allocations are still live (Nomad
// drops those that became terminal meanwhile).
function livePreemptions(snapshot: StateSnapshot, plan: Plan, nodeID: string): Allocation[] {
  const preempted = plan.NodePreemptions?.[nodeID] ?? [];
  if (preempted.length === 0) return [];
  const live = new Set(
    snapshot.allocsByNode(nodeID).filter((a) => !allocTerminal(a)).map((a) => a.ID),
  );
  return preempted.filter((a) => live.has(a.ID));
}

/**
 * The raft entry's preemption parts: what changes on each preempted
 * allocation, and one pending "preemption" evaluation per affected job that
 * still exists, so those jobs are rescheduled (Nomad's PreemptionEvals).
 */
export function preemptionChanges(
  snapshot: StateSnapshot,
  preemptions: Record<string, Allocation[]> | undefined,
  ids: { nowNs: number; newId: () => string },
): { diffs: PreemptedAllocationDiff[]; evals: Evaluation[] } {
  const diffs: PreemptedAllocationDiff[] = [];
  const jobs = new Map<string, { namespace: string; id: string }>();
  for (const alloc of Object.values(preemptions ?? {}).flat()) {
    diffs.push({
      ID: alloc.ID,
      PreemptedByAllocation: alloc.PreemptedByAllocation,
      DesiredDescription: alloc.DesiredDescription,
      ModifyTime: ids.nowNs,
    });
    jobs.set(`${alloc.Namespace}\u0000${alloc.JobID}`, {
      namespace: alloc.Namespace,
      id: alloc.JobID,
    });
  }
  const evals: Evaluation[] = [];
  for (const { namespace, id } of jobs.values()) {
    const job = snapshot.jobByID(namespace, id);
    if (job === undefined) continue;
    evals.push(newEvaluation({
      ID: ids.newId(),
      Namespace: job.Namespace,
      Priority: job.Priority,
      Type: job.Type,
      TriggeredBy: "preemption",
      JobID: job.ID,
      Status: "pending",
      CreateTime: ids.nowNs,
      ModifyTime: ids.nowNs,
    }));
  }
  return { diffs, evals };
}

function stripJob(allocs: Record<string, Allocation[]>): Allocation[] {
  return Object.values(allocs).flat().map((a) => ({ ...a, Job: null }));
}

/** Applies plans serially through raft. */
export class PlanApplier {
  readonly #state: StateStore;
  readonly #raft: Raft;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #newId: () => string;
  #tail: Promise<unknown> = Promise.resolve();
  #queued = 0;

  /**
   * Wires the state store, raft and a logger; `clock` and `newId` stamp the
   * evaluations preemptions create (wall clock and random UUIDs when absent).
   */
  constructor(
    options: { state: StateStore; raft: Raft; logger: Logger; clock?: Clock; newId?: () => string },
  ) {
    this.#state = options.state;
    this.#raft = options.raft;
    this.#logger = options.logger;
    this.#clock = options.clock ?? { nowNs: () => Date.now() * 1_000_000 };
    this.#newId = options.newId ?? (() => crypto.randomUUID());
  }

  /** Queues a plan; resolves with what was committed. */
  submit(plan: Plan): Promise<PlanResult> {
    if (this.#queued >= MAX_PLAN_QUEUE) {
      return Promise.reject(new CodedError(503, "plan queue is full"));
    }
    this.#queued++;
    const run = this.#tail.then(() => this.#apply(plan)).finally(() => this.#queued--);
    this.#tail = run.catch(() => {});
    return run;
  }

  async #apply(plan: Plan): Promise<PlanResult> {
    const snapshot = this.#state.snapshot();
    const { result, rejectedNodes } = evaluatePlan(snapshot, plan);
    for (const rejected of rejectedNodes) {
      this.#logger.debug("plan for node rejected", {
        node_id: rejected.nodeID,
        reason: rejected.reason,
        eval_id: plan.EvalID,
      });
    }
    const updated = stripJob(result.NodeAllocation);
    const stopped = stripJob(result.NodeUpdate);
    // A partial commit of an all-at-once plan commits nothing, its deployment included.
    const committed = result.RefreshIndex === 0 || !plan.AllAtOnce;
    const deployment = committed ? plan.Deployment ?? null : null;
    const deploymentUpdates = committed ? plan.DeploymentUpdates ?? [] : [];
    if (
      updated.length === 0 && stopped.length === 0 && deployment === null &&
      deploymentUpdates.length === 0
    ) {
      return { ...result, AllocIndex: this.#state.index };
    }
    const preempted = preemptionChanges(snapshot, result.NodePreemptions, {
      nowNs: this.#clock.nowNs(),
      newId: this.#newId,
    });
    const applied = await this.#raft.apply({
      Type: "ApplyPlanResults",
      Job: plan.Job,
      AllocsUpdated: updated,
      AllocsStopped: stopped,
      EvalID: plan.EvalID,
      Deployment: deployment,
      DeploymentUpdates: deploymentUpdates,
      ...(preempted.diffs.length === 0
        ? {}
        : { AllocsPreempted: preempted.diffs, PreemptionEvals: preempted.evals }),
    });
    return {
      ...result,
      AllocIndex: applied.index,
      Deployment: deployment,
      DeploymentUpdates: deploymentUpdates,
    };
  }
}
