/**
 * The node drainer's shell: a leader loop that runs {@linkcode planDrain} on
 * each state change (or when a deadline or health time passes) and writes
 * its decision through Raft — migrate marks with one `node-drain` evaluation
 * per job, then the drain-complete events.
 */

import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import type { ApplyResult, LogEntry } from "../fsm/mod.ts";
import type { StateStore } from "../state/mod.ts";
import {
  type Allocation,
  type DesiredTransition,
  type Evaluation,
  newEvaluation,
  type NodeEvent,
} from "../structs/mod.ts";
import { type DrainDecision, planDrain } from "./drainer.ts";

/** Allocations marked in one Raft entry (Nomad's defaultMaxIdsPerTxn is larger; ours is bounded too). */
export const MAX_DRAIN_ALLOCS_PER_ENTRY = 1_000;
/** Longest sleep between checks when nothing wakes the loop earlier. */
export const DRAINER_IDLE_CHECK_MS = 60_000;
/** Pause after a failed write before trying again. */
export const DRAINER_RETRY_MS = 1_000;

/** Nomad's node event message when a drain finishes. */
export const NODE_DRAIN_COMPLETE = "Node drain complete";

/** The drainer loop. */
export class Drainer {
  readonly #state: StateStore;
  readonly #apply: (entry: LogEntry) => Promise<ApplyResult>;
  readonly #clock: Clock;
  readonly #newId: () => string;
  readonly #logger: Logger;
  readonly #abort = new AbortController();
  #loop: Promise<void> | null = null;

  /** `apply` writes through Raft. */
  constructor(options: {
    state: StateStore;
    apply: (entry: LogEntry) => Promise<ApplyResult>;
    clock: Clock;
    newId: () => string;
    logger: Logger;
  }) {
    this.#state = options.state;
    this.#apply = options.apply;
    this.#clock = options.clock;
    this.#newId = options.newId;
    this.#logger = options.logger;
  }

  /** Starts the loop. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops the loop and waits for it. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      let waitMs = DRAINER_IDLE_CHECK_MS;
      try {
        const decision = planDrain(this.#state.snapshot(), this.#clock.nowNs());
        if (decision.migrate.length > 0 || decision.complete.length > 0) {
          await this.#write(decision);
          continue;
        }
        if (decision.wakeAtNs !== null) {
          waitMs = Math.min(waitMs, Math.max(1, (decision.wakeAtNs - this.#clock.nowNs()) / 1e6));
        }
      } catch (error) {
        if (signal.aborted) return;
        this.#logger.error("drainer failed", { error: String(error) });
        waitMs = DRAINER_RETRY_MS;
      }
      const wait = AbortSignal.any([signal, AbortSignal.timeout(Math.ceil(waitMs))]);
      await this.#state.waitForChange(["nodes", "allocs"], wait);
    }
  }

  /** Applies one decision: migrate marks (with evaluations) first, then completions. */
  async #write(decision: DrainDecision): Promise<void> {
    for (let i = 0; i < decision.migrate.length; i += MAX_DRAIN_ALLOCS_PER_ENTRY) {
      const batch = decision.migrate.slice(i, i + MAX_DRAIN_ALLOCS_PER_ENTRY);
      const transitions: Record<string, DesiredTransition> = {};
      for (const alloc of batch) {
        transitions[alloc.ID] = {
          Migrate: true,
          Reschedule: null,
          ForceReschedule: null,
          NoShutdownDelay: null,
        };
      }
      this.#logger.debug("marking allocations for migration", { count: batch.length });
      await this.#apply({
        Type: "AllocUpdateDesiredTransition",
        Allocs: transitions,
        Evals: this.#drainEvals(batch),
      });
    }
    for (const deadlined of [false, true]) {
      const nodeIDs = decision.complete.filter((c) => c.deadlined === deadlined).map((c) =>
        c.nodeID
      );
      if (nodeIDs.length === 0) continue;
      this.#logger.info("node drain complete", { nodes: nodeIDs.join(","), deadlined });
      await this.#apply({
        Type: "NodeDrainComplete",
        NodeIDs: nodeIDs,
        UpdatedAt: this.#clock.nowNs(),
        Event: this.#event(deadlined),
      });
    }
  }

  #drainEvals(allocs: readonly Allocation[]): Evaluation[] {
    const byJob = new Map<string, Allocation>();
    for (const alloc of allocs) byJob.set(`${alloc.Namespace}\u0000${alloc.JobID}`, alloc);
    const nowNs = this.#clock.nowNs();
    const evals: Evaluation[] = [];
    for (const alloc of byJob.values()) {
      const job = this.#state.snapshot().jobByID(alloc.Namespace, alloc.JobID) ?? alloc.Job;
      if (job === null) continue;
      evals.push(newEvaluation({
        ID: this.#newId(),
        Namespace: alloc.Namespace,
        Priority: job.Priority,
        Type: job.Type,
        TriggeredBy: "node-drain",
        JobID: alloc.JobID,
        CreateTime: nowNs,
        ModifyTime: nowNs,
      }));
    }
    return evals;
  }

  #event(deadlined: boolean): NodeEvent {
    return {
      Message: NODE_DRAIN_COMPLETE,
      Subsystem: "Drain",
      Details: deadlined ? { deadline_reached: "true" } : null,
      Timestamp: new Date(this.#clock.nowNs() / 1e6).toISOString(),
      CreateIndex: 0,
    };
  }
}
