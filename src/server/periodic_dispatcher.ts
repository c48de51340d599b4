/**
 * The periodic dispatcher's shell (a leader duty): keeps the schedule in step
 * with the state store, sleeps until the next launch or a job change, and
 * registers child jobs through `launch`. Decisions live in periodic.ts.
 */

import type { Clock } from "../core/clock.ts";
import { CodedError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import type { StateStore } from "../state/mod.ts";
import {
  type Evaluation,
  isPeriodicActive,
  type Job,
  type PeriodicForceResponse,
} from "../structs/mod.ts";
import {
  catchUpLaunches,
  dueLaunches,
  earliestLaunch,
  hasRunningChildren,
  type PeriodicSchedule,
  trackPeriodicJobs,
} from "./periodic.ts";

/** Registers the child of `parent` for a launch at `launchMs`; returns its evaluation. */
export type PeriodicLaunchFn = (
  parent: Job,
  launchMs: number,
) => Promise<{ evaluation: Evaluation; index: number }>;

/**
 * Longest single sleep: timers overflow past 2^31 ms (they would fire at once),
 * and a launch months away is simply re-checked after this.
 */
export const MAX_SLEEP_MS = 3_600_000;

/** Launches periodic jobs on time. */
export class PeriodicDispatcher {
  readonly #state: StateStore;
  readonly #clock: Clock;
  readonly #launch: PeriodicLaunchFn;
  readonly #logger: Logger;
  #schedule: PeriodicSchedule = new Map();
  #stop: AbortController | null = null;
  #loop: Promise<void> | null = null;

  /** Wires the dispatcher; call {@linkcode start} on gaining leadership. */
  constructor(
    options: { state: StateStore; clock: Clock; launch: PeriodicLaunchFn; logger: Logger },
  ) {
    this.#state = options.state;
    this.#clock = options.clock;
    this.#launch = options.launch;
    this.#logger = options.logger;
  }

  #nowMs(): number {
    return this.#clock.nowNs() / 1e6;
  }

  /** Catches up launches missed while there was no leader, then runs the loop. */
  start(): void {
    if (this.#stop !== null) return;
    const stop = new AbortController();
    this.#stop = stop;
    this.#loop = this.#run(stop.signal).catch((error) =>
      this.#logger.error("periodic dispatcher stopped", { error: String(error) })
    );
  }

  /** Stops launching (leadership lost or shutdown). */
  async stop(): Promise<void> {
    this.#stop?.abort();
    await this.#loop;
    this.#stop = null;
    this.#loop = null;
    this.#schedule = new Map();
  }

  /** The next launch of a tracked job (for tests and status). */
  nextLaunch(namespace: string, jobID: string): number | null {
    return this.#schedule.get(`${namespace}\u0000${jobID}`)?.nextMs ?? null;
  }

  async #run(signal: AbortSignal): Promise<void> {
    for (const job of catchUpLaunches(this.#state.snapshot(), this.#nowMs())) {
      this.#logger.debug("periodic job force run during leadership establishment", {
        job: job.ID,
      });
      await this.#tryLaunch(job, this.#nowMs());
    }
    while (!signal.aborted) {
      const snapshot = this.#state.snapshot();
      const tracked = trackPeriodicJobs(this.#schedule, {
        jobs: snapshot.jobs("*"),
        nowMs: this.#nowMs(),
      });
      const { due, schedule } = dueLaunches(tracked, this.#nowMs());
      this.#schedule = schedule;
      for (const launch of due) {
        if (signal.aborted) return;
        const current = this.#state.snapshot();
        if (launch.job.Periodic!.ProhibitOverlap && hasRunningChildren(current, launch.job)) {
          this.#logger.debug("skipping launch of periodic job because job prohibits overlap", {
            job: launch.job.ID,
          });
          continue;
        }
        await this.#tryLaunch(launch.job, launch.launchMs);
      }
      if (due.length === 0) await this.#sleep(signal, earliestLaunch(this.#schedule));
    }
  }

  async #tryLaunch(job: Job, launchMs: number): Promise<void> {
    try {
      await this.#launch(job, launchMs);
    } catch (error) {
      this.#logger.error("failed to dispatch job", { job: job.ID, error: String(error) });
    }
  }

  /** Waits until `untilMs` or until a job changes. */
  async #sleep(signal: AbortSignal, untilMs: number | null): Promise<void> {
    const wake = new AbortController();
    const onAbort = () => wake.abort();
    signal.addEventListener("abort", onAbort, { once: true });
    const timer = untilMs === null ? undefined : setTimeout(
      () => wake.abort(),
      Math.min(MAX_SLEEP_MS, Math.max(0, untilMs - this.#nowMs())),
    );
    try {
      await this.#state.waitForChange(["jobs"], wake.signal);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    }
  }

  /** Job.PeriodicForce: launches a periodic job now, with Nomad's errors. */
  async force(namespace: string, jobID: string): Promise<PeriodicForceResponse> {
    const job = this.#state.snapshot().jobByID(namespace, jobID);
    if (job === undefined) throw new CodedError(500, `job "${jobID}" not found`);
    if (job.Periodic === null) throw new CodedError(500, "can't force launch non-periodic job");
    if (this.#stop === null) {
      throw new CodedError(
        500,
        `force launch for job "${jobID}" failed: periodic dispatch disabled`,
      );
    }
    if (!isPeriodicActive(job)) {
      throw new CodedError(
        500,
        `force launch for job "${jobID}" failed: can't force run non-tracked job "${jobID}" (${namespace})`,
      );
    }
    const { evaluation, index } = await this.#launch(job, this.#nowMs());
    return { EvalID: evaluation.ID, EvalCreateIndex: index, Index: index };
  }
}
