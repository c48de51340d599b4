/**
 * The eval broker: pending evaluations ordered by priority then age, at most one
 * in flight per job, redelivered when a worker fails to acknowledge.
 */

import { MAX_BROKER_EVALS } from "../core/bounds.ts";
import { CodedError } from "../core/errors.ts";
import type { Evaluation } from "../structs/mod.ts";

/** Deliveries of one evaluation before it is given up as failed. */
export const EVAL_DELIVERY_LIMIT = 3;

interface Unacked {
  evaluation: Evaluation;
  token: string;
  deliveries: number;
}

function jobKey(evaluation: Evaluation): string {
  return `${evaluation.Namespace}\u0000${evaluation.JobID}`;
}

function before(a: Evaluation, b: Evaluation): boolean {
  if (a.Priority !== b.Priority) return a.Priority > b.Priority;
  return a.CreateIndex < b.CreateIndex;
}

/** Priority queue of evaluations with per-job serialization. */
export class EvalBroker {
  #ready: Evaluation[] = [];
  /** Evaluations waiting because their job already has one in flight or ready. */
  readonly #pendingByJob = new Map<string, Evaluation[]>();
  readonly #jobsBusy = new Set<string>();
  readonly #unacked = new Map<string, Unacked>();
  readonly #deliveries = new Map<string, number>();
  readonly #known = new Set<string>();
  #waiters: ((e: Evaluation) => void)[] = [];
  #tokenCounter = 0;
  #enabled = true;
  /** The scheduler configuration's PauseEvalBroker: evaluations queue but are not handed out. */
  #paused = false;

  /** Adds a pending evaluation (ignored if already known). */
  enqueue(evaluation: Evaluation): void {
    if (!this.#enabled || this.#known.has(evaluation.ID)) return;
    if (this.#known.size >= MAX_BROKER_EVALS) {
      throw new CodedError(503, `eval broker is full (${MAX_BROKER_EVALS} evaluations)`);
    }
    this.#known.add(evaluation.ID);
    const key = jobKey(evaluation);
    if (this.#jobsBusy.has(key)) {
      const queue = this.#pendingByJob.get(key) ?? [];
      queue.push(evaluation);
      this.#pendingByJob.set(key, queue);
      return;
    }
    this.#jobsBusy.add(key);
    this.#pushReady(evaluation);
  }

  #pushReady(evaluation: Evaluation): void {
    const waiter = this.#paused ? undefined : this.#waiters.shift();
    if (waiter !== undefined) {
      waiter(evaluation);
      return;
    }
    const at = this.#ready.findIndex((e) => before(evaluation, e));
    if (at === -1) this.#ready.push(evaluation);
    else this.#ready.splice(at, 0, evaluation);
  }

  /** Waits for the next evaluation; resolves `null` if `signal` aborts first. */
  dequeue(signal: AbortSignal): Promise<{ evaluation: Evaluation; token: string } | null> {
    const deliver = (evaluation: Evaluation) => {
      const token = `${evaluation.ID}:${++this.#tokenCounter}`;
      const deliveries = (this.#deliveries.get(evaluation.ID) ?? 0) + 1;
      this.#deliveries.set(evaluation.ID, deliveries);
      this.#unacked.set(evaluation.ID, { evaluation, token, deliveries });
      return { evaluation, token };
    };
    const next = this.#paused ? undefined : this.#ready.shift();
    if (next !== undefined) return Promise.resolve(deliver(next));
    if (signal.aborted) return Promise.resolve(null);
    return new Promise((resolve) => {
      const waiter = (evaluation: Evaluation) => {
        signal.removeEventListener("abort", onAbort);
        resolve(deliver(evaluation));
      };
      const onAbort = () => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        resolve(null);
      };
      this.#waiters.push(waiter);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Marks an evaluation done; the job's next waiting evaluation becomes ready. */
  ack(evalID: string, token: string): void {
    const unacked = this.#unacked.get(evalID);
    if (unacked === undefined || unacked.token !== token) {
      throw new CodedError(400, `Evaluation ID not found or token mismatch: ${evalID}`);
    }
    this.#unacked.delete(evalID);
    this.#deliveries.delete(evalID);
    this.#known.delete(evalID);
    this.#releaseJob(jobKey(unacked.evaluation));
  }

  /** Returns an evaluation for redelivery; after the delivery limit it is dropped and `false` returned. */
  nack(evalID: string, token: string): boolean {
    const unacked = this.#unacked.get(evalID);
    if (unacked === undefined || unacked.token !== token) return false;
    this.#unacked.delete(evalID);
    if (unacked.deliveries >= EVAL_DELIVERY_LIMIT) {
      this.#deliveries.delete(evalID);
      this.#known.delete(evalID);
      this.#releaseJob(jobKey(unacked.evaluation));
      return false;
    }
    this.#pushReady(unacked.evaluation);
    return true;
  }

  #releaseJob(key: string): void {
    const queue = this.#pendingByJob.get(key);
    const next = queue?.shift();
    if (queue !== undefined && queue.length === 0) this.#pendingByJob.delete(key);
    if (next === undefined) {
      this.#jobsBusy.delete(key);
      return;
    }
    this.#pushReady(next);
  }

  /** Pauses or resumes handing out evaluations; resuming serves waiting workers at once. */
  setPaused(paused: boolean): void {
    this.#paused = paused;
    while (!this.#paused && this.#waiters.length > 0 && this.#ready.length > 0) {
      const waiter = this.#waiters.shift()!;
      waiter(this.#ready.shift()!);
    }
  }

  /** True while the scheduler configuration pauses the broker. */
  get paused(): boolean {
    return this.#paused;
  }

  /** Drops everything (leadership lost or shutdown). */
  disable(): void {
    this.#enabled = false;
    this.#ready = [];
    this.#pendingByJob.clear();
    this.#jobsBusy.clear();
    this.#unacked.clear();
    this.#known.clear();
  }

  /** Counts for `/v1/agent/self` stats and tests. */
  stats(): { ready: number; unacked: number; pending: number } {
    let pending = 0;
    for (const q of this.#pendingByJob.values()) pending += q.length;
    return { ready: this.#ready.length, unacked: this.#unacked.size, pending };
  }
}
