/**
 * Interactive exec for raw_exec (`nomad alloc exec`): the agent spawns the command
 * itself with the task's environment and working directory. There is no isolation
 * to enter, so the executor helper is not involved.
 *
 * A TTY comes from util-linux `script(1)`, which owns a pseudo terminal and relays
 * it over pipes; resizes are applied to that terminal with `stty -F`. Deno has no
 * pty API, so without `script` on the node only `-t=false` sessions work.
 */
import { DriverError, type ExecSession, type TerminalSize } from "../driver.ts";
import { lookupCommand } from "../executor/lookup_path.ts";
import { ExecutorError } from "../executor/protocol.ts";

/** How long a resize waits for the terminal of a just-started session to appear. */
export const PTY_LOOKUP_ATTEMPTS = 40;
/** Pause between looks for the session's terminal. */
export const PTY_LOOKUP_INTERVAL_MS = 25;

/** What a session needs from the task. */
export interface ExecContext {
  env: Record<string, string>;
  cwd: string;
}

/** Quotes one word for `sh -c`. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

async function resolve(command: string, context: ExecContext): Promise<string> {
  try {
    return await lookupCommand(command, { cwd: context.cwd, searchPath: context.env["PATH"] });
  } catch (error) {
    if (error instanceof ExecutorError) throw new DriverError(error.message, { cause: error });
    throw error;
  }
}

/** The argv that runs `argv` on a pseudo terminal under `script(1)`. */
async function ttyArgv(executable: string, args: readonly string[]): Promise<string[]> {
  let script: string;
  try {
    script = await lookupCommand("script", { cwd: "/", searchPath: undefined });
  } catch {
    throw new DriverError(
      "cannot allocate a TTY on this node: util-linux script(1) was not found; use -t=false",
    );
  }
  const line = ["exec", ...[executable, ...args].map(shellQuote)].join(" ");
  return [script, "-q", "-e", "-f", "-c", line, "/dev/null"];
}

/**
 * Starts `command` in the task's context.
 *
 * @example
 * ```ts ignore
 * const session = await startExecSession(["echo", "hi"], { env: {}, cwd: "/tmp" }, false);
 * await session.exited; // 0
 * ```
 */
export async function startExecSession(
  command: readonly string[],
  context: ExecContext,
  tty: boolean,
): Promise<ExecSession> {
  const [name, ...args] = command;
  if (name === undefined || name === "") throw new DriverError("command is not present");
  const executable = await resolve(name, context);
  const argv = tty ? await ttyArgv(executable, args) : [executable, ...args];
  const env = tty
    ? { TERM: "xterm", ...context.env, SHELL: context.env["SHELL"] || "/bin/sh" }
    : context.env;
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(argv[0]!, {
      args: argv.slice(1),
      env,
      clearEnv: true,
      cwd: context.cwd,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      detached: true,
    }).spawn();
  } catch (error) {
    throw new DriverError(`failed to exec into task: ${String(error)}`, { cause: error });
  }
  return session(child, tty);
}

function session(child: Deno.ChildProcess, tty: boolean): ExecSession {
  const stdin = child.stdin.getWriter();
  let stdinClosed = false;
  const exited = child.status.then((status) => status.code);
  return {
    stdout: child.stdout,
    stderr: child.stderr,
    async write(data) {
      if (stdinClosed) return;
      await stdin.write(data).catch(() => {});
    },
    async closeStdin() {
      if (stdinClosed) return;
      stdinClosed = true;
      await stdin.close().catch(() => {});
    },
    async resize(size) {
      if (tty) await resizeTerminal(child.pid, size);
    },
    exited,
    kill() {
      try {
        Deno.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    },
  };
}

/** The pseudo terminal `script` opened for its command, if it is there yet. */
async function terminalOf(scriptPid: number): Promise<string | null> {
  for (let attempt = 0; attempt < PTY_LOOKUP_ATTEMPTS; attempt++) {
    const children = await Deno.readTextFile(`/proc/${scriptPid}/task/${scriptPid}/children`)
      .catch(() => "");
    for (const pid of children.trim().split(/\s+/).filter((p) => p !== "")) {
      const link = await Deno.readLink(`/proc/${pid}/fd/0`).catch(() => "");
      if (link.startsWith("/dev/pts/")) return link;
    }
    await new Promise((r) => setTimeout(r, PTY_LOOKUP_INTERVAL_MS));
  }
  return null;
}

/** Applies a window size to the session's terminal; the kernel then sends SIGWINCH. */
async function resizeTerminal(scriptPid: number, size: TerminalSize): Promise<void> {
  const rows = Math.trunc(size.height);
  const cols = Math.trunc(size.width);
  if (!(rows > 0 && cols > 0)) return;
  const terminal = await terminalOf(scriptPid);
  if (terminal === null) return;
  await new Deno.Command("stty", {
    args: ["-F", terminal, "rows", String(rows), "cols", String(cols)],
    stdout: "null",
    stderr: "null",
  }).output().catch(() => {});
}
