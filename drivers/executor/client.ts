/**
 * The agent's side of the executor: one multiplexed connection, started on demand.
 * If nothing answers on the socket the client spawns `nomad executor` detached (it
 * outlives the agent) and retries until it answers. When the connection drops, calls
 * that are safe to repeat (`wait`, `inspect`, `list`, `stats`, `ping`) are re-sent on a
 * new connection; others fail with an `unavailable` {@linkcode ExecutorError}.
 */
import { type Logger, nullLogger } from "../../src/core/mod.ts";
import {
  CONNECT_RETRY_MAX_MS,
  CONNECT_RETRY_MIN_MS,
  CONNECT_TIMEOUT_MS,
  MAX_LINE_BYTES,
  MAX_PENDING_REQUESTS_PER_CONNECTION,
  MAX_SOCKET_PATH_BYTES,
  RESPAWN_INTERVAL_MS,
} from "./limits.ts";
import { LineWriter, readLines } from "./line_io.ts";
import {
  type AdoptRequest,
  decodeResponse,
  decodeTaskInfo,
  decodeTaskStats,
  ExecutorError,
  type ExecutorMethod,
  type StartRequest,
  type TaskInfo,
  type TaskStats,
} from "./protocol.ts";
import { selfCommand } from "./self_command.ts";

/** Options of {@linkcode ExecutorClient.connect}. */
export interface ExecutorClientOptions {
  /** Unix socket the executor listens on. */
  socketPath: string;
  /** The executor's state directory (task records, lock, executor.log). */
  stateDir: string;
  /** Argv that starts an executor, without its flags; defaults to {@linkcode selfCommand}. */
  command?: readonly string[];
  /** Extra executor flags, e.g. `["-idle-exit-ms", "1000"]` in tests. */
  extraArgs?: readonly string[];
  /** How long to keep trying to reach an executor. */
  connectTimeoutMs?: number;
  logger?: Logger;
}

interface Call {
  method: ExecutorMethod;
  params: unknown;
  /** Whether the request was written to the current connection. */
  sent: boolean;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

const REPEATABLE: ReadonlySet<ExecutorMethod> = new Set([
  "wait",
  "inspect",
  "list",
  "stats",
  "ping",
]);

const SETSID_PATHS = ["/usr/bin/setsid", "/bin/setsid"];

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A connection to the executor of one client state directory. */
export class ExecutorClient {
  readonly #options: ExecutorClientOptions;
  readonly #logger: Logger;
  readonly #calls = new Map<number, Call>();
  #conn: Deno.UnixConn | null = null;
  #writer: LineWriter | null = null;
  #readLoop: Promise<void> | null = null;
  #connecting: Promise<void> | null = null;
  #nextId = 1;
  #closed = false;

  private constructor(options: ExecutorClientOptions) {
    this.#options = options;
    this.#logger = options.logger ?? nullLogger;
  }

  /**
   * Connects to the executor, spawning one if none answers.
   *
   * @example
   * ```ts ignore
   * const executor = await ExecutorClient.connect({
   *   socketPath: "/var/lib/nomad/executor.sock", stateDir: "/var/lib/nomad/executor",
   * });
   * const tasks = await executor.list();
   * await executor.close();
   * ```
   */
  static async connect(options: ExecutorClientOptions): Promise<ExecutorClient> {
    if (new TextEncoder().encode(options.socketPath).length > MAX_SOCKET_PATH_BYTES) {
      throw new ExecutorError(
        "invalid_argument",
        `executor socket path longer than ${MAX_SOCKET_PATH_BYTES} bytes: ${options.socketPath}`,
      );
    }
    const client = new ExecutorClient(options);
    await client.#ensureConnected();
    return client;
  }

  /** The socket this client talks to. */
  get socketPath(): string {
    return this.#options.socketPath;
  }

  /** Checks the executor answers; returns its PID and number of running tasks. */
  async ping(): Promise<{ pid: number; running: number }> {
    const result = await this.#call("ping", {}) as { pid: number; running: number };
    return { pid: result.pid, running: result.running };
  }

  /** Starts a task. */
  async start(request: StartRequest): Promise<TaskInfo> {
    return decodeTaskInfo(await this.#call("start", request));
  }

  /** Takes over a live process whose executor record was lost. */
  async adopt(request: AdoptRequest): Promise<TaskInfo> {
    return decodeTaskInfo(await this.#call("adopt", request));
  }

  /** Resolves when the task has exited (survives executor reconnects). */
  async wait(id: string): Promise<TaskInfo> {
    return decodeTaskInfo(await this.#call("wait", { id }));
  }

  /** Signals the task's process group, SIGKILL after `timeoutMs`. */
  async stop(id: string, options: { signal: string; timeoutMs: number }): Promise<TaskInfo> {
    return decodeTaskInfo(await this.#call("stop", { id, ...options }));
  }

  /** Sends a signal to the task's main process. */
  async signal(id: string, signal: string): Promise<void> {
    await this.#call("signal", { id, signal });
  }

  /** Current info of one task. */
  async inspect(id: string): Promise<TaskInfo> {
    return decodeTaskInfo(await this.#call("inspect", { id }));
  }

  /** Every task the executor knows. */
  async list(): Promise<TaskInfo[]> {
    const result = await this.#call("list", {});
    if (!Array.isArray(result)) throw new ExecutorError("internal", "list did not return a list");
    return result.map(decodeTaskInfo);
  }

  /** Forgets a task, killing it first if it still runs. */
  async destroy(id: string): Promise<void> {
    await this.#call("destroy", { id });
  }

  /** Memory and CPU use of the task's processes. */
  async stats(id: string): Promise<TaskStats> {
    return decodeTaskStats(await this.#call("stats", { id }));
  }

  /**
   * Stops and forgets every task, then the executor exits; this client is closed after.
   * Used by `agent -dev` on exit.
   */
  async shutdown(options: { signal?: string; timeoutMs?: number } = {}): Promise<void> {
    try {
      await this.#call("shutdown", options);
    } finally {
      await this.close();
    }
  }

  /** Closes the connection; pending calls fail. The executor and its tasks keep running. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closed = new ExecutorError("unavailable", "executor client is closed");
    for (const call of this.#calls.values()) call.reject(closed);
    this.#calls.clear();
    const conn = this.#conn;
    this.#conn = null;
    this.#writer = null;
    if (conn) closeQuietly(conn);
    await this.#readLoop;
    await this.#connecting?.catch(() => {});
  }

  #call(method: ExecutorMethod, params: unknown): Promise<unknown> {
    if (this.#closed) {
      return Promise.reject(new ExecutorError("unavailable", "executor client is closed"));
    }
    if (this.#calls.size >= MAX_PENDING_REQUESTS_PER_CONNECTION) {
      return Promise.reject(
        new ExecutorError(
          "limit",
          `more than ${MAX_PENDING_REQUESTS_PER_CONNECTION} calls pending`,
        ),
      );
    }
    const id = this.#nextId++;
    const promise = new Promise<unknown>((resolve, reject) => {
      this.#calls.set(id, { method, params, sent: false, resolve, reject });
    });
    void this.#send(id);
    return promise;
  }

  async #send(id: number): Promise<void> {
    try {
      await this.#ensureConnected();
    } catch (error) {
      this.#fail(id, error instanceof Error ? error : new Error(String(error)));
      return;
    }
    const call = this.#calls.get(id);
    const conn = this.#conn;
    const writer = this.#writer;
    if (!call || !conn || !writer) {
      // Closed meanwhile, or the connection dropped again: the disconnect path re-sends.
      if (call && !this.#closed) void this.#send(id);
      return;
    }
    call.sent = true;
    const line = JSON.stringify({ id, method: call.method, params: call.params });
    // A failed write means a broken connection; closing it lets the read loop's
    // disconnect handling decide whether to re-send or fail the call.
    await writer.writeLine(line).catch(() => closeQuietly(conn));
  }

  #fail(id: number, error: Error): void {
    const call = this.#calls.get(id);
    if (!call) return;
    this.#calls.delete(id);
    call.reject(error);
  }

  #ensureConnected(): Promise<void> {
    if (this.#conn) return Promise.resolve();
    this.#connecting ??= this.#establish().finally(() => this.#connecting = null);
    return this.#connecting;
  }

  async #establish(): Promise<void> {
    const { socketPath } = this.#options;
    const deadline = Date.now() + (this.#options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS);
    let delayMs = CONNECT_RETRY_MIN_MS;
    let lastSpawnMs = Number.NEGATIVE_INFINITY;
    for (;;) {
      if (this.#closed) throw new ExecutorError("unavailable", "executor client is closed");
      try {
        const conn = await Deno.connect({ transport: "unix", path: socketPath });
        if (this.#closed) {
          closeQuietly(conn);
          continue;
        }
        this.#attach(conn);
        return;
      } catch (error) {
        if (Date.now() >= deadline) {
          throw new ExecutorError(
            "unavailable",
            `cannot reach executor at ${socketPath}: ${String(error)}`,
            { cause: error },
          );
        }
        if (Date.now() - lastSpawnMs >= RESPAWN_INTERVAL_MS) {
          lastSpawnMs = Date.now();
          await this.#spawn();
        }
      }
      await sleep(delayMs);
      delayMs = Math.min(delayMs * 2, CONNECT_RETRY_MAX_MS);
    }
  }

  /**
   * Starts an executor in its own session. `setsid -f` forks it off, so it is not our
   * child (no status op to keep, no zombie) and outlives us; without setsid a detached,
   * unref'd child does the same except that it stays our child while we live.
   */
  async #spawn(): Promise<void> {
    const { socketPath, stateDir } = this.#options;
    const argv = [
      ...(this.#options.command ?? selfCommand()),
      "-socket",
      socketPath,
      "-state-dir",
      stateDir,
      ...(this.#options.extraArgs ?? []),
    ];
    this.#logger.info("starting executor", { socket: socketPath });
    const quiet = { stdin: "null", stdout: "null", stderr: "null", cwd: "/" } as const;
    try {
      const setsid = SETSID_PATHS.find(isFile);
      if (setsid) {
        await new Deno.Command(setsid, { args: ["-f", ...argv], ...quiet }).spawn().status;
      } else {
        const [command, ...args] = argv;
        new Deno.Command(command!, { args, detached: true, ...quiet }).spawn().unref();
      }
    } catch (error) {
      this.#logger.error("failed to start executor", { error: String(error) });
    }
  }

  #attach(conn: Deno.UnixConn): void {
    this.#conn = conn;
    this.#writer = new LineWriter(conn);
    this.#readLoop = this.#read(conn);
  }

  async #read(conn: Deno.UnixConn): Promise<void> {
    try {
      for await (const line of readLines(conn, MAX_LINE_BYTES)) this.#onLine(line);
    } catch (error) {
      if (!this.#closed) this.#logger.warn("executor connection failed", { error: String(error) });
    } finally {
      closeQuietly(conn);
      if (this.#conn === conn) this.#onDisconnect();
    }
  }

  #onLine(line: string): void {
    let response;
    try {
      response = decodeResponse(line);
    } catch (error) {
      this.#logger.warn("bad executor response", { error: String(error) });
      return;
    }
    const call = this.#calls.get(response.id);
    if (!call) {
      if ("error" in response) this.#logger.warn("executor error", { error: response.error });
      return;
    }
    this.#calls.delete(response.id);
    if ("error" in response) call.reject(new ExecutorError(response.kind, response.error));
    else call.resolve(response.result);
  }

  #onDisconnect(): void {
    this.#conn = null;
    this.#writer = null;
    const lost = new ExecutorError("unavailable", "connection to executor lost");
    for (const [id, call] of this.#calls) {
      if (!call.sent) continue; // its #send is still waiting to connect
      if (REPEATABLE.has(call.method)) {
        call.sent = false;
        void this.#send(id);
      } else {
        this.#fail(id, lost);
      }
    }
  }
}

function closeQuietly(conn: Deno.UnixConn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}
