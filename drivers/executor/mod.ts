/**
 * The executor: a detached helper process (`nomad executor -socket <path> -state-dir <dir>`)
 * that owns task processes, writes their rotated logs and outlives the agent, plus the
 * client the drivers use to reach it.
 *
 * - One executor serves every task of a client state directory (a lock file in the
 *   state directory enforces it); it costs ~45 MB idle and a few hundred KB per task.
 * - Tasks run in their own session (`setsid`), so `stop` signals the whole process
 *   group and then SIGKILLs whatever is left in the session.
 * - Task records (PID, start time in clock ticks, exit result) are JSON files in
 *   `<state-dir>/tasks/`, so a new executor still knows every task.
 * - Degraded mode: if the executor itself dies, its tasks keep running (a wrapper keeps
 *   a read end of their output pipes open, so they do not get SIGPIPE). The next
 *   executor adopts each live task by PID + start time, reopens its output through
 *   `/proc/<pid>/fd/3|4` and keeps writing the same logs, and detects the exit by
 *   polling /proc. It is not the parent, so that exit code is unknown: `exitCode` -1
 *   and `error` set ({@linkcode UNKNOWN_EXIT}).
 * - It exits on its own after {@linkcode EXECUTOR_IDLE_EXIT_MS} with no running task and
 *   no client; {@linkcode ExecutorClient.connect} spawns a new one on demand.
 *
 * @example
 * ```ts ignore
 * import { ExecutorClient } from "./mod.ts";
 * const executor = await ExecutorClient.connect({ socketPath, stateDir });
 * const task = await executor.start({ id: "a/web", command: "/bin/sleep", args: ["60"], ... });
 * const { exitResult } = await executor.wait("a/web");
 * ```
 */
export { parseExecutorFlags, runExecutor } from "./run_executor.ts";
export type { ExecutorFlags } from "./run_executor.ts";
export { ExecutorClient } from "./client.ts";
export type { ExecutorClientOptions } from "./client.ts";
export { isCompiled, selfCommand } from "./self_command.ts";
export { EXECUTOR_ERROR_KINDS, EXECUTOR_METHODS, ExecutorError } from "./protocol.ts";
export type {
  AdoptRequest,
  ExecutorErrorKind,
  ExecutorMethod,
  StartRequest,
  TaskInfo,
  TaskLogSpec,
  TaskStats,
} from "./protocol.ts";
export { UNKNOWN_EXIT } from "./protocol.ts";
export { DEFAULT_SEARCH_PATH, lookupCommand } from "./lookup_path.ts";
export { CommandTimeoutError, MAX_EXEC_OUTPUT_BYTES, runCommand } from "./run_command.ts";
export type { RunCommandOptions } from "./run_command.ts";
export { isProcessAlive, readProcStat } from "./proc.ts";
export type { ProcStat } from "./proc.ts";
export { parseSignal, signalNumber } from "./signals.ts";
export { CLOCK_TICKS_PER_SECOND, EXECUTOR_IDLE_EXIT_MS, MAX_TASKS } from "./limits.ts";
