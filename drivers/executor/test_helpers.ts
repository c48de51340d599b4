/** Helpers for tests that run a real executor process (not a test file itself). */
import { ExecutorClient, type ExecutorClientOptions } from "./client.ts";
import type { StartRequest } from "./protocol.ts";
import { readProcStat } from "./proc.ts";

/** Argv that runs the executor from source through the test entry file. */
export const TEST_EXECUTOR_COMMAND: readonly string[] = [
  Deno.execPath(),
  "run",
  "-A",
  decodeURIComponent(new URL("./main_for_test.ts", import.meta.url).pathname),
];

/** A temp directory with an executor socket path, state dir and log dir. */
export interface ExecutorFixture {
  dir: string;
  logDir: string;
  options: ExecutorClientOptions;
  /** Connects (spawning an executor on first use). */
  connect(): Promise<ExecutorClient>;
  /** Shuts down the executor (killing its tasks) and removes the directory. */
  cleanup(): Promise<void>;
}

/** Makes a fixture; `extraArgs` are passed to the executor (e.g. a short idle timeout). */
export async function executorFixture(extraArgs: string[] = []): Promise<ExecutorFixture> {
  const dir = await Deno.makeTempDir({ prefix: "nomad-exec-" });
  const logDir = `${dir}/alloc/logs`;
  await Deno.mkdir(logDir, { recursive: true });
  const options: ExecutorClientOptions = {
    socketPath: `${dir}/executor.sock`,
    stateDir: `${dir}/executor`,
    command: TEST_EXECUTOR_COMMAND,
    extraArgs,
  };
  return {
    dir,
    logDir,
    options,
    connect: () => ExecutorClient.connect(options),
    async cleanup() {
      const client = await ExecutorClient.connect({ ...options, connectTimeoutMs: 10_000 });
      await client.shutdown({ signal: "SIGKILL", timeoutMs: 0 }).catch(() => {});
      // The executor may still write its state file while it exits; retry briefly.
      for (let attempt = 0;; attempt++) {
        try {
          await Deno.remove(dir, { recursive: true });
          return;
        } catch (error) {
          if (attempt >= 50) throw error;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
  };
}

/** A start request for `sh -c <script>` logging into the fixture's log dir. */
export function shellTask(
  fixture: ExecutorFixture,
  id: string,
  script: string,
  overrides: Partial<StartRequest> = {},
): StartRequest {
  return {
    id,
    command: "/bin/sh",
    args: ["-c", script],
    env: { PATH: "/usr/bin:/bin" },
    cwd: fixture.dir,
    user: "",
    logs: {
      directory: fixture.logDir,
      name: id.replaceAll("/", "_"),
      maxFiles: 10,
      maxFileSizeBytes: 1024 * 1024,
    },
    oomScoreAdj: null,
    ...overrides,
  };
}

/** True while `pid` is a live, non-zombie process. */
export async function isAlive(pid: number): Promise<boolean> {
  const stat = await readProcStat(pid);
  return stat !== null && stat.state !== "Z" && stat.state !== "X";
}

/**
 * Polls `check` until it returns true; for conditions with no event to await
 * (a file growing, a foreign process vanishing).
 */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  options: { timeoutMs?: number; what: string },
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  while (!await check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Reads a file as text, or "" when it does not exist yet. */
export async function readOrEmpty(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "";
    throw error;
  }
}
