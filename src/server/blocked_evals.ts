/**
 * Blocked evaluations: evaluations that could not place everything wait here and
 * are re-enqueued when capacity may have appeared (nodes join, allocations stop).
 */

import type { Evaluation } from "../structs/mod.ts";

/** Tracks at most one blocked evaluation per job. */
export class BlockedEvals {
  readonly #byJob = new Map<string, Evaluation>();
  /** Raft index of the latest capacity change. */
  #capacityIndex = 0;

  /**
   * Tracks a blocked evaluation. Returns the evaluation it replaces (to be
   * canceled), and whether capacity changed after the eval's snapshot, in which
   * case the caller should run it again right away.
   */
  block(evaluation: Evaluation): { replaced: Evaluation | null; runNow: boolean } {
    const key = `${evaluation.Namespace}\u0000${evaluation.JobID}`;
    const previous = this.#byJob.get(key) ?? null;
    if (previous !== null && previous.CreateIndex > evaluation.CreateIndex) {
      return { replaced: evaluation, runNow: false };
    }
    this.#byJob.set(key, evaluation);
    const runNow = evaluation.SnapshotIndex > 0 && evaluation.SnapshotIndex < this.#capacityIndex;
    return {
      replaced: previous !== null && previous.ID !== evaluation.ID ? previous : null,
      runNow,
    };
  }

  /** Stops tracking the blocked evaluation of a job; returns it if there was one. */
  untrack(namespace: string, jobID: string): Evaluation | null {
    const key = `${namespace}\u0000${jobID}`;
    const evaluation = this.#byJob.get(key) ?? null;
    this.#byJob.delete(key);
    return evaluation;
  }

  /** Forgets an evaluation by ID (it became terminal). */
  remove(evalID: string): void {
    for (const [key, evaluation] of this.#byJob) {
      if (evaluation.ID === evalID) this.#byJob.delete(key);
    }
  }

  /** Records a capacity change at `index` and returns every blocked evaluation to retry. */
  unblock(index: number): Evaluation[] {
    this.#capacityIndex = Math.max(this.#capacityIndex, index);
    return [...this.#byJob.values()];
  }

  /** Number of blocked evaluations. */
  get size(): number {
    return this.#byJob.size;
  }
}
