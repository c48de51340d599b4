/**
 * Client garbage collection of terminal allocations (Nomad's client
 * `gc_interval`, `gc_max_allocs`, `gc_disk_usage_threshold`): which finished
 * allocations to destroy now, oldest first. Pure: the client measures and
 * destroys. Allocations the servers no longer list are destroyed at once by
 * the client's sync; this covers the ones the servers still keep.
 */

/** Nomad's client defaults. */
export const DEFAULT_CLIENT_GC = {
  intervalMs: 60_000,
  maxAllocs: 50,
  diskUsageThreshold: 80,
};

/** A finished allocation still on this client. */
export interface TerminalAlloc {
  id: string;
  /** When its last task finished (ns). */
  finishedAtNs: number;
}

/** Input of {@linkcode allocsToCollect}. */
export interface GcInput {
  terminal: readonly TerminalAlloc[];
  /** Allocations still running or about to (they count toward gc_max_allocs). */
  live: number;
  maxAllocs: number;
  /** Percent of the alloc dir's disk in use, or null when unknown. */
  diskUsedPercent: number | null;
  diskUsageThreshold: number;
}

/**
 * Oldest terminal allocations first: as many as bring the total to
 * gc_max_allocs, and one more while the disk is above its threshold (the
 * client measures again before the next one).
 */
export function allocsToCollect(input: GcInput): string[] {
  const oldest = [...input.terminal].sort((a, b) =>
    a.finishedAtNs - b.finishedAtNs || a.id.localeCompare(b.id)
  );
  let count = Math.max(0, input.live + oldest.length - input.maxAllocs);
  const overDisk = input.diskUsedPercent !== null &&
    input.diskUsedPercent > input.diskUsageThreshold;
  if (overDisk) count = Math.max(count, 1);
  return oldest.slice(0, Math.min(count, oldest.length)).map((a) => a.id);
}
