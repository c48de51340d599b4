/** Runs a one-off command in a task's environment with bounded output and a deadline. */
import type { ExecResult } from "../driver.ts";
import { lookupCommand } from "./lookup_path.ts";

/** Most bytes kept per output stream of a one-off command; the rest is read and dropped. */
export const MAX_EXEC_OUTPUT_BYTES = 4 * 1024 * 1024;

/** Raised when a one-off command runs past its deadline (it is killed). */
export class CommandTimeoutError extends Error {
  override name = "CommandTimeoutError";
}

/** Options of {@linkcode runCommand}. */
export interface RunCommandOptions {
  env: Record<string, string>;
  cwd: string;
  timeoutMs: number;
  maxOutputBytes?: number;
}

async function collect(stream: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let kept = 0;
  for await (const chunk of stream) {
    const take = Math.min(chunk.length, maxBytes - kept);
    if (take > 0) {
      parts.push(chunk.subarray(0, take));
      kept += take;
    }
  }
  const out = new Uint8Array(kept);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * Runs `argv` with exactly `env` in `cwd` and returns its output and exit code; kills its
 * process group and throws {@linkcode CommandTimeoutError} after `timeoutMs`.
 *
 * @example
 * ```ts ignore
 * const { stdout } = await runCommand(["echo", "hi"], { env: {}, cwd: "/", timeoutMs: 1000 });
 * ```
 */
export async function runCommand(argv: string[], options: RunCommandOptions): Promise<ExecResult> {
  const [command, ...args] = argv;
  if (command === undefined) throw new TypeError("command must not be empty");
  const executable = await lookupCommand(command, {
    cwd: options.cwd,
    searchPath: options.env["PATH"],
  });
  const child = new Deno.Command(executable, {
    args,
    env: options.env,
    clearEnv: true,
    cwd: options.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    detached: true,
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      Deno.kill(-child.pid, "SIGKILL");
    } catch {
      // Exited just now.
    }
  }, options.timeoutMs);
  try {
    const max = options.maxOutputBytes ?? MAX_EXEC_OUTPUT_BYTES;
    const [stdout, stderr, status] = await Promise.all([
      collect(child.stdout, max),
      collect(child.stderr, max),
      child.status,
    ]);
    if (timedOut) throw new CommandTimeoutError(`command timed out after ${options.timeoutMs}ms`);
    return { stdout, stderr, exitCode: status.code };
  } finally {
    clearTimeout(timer);
  }
}
