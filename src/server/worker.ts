/**
 * A scheduling worker: dequeues evaluations, runs the pure scheduler on a
 * snapshot, and acknowledges. The worker is the scheduler's Planner.
 */

import type { Clock } from "../core/clock.ts";
import type { IdGenerator } from "../core/ids.ts";
import type { Logger } from "../core/logger.ts";
import type { Rng } from "../core/rng.ts";
import type { Evaluation, Plan } from "../structs/mod.ts";
import { processEvaluation } from "../scheduler/mod.ts";
import type { Planner, SubmitPlanResult } from "../scheduler/types.ts";
import type { StateStore } from "../state/mod.ts";
import type { EvalBroker } from "./eval_broker.ts";
import type { PlanApplier } from "./plan_applier.ts";
import type { Raft } from "./raft.ts";

/** What a worker needs from the server. */
export interface WorkerOptions {
  broker: EvalBroker;
  state: StateStore;
  raft: Raft;
  planApplier: PlanApplier;
  clock: Clock;
  rng: Rng;
  newId: IdGenerator;
  logger: Logger;
  /** Called when an evaluation is given up after the delivery limit. */
  onFailed: (evaluation: Evaluation) => Promise<void>;
}

/** Waits until the state store has applied `index`. */
export async function waitForIndex(
  state: StateStore,
  index: number,
  signal: AbortSignal,
): Promise<void> {
  while (state.index < index && !signal.aborted) {
    await state.waitForChange(["jobs", "allocs", "evals", "nodes"], signal);
  }
}

class WorkerPlanner implements Planner {
  readonly #options: WorkerOptions;
  readonly #signal: AbortSignal;

  constructor(options: WorkerOptions, signal: AbortSignal) {
    this.#options = options;
    this.#signal = signal;
  }

  async submitPlan(plan: Plan): Promise<SubmitPlanResult> {
    const result = await this.#options.planApplier.submit(plan);
    if (result.RefreshIndex === 0) return { result, refreshedState: null };
    await waitForIndex(this.#options.state, result.RefreshIndex, this.#signal);
    return { result, refreshedState: this.#options.state.snapshot() };
  }

  async updateEval(evaluation: Evaluation): Promise<void> {
    await this.#write(evaluation);
  }

  async createEval(evaluation: Evaluation): Promise<void> {
    await this.#write(evaluation);
  }

  async reblockEval(evaluation: Evaluation): Promise<void> {
    await this.#write({ ...evaluation, Status: "blocked" });
  }

  async #write(evaluation: Evaluation): Promise<void> {
    const nowNs = this.#options.clock.nowNs();
    await this.#options.raft.apply({
      Type: "EvalUpdate",
      Evals: [{ ...evaluation, ModifyTime: nowNs, CreateTime: evaluation.CreateTime || nowNs }],
    });
  }
}

/** Runs one scheduling loop until stopped. */
export class Worker {
  readonly #options: WorkerOptions;
  readonly #abort = new AbortController();
  #loop: Promise<void> | null = null;

  /** Creates a stopped worker. */
  constructor(options: WorkerOptions) {
    this.#options = options;
  }

  /** Starts dequeuing. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops after the current evaluation. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { broker, logger } = this.#options;
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      const item = await broker.dequeue(signal);
      if (item === null) break;
      try {
        await this.#process(item.evaluation, signal);
        broker.ack(item.evaluation.ID, item.token);
      } catch (err) {
        logger.error("failed to process evaluation", {
          eval_id: item.evaluation.ID,
          error: String(err),
        });
        if (!broker.nack(item.evaluation.ID, item.token)) {
          await this.#options.onFailed(item.evaluation);
        }
      }
    }
  }

  async #process(evaluation: Evaluation, signal: AbortSignal): Promise<void> {
    const { state, clock, rng, newId, logger } = this.#options;
    await waitForIndex(state, evaluation.ModifyIndex, signal);
    const snapshot = state.snapshot();
    const current = snapshot.evalByID(evaluation.ID) ?? evaluation;
    const started = performance.now();
    await processEvaluation(current, {
      state: snapshot,
      planner: new WorkerPlanner(this.#options, signal),
      nowNs: clock.nowNs(),
      rng,
      newId,
      logger,
    });
    logger.debug("evaluation processed", {
      eval_id: evaluation.ID,
      job_id: evaluation.JobID,
      duration_ms: Math.round(performance.now() - started),
    });
  }
}
