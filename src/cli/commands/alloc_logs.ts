/** `nomad alloc logs` (alias `nomad logs`): print or follow a task's stdout/stderr. */

import type { LogType, NomadClient } from "../../api/mod.ts";
import type { Allocation } from "../../structs/mod.ts";
import type { Command, CommandContext } from "../cli.ts";
import { formatList, limit, SHORT_ID_LENGTH } from "../format.ts";
import { CommandError, errorMessage, jobIdByPrefix } from "../helpers.ts";
import {
  addClientFlags,
  clientFromFlags,
  commandErrorText,
  commandFlagSet,
  generalOptionsUsage,
  idLength,
  parseFlags,
} from "../meta.ts";
import { resolveAllocation } from "./alloc_status.ts";
import { followTail, lastLines } from "./log_tail.ts";

/** Lines shown by `-tail` without `-n`. */
export const DEFAULT_TAIL_LINES = 10;
/** Bytes assumed per line when turning `-n` into a byte offset (Nomad's bytesToLines). */
export const BYTES_PER_LINE = 120;

const HELP = `
Usage: nomad alloc logs [options] <allocation> <task>
Alias: nomad logs

  Streams the stdout/stderr of the given allocation and task.

General Options:

  ${generalOptionsUsage()}

Logs Specific Options:

  -stdout
    Display stdout logs. This is used as the default value in all commands
    except when using the "-f" flag where both stdout and stderr are used as
    default.

  -stderr
    Display stderr logs.

  -verbose
    Show full information.

  -task <task-name>
    Sets the task to view the logs. If task name is given with both an argument
    and the '-task' option, preference is given to the '-task' option.

  -job <job-id>
    Use a random allocation from the specified job ID or prefix.

  -f
    Causes the output to not stop when the end of the logs are reached, but
    rather to wait for additional output. When supplied with no other flags
    except optionally "-job" and "-task", both stdout and stderr logs will be
    followed.

  -tail
    Show the logs contents with offsets relative to the end of the logs. If no
    offset is given, -n is defaulted to 10.

  -n
    Sets the tail location in best-efforted number of lines relative to the end
    of the logs.

  -c
    Sets the tail location in number of bytes relative to the end of the logs.
`;

interface LogsOptions {
  verbose: boolean;
  job: boolean;
  tail: boolean;
  follow: boolean;
  stderr: boolean;
  stdout: boolean;
  lines: number;
  bytes: number;
  task: string;
}

/** `nomad alloc logs`. */
export const allocLogsCommand: Command = {
  name: "alloc logs",
  synopsis: "Streams the logs of a task.",
  help: () => HELP.trim(),
  run: (args, ctx) => runAllocLogs(allocLogsCommand, args, ctx),
};

/** Runs `alloc logs` for `command` (shared by the `logs` alias). */
export async function runAllocLogs(
  command: Command,
  args: string[],
  ctx: CommandContext,
): Promise<number> {
  const flags = commandFlagSet(command, ctx);
  const clientFlags = addClientFlags(flags);
  const f = {
    verbose: flags.bool("verbose"),
    job: flags.bool("job"),
    tail: flags.bool("tail"),
    follow: flags.bool("f"),
    stderr: flags.bool("stderr"),
    stdout: flags.bool("stdout"),
    lines: flags.int("n", -1),
    bytes: flags.int("c", -1),
    task: flags.string("task"),
  };
  const positional = parseFlags(flags, args);
  if (positional === null) return 1;
  if (positional.length < 1 || positional.length > 2) {
    ctx.ui.error(
      positional.length < 1
        ? (f.job.value ? "A job ID is required" : "An allocation ID is required")
        : "This command takes one or two arguments",
    );
    ctx.ui.error(commandErrorText(command));
    return 1;
  }
  const options: LogsOptions = {
    verbose: f.verbose.value,
    job: f.job.value,
    tail: f.tail.value,
    follow: f.follow.value,
    stderr: f.stderr.value,
    stdout: f.stdout.value,
    lines: f.lines.value,
    bytes: f.bytes.value,
    task: f.task.value,
  };
  try {
    return await showLogs(clientFromFlags(ctx, clientFlags), positional, options, ctx);
  } catch (error) {
    ctx.ui.error(errorMessage(error));
    return 1;
  }
}

async function showLogs(
  client: NomadClient,
  args: string[],
  options: LogsOptions,
  ctx: CommandContext,
): Promise<number> {
  let allocId = args[0] ?? "";
  if (options.job) allocId = await randomJobAllocation(client, allocId);
  const alloc = await resolveAllocation(client, allocId, {
    length: idLength(options.verbose),
    verbose: options.verbose,
    ctx,
    listIsError: true,
  });
  if (typeof alloc === "number") return alloc;
  const task = chooseTask(alloc, options.task, args[1]);
  const scoped = client.with({ namespace: alloc.Namespace });
  const both = options.follow &&
    !(options.stderr || options.stdout || options.tail || options.lines > 0 || options.bytes > 0);
  if (both) {
    await followBoth(scoped, alloc.ID, task, ctx);
    return 0;
  }
  if (options.stderr && options.stdout) {
    throw new CommandError("Unable to support both stdout and stderr");
  }
  const type: LogType = options.stderr ? "stderr" : "stdout";
  try {
    await singleFile(scoped, alloc.ID, task, type, options, ctx);
  } catch (error) {
    throw new CommandError(`Failed to read ${type} file: ${errorMessage(error)}`);
  }
  return 0;
}

async function randomJobAllocation(client: NomadClient, jobPrefix: string): Promise<string> {
  const { id, namespace } = await jobIdByPrefix(client, jobPrefix);
  try {
    const allocs = (await client.with({ namespace }).jobs.allocations(id)).data;
    const running = allocs.filter((a) => a.ClientStatus === "running");
    const pool = running.length > 0 ? running : allocs;
    const chosen = pool[Math.floor(Math.random() * pool.length)];
    if (chosen === undefined) {
      throw new Error(`job ${JSON.stringify(id)} doesn't exist or it has no allocations`);
    }
    return chosen.ID;
  } catch (error) {
    throw new CommandError(`Error fetching allocations: ${errorMessage(error)}`);
  }
}

/** `-task` wins, then the second argument, then the only task of the group. */
function chooseTask(alloc: Allocation, flagTask: string, argTask: string | undefined): string {
  const group = alloc.Job?.TaskGroups?.find((g) => g.Name === alloc.TaskGroup);
  if (group === undefined) {
    throw new CommandError(
      `Failed to validate task: Could not find allocation task group: ${alloc.TaskGroup}`,
    );
  }
  const names = group.Tasks.map((t) => t.Name);
  if (flagTask !== "") {
    if (names.includes(flagTask)) return flagTask;
    throw new CommandError(
      `Failed to validate task: Could not find task named: ${flagTask}, found:\n${
        formatList(names)
      }`,
    );
  }
  if (argTask !== undefined) {
    if (argTask === "") throw new CommandError("Task name required");
    return argTask;
  }
  if (names.length === 1 && names[0] !== undefined) return names[0];
  const listing = names.map((n) => `  * ${n}\n`).join("");
  throw new CommandError(
    `Failed to validate task: Allocation "${
      limit(alloc.ID, SHORT_ID_LENGTH)
    }" is running the following tasks:\n${listing}\nPlease specify the task.`,
  );
}

async function singleFile(
  client: NomadClient,
  allocId: string,
  task: string,
  type: LogType,
  options: LogsOptions,
  ctx: CommandContext,
): Promise<void> {
  let lines = options.lines;
  let offset = 0;
  if (options.tail) {
    if (options.lines !== -1 && options.bytes !== -1) throw new Error("both -n and -c set");
    if (options.lines !== -1) offset = options.lines * BYTES_PER_LINE;
    else if (options.bytes !== -1) offset = options.bytes;
    else {
      lines = DEFAULT_TAIL_LINES;
      offset = DEFAULT_TAIL_LINES * BYTES_PER_LINE;
    }
  }
  const origin = options.tail ? "end" : "start";
  const keepLines = options.tail && lines !== -1 ? lines : -1;
  if (!options.follow) {
    const bytes = await client.fs.logs(allocId, { task, type, origin, offset });
    ctx.io.stdout.write(keepLines === -1 ? bytes : lastLines(bytes, keepLines));
    return;
  }
  const signal = ctx.io.interruptSignal();
  const frames = client.fs.logsStream(allocId, {
    task,
    type,
    origin,
    offset,
    follow: true,
    signal,
  });
  await followTail(
    frames,
    { lines: keepLines, searchLimit: keepLines * BYTES_PER_LINE, signal },
    (data) => ctx.io.stdout.write(data),
  );
}

/** `-f` alone: follow stdout and stderr from their current ends until interrupted. */
async function followBoth(
  client: NomadClient,
  allocId: string,
  task: string,
  ctx: CommandContext,
): Promise<void> {
  const interrupt = ctx.io.interruptSignal();
  const local = new AbortController();
  const stop = () => local.abort();
  interrupt.addEventListener("abort", stop, { once: true });
  if (interrupt.aborted) stop();
  let failure: unknown;
  const pump = async (type: LogType, write: (data: Uint8Array) => void) => {
    try {
      const frames = client.fs.logsStream(allocId, {
        task,
        type,
        origin: "end",
        offset: 1,
        follow: true,
        signal: local.signal,
      });
      for await (const frame of frames) write(frame.Data);
    } catch (error) {
      if (!local.signal.aborted) failure ??= error;
    } finally {
      stop();
    }
  };
  await Promise.all([
    pump("stdout", (data) => ctx.io.stdout.write(data)),
    pump("stderr", (data) => ctx.io.stderr.write(data)),
  ]);
  interrupt.removeEventListener("abort", stop);
  if (failure !== undefined) {
    throw new CommandError(`Failed to tail stdout and stderr files: ${errorMessage(failure)}`);
  }
}
