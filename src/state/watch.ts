/** Watch sets: blocking queries wait until a table they read changes. */

/** State tables that can be watched. */
export const TABLES = [
  "jobs",
  "job_versions",
  "job_summary",
  "allocs",
  "evals",
  "nodes",
  "deployment",
  "periodic_launch",
  "scheduler_config",
  "variables",
  "service_registrations",
] as const;
/** One of {@linkcode TABLES}. */
export type TableName = typeof TABLES[number];

/** Wakes waiters when tables change. */
export class Watchers {
  #waiters = new Set<{ tables: ReadonlySet<TableName>; wake: () => void }>();

  /**
   * Resolves when one of `tables` changes or `signal` aborts. Resolves (never rejects)
   * so callers simply re-run their query.
   */
  wait(tables: readonly TableName[], signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const waiter = {
        tables: new Set(tables),
        wake: () => {
          this.#waiters.delete(waiter);
          signal.removeEventListener("abort", waiter.wake);
          resolve();
        },
      };
      this.#waiters.add(waiter);
      signal.addEventListener("abort", waiter.wake, { once: true });
    });
  }

  /** Wakes every waiter that watches any of `changed`. */
  notify(changed: ReadonlySet<TableName>): void {
    for (const waiter of [...this.#waiters]) {
      for (const table of changed) {
        if (waiter.tables.has(table)) {
          waiter.wake();
          break;
        }
      }
    }
  }

  /** Number of waiters (for tests and stats). */
  get size(): number {
    return this.#waiters.size;
  }
}
