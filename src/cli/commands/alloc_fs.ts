/** `nomad alloc fs` (alias `nomad fs`): list, stat, print or follow files of an allocation directory. */

import type { AllocFileInfo, NomadClient } from "../../api/mod.ts";
import type { Allocation } from "../../structs/mod.ts";
import type { Command, CommandContext } from "../cli.ts";
import { formatList, formatTime, humanizeIBytes } from "../format.ts";
import { errorMessage, jobIdByPrefix } from "../helpers.ts";
import {
  addClientFlags,
  clientFromFlags,
  commandErrorText,
  commandFlagSet,
  generalOptionsUsage,
  idLength,
  parseFlags,
} from "../meta.ts";
import { BYTES_PER_LINE, DEFAULT_TAIL_LINES } from "./alloc_logs.ts";
import { resolveAllocation } from "./alloc_status.ts";
import { followTail, lastLines } from "./log_tail.ts";

const HELP = `
Usage: nomad alloc fs [options] <allocation> <path>
Alias: nomad fs

  fs displays either the contents of an allocation directory for the passed
  allocation, or displays the file at the given path. The path is relative to
  the root of the alloc dir and defaults to root if unspecified.

General Options:

  ${generalOptionsUsage()}

FS Specific Options:

  -H
    Machine friendly output.

  -verbose
    Show full information.

  -job <job-id>
    Use a random allocation from the specified job ID.

  -stat
    Show file stat information instead of displaying the file, or listing the directory.

  -f
    Causes the output to not stop when the end of the file is reached, but rather to
    wait for additional output.

  -tail
    Show the files contents with offsets relative to the end of the file. If no
    offset is given, -n is defaulted to 10.

  -n
    Sets the tail location in best-efforted number of lines relative to the end
    of the file.

  -c
    Sets the tail location in number of bytes relative to the end of the file.
`;

interface FsOptions {
  machine: boolean;
  stat: boolean;
  follow: boolean;
  tail: boolean;
  lines: number;
  bytes: number;
}

/** `nomad alloc fs`. */
export const allocFsCommand: Command = {
  name: "alloc fs",
  synopsis: "Inspect the contents of an allocation directory",
  help: () => HELP.trim(),
  run: (args, ctx) => runAllocFs(allocFsCommand, args, ctx),
};

/** Runs `alloc fs` for `command` (shared by the `fs` alias). */
export async function runAllocFs(
  command: Command,
  args: string[],
  ctx: CommandContext,
): Promise<number> {
  const flags = commandFlagSet(command, ctx);
  const clientFlags = addClientFlags(flags);
  const f = {
    verbose: flags.bool("verbose", false, "Show full information."),
    machine: flags.bool("H", false, "Machine friendly output."),
    job: flags.bool("job", false, "Use a random allocation of the job."),
    stat: flags.bool("stat", false, "Show file stat information."),
    follow: flags.bool("f", false, "Follow the file."),
    tail: flags.bool("tail", false, "Offsets relative to the end."),
    lines: flags.int("n", -1, "Lines from the end."),
    bytes: flags.int("c", -1, "Bytes from the end."),
  };
  const positional = parseFlags(flags, args);
  if (positional === null) return 1;
  if (positional.length < 1) {
    ctx.ui.error(f.job.value ? "A job ID is required" : "An allocation ID is required");
    ctx.ui.error(commandErrorText(command));
    return 1;
  }
  if (positional.length > 2) {
    ctx.ui.error("This command takes one or two arguments: <allocation> [<path>]");
    ctx.ui.error(commandErrorText(command));
    return 1;
  }
  const client = clientFromFlags(ctx, clientFlags);
  let allocId = positional[0]!;
  if (f.job.value) {
    try {
      allocId = await randomJobAllocation(client, allocId);
    } catch (error) {
      ctx.ui.error(`Error fetching allocations: ${errorMessage(error)}`);
      return 1;
    }
  }
  const alloc = await resolveAllocation(client, allocId, {
    length: idLength(f.verbose.value),
    verbose: f.verbose.value,
    ctx,
    listIsError: true,
  });
  if (typeof alloc === "number") return alloc;
  const options: FsOptions = {
    machine: f.machine.value,
    stat: f.stat.value,
    follow: f.follow.value,
    tail: f.tail.value,
    lines: f.lines.value,
    bytes: f.bytes.value,
  };
  return await showPath(client.with({ namespace: alloc.Namespace }), alloc, {
    path: positional[1] ?? "/",
    options,
    ctx,
  });
}

async function randomJobAllocation(client: NomadClient, prefix: string): Promise<string> {
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

function displayName(file: AllocFileInfo): string {
  return file.IsDir ? `${file.Name}/` : file.Name;
}

function displaySize(file: AllocFileInfo, machine: boolean): string {
  return machine ? String(file.Size) : humanizeIBytes(file.Size);
}

async function showPath(
  client: NomadClient,
  alloc: Allocation,
  request: { path: string; options: FsOptions; ctx: CommandContext },
): Promise<number> {
  const { path, options, ctx } = request;
  let file: AllocFileInfo;
  try {
    file = await client.allocFs.stat(alloc.ID, path);
  } catch (error) {
    ctx.ui.error(errorMessage(error));
    return 1;
  }
  if (options.stat) {
    const row = [
      file.FileMode,
      displaySize(file, options.machine),
      formatTime(Date.parse(file.ModTime)),
      file.ContentType ?? "",
      displayName(file),
    ].join("|");
    ctx.ui.output(formatList(["Mode|Size|Modified Time|Content Type|Name", row]));
    return 0;
  }
  if (file.IsDir) {
    let files: AllocFileInfo[];
    try {
      files = await client.allocFs.list(alloc.ID, path);
    } catch (error) {
      ctx.ui.error(`Error listing alloc dir: ${errorMessage(error)}`);
      return 1;
    }
    const rows = files.map((f) =>
      [
        f.FileMode,
        displaySize(f, options.machine),
        formatTime(Date.parse(f.ModTime)),
        displayName(f),
      ]
        .join("|")
    );
    ctx.ui.output(formatList(["Mode|Size|Modified Time|Name", ...rows]));
    return 0;
  }
  return await showFile(client, alloc, { path, size: file.Size, options, ctx });
}

async function showFile(
  client: NomadClient,
  alloc: Allocation,
  request: { path: string; size: number; options: FsOptions; ctx: CommandContext },
): Promise<number> {
  const { path, options, ctx } = request;
  if (!options.tail) {
    try {
      if (options.follow) {
        await follow(client, alloc, { path, origin: "start", offset: 0, lines: -1, ctx });
      } else ctx.io.stdout.write(await client.allocFs.cat(alloc.ID, path));
    } catch (error) {
      ctx.ui.error(`Error reading file: ${errorMessage(error)}`);
      return 1;
    }
    return 0;
  }
  let offset = DEFAULT_TAIL_LINES * BYTES_PER_LINE;
  let lines = options.lines;
  if (options.lines !== -1 && options.bytes !== -1) {
    ctx.ui.error("Both -n and -c are not allowed");
    return 1;
  }
  if (options.lines < -1 || options.bytes < -1) {
    ctx.ui.error("Invalid size is specified");
    return 1;
  }
  if (options.lines !== -1) offset = options.lines * BYTES_PER_LINE;
  else if (options.bytes !== -1) offset = options.bytes;
  else lines = DEFAULT_TAIL_LINES;
  offset = Math.min(offset, request.size);
  try {
    if (options.follow) await follow(client, alloc, { path, origin: "end", offset, lines, ctx });
    else {
      const bytes = await client.allocFs.readAt(alloc.ID, path, request.size - offset);
      ctx.io.stdout.write(lines === -1 ? bytes : lastLines(bytes, lines));
    }
  } catch (error) {
    ctx.ui.error(`Error tailing file: ${errorMessage(error)}`);
    return 1;
  }
  return 0;
}

async function follow(
  client: NomadClient,
  alloc: Allocation,
  request: {
    path: string;
    origin: "start" | "end";
    offset: number;
    lines: number;
    ctx: CommandContext;
  },
): Promise<void> {
  const signal = request.ctx.io.interruptSignal();
  const frames = client.allocFs.stream(alloc.ID, {
    path: request.path,
    origin: request.origin,
    offset: request.offset,
    follow: true,
    signal,
  });
  await followTail(
    frames,
    { lines: request.lines, searchLimit: request.lines * BYTES_PER_LINE, signal },
    (data) => request.ctx.io.stdout.write(data),
  );
}
