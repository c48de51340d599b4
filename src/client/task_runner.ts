/**
 * The task runner: runs one task through its hooks and driver, applies the
 * restart policy, records task events, and persists the driver handle so a
 * restarted agent reattaches.
 */

import {
  DriverError,
  type ExitResult,
  type TaskDriver,
  type TaskHandle,
} from "../../drivers/driver.ts";
import { MAX_TASK_EVENTS } from "../core/bounds.ts";
import { formatDuration, NS_PER_SECOND } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import type { Rng } from "../core/rng.ts";
import {
  type Allocation,
  newTaskEvent,
  type Node,
  type Task,
  type TaskEvent,
  type TaskState,
} from "../structs/mod.ts";
import type { ClientStateDb } from "../storage/mod.ts";
import type { AllocDirPaths, TaskDirPaths } from "./alloc_dir.ts";
import { dispatchPayloadHook } from "./dispatch_payload.ts";
import { envHook } from "./hooks/env.ts";
import type { TaskHook, TaskHookContext } from "./hooks/mod.ts";
import { taskDirHook } from "./hooks/task_dir.ts";
import { newRestartTracker, nextRestart } from "./restarts.ts";
import { interpolateConfig } from "./task_env.ts";

/** Everything a task runner needs. */
export interface TaskRunnerOptions {
  alloc: Allocation;
  task: Task;
  node: Node;
  driver: TaskDriver | undefined;
  allocDir: AllocDirPaths;
  taskDir: TaskDirPaths;
  stateDb: ClientStateDb;
  nowNs: () => number;
  rng: Rng;
  logger: Logger;
  hostEnv: () => Record<string, string>;
  /** Called after every task state change. */
  onChange: () => void;
}

/** An exit, or a failure to start that may be unrecoverable. */
type RunResult = ExitResult & { unrecoverable?: boolean };

function rfc3339(ns: number): string {
  return new Date(Math.floor(ns / 1e6)).toISOString();
}

/** Runs one task. */
export class TaskRunner {
  #state: TaskState = {
    State: "pending",
    Failed: false,
    Restarts: 0,
    LastRestart: null,
    StartedAt: null,
    FinishedAt: null,
    Events: [],
  };
  #handle: TaskHandle | null = null;
  #killing: { reason: string } | null = null;
  #wakeDelay: (() => void) | null = null;
  readonly #options: TaskRunnerOptions;
  readonly #hooks: TaskHook[];
  readonly #ctx: TaskHookContext;

  /** Creates a runner; call {@linkcode run} to start. */
  constructor(options: TaskRunnerOptions) {
    this.#options = options;
    this.#hooks = [taskDirHook(), envHook(options.hostEnv), dispatchPayloadHook()];
    this.#ctx = {
      alloc: options.alloc,
      task: options.task,
      node: options.node,
      allocDir: options.allocDir,
      taskDir: options.taskDir,
      env: {},
      emit: (event) => this.#emit(event),
      nowNs: options.nowNs,
    };
  }

  /** The task's name. */
  get name(): string {
    return this.#options.task.Name;
  }

  /** A copy of the task state. */
  get state(): TaskState {
    return structuredClone(this.#state);
  }

  /** The running task's handle, if any. */
  get handle(): TaskHandle | null {
    return this.#handle;
  }

  /** True once the task is dead for good. */
  get dead(): boolean {
    return this.#state.State === "dead";
  }

  #emit(event: TaskEvent): void {
    this.#state.Events = [...(this.#state.Events ?? []), event].slice(-MAX_TASK_EVENTS);
    this.#changed();
  }

  #changed(): void {
    const { stateDb, alloc, task } = this.#options;
    stateDb.putTask(alloc.ID, task.Name, { handle: this.#handle, state: this.#state });
    this.#options.onChange();
  }

  #setState(state: TaskState["State"], event: TaskEvent | null, failed = false): void {
    const now = this.#options.nowNs();
    if (state === "running" && this.#state.State !== "running") {
      this.#state.StartedAt = rfc3339(now);
    }
    if (state === "dead") {
      this.#state.FinishedAt = rfc3339(now);
      this.#state.Failed = failed;
    }
    this.#state.State = state;
    if (event !== null) this.#emit(event);
    else this.#changed();
  }

  /** Restores state saved before an agent restart. */
  restore(saved: { handle: TaskHandle | null; state: TaskState | null }): void {
    if (saved.state !== null) this.#state = saved.state;
    this.#handle = saved.handle;
  }

  /** Runs the task until it is dead for good. */
  async run(): Promise<void> {
    if (this.dead) return;
    const { nowNs } = this.#options;
    let running = await this.#tryRecover();
    if (!running && this.#state.Events?.length === 0) {
      this.#emit(newTaskEvent("Received", nowNs(), { DisplayMessage: "Task received by client" }));
    }
    let tracker = newRestartTracker(nowNs());
    for (;;) {
      if (this.#killing !== null) return this.#finishKilled();
      let result: RunResult;
      if (!running) {
        const started = await this.#start();
        if (started !== null) result = started;
        else result = await this.#wait();
      } else {
        result = await this.#wait();
      }
      running = false;
      if (this.#killing !== null) return this.#finishKilled();
      const failedToStart = result.error !== undefined && result.exitCode === -1;
      if (!failedToStart) this.#emitTerminated(result);
      if (result.unrecoverable === true) return this.#setState("dead", null, true);
      const next = nextRestart(tracker, {
        policy: this.#options.task.RestartPolicy ??
          this.#options.alloc.Job!.TaskGroups[0]!.RestartPolicy,
        batch: this.#options.alloc.Job?.Type === "batch" ||
          this.#options.alloc.Job?.Type === "sysbatch",
        exitCode: result.exitCode,
        failedToStart,
        nowNs: nowNs(),
        rng: this.#options.rng,
      });
      tracker = next.tracker;
      const decision = next.decision;
      if (decision.action === "done") return this.#setState("dead", null, false);
      if (decision.action === "fail") {
        const event = newTaskEvent("Not Restarting", nowNs(), {
          RestartReason: decision.reason,
          DisplayMessage: decision.reason,
          FailsTask: true,
        });
        return this.#setState("dead", event, true);
      }
      await this.#restartDelay(decision.delayNs, decision.reason);
    }
  }

  async #tryRecover(): Promise<boolean> {
    const { driver, logger } = this.#options;
    if (this.#handle === null || driver === undefined || this.#state.State !== "running") {
      return false;
    }
    try {
      await driver.recoverTask(this.#handle);
      logger.info("reattached to task", { task: this.name, task_id: this.#handle.taskId });
      return true;
    } catch (err) {
      logger.warn("failed to reattach to task; restarting it", {
        task: this.name,
        error: String(err),
      });
      this.#handle = null;
      return false;
    }
  }

  /** Starts the task; returns an exit result if the start failed. */
  async #start(): Promise<RunResult | null> {
    const { driver, task, alloc, nowNs } = this.#options;
    try {
      for (const hook of this.#hooks) await hook.prestart?.(this.#ctx);
      if (driver === undefined) {
        throw new DriverError(`driver "${task.Driver}" is not available on this node`, {
          unrecoverable: true,
        });
      }
      this.#handle = await driver.startTask({
        id: `${alloc.ID}/${task.Name}`,
        allocId: alloc.ID,
        taskName: task.Name,
        jobId: alloc.JobID,
        groupName: alloc.TaskGroup,
        config: interpolateConfig(task.Config ?? {}, this.#ctx.env) as Record<string, unknown>,
        env: this.#ctx.env,
        user: task.User,
        allocDir: this.#options.allocDir.root,
        taskDir: this.#options.taskDir.root,
        logs: {
          directory: this.#options.allocDir.logs,
          maxFiles: task.LogConfig.MaxFiles,
          maxFileSizeBytes: task.LogConfig.MaxFileSizeMB * 1024 * 1024,
        },
        resources: {
          cpuShares: task.Resources.CPU,
          memoryMB: task.Resources.MemoryMB,
          memoryMaxMB: task.Resources.MemoryMaxMB,
        },
      });
      this.#setState(
        "running",
        newTaskEvent("Started", nowNs(), { DisplayMessage: "Task started by client" }),
      );
      for (const hook of this.#hooks) await hook.poststart?.(this.#ctx, this.#handle);
      return null;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const unrecoverable = err instanceof DriverError && err.unrecoverable;
      this.#emit(newTaskEvent("Driver Failure", nowNs(), {
        DriverError: message,
        DisplayMessage: message,
        FailsTask: unrecoverable,
      }));
      if (unrecoverable) this.#killing = null;
      return {
        exitCode: -1,
        signal: 0,
        oomKilled: false,
        error: unrecoverable ? `unrecoverable: ${message}` : message,
      };
    }
  }

  async #wait(): Promise<RunResult> {
    const { driver } = this.#options;
    const handle = this.#handle;
    if (driver === undefined || handle === null) {
      return { exitCode: -1, signal: 0, oomKilled: false, error: "no task" };
    }
    let result: RunResult;
    try {
      result = await driver.waitTask(handle.taskId);
    } catch (err) {
      result = { exitCode: -1, signal: 0, oomKilled: false, error: String(err) };
    }
    await driver.destroyTask(handle.taskId, { force: false }).catch(() => {});
    this.#handle = null;
    for (const hook of this.#hooks) await hook.exited?.(this.#ctx);
    return result;
  }

  #emitTerminated(result: ExitResult): void {
    let display = `Exit Code: ${result.exitCode}`;
    if (result.signal !== 0) display += `, Signal: ${result.signal}`;
    if (result.error !== undefined) display += `, Exit Message: ${JSON.stringify(result.error)}`;
    this.#emit(newTaskEvent("Terminated", this.#options.nowNs(), {
      ExitCode: result.exitCode,
      Signal: result.signal,
      DisplayMessage: display,
      Details: {
        exit_code: String(result.exitCode),
        signal: String(result.signal),
        oom_killed: String(result.oomKilled),
      },
    }));
  }

  async #restartDelay(delayNs: number, reason: string): Promise<void> {
    const { nowNs } = this.#options;
    const display = reason === "Restart within policy"
      ? `Task restarting in ${formatDuration(delayNs)}`
      : `${reason} - Task restarting in ${formatDuration(delayNs)}`;
    this.#state.Restarts++;
    this.#state.LastRestart = rfc3339(nowNs());
    this.#setState(
      "pending",
      newTaskEvent("Restarting", nowNs(), {
        RestartReason: reason,
        StartDelay: delayNs,
        DisplayMessage: display,
      }),
    );
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delayNs / 1e6);
      this.#wakeDelay = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wakeDelay = null;
  }

  #finishKilled(): void {
    this.#setState(
      "dead",
      newTaskEvent("Killed", this.#options.nowNs(), { DisplayMessage: "Task successfully killed" }),
    );
  }

  /** Stops the task for good (job stopped, alloc stopped, sibling failed). */
  async kill(reason: string, event?: TaskEvent): Promise<void> {
    if (this.dead || this.#killing !== null) return;
    this.#killing = { reason };
    const { task, driver, nowNs } = this.#options;
    const timeoutNs = task.KillTimeout || 5 * NS_PER_SECOND;
    if (event !== undefined) this.#emit(event);
    for (const hook of this.#hooks) await hook.stop?.(this.#ctx).catch(() => {});
    this.#wakeDelay?.();
    const handle = this.#handle;
    // Not started (or between restarts): the run loop sees #killing and finishes.
    if (handle === null || driver === undefined) return;
    this.#emit(newTaskEvent("Killing", nowNs(), {
      KillTimeout: timeoutNs,
      KillReason: reason,
      DisplayMessage: `Sent interrupt. Waiting ${formatDuration(timeoutNs)} before force killing`,
    }));
    await driver.stopTask(handle.taskId, {
      timeoutMs: timeoutNs / 1e6,
      signal: task.KillSignal || "SIGINT",
    })
      .catch((err) =>
        this.#options.logger.warn("failed to stop task", { task: this.name, error: String(err) })
      );
  }
}
