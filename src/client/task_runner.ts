/**
 * The task runner: runs one task through its hooks and driver, applies the
 * restart policy, records task events, and persists the driver handle so a
 * restarted agent reattaches.
 */

import {
  DriverError,
  type ExecSession,
  type ExecStreamingOptions,
  type ExitResult,
  type TaskConfig,
  type TaskDriver,
  type TaskHandle,
} from "../../drivers/driver.ts";
import { MAX_TASK_EVENTS } from "../core/bounds.ts";
import { formatDuration } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import type { Rng } from "../core/rng.ts";
import {
  type Allocation,
  newTaskEvent,
  type Node,
  type RestartPolicy,
  type Task,
  type TaskEvent,
  type TaskState,
} from "../structs/mod.ts";
import type { ClientStateDb } from "../storage/mod.ts";
import type { AllocDirPaths, TaskDirPaths } from "./alloc_dir.ts";
import { dispatchPayloadHook } from "./dispatch_payload.ts";
import {
  DEFAULT_KILL_SIGNAL,
  killedEvent,
  killTimeoutNs,
  restartsOnSuccess,
  shutdownDelayEvent,
} from "./lifecycle.ts";
import { envHook } from "./hooks/env.ts";
import type { TemplateSources } from "./template/mod.ts";
import type { TemplateHookOptions } from "./hooks/template.ts";
import { HookError, lazyHook, type TaskHook, type TaskHookContext } from "./hooks/mod.ts";
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
  /**
   * Resolves when the task may start (its lifecycle phase is open); asked before
   * every start and restart. Absent: the task may always start.
   */
  untilAllowed?: () => Promise<void>;
  /** Hooks the allocation adds after the built-in ones (e.g. native service registration). */
  extraHooks?: readonly TaskHook[];
  /** Where `template` blocks read variables and services (absent: templates cannot use them). */
  templateSources?: TemplateSources;
}

/** An exit, or a failure to start that may be unrecoverable. */
type RunResult = ExitResult & { unrecoverable?: boolean };

/** What one start attempt came to. */
type StartOutcome =
  | { kind: "started" }
  | { kind: "failed"; result: RunResult }
  | { kind: "killed" };

function rfc3339(ns: number): string {
  return new Date(Math.floor(ns / 1e6)).toISOString();
}

/** Resolves with `true` when `promise` settles first, `false` when `killed` does. */
async function unlessKilled(promise: Promise<unknown>, killed: Promise<void>): Promise<boolean> {
  return await Promise.race([promise.then(() => true), killed.then(() => false)]);
}

/** Nomad's ErrTaskNotRunning: signal, restart or exec of a task without a running process. */
export class TaskNotRunningError extends Error {
  override name = "TaskNotRunningError";
  /** Nomad's text. */
  constructor() {
    super("Task not running");
  }
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
  #alloc: Allocation;
  /** Set once by {@linkcode kill}; every wait in the run loop races it. */
  readonly #kill = Promise.withResolvers<void>();
  /** Aborts once the task is killed or dead for good (ends the template hook's waits). */
  readonly #stopped = new AbortController();
  /** Set by a kill whose event fails the task (e.g. "Template failed: ..."). */
  #killFails = false;
  #killed = false;
  /** Set by {@linkcode restartByUser}: the next exit restarts at once, outside the restart policy. */
  #restartRequested = false;
  #skipShutdownDelay = Promise.withResolvers<void>();
  #running: Promise<void> | null = null;
  readonly #options: TaskRunnerOptions;
  readonly #hooks: TaskHook[];
  readonly #ctx: TaskHookContext;

  /** Creates a runner; call {@linkcode run} to start. */
  constructor(options: TaskRunnerOptions) {
    this.#options = options;
    this.#alloc = options.alloc;
    this.#hooks = [taskDirHook(), envHook(options.hostEnv), dispatchPayloadHook()];
    // Loaded only for tasks that use them (see lazyHook).
    if (options.task.VolumeMounts?.length) {
      this.#hooks.push(
        lazyHook("volumes", async () => (await import("./hooks/volumes.ts")).volumesHook()),
      );
    }
    if (options.task.Artifacts?.length) {
      this.#hooks.push(
        lazyHook("artifacts", async () => (await import("./hooks/artifact.ts")).artifactHook()),
      );
    }
    // After the artifacts, so a template's `source` may be a downloaded file.
    if (options.task.Templates?.length) this.#hooks.push(this.#templateHook());
    this.#hooks.push(...(options.extraHooks ?? []));
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

  /** The task as the job defines it. */
  get task(): Task {
    return this.#options.task;
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

  /** Records a task event (e.g. the reason the allocation runner kills this task). */
  emit(event: TaskEvent): void {
    this.#emit(event);
  }

  #emit(event: TaskEvent): void {
    this.#state.Events = [...(this.#state.Events ?? []), event].slice(-MAX_TASK_EVENTS);
    this.#changed();
  }

  #changed(): void {
    const { stateDb, task } = this.#options;
    stateDb.putTask(this.#alloc.ID, task.Name, { handle: this.#handle, state: this.#state });
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
      this.#stopped.abort();
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

  /** Takes a newer version of the allocation (a stop may skip the shutdown delay). */
  update(alloc: Allocation): void {
    this.#alloc = alloc;
    if (alloc.DesiredTransition.NoShutdownDelay === true) this.#skipShutdownDelay.resolve();
  }

  /**
   * Restarts a running task as a failure (check_restart): records `event`,
   * stops the process with the task's kill signal, and lets the restart policy
   * start it again. False when the task is not running.
   */
  async restartRunning(event: TaskEvent): Promise<boolean> {
    const { driver, task, logger } = this.#options;
    const handle = this.#handle;
    if (this.#killed || handle === null || driver === undefined) return false;
    if (this.#state.State !== "running") return false;
    this.#emit(event);
    await driver.stopTask(handle.taskId, {
      timeoutMs: killTimeoutNs(task) / 1e6,
      signal: task.KillSignal || DEFAULT_KILL_SIGNAL,
    }).catch((err) =>
      logger.warn("failed to restart task", { task: this.name, error: String(err) })
    );
    return true;
  }

  /**
   * `nomad alloc restart`: records `event` ("Restart Signaled"), stops the
   * process and starts it again at once; the restart policy is not charged.
   * Throws "Task not running" when there is no running process.
   */
  async restartByUser(event: TaskEvent): Promise<void> {
    const { driver, task, logger } = this.#options;
    const handle = this.#runningHandle();
    this.#emit(event);
    this.#restartRequested = true;
    await driver!.stopTask(handle.taskId, {
      timeoutMs: killTimeoutNs(task) / 1e6,
      signal: task.KillSignal || DEFAULT_KILL_SIGNAL,
    }).catch((err) =>
      logger.warn("failed to restart task", { task: this.name, error: String(err) })
    );
  }

  /** `nomad alloc signal`: records a "Signaling" event and delivers `signal` to the task. */
  async signal(signal: string, event?: TaskEvent): Promise<void> {
    const handle = this.#runningHandle();
    this.#emit(
      event ?? newTaskEvent("Signaling", this.#options.nowNs(), {
        TaskSignal: signal,
        DisplayMessage: signal === ""
          ? "Task being sent a signal"
          : `Task being sent signal ${signal}`,
      }),
    );
    await this.#options.driver!.signalTask(handle.taskId, signal);
  }

  /** `nomad alloc exec`: starts a command in the running task's context. */
  execStreaming(command: string[], options: ExecStreamingOptions): Promise<ExecSession> {
    const handle = this.#runningHandle();
    const driver = this.#options.driver!;
    if (driver.execStreaming === undefined) {
      return Promise.reject(new DriverError(`driver "${driver.name}" does not support exec`));
    }
    return driver.execStreaming(handle.taskId, command, options);
  }

  /** The template hook, acting on this task through its lifecycle methods. */
  #templateHook(): TaskHook {
    const { templateSources, rng, logger } = this.#options;
    const none = () => Promise.reject(new Error("no template data sources on this client"));
    const options: TemplateHookOptions = {
      sources: templateSources ??
        { variable: none, variables: none, service: none, services: none },
      rng,
      logger: logger.named("template"),
      stopped: this.#stopped.signal,
      lifecycle: {
        restart: (event) => this.restartByUser(event),
        signal: (signal, event) => this.signal(signal, event),
        kill: (event) => this.kill(event),
        exec: (command, timeoutMs) => {
          const handle = this.#runningHandle();
          return this.#options.driver!.execTask(handle.taskId, command, { timeoutMs });
        },
      },
    };
    return lazyHook(
      "template",
      async () => (await import("./hooks/template.ts")).templateHook(options),
    );
  }

  /** The running task's handle; throws Nomad's "Task not running" otherwise. */
  #runningHandle(): TaskHandle {
    const handle = this.#handle;
    if (this.#killed || handle === null || this.#options.driver === undefined) {
      throw new TaskNotRunningError();
    }
    if (this.#state.State !== "running") throw new TaskNotRunningError();
    return handle;
  }

  /** The "Restarting" record of a user restart (no delay, not counted by the policy). */
  #recordUserRestart(): void {
    const now = this.#options.nowNs();
    this.#state.Restarts++;
    this.#state.LastRestart = rfc3339(now);
    this.#setState(
      "pending",
      newTaskEvent("Restarting", now, {
        RestartReason: "",
        StartDelay: 0,
        DisplayMessage: "Task restarting in 0s",
      }),
    );
  }

  /** Runs the task until it is dead for good; the same promise on every call. */
  run(): Promise<void> {
    this.#running ??= this.#runLoop();
    return this.#running;
  }

  /**
   * Stops the task for good, at any point of its life (waiting to start, starting,
   * running, between restarts). Emits `event` first when given. Resolves once the
   * task is dead and its process gone.
   */
  kill(event?: TaskEvent): Promise<void> {
    if (this.dead) return this.#running ?? Promise.resolve();
    if (event !== undefined) this.#emit(event);
    if (event?.FailsTask === true) this.#killFails = true;
    this.#killed = true;
    this.#stopped.abort();
    this.#kill.resolve();
    if (this.#running === null) this.#setState("dead", null);
    return this.#running ?? Promise.resolve();
  }

  async #runLoop(): Promise<void> {
    if (this.dead) return;
    const { nowNs } = this.#options;
    let running = await this.#tryRecover();
    if (running) await this.#recoverHooks();
    if (!running && this.#state.Events?.length === 0) {
      this.#emit(newTaskEvent("Received", nowNs(), { DisplayMessage: "Task received by client" }));
    }
    let tracker = newRestartTracker(nowNs());
    for (;;) {
      let result: RunResult;
      if (!running) {
        const outcome = await this.#start();
        if (outcome.kind === "killed") break;
        running = outcome.kind === "started";
        result = outcome.kind === "failed" ? outcome.result : await this.#waitOrStop();
      } else {
        result = await this.#waitOrStop();
      }
      if (this.#killed) {
        if (running) this.#emit(killedEvent(nowNs()));
        break;
      }
      running = false;
      if (this.#restartRequested) {
        this.#restartRequested = false;
        this.#recordUserRestart();
        continue;
      }
      const failedToStart = result.error !== undefined && result.exitCode === -1;
      if (result.unrecoverable === true) return this.#setState("dead", null, true);
      const next = nextRestart(tracker, {
        policy: this.#restartPolicy(),
        batch: !restartsOnSuccess(this.#alloc.Job?.Type ?? "service", this.task.Lifecycle),
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
      if (!await this.#restartDelay(decision.delayNs, decision.reason)) break;
    }
    this.#setState("dead", null, this.#killFails);
  }

  #restartPolicy(): RestartPolicy {
    const groups = this.#alloc.Job!.TaskGroups;
    const group = groups.find((g) => g.Name === this.#alloc.TaskGroup) ?? groups[0]!;
    return this.task.RestartPolicy ?? group.RestartPolicy;
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

  /** Lets each hook rebuild its in-memory part for a reattached task; failures are logged. */
  async #recoverHooks(): Promise<void> {
    for (const hook of this.#hooks) {
      try {
        await hook.recover?.(this.#ctx, this.#handle!);
      } catch (err) {
        this.#options.logger.warn("hook failed to recover", {
          task: this.name,
          hook: hook.name,
          error: String(err),
        });
      }
    }
  }

  /**
   * Waits for the lifecycle to allow the start, runs the prestart hooks and starts
   * the task. A kill before the driver is called ends it; a kill during the driver
   * call is seen by {@linkcode #waitOrStop}, which stops the task just started.
   */
  async #start(): Promise<StartOutcome> {
    const { driver, task, nowNs } = this.#options;
    const allowed = this.#options.untilAllowed?.() ?? Promise.resolve();
    if (this.#killed || !await unlessKilled(allowed, this.#kill.promise)) return { kind: "killed" };
    try {
      for (const hook of this.#hooks) await hook.prestart?.(this.#ctx);
      if (driver === undefined) {
        throw new DriverError(`driver "${task.Driver}" is not available on this node`, {
          unrecoverable: true,
        });
      }
      if (this.#killed) return { kind: "killed" };
      this.#handle = await driver.startTask(this.#taskConfig());
      this.#setState(
        "running",
        newTaskEvent("Started", nowNs(), { DisplayMessage: "Task started by client" }),
      );
      for (const hook of this.#hooks) await hook.poststart?.(this.#ctx, this.#handle);
      return { kind: "started" };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const unrecoverable = (err instanceof DriverError && err.unrecoverable) ||
        (err instanceof HookError && err.unrecoverable);
      // A hook failure carries its own event (e.g. "Failed Artifact Download").
      if (err instanceof HookError) this.#emit(err.event);
      else {
        this.#emit(newTaskEvent("Driver Failure", nowNs(), {
          DriverError: message,
          DisplayMessage: message,
          FailsTask: unrecoverable,
        }));
      }
      const error = unrecoverable ? `unrecoverable: ${message}` : message;
      return {
        kind: "failed",
        result: { exitCode: -1, signal: 0, oomKilled: false, error, unrecoverable },
      };
    }
  }

  #taskConfig(): TaskConfig {
    const { task, allocDir, taskDir } = this.#options;
    const alloc = this.#alloc;
    return {
      id: `${alloc.ID}/${task.Name}`,
      allocId: alloc.ID,
      taskName: task.Name,
      jobId: alloc.JobID,
      groupName: alloc.TaskGroup,
      config: interpolateConfig(task.Config ?? {}, this.#ctx.env) as Record<string, unknown>,
      env: this.#ctx.env,
      user: task.User,
      allocDir: allocDir.root,
      taskDir: taskDir.root,
      logs: {
        directory: allocDir.logs,
        maxFiles: task.LogConfig.MaxFiles,
        maxFileSizeBytes: task.LogConfig.MaxFileSizeMB * 1024 * 1024,
      },
      resources: {
        cpuShares: task.Resources.CPU,
        memoryMB: task.Resources.MemoryMB,
        memoryMaxMB: task.Resources.MemoryMaxMB,
      },
    };
  }

  /** Waits for the running task to exit, stopping it first if a kill comes. */
  async #waitOrStop(): Promise<RunResult> {
    const { driver } = this.#options;
    const handle = this.#handle;
    if (driver === undefined || handle === null) {
      return { exitCode: -1, signal: 0, oomKilled: false, error: "no task" };
    }
    const exit: Promise<RunResult> = driver.waitTask(handle.taskId).catch((err) => ({
      exitCode: -1,
      signal: 0,
      oomKilled: false,
      error: String(err),
    }));
    const exited = await unlessKilled(exit, this.#kill.promise);
    if (!exited) await this.#stopRunning(handle, exit);
    const result = await exit;
    this.#emitTerminated(result);
    await driver.destroyTask(handle.taskId, { force: false }).catch(() => {});
    this.#handle = null;
    for (const hook of this.#hooks) await hook.exited?.(this.#ctx);
    return result;
  }

  /** Nomad's kill: stop hooks, `shutdown_delay`, then `kill_signal` and SIGKILL after `kill_timeout`. */
  async #stopRunning(handle: TaskHandle, exit: Promise<RunResult>): Promise<void> {
    const { task, driver, nowNs, logger } = this.#options;
    for (const hook of this.#hooks) await hook.stop?.(this.#ctx).catch(() => {});
    if (task.ShutdownDelay > 0) {
      const skip = this.#alloc.DesiredTransition.NoShutdownDelay === true;
      this.#setState("pending", shutdownDelayEvent(task.ShutdownDelay, skip, nowNs()));
      if (!skip) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const delay = new Promise<void>((r) => timer = setTimeout(r, task.ShutdownDelay / 1e6));
        const exitedFirst = await unlessKilled(
          exit,
          Promise.race([delay, this.#skipShutdownDelay.promise]),
        );
        clearTimeout(timer);
        if (exitedFirst) return;
      }
    }
    await driver!.stopTask(handle.taskId, {
      timeoutMs: killTimeoutNs(task) / 1e6,
      signal: task.KillSignal || DEFAULT_KILL_SIGNAL,
    }).catch((err) => logger.warn("failed to stop task", { task: this.name, error: String(err) }));
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

  /** Waits out a restart delay; false when a kill came first. */
  async #restartDelay(delayNs: number, reason: string): Promise<boolean> {
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
    let timer: ReturnType<typeof setTimeout> | undefined;
    const delay = new Promise<void>((resolve) => timer = setTimeout(resolve, delayNs / 1e6));
    const waited = await unlessKilled(delay, this.#kill.promise);
    clearTimeout(timer);
    return waited;
  }
}
