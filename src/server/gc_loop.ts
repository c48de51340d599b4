/**
 * Garbage collection's shell: a periodic leader loop (every job_gc_interval)
 * and the forced collection behind `nomad system gc`. Both compute
 * {@linkcode gcCandidates} on a snapshot and delete through Raft.
 */

import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import type { ApplyResult, LogEntry } from "../fsm/mod.ts";
import type { StateStore } from "../state/mod.ts";
import {
  DEFAULT_GC_INTERVAL_MS,
  DEFAULT_GC_THRESHOLDS,
  gcCandidates,
  type GcResult,
  type GcThresholds,
  partitionGc,
} from "./gc.ts";

/** GC settings from the agent's `server` block. */
export interface GcConfig {
  thresholds: GcThresholds;
  intervalMs: number;
}

/** Nomad's defaults. */
export const DEFAULT_GC_CONFIG: GcConfig = {
  thresholds: DEFAULT_GC_THRESHOLDS,
  intervalMs: DEFAULT_GC_INTERVAL_MS,
};

/** The garbage collector. */
export class GarbageCollector {
  readonly #state: StateStore;
  readonly #apply: (entry: LogEntry) => Promise<ApplyResult>;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #config: GcConfig;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #running: Promise<unknown> = Promise.resolve();
  #stopped = false;

  /** `apply` writes through Raft. */
  constructor(options: {
    state: StateStore;
    apply: (entry: LogEntry) => Promise<ApplyResult>;
    clock: Clock;
    logger: Logger;
    config: GcConfig;
  }) {
    this.#state = options.state;
    this.#apply = options.apply;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#config = options.config;
  }

  /** Starts the periodic collection. */
  start(): void {
    if (this.#stopped || this.#timer !== null) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#running = this.collect(this.#config.thresholds)
        .catch((error) => this.#logger.error("garbage collection failed", { error: String(error) }))
        .finally(() => this.start());
    }, this.#config.intervalMs);
  }

  /** Stops the periodic collection and waits for a running one. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  /** Collects everything older than `thresholds` now; returns what was deleted and the last index. */
  async collect(thresholds: GcThresholds): Promise<{ deleted: GcResult; index: number }> {
    const deleted = gcCandidates(this.#state.snapshot(), {
      nowNs: this.#clock.nowNs(),
      thresholds,
    });
    let index = this.#state.index;
    for (const part of partitionGc(deleted)) {
      const result = await this.#apply({ Type: "GarbageCollect", ...part });
      index = result.index;
    }
    const total = deleted.Evals.length + deleted.Allocs.length + deleted.Jobs.length +
      deleted.Nodes.length + deleted.Deployments.length;
    if (total > 0) {
      this.#logger.debug("garbage collected", {
        evals: deleted.Evals.length,
        allocs: deleted.Allocs.length,
        jobs: deleted.Jobs.length,
        nodes: deleted.Nodes.length,
        deployments: deleted.Deployments.length,
      });
    }
    return { deleted, index };
  }
}
