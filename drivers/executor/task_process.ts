/**
 * One task process as the executor sees it: either a child it spawned (exit status
 * known) or a process it adopted after a restart (exit detected by polling /proc).
 *
 * Tasks are launched through a two-line `/bin/sh` wrapper that, before `exec`-ing the
 * real command (same PID), opens read ends of its own stdout/stderr pipes as fds 3 and
 * 4. While those stay open a pipe always has a reader, so a task does not die of
 * SIGPIPE if the executor is killed: its output waits in the pipe (it blocks once the
 * 64 KiB buffer is full) until a new executor reopens `/proc/<pid>/fd/3` and `4` and
 * carries on writing the same log files. A task that closes all its inherited fds
 * loses that protection and would see SIGPIPE, as it would without the wrapper.
 */
import type { ExitResult } from "../driver.ts";
import type { Logger } from "../../src/core/mod.ts";
import { ADOPTED_EXIT_POLL_MS, LOG_COPY_BUFFER_BYTES, LOG_DRAIN_TIMEOUT_MS } from "./limits.ts";
import { LogRotator, type LogStream } from "./log_rotator.ts";
import { lookupCommand } from "./lookup_path.ts";
import { isProcessAlive, readFdTarget, readProcStat } from "./proc.ts";
import { ExecutorError, type StartRequest, type TaskLogSpec, UNKNOWN_EXIT } from "./protocol.ts";
import { signalNumber } from "./signals.ts";

/** A task process the executor watches. */
export interface TaskProcess {
  pid: number;
  /** Start time in clock ticks since boot (0 if the process was gone before it was read). */
  startTicks: number;
  /** True when the executor is not the process's parent. */
  adopted: boolean;
  /** Resolves as soon as the process has exited. */
  processExit: Promise<ExitResult>;
  /** Resolves once the process has exited and its output is drained (or the drain timed out). */
  exit: Promise<ExitResult>;
  /** Stops copying output and closes the log files. */
  closeLogs(): void;
}

const SHELL = "/bin/sh";
/** $0 of the wrapper shell, visible only until it execs the command. */
const WRAPPER_NAME = "nomad-task";

/** Builds the wrapper script; every interpolated value is an integer we formatted. */
function wrapperScript(request: StartRequest): string {
  const lines = ["exec 3</proc/self/fd/1 4</proc/self/fd/2"];
  if (request.oomScoreAdj !== null) {
    lines.push(
      `{ echo ${Math.trunc(request.oomScoreAdj)} >/proc/self/oom_score_adj; } 2>/dev/null`,
    );
  }
  // dash exports PWD to the command; the task's environment must be exactly what was asked.
  if (!Object.hasOwn(request.env, "PWD")) lines.push("unset PWD");
  lines.push('exec "$@"');
  return lines.join("\n");
}

async function checkDirectory(cwd: string): Promise<void> {
  try {
    if ((await Deno.stat(cwd)).isDirectory) return;
    throw new ExecutorError("invalid_argument", `chdir ${cwd}: not a directory`);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new ExecutorError("invalid_argument", `chdir ${cwd}: no such file or directory`);
    }
    throw error;
  }
}

function openRotators(logs: TaskLogSpec): Promise<[LogRotator, LogRotator]> {
  const open = (stream: LogStream) => LogRotator.open({ ...logs, stream });
  return Promise.all([open("stdout"), open("stderr")]);
}

/** Spawns a task in its own session and starts copying its output into log files. */
export async function spawnTask(request: StartRequest, logger: Logger): Promise<TaskProcess> {
  await checkDirectory(request.cwd);
  const executable = await lookupCommand(request.command, {
    cwd: request.cwd,
    searchPath: request.env["PATH"],
  });
  const [stdout, stderr] = await openRotators(request.logs);
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(SHELL, {
      args: ["-c", wrapperScript(request), WRAPPER_NAME, executable, ...request.args],
      env: request.env,
      clearEnv: true,
      cwd: request.cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      // A new session and process group: stop can signal the whole group, and the task
      // does not share the agent's terminal signals.
      detached: true,
    }).spawn();
  } catch (error) {
    stdout.close();
    stderr.close();
    throw new ExecutorError("internal", `failed to spawn task: ${String(error)}`, { cause: error });
  }
  const stat = await readProcStat(child.pid);
  const pumps = [
    pump(streamSource(child.stdout), stdout, logger),
    pump(streamSource(child.stderr), stderr, logger),
  ];
  const processExit = child.status.then((status): ExitResult => ({
    exitCode: status.code,
    signal: signalNumber(status.signal),
    oomKilled: false,
  }));
  const exit = processExit.then(async (result) => {
    await drained(pumps.map((p) => p.done));
    return result;
  });
  return {
    pid: child.pid,
    startTicks: stat?.startTicks ?? 0,
    adopted: false,
    processExit,
    exit,
    closeLogs: () => pumps.forEach((p) => p.cancel()),
  };
}

/**
 * Watches a running process the executor did not spawn (degraded mode): exit is found
 * by polling /proc, and output is recovered through the wrapper's fds 3 and 4 if they
 * still refer to the task's stdout/stderr pipes.
 */
export async function adoptTask(
  options: { pid: number; startTicks: number; logs: TaskLogSpec },
  logger: Logger,
): Promise<TaskProcess> {
  const pumps: Pump[] = [];
  for (const [readFd, writeFd, stream] of [[3, 1, "stdout"], [4, 2, "stderr"]] as const) {
    const file = await openPipeReader(options.pid, readFd, writeFd);
    if (file === null) {
      logger.warn("cannot reattach task output", { pid: options.pid, stream });
      continue;
    }
    const rotator = await LogRotator.open({ ...options.logs, stream });
    pumps.push(pump(fileSource(file), rotator, logger));
  }
  const processExit = pollUntilGone(options.pid, options.startTicks).then(() => UNKNOWN_EXIT);
  const exit = processExit.then(async (result) => {
    await drained(pumps.map((p) => p.done));
    return result;
  });
  return {
    pid: options.pid,
    startTicks: options.startTicks,
    adopted: true,
    processExit,
    exit,
    closeLogs: () => pumps.forEach((p) => p.cancel()),
  };
}

async function openPipeReader(pid: number, readFd: number, writeFd: number) {
  const reader = await readFdTarget(pid, readFd);
  const writer = await readFdTarget(pid, writeFd);
  if (reader === null || reader !== writer || !reader.startsWith("pipe:")) return null;
  try {
    return await Deno.open(`/proc/${pid}/fd/${readFd}`, { read: true });
  } catch {
    return null;
  }
}

function pollUntilGone(pid: number, startTicks: number): Promise<void> {
  return new Promise((resolve) => {
    let busy = false;
    const timer = setInterval(async () => {
      if (busy) return;
      busy = true;
      try {
        if (!await isProcessAlive(pid, startTicks)) {
          clearInterval(timer);
          resolve();
        }
      } finally {
        busy = false;
      }
    }, ADOPTED_EXIT_POLL_MS);
  });
}

/** Waits for all output to be copied, but no longer than the drain timeout. */
async function drained(done: Promise<void>[]): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, LOG_DRAIN_TIMEOUT_MS);
  });
  await Promise.race([Promise.all(done), timeout]);
  clearTimeout(timer);
}

interface Source {
  read(): Promise<Uint8Array | null>;
  cancel(): void;
}

function streamSource(stream: ReadableStream<Uint8Array>): Source {
  const reader = stream.getReader();
  return {
    read: async () => {
      const { value, done } = await reader.read();
      return done ? null : value;
    },
    cancel: () => void reader.cancel().catch(() => {}),
  };
}

function fileSource(file: Deno.FsFile): Source {
  const buffer = new Uint8Array(LOG_COPY_BUFFER_BYTES);
  let closed = false;
  return {
    read: async () => {
      if (closed) return null;
      const n = await file.read(buffer);
      return n === null ? null : buffer.slice(0, n);
    },
    cancel: () => {
      if (closed) return;
      closed = true;
      file.close();
    },
  };
}

interface Pump {
  done: Promise<void>;
  cancel(): void;
}

/**
 * Copies a source into a rotator until end of stream or cancel. A failing log write
 * (disk full) is logged once and output is then discarded, so the task never blocks
 * on a pipe nobody drains.
 */
function pump(source: Source, rotator: LogRotator, logger: Logger): Pump {
  let cancelled = false;
  const done = (async () => {
    let writable = true;
    try {
      for (;;) {
        const chunk = await source.read();
        if (chunk === null || cancelled) break;
        if (!writable) continue;
        await rotator.write(chunk).catch((error) => {
          writable = false;
          logger.error("failed to write task log", { error: String(error) });
        });
      }
    } catch (error) {
      if (!cancelled) logger.warn("task output stream failed", { error: String(error) });
    } finally {
      rotator.close();
    }
  })();
  return {
    done,
    cancel: () => {
      cancelled = true;
      source.cancel();
    },
  };
}
