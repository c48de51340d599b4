/**
 * Task records persisted as one JSON file per task in `<state-dir>/tasks/`, so a
 * restarted executor still knows which tasks exist, their PIDs and exit results.
 * Environment variables are deliberately not stored: they may hold secrets.
 */
import type { ExitResult } from "../driver.ts";
import type { TaskLogSpec } from "./protocol.ts";

/** What the executor persists about one task. */
export interface TaskRecord {
  id: string;
  pid: number;
  startTicks: number;
  startedAt: string;
  command: string;
  args: string[];
  cwd: string;
  user: string;
  logs: TaskLogSpec;
  state: "running" | "exited";
  completedAt: string | null;
  exitResult: ExitResult | null;
}

/** Reads and writes task records atomically (write to a temp file, then rename). */
export class TaskStore {
  readonly #directory: string;
  #tempCounter = 0;

  /** @param stateDir the executor's state directory */
  constructor(stateDir: string) {
    this.#directory = `${stateDir}/tasks`;
  }

  /** Creates the records directory (owner-only: records name commands and paths). */
  async init(): Promise<void> {
    await Deno.mkdir(this.#directory, { recursive: true, mode: 0o700 });
  }

  /** Writes `record`, replacing any earlier version. */
  async save(record: TaskRecord): Promise<void> {
    const path = await this.#path(record.id);
    // Unique temp names: two writes of one ID may overlap when a task is replaced.
    const temp = `${path}.${Deno.pid}.${this.#tempCounter++}.tmp`;
    await Deno.writeTextFile(temp, JSON.stringify(record), { mode: 0o600 });
    await Deno.rename(temp, path);
  }

  /** Deletes the record of `id`; missing records are fine. */
  async remove(id: string): Promise<void> {
    await Deno.remove(await this.#path(id)).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }

  /** Every readable record; unreadable files are reported through `onError` and skipped. */
  async loadAll(onError: (file: string, error: unknown) => void): Promise<TaskRecord[]> {
    const records: TaskRecord[] = [];
    for await (const entry of Deno.readDir(this.#directory)) {
      const file = `${this.#directory}/${entry.name}`;
      if (entry.isFile && entry.name.endsWith(".tmp")) {
        // Left by a write that a crash interrupted; the record it replaced is intact.
        await Deno.remove(file).catch(() => {});
        continue;
      }
      if (!entry.isFile || !entry.name.endsWith(".json")) continue;
      try {
        const value: unknown = JSON.parse(await Deno.readTextFile(file));
        if (!isTaskRecord(value)) throw new TypeError("not a task record");
        records.push(value);
      } catch (error) {
        onError(file, error);
      }
    }
    return records;
  }

  /** Task IDs may hold any character, so files are named by a hash of the ID. */
  async #path(id: string): Promise<string> {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(id));
    const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0"))
      .join("");
    return `${this.#directory}/${hex}.json`;
  }
}

function isTaskRecord(value: unknown): value is TaskRecord {
  if (typeof value !== "object" || value === null) return false;
  const o = value as Record<string, unknown>;
  return typeof o["id"] === "string" && typeof o["pid"] === "number" &&
    typeof o["startTicks"] === "number" && typeof o["startedAt"] === "string" &&
    (o["state"] === "running" || o["state"] === "exited") &&
    typeof o["logs"] === "object" && o["logs"] !== null;
}
