/** `nomad alloc status <alloc>`: an allocation's placement, addresses and task events. */

import type { NomadClient } from "../../api/mod.ts";
import type { Allocation, AllocationListStub } from "../../structs/mod.ts";
import type { Command, CommandContext } from "../cli.ts";
import { quote } from "../format.ts";
import { formatData } from "../data_format.ts";
import {
  errorMessage,
  formatAllocListStubs,
  formatAllocMetrics,
  sanitizeUUIDPrefix,
} from "../helpers.ts";
import {
  addClientFlags,
  clientFromFlags,
  commandErrorText,
  commandFlagSet,
  generalOptionsUsage,
  idLength,
  parseFlags,
} from "../meta.ts";
import {
  formatAllocAddresses,
  formatAllocBasics,
  formatAllocShortInfo,
  formatShortTasks,
  formatTaskResources,
  formatTaskStatus,
  sortedTaskNames,
  taskHeading,
} from "./alloc_format.ts";

const HELP = `
Usage: nomad alloc status [options] <allocation>

  Display information about existing allocations and its tasks. This command can
  be used to inspect the current status of an allocation, including its running
  status, metadata, and verbose failure messages reported by internal
  subsystems.

General Options:

  ${generalOptionsUsage()}

Alloc Status Options:

  -short
    Display short output. Shows only the most recent task event.

  -verbose
    Show full information.

  -json
    Output the allocation in its JSON format.
`;

/** `nomad alloc status`. */
export const allocStatusCommand: Command = {
  name: "alloc status",
  synopsis: "Display allocation status information and metadata",
  help: () => HELP.trim(),
  run: (args, ctx) => runAllocStatus(allocStatusCommand, args, ctx),
};

async function runAllocStatus(
  command: Command,
  args: string[],
  ctx: CommandContext,
): Promise<number> {
  const flags = commandFlagSet(command, ctx);
  const clientFlags = addClientFlags(flags);
  const short = flags.bool("short");
  const verbose = flags.bool("verbose");
  flags.bool("stats");
  const json = flags.bool("json");
  const template = flags.string("t");
  const positional = parseFlags(flags, args);
  if (positional === null) return 1;
  const client = clientFromFlags(ctx, clientFlags);
  if (positional.length === 0 && (json.value || template.value !== "")) {
    return await listAllocationsFormatted(
      client,
      { json: json.value, template: template.value },
      ctx,
    );
  }
  if (positional.length !== 1) {
    ctx.ui.error("This command takes one of the following argument conditions:");
    ctx.ui.error(" * A single <allocation>");
    ctx.ui.error(" * No arguments, with output format specified");
    ctx.ui.error(commandErrorText(command));
    return 1;
  }
  const length = idLength(verbose.value);
  const alloc = await resolveAllocation(client, positional[0] ?? "", {
    length,
    verbose: verbose.value,
    ctx,
    listIsError: false,
  });
  if (typeof alloc === "number") return alloc;
  if (json.value || template.value !== "") {
    return printFormatted(() => formatData(json.value, template.value, alloc), ctx);
  }
  printAllocation(alloc, { short: short.value, verbose: verbose.value, length }, ctx);
  return 0;
}

/** Prints `format()`'s text, or its error (exit 1). */
function printFormatted(format: () => string, ctx: CommandContext): number {
  let out: string;
  try {
    out = format();
  } catch (error) {
    ctx.ui.error(errorMessage(error));
    return 1;
  }
  ctx.ui.output(out);
  return 0;
}

async function listAllocationsFormatted(
  client: NomadClient,
  format: { json: boolean; template: string },
  ctx: CommandContext,
): Promise<number> {
  let allocs;
  try {
    allocs = (await client.allocations.list()).data;
  } catch (error) {
    ctx.ui.error(`Error querying allocations: ${errorMessage(error)}`);
    return 1;
  }
  return printFormatted(() => formatData(format.json, format.template, allocs), ctx);
}

/**
 * Resolves an allocation ID prefix to the full allocation; prints Nomad's
 * messages and returns an exit code when it cannot. Several matches are
 * listed (on stdout with exit 0 for `alloc status`, on stderr with exit 1 for
 * `alloc logs`, as Nomad does).
 */
export async function resolveAllocation(
  client: NomadClient,
  prefix: string,
  options: { length: number; verbose: boolean; ctx: CommandContext; listIsError: boolean },
): Promise<Allocation | number> {
  const { ctx } = options;
  if (prefix.length === 1) {
    ctx.ui.error(
      options.listIsError
        ? "Alloc ID must contain at least two characters."
        : "Identifier must contain at least two characters.",
    );
    return 1;
  }
  const id = sanitizeUUIDPrefix(prefix);
  let stubs: AllocationListStub[];
  try {
    stubs = (await client.allocations.prefixList(id)).data;
  } catch (error) {
    ctx.ui.error(`Error querying allocation: ${errorMessage(error)}`);
    return 1;
  }
  const first = stubs[0];
  if (first === undefined) {
    ctx.ui.error(`No allocation(s) with prefix or id ${quote(id)} found`);
    return 1;
  }
  if (stubs.length > 1) {
    const table = formatAllocListStubs(stubs, {
      verbose: options.verbose,
      length: options.length,
      nowMs: ctx.io.now(),
    });
    const text = `Prefix matched multiple allocations\n\n${table}`;
    if (options.listIsError) ctx.ui.error(text);
    else ctx.ui.output(text);
    return options.listIsError ? 1 : 0;
  }
  try {
    return (await client.with({ namespace: first.Namespace }).allocations.info(first.ID)).data;
  } catch (error) {
    ctx.ui.error(`Error querying allocation: ${errorMessage(error)}`);
    return 1;
  }
}

function printAllocation(
  alloc: Allocation,
  options: { short: boolean; verbose: boolean; length: number },
  ctx: CommandContext,
): void {
  const nowMs = ctx.io.now();
  if (options.short) {
    ctx.ui.output(formatAllocShortInfo(alloc, nowMs));
    ctx.ui.output("\nTasks");
    ctx.ui.output(formatShortTasks(alloc));
    return;
  }
  ctx.ui.output(
    formatAllocBasics(alloc, { length: options.length, verbose: options.verbose, nowMs }),
  );
  const addresses = formatAllocAddresses(alloc);
  if (addresses !== "") ctx.ui.output("\n" + addresses);
  for (const task of sortedTaskNames(alloc)) {
    const state = alloc.TaskStates?.[task];
    if (state === undefined) continue;
    ctx.ui.output("\n" + taskHeading(alloc, task, state));
    const resources = formatTaskResources(alloc, task);
    if (resources !== "") ctx.ui.output(resources);
    ctx.ui.output("");
    ctx.ui.output(formatTaskStatus(state));
  }
  if (options.verbose && alloc.Metrics) {
    ctx.ui.output("\nPlacement Metrics");
    ctx.ui.output(formatAllocMetrics(alloc.Metrics, true, "  "));
  }
}
