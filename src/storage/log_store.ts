/**
 * The raft log and stable store in SQLite (node:sqlite). In `-dev` the database is
 * in memory; otherwise it lives at `data_dir/server/raft.db` in WAL mode with
 * full fsync, so an acknowledged write survives a crash.
 */

import { DatabaseSync } from "node:sqlite";
import { assert } from "../core/assert.ts";

/** One stored log entry; `data` is the entry's JSON text. */
export interface StoredLogEntry {
  index: number;
  term: number;
  type: string;
  data: string;
}

/** SQLite-backed raft log and key/value stable store. */
export class LogStore {
  readonly #db: DatabaseSync;
  #lastIndex: number;

  /** Opens (or creates) the store at `path`; ":memory:" for an in-memory store. */
  constructor(path: string) {
    this.#db = new DatabaseSync(path);
    if (path !== ":memory:") {
      this.#db.exec("PRAGMA journal_mode = WAL");
      this.#db.exec("PRAGMA synchronous = FULL");
    }
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS log (
        idx INTEGER PRIMARY KEY, term INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS stable (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `);
    const row = this.#db.prepare("SELECT MAX(idx) AS last FROM log").get() as {
      last: number | null;
    };
    this.#lastIndex = row.last ?? 0;
  }

  /** Index of the newest entry (0 when empty). */
  get lastIndex(): number {
    return this.#lastIndex;
  }

  /** Appends entries whose indexes continue the log, in one durable transaction. */
  append(entries: readonly StoredLogEntry[]): void {
    if (entries.length === 0) return;
    const insert = this.#db.prepare("INSERT INTO log (idx, term, type, data) VALUES (?, ?, ?, ?)");
    this.#db.exec("BEGIN");
    try {
      for (const entry of entries) {
        assert(
          entry.index === this.#lastIndex + 1,
          `log gap: ${entry.index} after ${this.#lastIndex}`,
        );
        insert.run(entry.index, entry.term, entry.type, entry.data);
        this.#lastIndex = entry.index;
      }
      this.#db.exec("COMMIT");
    } catch (err) {
      this.#db.exec("ROLLBACK");
      this.#lastIndex =
        (this.#db.prepare("SELECT MAX(idx) AS last FROM log").get() as { last: number | null })
          .last ?? 0;
      throw err;
    }
  }

  /** Entries with index ≥ `fromIndex`, oldest first. */
  *entries(fromIndex = 1): Generator<StoredLogEntry> {
    const stmt = this.#db.prepare(
      "SELECT idx, term, type, data FROM log WHERE idx >= ? ORDER BY idx",
    );
    for (
      const row of stmt.iterate(fromIndex) as Iterable<
        { idx: number; term: number; type: string; data: string }
      >
    ) {
      yield { index: row.idx, term: row.term, type: row.type, data: row.data };
    }
  }

  /** Reads a stable-store value. */
  getStable(key: string): string | undefined {
    const row = this.#db.prepare("SELECT value FROM stable WHERE key = ?").get(key) as {
      value: string;
    } | undefined;
    return row?.value;
  }

  /** Writes a stable-store value durably. */
  setStable(key: string, value: string): void {
    this.#db.prepare(
      "INSERT INTO stable (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    )
      .run(key, value);
  }

  /** Closes the database. */
  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
