/**
 * The client state database (`data_dir/client/state.db`): allocations the client
 * runs, and each task's driver handle and state, so a restarted agent resumes them.
 */

import { DatabaseSync } from "node:sqlite";

/** SQLite-backed client state. Values are JSON text. */
export class ClientStateDb {
  readonly #db: DatabaseSync;

  /** Opens (or creates) the database at `path` (":memory:" in tests). */
  constructor(path: string) {
    this.#db = new DatabaseSync(path);
    if (path !== ":memory:") {
      this.#db.exec("PRAGMA journal_mode = WAL");
      this.#db.exec("PRAGMA synchronous = NORMAL");
    }
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS allocs (id TEXT PRIMARY KEY, data TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS tasks (
        alloc_id TEXT NOT NULL, task TEXT NOT NULL, handle TEXT, state TEXT,
        PRIMARY KEY (alloc_id, task)
      );
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `);
  }

  /** Saves an allocation the client runs. */
  putAlloc(id: string, alloc: unknown): void {
    this.#db.prepare(
      "INSERT INTO allocs (id, data) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data",
    )
      .run(id, JSON.stringify(alloc));
  }

  /** Every saved allocation. */
  allocs(): unknown[] {
    const rows = this.#db.prepare("SELECT data FROM allocs").all() as { data: string }[];
    return rows.map((r) => JSON.parse(r.data));
  }

  /** Forgets an allocation and its tasks. */
  deleteAlloc(id: string): void {
    this.#db.prepare("DELETE FROM allocs WHERE id = ?").run(id);
    this.#db.prepare("DELETE FROM tasks WHERE alloc_id = ?").run(id);
  }

  /** Saves a task's driver handle (null when it has none) and task state. */
  putTask(allocId: string, task: string, record: { handle: unknown; state: unknown }): void {
    this.#db.prepare(
      `INSERT INTO tasks (alloc_id, task, handle, state) VALUES (?, ?, ?, ?)
       ON CONFLICT(alloc_id, task) DO UPDATE SET handle = excluded.handle, state = excluded.state`,
    ).run(allocId, task, JSON.stringify(record.handle), JSON.stringify(record.state));
  }

  /** A task's saved handle and state. */
  getTask(allocId: string, task: string): { handle: unknown; state: unknown } | undefined {
    const row = this.#db.prepare("SELECT handle, state FROM tasks WHERE alloc_id = ? AND task = ?")
      .get(allocId, task) as { handle: string | null; state: string | null } | undefined;
    if (row === undefined) return undefined;
    return { handle: JSON.parse(row.handle ?? "null"), state: JSON.parse(row.state ?? "null") };
  }

  /** Reads a metadata value (e.g. the node ID). */
  getMeta(key: string): string | undefined {
    const row = this.#db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as {
      value: string;
    } | undefined;
    return row?.value;
  }

  /** Writes a metadata value. */
  setMeta(key: string, value: string): void {
    this.#db.prepare(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    )
      .run(key, value);
  }

  /** Closes the database. */
  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
