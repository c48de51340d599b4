/**
 * Rescheduling of failed allocations per the task group's reschedule policy:
 * attempts within an interval (or unlimited), and the delay before the next
 * attempt (constant, exponential or fibonacci, capped by max_delay).
 */

import { NS_PER_SECOND } from "../core/mod.ts";
import type {
  Allocation,
  RescheduleEvent,
  ReschedulePolicy,
  RescheduleTracker,
} from "../structs/mod.ts";
import { parseRfc3339Ns } from "./time_format.ts";

/** A failed allocation due within this window is rescheduled now (clock drift between servers). */
export const RESCHEDULE_WINDOW_NS = 1 * NS_PER_SECOND;
/** Failed allocations due within this window of each other share one follow-up evaluation. */
export const BATCHED_FAILED_ALLOC_WINDOW_NS = 5 * NS_PER_SECOND;
/** With unlimited rescheduling only the last few events are carried forward. */
export const MAX_PAST_RESCHEDULE_EVENTS = 5;

/** The reschedule policy of the allocation's own job version and group. */
export function reschedulePolicyOf(alloc: Allocation): ReschedulePolicy | null {
  const tg = alloc.Job?.TaskGroups.find((g) => g.Name === alloc.TaskGroup);
  return tg?.ReschedulePolicy ?? null;
}

/**
 * When the allocation failed: the latest task `FinishedAt`, else its modify time
 * (Nomad's LastEventTime).
 */
export function lastEventTimeNs(alloc: Allocation): number {
  let latest = 0;
  for (const state of Object.values(alloc.TaskStates ?? {})) {
    const finished = state.FinishedAt === null ? undefined : parseRfc3339Ns(state.FinishedAt);
    // Go's zero time (year 1) parses negative; it means "not finished".
    if (finished !== undefined && finished > latest) latest = finished;
  }
  return latest > 0 ? latest : alloc.ModifyTime;
}

function events(alloc: Allocation): readonly RescheduleEvent[] {
  return alloc.RescheduleTracker?.Events ?? [];
}

/** The delay before the allocation may be rescheduled again (Nomad's NextDelay). */
export function nextDelayNs(alloc: Allocation): number {
  const policy = reschedulePolicyOf(alloc);
  if (policy === null) return 0;
  const past = events(alloc);
  const last = past[past.length - 1];
  if (last === undefined) return policy.Delay;
  let delay = policy.Delay;
  if (policy.DelayFunction === "exponential") {
    delay = last.Delay * 2;
  } else if (policy.DelayFunction === "fibonacci") {
    const beforeLast = past[past.length - 2];
    if (beforeLast !== undefined) {
      // A series that hit the ceiling and was reset starts again from the base delay.
      const restarted = beforeLast.Delay === policy.MaxDelay && last.Delay === policy.Delay;
      delay = restarted ? last.Delay : last.Delay + beforeLast.Delay;
    }
  } else {
    return delay;
  }
  if (policy.MaxDelay > 0 && delay > policy.MaxDelay) {
    delay = policy.MaxDelay;
    // Long enough since the last reschedule: start the series over.
    if (lastEventTimeNs(alloc) - last.RescheduleTime > delay) delay = policy.Delay;
  }
  return delay;
}

function attemptsInInterval(alloc: Allocation, policy: ReschedulePolicy, failNs: number): number {
  return events(alloc).filter((e) => failNs - e.RescheduleTime < policy.Interval).length;
}

/** When the failed allocation may be rescheduled, and whether its policy still allows it. */
export interface NextReschedule {
  timeNs: number;
  eligible: boolean;
}

/** Nomad's NextRescheduleTime: only failed, still-desired-running allocations qualify. */
export function nextRescheduleTime(alloc: Allocation): NextReschedule {
  const failNs = lastEventTimeNs(alloc);
  if (alloc.DesiredStatus === "stop" || alloc.ClientStatus !== "failed" || failNs <= 0) {
    return { timeNs: 0, eligible: false };
  }
  return nextRescheduleTimeFrom(alloc, failNs);
}

/**
 * Nomad's NextRescheduleTimeByTime: the policy's next attempt counted from
 * `failNs` whatever the client status (used for disconnected allocations).
 */
export function nextRescheduleTimeFrom(alloc: Allocation, failNs: number): NextReschedule {
  const policy = reschedulePolicyOf(alloc);
  if (policy === null) return { timeNs: 0, eligible: false };
  const delay = nextDelayNs(alloc);
  const timeNs = failNs + delay;
  const past = events(alloc);
  if (policy.Attempts > 0 && past.length > 0) {
    const eligible = attemptsInInterval(alloc, policy, failNs) < policy.Attempts &&
      delay < policy.Interval;
    return { timeNs, eligible };
  }
  return { timeNs, eligible: policy.Unlimited || policy.Attempts > 0 };
}

/** Whether a failed allocation is rescheduled now, later (follow-up evaluation) or not at all. */
export interface RescheduleDecision {
  now: boolean;
  later: boolean;
  timeNs: number;
}

/** Decides rescheduling for one allocation at `nowNs` while processing evaluation `evalID`. */
export function rescheduleDecision(
  alloc: Allocation,
  options: {
    nowNs: number;
    evalID: string;
    /** True for allocations on a node that just disconnected. */
    disconnecting?: boolean;
    /** When the allocation became unknown (0: never), for its follow-up evaluation. */
    unknownSinceNs?: number;
  },
): RescheduleDecision {
  if (alloc.DesiredTransition.ForceReschedule === true) {
    return { now: true, later: false, timeNs: options.nowNs };
  }
  const unknownFollowup = alloc.ClientStatus === "unknown" &&
    alloc.FollowupEvalID === options.evalID && (options.unknownSinceNs ?? 0) > 0;
  const next = options.disconnecting === true
    ? nextRescheduleTimeFrom(alloc, options.nowNs)
    : unknownFollowup
    ? nextRescheduleTimeFrom(alloc, options.unknownSinceNs ?? 0)
    : nextRescheduleTime(alloc);
  if (!next.eligible) return { now: false, later: false, timeNs: next.timeNs };
  const due = alloc.FollowupEvalID === options.evalID ||
    next.timeNs - options.nowNs <= RESCHEDULE_WINDOW_NS;
  if (due) return { now: true, later: false, timeNs: next.timeNs };
  return { now: false, later: alloc.FollowupEvalID === "", timeNs: next.timeNs };
}

/**
 * The replacement's reschedule history: the previous allocation's recent
 * events plus one for this reschedule.
 */
export function nextRescheduleTracker(prev: Allocation, nowNs: number): RescheduleTracker {
  const policy = reschedulePolicyOf(prev);
  const past = events(prev);
  let kept: RescheduleEvent[];
  if (policy !== null && policy.Attempts > 0) {
    kept = past.filter((e) => policy.Interval > 0 && nowNs - e.RescheduleTime <= policy.Interval);
  } else {
    kept = past.slice(Math.max(0, past.length - MAX_PAST_RESCHEDULE_EVENTS));
  }
  const event: RescheduleEvent = {
    RescheduleTime: nowNs,
    PrevAllocID: prev.ID,
    PrevNodeID: prev.NodeID,
    Delay: nextDelayNs(prev),
  };
  return { Events: [...kept.map((e) => ({ ...e })), event] };
}
