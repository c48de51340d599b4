/**
 * Resolves a task command to an executable path before launching it, so a missing
 * binary is a clear start error (as Nomad's executor reports it) rather than a task
 * that exits 127.
 */
import { ExecutorError } from "./protocol.ts";

/** PATH used when the task environment has none (Go's and most shells' default). */
export const DEFAULT_SEARCH_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

const EXECUTABLE_BITS = 0o111;

type Probe = "ok" | "missing" | "not_executable";

async function probe(path: string): Promise<Probe> {
  try {
    const info = await Deno.stat(path);
    if (!info.isFile) return "not_executable";
    return ((info.mode ?? 0) & EXECUTABLE_BITS) !== 0 ? "ok" : "not_executable";
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      return "missing";
    }
    if (error instanceof Deno.errors.PermissionDenied) return "not_executable";
    throw error;
  }
}

/**
 * Finds the executable for `command`. A command with a slash is taken relative to `cwd`;
 * a bare name is looked up in `<cwd>/local`, `<cwd>` and then `searchPath`, like
 * Nomad's executor. Throws an `invalid_argument` {@linkcode ExecutorError} when absent.
 *
 * @example
 * ```ts ignore
 * await lookupCommand("sh", { cwd: "/tmp", searchPath: "/usr/bin:/bin" }); // "/usr/bin/sh"
 * ```
 */
export async function lookupCommand(
  command: string,
  options: { cwd: string; searchPath: string | undefined },
): Promise<string> {
  if (command.includes("/")) {
    const path = command.startsWith("/") ? command : `${options.cwd}/${command}`;
    const found = await probe(path);
    if (found === "ok") return path;
    const reason = found === "missing" ? "no such file or directory" : "permission denied";
    throw new ExecutorError("invalid_argument", `fork/exec ${path}: ${reason}`);
  }
  const candidates = [`${options.cwd}/local/${command}`, `${options.cwd}/${command}`];
  for (const dir of (options.searchPath ?? DEFAULT_SEARCH_PATH).split(":")) {
    // An empty PATH entry means the current directory, which the task directory covers.
    if (dir.startsWith("/")) candidates.push(`${dir}/${command}`);
  }
  for (const path of candidates) {
    if (await probe(path) === "ok") return path;
  }
  throw new ExecutorError(
    "invalid_argument",
    `exec: ${JSON.stringify(command)}: executable file not found in $PATH`,
  );
}
