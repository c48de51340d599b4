/**
 * The raw_exec driver: runs a command with no isolation, as the agent's user, under
 * the shared executor so tasks survive agent restarts.
 */
import {
  DriverError,
  type DriverFingerprint,
  type ExecResult,
  type ExecSession,
  type ExecStreamingOptions,
  type ExitResult,
  type TaskConfig,
  type TaskDriver,
  type TaskHandle,
  type TaskResourceUsage,
  type TaskStatus,
} from "../driver.ts";
import { type Logger, nullLogger } from "../../src/core/mod.ts";
// The executor's client side only: the agent must not load the executor itself.
import { ExecutorClient } from "../executor/client.ts";
import { CLOCK_TICKS_PER_SECOND } from "../executor/limits.ts";
import { isProcessAlive } from "../executor/proc.ts";
import {
  ExecutorError,
  type TaskInfo,
  type TaskLogSpec,
  UNKNOWN_EXIT,
} from "../executor/protocol.ts";
import { CommandTimeoutError, runCommand } from "../executor/run_command.ts";
import { startExecSession } from "./exec_streaming.ts";
import { decodeRawExecConfig } from "./schema.ts";

/** Driver name as jobs spell it. */
export const RAW_EXEC_DRIVER_NAME = "raw_exec";
/** Signal used by stopTask when none is given (Nomad's kill_signal default). */
export const DEFAULT_KILL_SIGNAL = "SIGINT";
/** oom_score_adj given to tasks when the job does not set one (Nomad resets it to 0). */
export const DEFAULT_OOM_SCORE_ADJ = 0;
/** Nomad's message for a task ID the driver does not know. */
export const TASK_NOT_FOUND = "task not found for given id";

/** Options of {@linkcode RawExecDriver}. */
export interface RawExecDriverOptions {
  /** The (shared) executor client, or a factory that connects on first use. */
  executor: ExecutorClient | (() => Promise<ExecutorClient>);
  /** The `plugin "raw_exec" { config { enabled = true } }` setting. */
  enabled: boolean;
  logger?: Logger;
}

interface DriverTask {
  config: TaskConfig;
  cwd: string;
  lastCpu: { ticks: number; atMs: number } | null;
}

/** What raw_exec keeps in {@linkcode TaskHandle.driverState}. */
export interface RawExecDriverState {
  pid: number;
  startTicks: number;
  startedAt: string;
  executorSocket: string;
}

function logSpec(config: TaskConfig): TaskLogSpec {
  return {
    directory: config.logs.directory,
    name: config.taskName,
    maxFiles: config.logs.maxFiles,
    maxFileSizeBytes: config.logs.maxFileSizeBytes,
  };
}

function toStatus(info: TaskInfo): TaskStatus {
  return {
    id: info.id,
    state: info.state,
    startedAt: info.startedAt,
    completedAt: info.completedAt,
    exitResult: info.exitResult,
    attributes: { pid: String(info.pid) },
  };
}

/** Turns an executor failure into the DriverError the task runner understands. */
function driverError(error: unknown, prefix = ""): DriverError {
  if (error instanceof DriverError) return error;
  if (error instanceof ExecutorError) {
    const message = error.kind === "not_found" ? TASK_NOT_FOUND : error.message;
    return new DriverError(prefix + message, {
      unrecoverable: error.kind === "invalid_argument",
      cause: error,
    });
  }
  return new DriverError(prefix + String(error), { cause: error });
}

/** The raw_exec task driver. */
export class RawExecDriver implements TaskDriver {
  /** Driver name. */
  readonly name = RAW_EXEC_DRIVER_NAME;
  readonly #options: RawExecDriverOptions;
  readonly #logger: Logger;
  readonly #tasks = new Map<string, DriverTask>();
  #client: Promise<ExecutorClient> | null = null;

  /** @param options executor, enabled flag and logger */
  constructor(options: RawExecDriverOptions) {
    this.#options = options;
    this.#logger = (options.logger ?? nullLogger).named(RAW_EXEC_DRIVER_NAME);
  }

  /** Detected on Linux; healthy and advertising `driver.raw_exec = 1` when enabled. */
  fingerprint(): Promise<DriverFingerprint> {
    if (!this.#options.enabled) {
      return Promise.resolve({
        attributes: {},
        detected: false,
        healthy: false,
        healthDescription: "disabled",
      });
    }
    const linux = Deno.build.os === "linux";
    return Promise.resolve({
      attributes: linux ? { "driver.raw_exec": "1" } : {},
      detected: linux,
      healthy: linux,
      healthDescription: linux ? "Healthy" : `unsupported operating system ${Deno.build.os}`,
    });
  }

  /** Starts the task's command under the executor. */
  async startTask(config: TaskConfig): Promise<TaskHandle> {
    if (!this.#options.enabled) {
      throw new DriverError("raw_exec driver is disabled", { unrecoverable: true });
    }
    let decoded;
    try {
      decoded = decodeRawExecConfig(config.config);
    } catch (error) {
      throw new DriverError(`failed to decode driver config: ${(error as Error).message}`, {
        unrecoverable: true,
      });
    }
    const cwd = decoded.workDir ?? config.taskDir;
    const client = await this.#executor();
    let info: TaskInfo;
    try {
      info = await client.start({
        id: config.id,
        command: decoded.command,
        args: decoded.args,
        env: config.env,
        cwd,
        user: config.user,
        logs: logSpec(config),
        oomScoreAdj: decoded.oomScoreAdj ?? DEFAULT_OOM_SCORE_ADJ,
      });
    } catch (error) {
      throw driverError(error, "failed to launch command with executor: ");
    }
    this.#tasks.set(config.id, { config, cwd, lastCpu: null });
    this.#logger.debug("started task", { task: config.id, pid: info.pid });
    const driverState: RawExecDriverState = {
      pid: info.pid,
      startTicks: info.startTicks,
      startedAt: info.startedAt,
      executorSocket: client.socketPath,
    };
    return {
      version: 1,
      driver: RAW_EXEC_DRIVER_NAME,
      taskId: config.id,
      config,
      driverState: { ...driverState },
      startedAt: info.startedAt,
    };
  }

  /** Resolves with the exit result; re-polls the executor across reconnects. */
  async waitTask(taskId: string): Promise<ExitResult> {
    const client = await this.#executor();
    try {
      return (await client.wait(taskId)).exitResult ?? UNKNOWN_EXIT;
    } catch (error) {
      throw driverError(error);
    }
  }

  /** Sends the kill signal (SIGINT by default) to the task's process group, then SIGKILL. */
  async stopTask(taskId: string, options: { timeoutMs: number; signal: string }): Promise<void> {
    const client = await this.#executor();
    try {
      await client.stop(taskId, {
        signal: options.signal || DEFAULT_KILL_SIGNAL,
        timeoutMs: Math.max(0, Math.trunc(options.timeoutMs)),
      });
    } catch (error) {
      throw driverError(error);
    }
  }

  /** Forgets the task; refuses a running task unless `force`, which kills it. */
  async destroyTask(taskId: string, options: { force: boolean }): Promise<void> {
    const client = await this.#executor();
    try {
      const info = await client.inspect(taskId);
      if (info.state === "running" && !options.force) {
        throw new DriverError("cannot destroy running task");
      }
      await client.destroy(taskId);
    } catch (error) {
      if (!(error instanceof ExecutorError && error.kind === "not_found")) {
        throw driverError(error);
      }
    }
    this.#tasks.delete(taskId);
  }

  /**
   * Reattaches after an agent restart. If the executor lost its record but the process
   * from the handle still runs (same PID and start time), the executor adopts it.
   */
  async recoverTask(handle: TaskHandle): Promise<void> {
    if (this.#tasks.has(handle.taskId)) return;
    const client = await this.#executor();
    const cwd = stringOr(handle.config.config["work_dir"], handle.config.taskDir);
    try {
      await client.inspect(handle.taskId);
    } catch (error) {
      if (!(error instanceof ExecutorError && error.kind === "not_found")) throw driverError(error);
      await this.#adopt(client, handle);
    }
    this.#tasks.set(handle.taskId, { config: handle.config, cwd, lastCpu: null });
  }

  async #adopt(client: ExecutorClient, handle: TaskHandle): Promise<void> {
    const pid = numberOr(handle.driverState["pid"], 0);
    const startTicks = numberOr(handle.driverState["startTicks"], 0);
    if (pid <= 0 || !await isProcessAlive(pid, startTicks)) {
      throw new DriverError(
        `failed to reattach to task ${handle.taskId}: executor has no record of it and ` +
          `process ${pid} is gone`,
      );
    }
    try {
      await client.adopt({
        id: handle.taskId,
        pid,
        startTicks,
        startedAt: handle.startedAt,
        logs: logSpec(handle.config),
      });
    } catch (error) {
      throw driverError(error, `failed to reattach to task ${handle.taskId}: `);
    }
  }

  /** Current status as the executor reports it. */
  async inspectTask(taskId: string): Promise<TaskStatus> {
    const client = await this.#executor();
    try {
      return toStatus(await client.inspect(taskId));
    } catch (error) {
      throw driverError(error);
    }
  }

  /** Delivers `signal` to the task's main process. */
  async signalTask(taskId: string, signal: string): Promise<void> {
    const client = await this.#executor();
    try {
      await client.signal(taskId, signal);
    } catch (error) {
      throw driverError(error);
    }
  }

  /** Runs a one-off command with the task's environment and working directory. */
  async execTask(
    taskId: string,
    command: string[],
    options: { timeoutMs: number },
  ): Promise<ExecResult> {
    const task = this.#tasks.get(taskId);
    if (!task) throw new DriverError(TASK_NOT_FOUND);
    try {
      return await runCommand(command, {
        env: task.config.env,
        cwd: task.cwd,
        timeoutMs: options.timeoutMs,
      });
    } catch (error) {
      if (error instanceof CommandTimeoutError) throw new DriverError(error.message);
      throw driverError(error, "failed to exec into task: ");
    }
  }

  /** Starts an interactive command with the task's environment and working directory. */
  execStreaming(
    taskId: string,
    command: string[],
    options: ExecStreamingOptions,
  ): Promise<ExecSession> {
    const task = this.#tasks.get(taskId);
    if (!task) return Promise.reject(new DriverError(TASK_NOT_FOUND));
    return startExecSession(command, { env: task.config.env, cwd: task.cwd }, options.tty);
  }

  /** Memory and CPU of the task's processes; CPU percent is relative to the last call. */
  async taskStats(taskId: string): Promise<TaskResourceUsage> {
    const client = await this.#executor();
    let stats;
    try {
      stats = await client.stats(taskId);
    } catch (error) {
      throw driverError(error);
    }
    const task = this.#tasks.get(taskId);
    let cpuPercent = 0;
    if (task?.lastCpu && stats.timestampMs > task.lastCpu.atMs) {
      const cpuSeconds = (stats.cpuTicks - task.lastCpu.ticks) / CLOCK_TICKS_PER_SECOND;
      cpuPercent = Math.max(0, (cpuSeconds * 1000 * 100) / (stats.timestampMs - task.lastCpu.atMs));
    }
    if (task) task.lastCpu = { ticks: stats.cpuTicks, atMs: stats.timestampMs };
    return {
      timestampNs: stats.timestampMs * 1_000_000,
      memoryRssBytes: stats.rssBytes,
      cpuTotalTicks: stats.cpuTicks,
      cpuPercent,
      pids: stats.pids,
    };
  }

  /**
   * Agent shutdown. With `destroyTasks` (-dev) the executor kills every task and exits;
   * otherwise only the connection closes and tasks keep running for the next agent.
   */
  async shutdown(options: { destroyTasks: boolean }): Promise<void> {
    if (this.#client === null) return;
    const client = await this.#client.catch(() => null);
    if (client === null) return;
    try {
      if (options.destroyTasks) await client.shutdown();
      else await client.close();
    } catch (error) {
      // The client is shared by the exec-family drivers: another may have shut it first.
      if (!(error instanceof ExecutorError && error.kind === "unavailable")) {
        throw driverError(error);
      }
    }
    this.#tasks.clear();
  }

  #executor(): Promise<ExecutorClient> {
    if (this.#client === null) {
      const source = this.#options.executor;
      this.#client = source instanceof ExecutorClient ? Promise.resolve(source) : source();
      // A failed factory call must not stick: the next call tries again.
      this.#client.catch(() => this.#client = null);
    }
    return this.#client.catch((error) => {
      throw new DriverError(`executor unavailable: ${String(error)}`, { cause: error });
    });
  }
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === "string" && value !== "" ? value : fallback;
}
