/**
 * Heartbeat timers: a node that misses its TTL plus grace is marked down, or
 * disconnected while its allocations may still reconnect.
 */

import { randomInt, type Rng } from "../core/rng.ts";
import { type Allocation, allocClientTerminal, type Node } from "../structs/mod.ts";

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

/**
 * How long an allocation may stay "unknown" on a disconnected node before it
 * is lost: the group's `disconnect.lost_after`, else `max_client_disconnect`;
 * 0 when neither is set.
 */
export function disconnectWindowNs(alloc: Allocation): number {
  const group = alloc.Job?.TaskGroups.find((g) => g.Name === alloc.TaskGroup);
  if (group === undefined) return 0;
  const disconnect = (group as { Disconnect?: { LostAfter?: number } | null }).Disconnect;
  return disconnect?.LostAfter || group.MaxClientDisconnect || 0;
}

/**
 * Nomad's invalidateHeartbeat decision: a node that missed its TTL becomes
 * "disconnected" while any allocation it runs may still reconnect (its
 * disconnect window has not passed since the node disconnected), else "down".
 */
export function missedHeartbeatStatus(
  node: Pick<Node, "Status" | "StatusUpdatedAt">,
  allocs: readonly Allocation[],
  nowNs: number,
): "down" | "disconnected" {
  if (node.Status === "down" || node.Status === "initializing") return "down";
  const sinceNs = node.Status === "disconnected" ? node.StatusUpdatedAt * 1e9 : nowNs;
  for (const alloc of allocs) {
    if (alloc.DesiredStatus !== "run" || allocClientTerminal(alloc)) continue;
    const windowNs = disconnectWindowNs(alloc);
    if (windowNs > 0 && nowNs < sinceNs + windowNs) return "disconnected";
  }
  return "down";
}
