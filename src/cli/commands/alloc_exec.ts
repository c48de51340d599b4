/** `nomad alloc exec`: run a command in a task of a running allocation. */

import type { NomadClient, TerminalSize } from "../../api/mod.ts";
import type { Command, CommandContext } from "../cli.ts";
import { errorMessage, jobIdByPrefix } from "../helpers.ts";
import {
  addClientFlags,
  clientFromFlags,
  commandErrorText,
  commandFlagSet,
  generalOptionsUsage,
  parseFlags,
} from "../meta.ts";
import { resolveAllocation } from "./alloc_status.ts";
import { onlyTask, validateTaskExists } from "./alloc_task.ts";

const HELP = `
Usage: nomad alloc exec [options] <allocation> <command>

  Run command inside the environment of the given allocation and task.

General Options:

  ${generalOptionsUsage()}

Exec Specific Options:

  -task <task-name>
    Sets the task to exec command in

  -job
    Use a random allocation from the specified job ID.

  -i
    Pass stdin to the container, defaults to true.  Pass -i=false to disable.

  -t
    Allocate a pseudo-tty, defaults to true if stdin is detected to be a tty session.
    Pass -t=false to disable explicitly.

  -e <escape_char>
    Sets the escape character for sessions with a pty (default: '~').  The escape
    character is only recognized at the beginning of a line.  The escape character
    followed by a dot ('.') closes the connection.  Setting the character to
    'none' disables any escapes and makes the session fully transparent.
`;

function isTty(): boolean {
  return Deno.stdin.isTerminal() && Deno.stdout.isTerminal();
}

/** `nomad alloc exec`. */
export const allocExecCommand: Command = {
  name: "alloc exec",
  synopsis: "Execute commands in task",
  help: () => HELP.trim(),
  async run(args, ctx) {
    const flags = commandFlagSet(allocExecCommand, ctx);
    const clientFlags = addClientFlags(flags);
    const job = flags.bool("job", false, "Use a random allocation of the job.");
    const stdinOpt = flags.bool("i", true, "Pass stdin.");
    const ttyOpt = flags.bool("t", isTty(), "Allocate a pseudo-tty.");
    const escape = flags.string("e", "~", "Escape character.");
    const taskFlag = flags.string("task", "", "Task to exec in.");
    const positional = parseFlags(flags, args);
    if (positional === null) return 1;
    if (positional.length < 1) {
      ctx.ui.error(job.value ? "A job ID is required" : "An allocation ID is required");
      ctx.ui.error(commandErrorText(allocExecCommand));
      return 1;
    }
    if (!job.value && positional[0]!.length === 1) {
      ctx.ui.error("Alloc ID must contain at least two characters");
      return 1;
    }
    if (positional.length < 2) {
      ctx.ui.error("A command is required");
      ctx.ui.error(commandErrorText(allocExecCommand));
      return 1;
    }
    if (ttyOpt.value && !stdinOpt.value) {
      ctx.ui.error("-i must be enabled if running with tty");
      return 1;
    }
    if (escape.value !== "none" && escape.value.length > 1) {
      ctx.ui.error("-e requires 'none' or a single character");
      return 1;
    }
    const client = clientFromFlags(ctx, clientFlags);
    let allocId = positional[0]!;
    if (job.value) {
      try {
        allocId = await randomRunningAllocation(client, allocId);
      } catch (error) {
        ctx.ui.error(`Error fetching allocations: ${errorMessage(error)}`);
        return 1;
      }
    }
    const alloc = await resolveAllocation(client, allocId, {
      length: 8,
      verbose: false,
      ctx,
      listIsError: true,
    });
    if (typeof alloc === "number") return alloc;
    let task = taskFlag.value;
    try {
      if (task !== "") validateTaskExists(alloc, task);
      else task = onlyTask(alloc);
    } catch (error) {
      ctx.ui.error(errorMessage(error));
      return 1;
    }
    try {
      return await execSession(client.with({ namespace: alloc.Namespace }), {
        allocId: alloc.ID,
        task,
        command: positional.slice(1),
        tty: ttyOpt.value,
        stdin: stdinOpt.value,
        ctx,
      });
    } catch (error) {
      ctx.ui.error(`failed to exec into task: ${errorMessage(error)}`);
      return 1;
    }
  },
};

async function randomRunningAllocation(client: NomadClient, prefix: string): Promise<string> {
  const { id, namespace } = await jobIdByPrefix(client, prefix);
  const allocs = (await client.with({ namespace }).jobs.allocations(id)).data;
  const running = allocs.filter((a) => a.ClientStatus === "running");
  const pool = running.length > 0 ? running : allocs;
  const chosen = pool[Math.floor(Math.random() * pool.length)];
  if (chosen === undefined) {
    throw new Error(`job ${JSON.stringify(id)} doesn't exist or it has no allocations`);
  }
  return chosen.ID;
}

/** Terminal sizes of stdout: now, then on every SIGWINCH until `signal` aborts. */
async function* terminalSizes(signal: AbortSignal): AsyncGenerator<TerminalSize> {
  const size = () => {
    const { rows, columns } = Deno.consoleSize();
    return { height: rows, width: columns };
  };
  yield size();
  let wake: (() => void) | null = null;
  const onResize = () => wake?.();
  Deno.addSignalListener("SIGWINCH", onResize);
  signal.addEventListener("abort", () => wake?.(), { once: true });
  try {
    while (!signal.aborted) {
      await new Promise<void>((resolve) => wake = resolve);
      if (!signal.aborted) yield size();
    }
  } finally {
    Deno.removeSignalListener("SIGWINCH", onResize);
  }
}

async function execSession(
  client: NomadClient,
  request: {
    allocId: string;
    task: string;
    command: string[];
    tty: boolean;
    stdin: boolean;
    ctx: CommandContext;
  },
): Promise<number> {
  const { ctx } = request;
  const done = new AbortController();
  const raw = request.tty && Deno.stdin.isTerminal();
  if (raw) Deno.stdin.setRaw(true);
  try {
    return await client.allocations.exec(request.allocId, {
      task: request.task,
      command: request.command,
      tty: request.tty,
      stdin: request.stdin ? Deno.stdin.readable : null,
      stdout: (data) => ctx.io.stdout.write(data),
      stderr: (data) => ctx.io.stderr.write(data),
      ...(request.tty && Deno.stdout.isTerminal() ? { sizes: terminalSizes(done.signal) } : {}),
      signal: ctx.io.interruptSignal(),
    });
  } finally {
    done.abort();
    if (raw) Deno.stdin.setRaw(false);
  }
}
