/**
 * The reconciler's steps for disconnected clients, as functions returning
 * explicit results: reconnecting allocations against their replacements,
 * unknown-marking of allocations on a disconnected node with the follow-up
 * evaluation at the end of their `lost_after`.
 */

import type { IdGenerator } from "../core/mod.ts";
import {
  type Allocation,
  type Evaluation,
  type Job,
  newEvaluation,
  type TaskGroup,
} from "../structs/mod.ts";
import { byNameIndex } from "./alloc_sets.ts";
import {
  ALLOC_RECONNECTED,
  ALLOC_UNKNOWN,
  appendClientState,
  DISCONNECT_TIMEOUT_FOLLOWUP_EVAL_DESC,
  lostAfterNs,
  pickReconnecting,
  replacementsOf,
} from "./disconnect.ts";
import { formatRfc3339Nano } from "./time_format.ts";

/** Stop description: the job no longer needs the allocation (as reconcile.ts). */
const ALLOC_NOT_NEEDED = "alloc not needed due to job update";
/** Stop description: replaced after failing (as reconcile.ts). */
const ALLOC_RESCHEDULED = "alloc was rescheduled because it failed";

/** An allocation to stop after a reconnect, with its description and client status. */
export interface ReconnectStop {
  alloc: Allocation;
  description: string;
  clientStatus: "" | "failed";
}

/** What reconnecting allocations came to. */
export interface ReconnectResult {
  /** Originals and replacements to stop. */
  stop: ReconnectStop[];
  /** Reconnecting allocations that stay (they count toward the group again). */
  keep: Allocation[];
  /** Kept allocations the client reports running: their reconnect is recorded. */
  updates: Allocation[];
}

function outdated(alloc: Allocation, job: Job): boolean {
  return (alloc.Job?.Version ?? 0) < job.Version || (alloc.Job?.CreateIndex ?? 0) < job.CreateIndex;
}

function transitioning(alloc: Allocation): boolean {
  const t = alloc.DesiredTransition;
  return t.Migrate === true || t.Reschedule === true || t.ForceReschedule === true;
}

/**
 * Nomad's reconcileReconnecting: a reconnecting allocation that failed, was
 * stopped, is being moved or runs an older job stops; otherwise each live
 * replacement is weighed against it by the group's `reconcile` option and
 * the loser stops.
 */
export function reconcileReconnecting(
  reconnecting: readonly Allocation[],
  all: readonly Allocation[],
  options: { job: Job; nowNs: number },
): ReconnectResult {
  const stops = new Map<string, ReconnectStop>();
  const stop = (alloc: Allocation, description: string, clientStatus: "" | "failed" = "") => {
    if (!stops.has(alloc.ID)) stops.set(alloc.ID, { alloc, description, clientStatus });
  };
  for (const original of byNameIndex(reconnecting)) {
    if (original.DesiredStatus === "run" && original.ClientStatus === "failed") {
      stop(original, ALLOC_RESCHEDULED, "failed");
      continue;
    }
    if (
      original.DesiredStatus !== "run" || transitioning(original) || outdated(original, options.job)
    ) {
      stop(original, ALLOC_NOT_NEEDED);
      continue;
    }
    for (const replacement of replacementsOf(original, all)) {
      if (replacement.DesiredStatus !== "run") continue;
      if (pickReconnecting(original, replacement) === replacement) stop(original, ALLOC_NOT_NEEDED);
      else stop(replacement, ALLOC_RECONNECTED);
    }
  }
  const keep = reconnecting.filter((a) => !stops.has(a.ID));
  const updates = keep
    .filter((a) => a.ClientStatus === "running")
    .map((a) => ({ ...a, AllocStates: appendClientState(a, "running", options.nowNs) }));
  return { stop: [...stops.values()], keep, updates };
}

/** Allocations on a disconnected node marked unknown, and the evaluation that ends their wait. */
export interface DisconnectResult {
  updates: Allocation[];
  followupEvals: Evaluation[];
}

/**
 * Nomad's appendUnknownDisconnectingUpdates with createTimeoutLaterEvals:
 * each allocation becomes "unknown" (the change recorded in AllocStates) and,
 * when the group has a lost_after, points at a `max-disconnect-timeout`
 * evaluation due when that wait runs out.
 */
export function markDisconnecting(
  disconnecting: readonly Allocation[],
  options: {
    job: Job;
    tg: TaskGroup;
    nowNs: number;
    newId: IdGenerator;
    evalPriority: number;
  },
): DisconnectResult {
  if (disconnecting.length === 0) return { updates: [], followupEvals: [] };
  const waitNs = lostAfterNs(options.tg);
  // Every allocation here disconnected now, so one evaluation covers the batch.
  const followup = waitNs === 0 ? null : newEvaluation({
    ID: options.newId(),
    Namespace: options.job.Namespace,
    Priority: options.evalPriority,
    Type: options.job.Type,
    TriggeredBy: "max-disconnect-timeout",
    JobID: options.job.ID,
    JobModifyIndex: options.job.ModifyIndex,
    Status: "pending",
    StatusDescription: DISCONNECT_TIMEOUT_FOLLOWUP_EVAL_DESC,
    WaitUntil: formatRfc3339Nano(options.nowNs + waitNs),
    CreateTime: options.nowNs,
    ModifyTime: options.nowNs,
  });
  const updates = byNameIndex(disconnecting).map((a) => ({
    ...a,
    ClientStatus: "unknown" as const,
    ClientDescription: ALLOC_UNKNOWN,
    AllocStates: appendClientState(a, "unknown", options.nowNs),
    FollowupEvalID: followup?.ID ?? "",
  }));
  return { updates, followupEvals: followup === null ? [] : [followup] };
}
