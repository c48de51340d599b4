/**
 * The task driver interface. The client reaches drivers only through this
 * file; drivers import only this file, `src/core` and `src/structs`.
 */

/** What a driver reports about itself on a node. */
export interface DriverFingerprint {
  /** Node attributes contributed by the driver, e.g. `driver.raw_exec = "1"`. */
  attributes: Record<string, string>;
  /** The driver's prerequisites exist on this machine. */
  detected: boolean;
  /** The driver can start tasks now. */
  healthy: boolean;
  /** Why it is unhealthy, or "Healthy". */
  healthDescription: string;
}

/** Log file settings for a task (Nomad's `logs` block). */
export interface TaskLogConfig {
  /** Directory holding `<task>.stdout.N` / `<task>.stderr.N` (the alloc's `alloc/logs`). */
  directory: string;
  /** Keep at most this many files per stream. */
  maxFiles: number;
  /** Rotate a file when it passes this size. */
  maxFileSizeBytes: number;
}

/** Everything a driver needs to start one task. */
export interface TaskConfig {
  /** Unique task ID: `<allocID>/<taskName>`. */
  id: string;
  allocId: string;
  taskName: string;
  jobId: string;
  groupName: string;
  /** The task's driver `config` block after client-side interpolation. */
  config: Record<string, unknown>;
  /** Full task environment (NOMAD_* and the task's env). */
  env: Record<string, string>;
  /** Unix user to run as; empty means the driver's default. */
  user: string;
  /** Host paths of the allocation and task directories. */
  allocDir: string;
  taskDir: string;
  logs: TaskLogConfig;
  resources: { cpuShares: number; memoryMB: number; memoryMaxMB: number };
}

/** Result of a finished task. */
export interface ExitResult {
  exitCode: number;
  /** Signal number that ended the task, 0 if none. */
  signal: number;
  oomKilled: boolean;
  /** Set when the driver lost the task or could not learn its exit status. */
  error?: string;
}

/**
 * A handle the client persists so that a restarted agent can recover the task.
 * `driverState` is opaque to the client (PID, executor socket, container ID, ...).
 */
export interface TaskHandle {
  version: 1;
  driver: string;
  taskId: string;
  config: TaskConfig;
  driverState: Record<string, unknown>;
  /** RFC3339 time the task started. */
  startedAt: string;
}

/** What a driver knows about a running or finished task. */
export interface TaskStatus {
  id: string;
  state: "running" | "exited" | "unknown";
  startedAt: string;
  completedAt: string | null;
  exitResult: ExitResult | null;
  /** Driver-specific details shown to users (e.g. `pid`). */
  attributes: Record<string, string>;
}

/** Resource usage of a task. */
export interface TaskResourceUsage {
  timestampNs: number;
  memoryRssBytes: number;
  cpuTotalTicks: number;
  cpuPercent: number;
  pids: number[];
}

/** Output of a command run inside a task's environment. */
export interface ExecResult {
  stdout: Uint8Array;
  stderr: Uint8Array;
  exitCode: number;
}

/** A terminal size for exec sessions with a TTY. */
export interface TerminalSize {
  height: number;
  width: number;
}

/** Options of {@linkcode TaskDriver.execStreaming}. */
export interface ExecStreamingOptions {
  /** Run the command on a pseudo terminal (stdout and stderr are then one stream). */
  tty: boolean;
}

/** An interactive command running in a task's context. */
export interface ExecSession {
  /** The command's stdout (with a TTY: everything the terminal shows). */
  readonly stdout: ReadableStream<Uint8Array>;
  /** The command's stderr (empty with a TTY). */
  readonly stderr: ReadableStream<Uint8Array>;
  /** Sends bytes to the command's stdin. */
  write(data: Uint8Array): Promise<void>;
  /** Closes the command's stdin. */
  closeStdin(): Promise<void>;
  /** Sets the terminal size; ignored without a TTY. */
  resize(size: TerminalSize): Promise<void>;
  /** Resolves with the command's exit code when it ends. */
  readonly exited: Promise<number>;
  /** Kills the command (the client went away). */
  kill(): void;
}

/** Raised for expected driver failures; the message becomes the task event text. */
export class DriverError extends Error {
  override name = "DriverError";
  /** True when retrying cannot help (bad config, missing binary). */
  readonly unrecoverable: boolean;

  /** @param unrecoverable whether a restart could succeed */
  constructor(message: string, options: { unrecoverable?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.unrecoverable = options.unrecoverable ?? false;
  }
}

/** A task driver. */
export interface TaskDriver {
  /** Driver name as jobs spell it (`raw_exec`, `docker`, ...). */
  readonly name: string;
  /** Detects the driver and its health on this machine. */
  fingerprint(): Promise<DriverFingerprint>;
  /** Starts a task; the task keeps running after this resolves. */
  startTask(config: TaskConfig): Promise<TaskHandle>;
  /** Resolves when the task exits (also for recovered tasks). */
  waitTask(taskId: string): Promise<ExitResult>;
  /** Sends `signal`, then kills after `timeoutMs` if still running. */
  stopTask(taskId: string, options: { timeoutMs: number; signal: string }): Promise<void>;
  /** Releases everything held for the task; `force` kills it first if running. */
  destroyTask(taskId: string, options: { force: boolean }): Promise<void>;
  /** Reattaches to a task started before an agent restart; throws if it is gone. */
  recoverTask(handle: TaskHandle): Promise<void>;
  /** Current status of a task. */
  inspectTask(taskId: string): Promise<TaskStatus>;
  /** Delivers a signal (e.g. "SIGHUP") to the task. */
  signalTask(taskId: string, signal: string): Promise<void>;
  /** Runs a command in the task's context. */
  execTask(taskId: string, command: string[], options: { timeoutMs: number }): Promise<ExecResult>;
  /**
   * Starts an interactive command in the task's context (`nomad alloc exec`).
   * Optional: drivers without it refuse exec sessions.
   */
  execStreaming?(
    taskId: string,
    command: string[],
    options: ExecStreamingOptions,
  ): Promise<ExecSession>;
  /** Current resource usage. */
  taskStats(taskId: string): Promise<TaskResourceUsage>;
  /** Releases driver-wide resources on agent shutdown. `destroyTasks` is true in -dev. */
  shutdown(options: { destroyTasks: boolean }): Promise<void>;
}

/** A driver's config schema, checked when a job is submitted (pure, no I/O). */
export interface DriverConfigSchema {
  /** Driver name. */
  readonly name: string;
  /** Returns every problem with a task's `config` block (empty when valid). */
  validate(config: Record<string, unknown>): string[];
}
