/**
 * The periodic dispatcher's pure core: which jobs are tracked and when each
 * launches next, which launches are due at `now`, the child job a launch
 * creates, the overlap check, and the launches a new leader must catch up.
 * Time is passed in; the shell (periodic_dispatcher.ts) owns timers and raft.
 */

import { effectiveTimeZone, nextLaunchTime } from "../core/cron.ts";
import { PERIODIC_LAUNCH_SUFFIX } from "../fsm/mod.ts";
import type { StateSnapshot } from "../state/mod.ts";
import {
  allocTerminal,
  evalTerminal,
  isPeriodicActive,
  type Job,
  type PeriodicConfig,
} from "../structs/mod.ts";

/** A tracked periodic job and its next launch (null: it will not fire again). */
export interface TrackedPeriodicJob {
  readonly job: Job;
  readonly nextMs: number | null;
}

/** Tracked jobs by namespaced ID. */
export type PeriodicSchedule = ReadonlyMap<string, TrackedPeriodicJob>;

function trackKey(job: Pick<Job, "Namespace" | "ID">): string {
  return `${job.Namespace}\u0000${job.ID}`;
}

/** The cron specs of a periodic block (`cron` or `crons`). */
export function periodicSpecs(periodic: PeriodicConfig): string[] {
  return periodic.Spec !== "" ? [periodic.Spec] : [...(periodic.Specs ?? [])];
}

/** The first launch of `job` strictly after `afterMs`, in its time zone; null if none. */
export function nextPeriodicLaunch(job: Job, afterMs: number): number | null {
  if (job.Periodic === null) return null;
  return nextLaunchTime(
    periodicSpecs(job.Periodic),
    afterMs,
    effectiveTimeZone(job.Periodic.TimeZone),
  );
}

/**
 * Tracks every active periodic job in `jobs`. A job whose spec did not change
 * keeps its next launch; a new or changed job is scheduled from `nowMs`, as
 * Nomad's dispatcher does on Add. Stopped, disabled and deleted jobs drop out.
 */
export function trackPeriodicJobs(
  previous: PeriodicSchedule,
  options: { jobs: Iterable<Job>; nowMs: number },
): Map<string, TrackedPeriodicJob> {
  const next = new Map<string, TrackedPeriodicJob>();
  for (const job of options.jobs) {
    if (!isPeriodicActive(job)) continue;
    const key = trackKey(job);
    const old = previous.get(key);
    if (old !== undefined && old.job.JobModifyIndex === job.JobModifyIndex) {
      next.set(key, { job, nextMs: old.nextMs });
    } else {
      next.set(key, { job, nextMs: nextPeriodicLaunch(job, options.nowMs) });
    }
  }
  return next;
}

/** A launch that is due: the job and the scheduled time it launches for. */
export interface DueLaunch {
  readonly job: Job;
  readonly launchMs: number;
}

/**
 * Launches due at `nowMs` and the schedule after them: each due job launches
 * for its scheduled time and its next launch is computed from that time.
 */
export function dueLaunches(
  schedule: PeriodicSchedule,
  nowMs: number,
): { due: DueLaunch[]; schedule: Map<string, TrackedPeriodicJob> } {
  const due: DueLaunch[] = [];
  const next = new Map(schedule);
  for (const [key, tracked] of schedule) {
    if (tracked.nextMs === null || tracked.nextMs > nowMs) continue;
    due.push({ job: tracked.job, launchMs: tracked.nextMs });
    next.set(key, { job: tracked.job, nextMs: nextPeriodicLaunch(tracked.job, tracked.nextMs) });
  }
  due.sort((a, b) => a.launchMs - b.launchMs);
  return { due, schedule: next };
}

/** The earliest next launch of the schedule, or null when nothing will fire. */
export function earliestLaunch(schedule: PeriodicSchedule): number | null {
  let earliest: number | null = null;
  for (const tracked of schedule.values()) {
    if (tracked.nextMs !== null && (earliest === null || tracked.nextMs < earliest)) {
      earliest = tracked.nextMs;
    }
  }
  return earliest;
}

/** ID of the child a launch at `launchMs` creates: `<parent>/periodic-<unix seconds>`. */
export function periodicChildID(parentID: string, launchMs: number): string {
  return `${parentID}${PERIODIC_LAUNCH_SUFFIX}${Math.floor(launchMs / 1000)}`;
}

/** The non-periodic child job a launch registers. */
export function derivePeriodicChild(parent: Job, launchMs: number): Job {
  const id = periodicChildID(parent.ID, launchMs);
  return {
    ...structuredClone(parent),
    ID: id,
    Name: id,
    ParentID: parent.ID,
    Periodic: null,
    Status: "pending",
    StatusDescription: "",
  };
}

/**
 * True while a launched child of `parent` still has a non-terminal evaluation
 * or allocation (what `prohibit_overlap` waits for).
 */
export function hasRunningChildren(snapshot: StateSnapshot, parent: Job): boolean {
  const prefix = `${parent.ID}${PERIODIC_LAUNCH_SUFFIX}`;
  for (const child of snapshot.childJobs(parent.Namespace, parent.ID)) {
    if (!child.ID.startsWith(prefix)) continue;
    if (snapshot.evalsByJob(child.Namespace, child.ID).some((e) => !evalTerminal(e))) return true;
    if (snapshot.allocsByJob(child.Namespace, child.ID).some((a) => !allocTerminal(a))) return true;
  }
  return false;
}

/**
 * Jobs a new leader force-launches now (Nomad's restorePeriodicDispatcher):
 * active periodic jobs whose launch after the last recorded one (or after the
 * job's registration) is already past, unless overlap is prohibited and a
 * child is still running. At most one catch-up launch per job.
 */
export function catchUpLaunches(snapshot: StateSnapshot, nowMs: number): Job[] {
  const launches: Job[] = [];
  for (const job of snapshot.jobs("*")) {
    if (!isPeriodicActive(job)) continue;
    const last = snapshot.periodicLaunchByID(job.Namespace, job.ID);
    if (last === undefined) continue;
    const next = nextPeriodicLaunch(job, last.Launch / 1e6);
    if (next === null || next >= nowMs) continue;
    if (job.Periodic!.ProhibitOverlap && hasRunningChildren(snapshot, job)) continue;
    launches.push(job);
  }
  return launches;
}
