/**
 * The restart policy tracker (pure): after a task exits, decide whether to
 * restart it, after what delay, or to give up — with Nomad's reasons.
 */

import { formatDuration } from "../core/clock.ts";
import type { Rng } from "../core/rng.ts";
import type { RestartPolicy } from "../structs/mod.ts";

/** Nomad adds up to 25% random jitter to restart delays. */
export const RESTART_JITTER_FRACTION = 0.25;

/** What to do after an exit. */
export type RestartDecision =
  | { action: "restart"; delayNs: number; reason: string }
  | { action: "done" }
  | { action: "fail"; reason: string };

/** Restart bookkeeping of one task. */
export interface RestartTracker {
  /** Start of the current interval (ns). */
  intervalStartNs: number;
  /** Restarts within the current interval. */
  count: number;
}

/** Fresh tracker starting at `nowNs`. */
export function newRestartTracker(nowNs: number): RestartTracker {
  return { intervalStartNs: nowNs, count: 0 };
}

/**
 * Decides what follows an exit. Batch tasks that exit 0 are done; everything
 * else restarts while the policy allows.
 */
export function nextRestart(
  tracker: RestartTracker,
  options: {
    policy: RestartPolicy;
    batch: boolean;
    exitCode: number;
    failedToStart: boolean;
    nowNs: number;
    rng: Rng;
  },
): { decision: RestartDecision; tracker: RestartTracker } {
  const { policy, nowNs } = options;
  if (options.batch && options.exitCode === 0 && !options.failedToStart) {
    return { decision: { action: "done" }, tracker };
  }
  let current = tracker;
  if (nowNs - current.intervalStartNs > policy.Interval) current = newRestartTracker(nowNs);
  const jitter = (delay: number) =>
    delay + Math.floor(options.rng.next() * delay * RESTART_JITTER_FRACTION);
  if (policy.Attempts === 0 && policy.Mode === "fail") {
    return { decision: { action: "fail", reason: "Policy allows no restarts" }, tracker: current };
  }
  if (current.count < policy.Attempts) {
    return {
      decision: {
        action: "restart",
        delayNs: jitter(policy.Delay),
        reason: "Restart within policy",
      },
      tracker: { ...current, count: current.count + 1 },
    };
  }
  const exceeded = `Exceeded allowed attempts ${policy.Attempts} in interval ${
    formatDuration(policy.Interval)
  } and mode is "${policy.Mode}"`;
  if (policy.Mode === "fail") {
    return { decision: { action: "fail", reason: exceeded }, tracker: current };
  }
  const untilIntervalEnd = Math.max(0, current.intervalStartNs + policy.Interval - nowNs);
  return {
    decision: {
      action: "restart",
      delayNs: jitter(policy.Delay) + untilIntervalEnd,
      reason: exceeded,
    },
    tracker: newRestartTracker(nowNs + untilIntervalEnd),
  };
}
