/** Heartbeat timers: a node that misses its TTL plus grace is marked down. */

import { randomInt, type Rng } from "../core/rng.ts";

/** Heartbeat settings (Nomad defaults). */
export interface HeartbeatConfig {
  minTtlMs: number;
  graceMs: number;
  maxHeartbeatsPerSecond: number;
}

/** Nomad's defaults: 10 s minimum TTL, 10 s grace, 50 heartbeats per second. */
export const DEFAULT_HEARTBEAT_CONFIG: HeartbeatConfig = {
  minTtlMs: 10_000,
  graceMs: 10_000,
  maxHeartbeatsPerSecond: 50,
};

/** Tracks one timer per node. */
export class Heartbeats {
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #config: HeartbeatConfig;
  readonly #rng: Rng;
  readonly #onExpire: (nodeID: string) => void;

  /** `onExpire` runs when a node misses its deadline. */
  constructor(options: { config: HeartbeatConfig; rng: Rng; onExpire: (nodeID: string) => void }) {
    this.#config = options.config;
    this.#rng = options.rng;
    this.#onExpire = options.onExpire;
  }

  /** Restarts a node's timer; returns the TTL the client should heartbeat within. */
  reset(nodeID: string, options: { ttlMs?: number } = {}): number {
    const base = Math.max(
      this.#config.minTtlMs,
      Math.ceil((this.#timers.size + 1) / this.#config.maxHeartbeatsPerSecond) * 1000,
    );
    const ttlMs = options.ttlMs ?? base + randomInt(this.#rng, 0, base);
    this.clear(nodeID);
    this.#timers.set(
      nodeID,
      setTimeout(() => {
        this.#timers.delete(nodeID);
        this.#onExpire(nodeID);
      }, ttlMs + this.#config.graceMs),
    );
    return ttlMs;
  }

  /** Stops tracking a node. */
  clear(nodeID: string): void {
    const timer = this.#timers.get(nodeID);
    if (timer !== undefined) clearTimeout(timer);
    this.#timers.delete(nodeID);
  }

  /** Stops every timer. */
  stop(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}
