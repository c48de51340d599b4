/**
 * The executor's task table: starts, watches, stops and forgets tasks, and keeps their
 * records on disk so a restarted executor still knows them.
 */
import type { ExitResult } from "../driver.ts";
import type { Logger } from "../../src/core/mod.ts";
import { KILL_WAIT_MS, MAX_TASKS } from "./limits.ts";
import {
  type AdoptRequest,
  ExecutorError,
  type StartRequest,
  type TaskInfo,
  type TaskStats,
} from "./protocol.ts";
import { isProcessAlive, readRssBytes } from "./proc.ts";
import { sessionMembers } from "./process_table.ts";
import { parseSignal, sendSignal, type SignalName } from "./signals.ts";
import { adoptTask, spawnTask, type TaskProcess } from "./task_process.ts";
import { UNKNOWN_EXIT } from "./protocol.ts";
import { type TaskRecord, TaskStore } from "./task_store.ts";

interface TaskEntry {
  record: TaskRecord;
  process: TaskProcess | null;
  /** Resolves when `record.state` becomes "exited". */
  exited: Promise<void>;
  /** Tail of this task's record writes; writes run in order and store the latest record. */
  saving: Promise<void>;
}

function toInfo(entry: TaskEntry): TaskInfo {
  const r = entry.record;
  return {
    id: r.id,
    pid: r.pid,
    startTicks: r.startTicks,
    state: r.state,
    startedAt: r.startedAt,
    completedAt: r.completedAt,
    exitResult: r.exitResult,
    adopted: entry.process?.adopted ?? true,
  };
}

function signalOrThrow(text: string): SignalName {
  try {
    return parseSignal(text);
  } catch (error) {
    throw new ExecutorError("invalid_argument", (error as Error).message);
  }
}

/** Resolves after `ms` or when `promise` settles, whichever is first; true if it settled. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const result = await Promise.race([promise.then(() => true), timeout]);
  clearTimeout(timer);
  return result;
}

/** Owns every task of one executor. */
export class Supervisor {
  readonly #store: TaskStore;
  readonly #logger: Logger;
  readonly #tasks = new Map<string, TaskEntry>();
  /** IDs being spawned right now, so two `start` calls cannot both launch one task. */
  readonly #starting = new Set<string>();

  /** @param options the state directory for records and a logger */
  constructor(options: { stateDir: string; logger: Logger }) {
    this.#store = new TaskStore(options.stateDir);
    this.#logger = options.logger;
  }

  /** Loads persisted records; running tasks whose process survived are adopted. */
  async load(): Promise<void> {
    await this.#store.init();
    const records = await this.#store.loadAll((file, error) =>
      this.#logger.warn("skipping unreadable task record", { file, error: String(error) })
    );
    for (const record of records) {
      if (this.#tasks.size >= MAX_TASKS) break;
      if (record.state === "exited") {
        this.#tasks.set(record.id, this.#entry(record, null));
      } else if (await isProcessAlive(record.pid, record.startTicks)) {
        this.#logger.info("adopting running task", { task: record.id, pid: record.pid });
        const process = await adoptTask(record, this.#logger);
        this.#track(record, process);
      } else {
        const entry = this.#entry(record, null);
        this.#tasks.set(record.id, entry);
        await this.#markExited(entry, UNKNOWN_EXIT);
      }
    }
  }

  /** Number of tasks whose process is still running. */
  runningCount(): number {
    let n = 0;
    for (const entry of this.#tasks.values()) if (entry.record.state === "running") n++;
    return n;
  }

  /** Starts a task; a finished task with the same ID is replaced. */
  async start(request: StartRequest): Promise<TaskInfo> {
    if (this.#starting.has(request.id)) {
      throw new ExecutorError("exists", `task with ID ${JSON.stringify(request.id)} is starting`);
    }
    this.#makeRoomFor(request.id);
    this.#starting.add(request.id);
    let process: TaskProcess;
    try {
      process = await spawnTask(request, this.#logger);
    } finally {
      this.#starting.delete(request.id);
    }
    const record: TaskRecord = {
      id: request.id,
      pid: process.pid,
      startTicks: process.startTicks,
      startedAt: new Date().toISOString(),
      command: request.command,
      args: request.args,
      cwd: request.cwd,
      user: request.user,
      logs: request.logs,
      state: "running",
      completedAt: null,
      exitResult: null,
    };
    const entry = this.#track(record, process);
    await this.#persist(entry);
    this.#logger.info("started task", { task: request.id, pid: process.pid });
    return toInfo(entry);
  }

  /** Takes over a running process whose record was lost (the client still had its PID). */
  async adopt(request: AdoptRequest): Promise<TaskInfo> {
    const known = this.#tasks.get(request.id);
    if (known) return toInfo(known);
    if (!await isProcessAlive(request.pid, request.startTicks)) {
      throw new ExecutorError("not_found", `process ${request.pid} of task ${request.id} is gone`);
    }
    this.#makeRoomFor(request.id);
    const process = await adoptTask(request, this.#logger);
    const record: TaskRecord = {
      id: request.id,
      pid: request.pid,
      startTicks: request.startTicks,
      startedAt: request.startedAt,
      command: "",
      args: [],
      cwd: "",
      user: "",
      logs: request.logs,
      state: "running",
      completedAt: null,
      exitResult: null,
    };
    const entry = this.#track(record, process);
    await this.#persist(entry);
    return toInfo(entry);
  }

  /** Resolves with the task's info once it has exited. */
  async wait(id: string): Promise<TaskInfo> {
    const entry = this.#get(id);
    await entry.exited;
    return toInfo(entry);
  }

  /** Current info of one task. */
  inspect(id: string): TaskInfo {
    return toInfo(this.#get(id));
  }

  /** Info of every task. */
  list(): TaskInfo[] {
    return [...this.#tasks.values()].map(toInfo);
  }

  /** Signals the task's process group, then SIGKILLs it after `timeoutMs`. */
  async stop(id: string, signal: string, timeoutMs: number): Promise<TaskInfo> {
    const entry = this.#get(id);
    const name = signalOrThrow(signal);
    if (entry.record.state === "running" && entry.process) {
      const { pid } = entry.record;
      const processExit = entry.process.processExit;
      sendSignal(pid, name, { group: true });
      if (!await within(processExit, timeoutMs)) {
        this.#logger.info("task did not stop in time, killing", { task: id, timeoutMs });
        sendSignal(pid, "SIGKILL", { group: true });
        await within(processExit, KILL_WAIT_MS);
      }
      // Children left behind still hold the output pipes; killing them lets logs drain.
      await this.#killLeftovers(entry.record);
      await within(entry.exited, KILL_WAIT_MS);
    }
    return toInfo(entry);
  }

  /** Sends `signal` to the task's main process only (as `nomad alloc signal` does). */
  signal(id: string, signal: string): void {
    const entry = this.#get(id);
    const name = signalOrThrow(signal);
    if (entry.record.state !== "running" || !sendSignal(entry.record.pid, name, { group: false })) {
      throw new ExecutorError("invalid_argument", `task ${id} is not running`);
    }
  }

  /** Forgets a task, killing it (and anything left in its session) if still running. */
  async destroy(id: string): Promise<void> {
    const entry = this.#tasks.get(id);
    if (!entry) return;
    if (entry.record.state === "running") await this.stop(id, "SIGKILL", 0);
    else await this.#killLeftovers(entry.record);
    entry.process?.closeLogs();
    this.#tasks.delete(id);
    await entry.saving;
    await this.#store.remove(id);
    this.#logger.info("destroyed task", { task: id });
  }

  /** Memory and CPU of the task's session (the task and every descendant that stayed). */
  async stats(id: string): Promise<TaskStats> {
    const entry = this.#get(id);
    const members = entry.record.state === "running"
      ? await sessionMembers(entry.record.pid, entry.record.startTicks, { fresh: false })
      : [];
    const rss = await Promise.all(members.map((m) => readRssBytes(m.pid)));
    return {
      id,
      timestampMs: Date.now(),
      pids: members.map((m) => m.pid),
      rssBytes: rss.reduce((a, b) => a + b, 0),
      cpuTicks: members.reduce((a, m) => a + m.cpuTicks, 0),
    };
  }

  /** Stops every running task with `signal` (SIGKILL after `timeoutMs`) and forgets all. */
  async shutdown(signal: string, timeoutMs: number): Promise<void> {
    signalOrThrow(signal);
    const ids = [...this.#tasks.keys()];
    await Promise.all(ids.map((id) => this.stop(id, signal, timeoutMs)));
    await Promise.all(ids.map((id) => this.destroy(id)));
  }

  #get(id: string): TaskEntry {
    const entry = this.#tasks.get(id);
    if (!entry) throw new ExecutorError("not_found", `task ${id} not found`);
    return entry;
  }

  /** Frees the slot of a finished task with this ID, or the oldest finished one at the limit. */
  #makeRoomFor(id: string): void {
    const existing = this.#tasks.get(id);
    if (existing?.record.state === "running") {
      throw new ExecutorError("exists", `task with ID ${JSON.stringify(id)} already started`);
    }
    if (existing) {
      existing.process?.closeLogs();
      this.#tasks.delete(id);
    }
    if (this.#tasks.size + this.#starting.size < MAX_TASKS) return;
    const oldest = [...this.#tasks.values()]
      .filter((e) => e.record.state === "exited")
      .sort((a, b) => (a.record.completedAt ?? "").localeCompare(b.record.completedAt ?? ""))[0];
    if (!oldest) throw new ExecutorError("limit", `executor already runs ${MAX_TASKS} tasks`);
    this.#logger.info("forgetting oldest finished task to make room", { task: oldest.record.id });
    this.#tasks.delete(oldest.record.id);
    void this.#store.remove(oldest.record.id);
  }

  #entry(record: TaskRecord, process: TaskProcess | null): TaskEntry {
    return { record, process, exited: Promise.resolve(), saving: Promise.resolve() };
  }

  /**
   * Queues a write of the entry's record. Writes of one task are chained and each
   * stores the record current when it runs, so a quick exit saved while the start is
   * still being saved cannot be overwritten by the older "running" record.
   */
  #persist(entry: TaskEntry): Promise<void> {
    entry.saving = entry.saving.then(async () => {
      // A destroyed task must not come back from disk.
      if (this.#tasks.get(entry.record.id) !== entry) return;
      await this.#store.save(entry.record).catch((error) =>
        this.#logger.error("failed to save task record", {
          task: entry.record.id,
          error: String(error),
        })
      );
    });
    return entry.saving;
  }

  #track(record: TaskRecord, process: TaskProcess): TaskEntry {
    const entry = this.#entry(record, process);
    entry.exited = process.exit.then((result) => this.#markExited(entry, result));
    this.#tasks.set(record.id, entry);
    return entry;
  }

  async #markExited(entry: TaskEntry, result: ExitResult): Promise<void> {
    entry.record = {
      ...entry.record,
      state: "exited",
      completedAt: new Date().toISOString(),
      exitResult: result,
    };
    this.#logger.info("task exited", { task: entry.record.id, exitCode: result.exitCode });
    await this.#persist(entry);
  }

  /**
   * SIGKILLs processes left in the task's session after its main process is gone, such
   * as children it put in the background.
   */
  async #killLeftovers(record: TaskRecord): Promise<void> {
    const members = await sessionMembers(record.pid, record.startTicks, { fresh: true });
    for (const member of members) {
      sendSignal(member.pid, "SIGKILL", { group: false });
    }
  }
}
