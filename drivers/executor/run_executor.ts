/**
 * `nomad executor -socket <path> -state-dir <dir>`: the long-lived helper that owns task
 * processes for one client state directory and answers on a unix socket.
 */
import type { Logger } from "../../src/core/mod.ts";
import { fileLogger } from "./file_logger.ts";
import {
  DEFAULT_STOP_TIMEOUT_MS,
  EXECUTOR_IDLE_EXIT_MS,
  IDLE_CHECK_INTERVAL_MS,
  LOCK_RETRY_MS,
  LOCK_WAIT_MS,
  MAX_CONNECTIONS,
  MAX_LINE_BYTES,
  MAX_PENDING_REQUESTS_PER_CONNECTION,
  MAX_SOCKET_PATH_BYTES,
} from "./limits.ts";
import { LineTooLongError, LineWriter, readLines } from "./line_io.ts";
import {
  asObject,
  ExecutorError,
  parseAdoptRequest,
  parseShutdownRequest,
  parseSignalRequest,
  parseStartRequest,
  parseStopRequest,
  parseTaskIdRequest,
  type ResponseMessage,
} from "./protocol.ts";
import { Supervisor } from "./supervisor.ts";

/** Parsed command line of the executor. */
export interface ExecutorFlags {
  socketPath: string;
  stateDir: string;
  /** Idle time before exiting; tests shorten it. */
  idleExitMs: number;
}

const USAGE = "Usage: nomad executor -socket <path> -state-dir <dir> [-idle-exit-ms <ms>]";

/**
 * Parses Go-style flags (`-socket x`, `--socket=x`); throws a TypeError naming the problem.
 *
 * @example
 * ```ts
 * import { parseExecutorFlags } from "./run_executor.ts";
 * parseExecutorFlags(["-socket", "/tmp/e.sock", "-state-dir", "/tmp/e"]).stateDir; // "/tmp/e"
 * ```
 */
export function parseExecutorFlags(args: string[]): ExecutorFlags {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const match = /^--?([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new TypeError(`unexpected argument ${JSON.stringify(arg)}`);
    const name = match[1]!;
    if (!["socket", "state-dir", "idle-exit-ms"].includes(name)) {
      throw new TypeError(`flag provided but not defined: -${name}`);
    }
    const value = match[2] ?? args[++i];
    if (value === undefined) throw new TypeError(`flag needs an argument: -${name}`);
    values.set(name, value);
  }
  const socketPath = values.get("socket");
  const stateDir = values.get("state-dir");
  if (!socketPath || !stateDir) throw new TypeError("-socket and -state-dir are required");
  if (new TextEncoder().encode(socketPath).length > MAX_SOCKET_PATH_BYTES) {
    throw new TypeError(`socket path longer than ${MAX_SOCKET_PATH_BYTES} bytes: ${socketPath}`);
  }
  const idle = Number(values.get("idle-exit-ms") ?? EXECUTOR_IDLE_EXIT_MS);
  if (!Number.isInteger(idle) || idle < 0) throw new TypeError(`invalid -idle-exit-ms: ${idle}`);
  return { socketPath, stateDir, idleExitMs: idle };
}

/**
 * Runs the executor until it is told to shut down, is idle for `-idle-exit-ms`, or gets
 * SIGTERM. Returns the process exit code. Tasks keep running unless told to `shutdown`.
 */
export async function runExecutor(args: string[]): Promise<number> {
  let flags: ExecutorFlags;
  try {
    flags = parseExecutorFlags(args);
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 1;
  }
  try {
    // Not recursive: an executor started late must not resurrect a deleted data dir.
    await Deno.mkdir(flags.stateDir, { mode: 0o700 });
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) {
      console.error(`cannot create state directory ${flags.stateDir}: ${String(error)}`);
      return 1;
    }
  }
  const logger = fileLogger(`${flags.stateDir}/executor.log`);
  // One executor per state directory: the lock is released by the kernel even on SIGKILL.
  const lockPath = `${flags.stateDir}/executor.lock`;
  const lock = await Deno.open(lockPath, { create: true, write: true });
  if (!await acquireLock(lock, flags.socketPath) || !await isStillLinked(lock, lockPath)) {
    lock.close();
    logger.info("another executor owns this state directory; exiting");
    return 0;
  }
  try {
    const supervisor = new Supervisor({ stateDir: flags.stateDir, logger });
    await supervisor.load();
    await Deno.remove(flags.socketPath).catch(() => {});
    const listener = Deno.listen({ transport: "unix", path: flags.socketPath });
    // Whoever can connect can run commands as this user: owner only.
    await Deno.chmod(flags.socketPath, 0o600);
    logger.info("executor listening", { socket: flags.socketPath, pid: Deno.pid });
    return await new ExecutorServer({ listener, supervisor, logger, flags }).run();
  } catch (error) {
    logger.error("executor failed", { error: String(error) });
    console.error(`executor failed: ${String(error)}`);
    return 1;
  } finally {
    lock.close();
  }
}

/**
 * Takes the state directory lock, waiting briefly: an executor that is exiting because
 * it was idle still holds it for a moment after it stopped answering.
 */
async function acquireLock(lock: Deno.FsFile, socketPath: string): Promise<boolean> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    if (await lock.tryLock(true)) return true;
    // The owner already answers: nothing to wait for.
    if (Date.now() >= deadline || await answers(socketPath)) return false;
    await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS));
  }
}

async function answers(socketPath: string): Promise<boolean> {
  try {
    (await Deno.connect({ transport: "unix", path: socketPath })).close();
    return true;
  } catch {
    return false;
  }
}

/** False when the state directory was deleted (or replaced) while we waited for the lock. */
async function isStillLinked(lock: Deno.FsFile, path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).ino === (await lock.stat()).ino;
  } catch {
    return false;
  }
}

interface ServerOptions {
  listener: Deno.UnixListener;
  supervisor: Supervisor;
  logger: Logger;
  flags: ExecutorFlags;
}

/** Accepts connections and dispatches requests until asked to stop. */
class ExecutorServer {
  readonly #options: ServerOptions;
  readonly #connections = new Set<Deno.UnixConn>();
  #stopping = false;
  #idleSinceMs: number | null = null;
  #resolveDone: (code: number) => void = () => {};

  constructor(options: ServerOptions) {
    this.#options = options;
  }

  async run(): Promise<number> {
    const done = new Promise<number>((resolve) => this.#resolveDone = resolve);
    const idleTimer = setInterval(() => this.#checkIdle(), IDLE_CHECK_INTERVAL_MS);
    const onTerm = () => this.#stop("signal", 0);
    Deno.addSignalListener("SIGTERM", onTerm);
    void this.#acceptLoop();
    const code = await done;
    clearInterval(idleTimer);
    Deno.removeSignalListener("SIGTERM", onTerm);
    return code;
  }

  async #acceptLoop(): Promise<void> {
    try {
      for await (const conn of this.#options.listener) {
        if (this.#connections.size >= MAX_CONNECTIONS) {
          const reply = JSON.stringify({
            id: 0,
            error: `executor serves at most ${MAX_CONNECTIONS} connections`,
            kind: "limit",
          });
          void new LineWriter(conn).writeLine(reply).catch(() => {}).finally(() => conn.close());
          continue;
        }
        this.#connections.add(conn);
        void this.#serve(conn).finally(() => this.#connections.delete(conn));
      }
    } catch (error) {
      if (!this.#stopping) this.#options.logger.error("accept failed", { error: String(error) });
    }
  }

  async #serve(conn: Deno.UnixConn): Promise<void> {
    const writer = new LineWriter(conn);
    let pending = 0;
    try {
      for await (const line of readLines(conn, MAX_LINE_BYTES)) {
        const reply = (message: ResponseMessage) =>
          writer.writeLine(JSON.stringify(message)).catch(() => {});
        if (pending >= MAX_PENDING_REQUESTS_PER_CONNECTION) {
          const limit = `more than ${MAX_PENDING_REQUESTS_PER_CONNECTION} requests in flight`;
          void reply({ id: requestId(line), error: limit, kind: "limit" });
          continue;
        }
        pending++;
        void this.#handle(line).then(async ({ message, exitAfter }) => {
          pending--;
          await reply(message);
          if (exitAfter) this.#stop("shutdown", 0);
        });
      }
    } catch (error) {
      if (error instanceof LineTooLongError) {
        await writer.writeLine(JSON.stringify({ id: 0, error: error.message, kind: "limit" }))
          .catch(() => {});
      }
    } finally {
      try {
        conn.close();
      } catch {
        // Already closed by #stop.
      }
    }
  }

  async #handle(line: string): Promise<{ message: ResponseMessage; exitAfter: boolean }> {
    let id = 0;
    let method = "";
    try {
      const request = asObject(JSON.parse(line), "request");
      id = typeof request["id"] === "number" ? request["id"] : 0;
      method = String(request["method"]);
      const result = await this.#dispatch(method, request["params"]);
      return { message: { id, result }, exitAfter: method === "shutdown" };
    } catch (error) {
      const known = error instanceof ExecutorError;
      if (!known) this.#options.logger.error("request failed", { method, error: String(error) });
      const message = known || error instanceof SyntaxError
        ? error.message
        : `internal error: ${String(error)}`;
      const kind = known
        ? error.kind
        : error instanceof SyntaxError
        ? "invalid_argument"
        : "internal";
      return { message: { id, error: message, kind }, exitAfter: false };
    }
  }

  async #dispatch(method: string, params: unknown): Promise<unknown> {
    const supervisor = this.#options.supervisor;
    switch (method) {
      case "ping":
        return { pid: Deno.pid, running: supervisor.runningCount() };
      case "start":
        return await supervisor.start(parseStartRequest(params));
      case "adopt":
        return await supervisor.adopt(parseAdoptRequest(params));
      case "wait":
        return await supervisor.wait(parseTaskIdRequest(params).id);
      case "inspect":
        return supervisor.inspect(parseTaskIdRequest(params).id);
      case "list":
        return supervisor.list();
      case "stop": {
        const r = parseStopRequest(params, DEFAULT_STOP_TIMEOUT_MS);
        return await supervisor.stop(r.id, r.signal, r.timeoutMs);
      }
      case "signal": {
        const r = parseSignalRequest(params);
        supervisor.signal(r.id, r.signal);
        return null;
      }
      case "destroy":
        await supervisor.destroy(parseTaskIdRequest(params).id);
        return null;
      case "stats":
        return await supervisor.stats(parseTaskIdRequest(params).id);
      case "shutdown": {
        const r = parseShutdownRequest(params, DEFAULT_STOP_TIMEOUT_MS);
        await supervisor.shutdown(r.signal, r.timeoutMs);
        return null;
      }
      default:
        throw new ExecutorError("invalid_argument", `unknown method ${JSON.stringify(method)}`);
    }
  }

  #checkIdle(): void {
    const busy = this.#connections.size > 0 || this.#options.supervisor.runningCount() > 0;
    if (busy) {
      this.#idleSinceMs = null;
      return;
    }
    const now = Date.now();
    this.#idleSinceMs ??= now;
    if (now - this.#idleSinceMs >= this.#options.flags.idleExitMs) this.#stop("idle", 0);
  }

  #stop(reason: string, code: number): void {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#options.logger.info("executor exiting", { reason });
    try {
      this.#options.listener.close();
    } catch {
      // Already closed.
    }
    try {
      Deno.removeSync(this.#options.flags.socketPath);
    } catch {
      // Gone already.
    }
    for (const conn of this.#connections) {
      try {
        conn.close();
      } catch {
        // Closed by its reader.
      }
    }
    this.#resolveDone(code);
  }
}

function requestId(line: string): number {
  try {
    const parsed: unknown = JSON.parse(line);
    const id = (parsed as { id?: unknown } | null)?.id;
    return typeof id === "number" ? id : 0;
  } catch {
    return 0;
  }
}
