/**
 * `nomad status [<id>]`: with no argument lists jobs; with an ID or prefix it
 * finds what the ID names (job, allocation, node, evaluation) and shows that.
 */

import { ApiError, type NomadClient } from "../../api/mod.ts";
import type { Command, CommandContext } from "../cli.ts";
import { quote } from "../format.ts";
import { errorMessage, sanitizeUUIDPrefix } from "../helpers.ts";
import { addClientFlags, clientFromFlags, commandFlagSet, generalOptionsUsage } from "../meta.ts";
import { allocStatusCommand } from "./alloc_status.ts";
import { runJobStatus } from "./job_status.ts";
import { nodeStatusCommand } from "./node_status.ts";

const HELP = `
Usage: nomad status [options] <identifier>

  Display the status output for any Nomad resource using the given identifier
  or prefix. If no identifier is given, the list of jobs is displayed.

General Options:

  ${generalOptionsUsage()}

Status Options:

  -verbose
    Display full information.
`;

/** Contexts searched, in the order used to settle ambiguous prefixes. */
const CONTEXTS = ["jobs", "allocs", "nodes", "evals"] as const;
type Context = typeof CONTEXTS[number];

/** `nomad status`. */
export const statusCommand: Command = {
  name: "status",
  synopsis: "Display the status output for a resource",
  help: () => HELP.trim(),
  run: (args, ctx) => runStatus(args, ctx),
};

async function runStatus(args: string[], ctx: CommandContext): Promise<number> {
  // Parse a throwaway flag set only to find the positional ID; the chosen
  // command parses the arguments again with its own flags.
  const flags = commandFlagSet(statusCommand, { ...ctx, ui: silentUi(ctx) });
  const clientFlags = addClientFlags(flags);
  for (const name of ["verbose", "short", "evals", "all-allocs", "json", "self", "stats"]) {
    flags.bool(name);
  }
  flags.string("t");
  const parsed = flags.parse(args);
  const positional = parsed.ok ? parsed.args : [];
  if (positional.length === 0) return await runJobStatus(statusCommand, args, ctx);
  const id = positional[positional.length - 1] ?? "";
  const client = clientFromFlags(ctx, clientFlags);
  let matches: Map<Context, string[]>;
  try {
    matches = await prefixMatches(client, id);
  } catch (error) {
    ctx.ui.error(`Error querying search with id: ${quote(errorMessage(error))}`);
    return 1;
  }
  const resolved = resolve(id, matches);
  if (resolved === "ambiguous") {
    ctx.ui.error(multiMatchText(id, matches));
    return 1;
  }
  if (resolved === undefined) {
    ctx.ui.error(`No matches returned for query: ${quote(id)}`);
    return 1;
  }
  const rest = [...args.slice(0, args.lastIndexOf(id)), resolved.id];
  switch (resolved.context) {
    case "jobs":
      return await runJobStatus(statusCommand, rest, ctx);
    case "allocs":
      return await allocStatusCommand.run(rest, ctx);
    case "nodes":
      return await nodeStatusCommand.run(rest, ctx);
    case "evals":
      ctx.ui.error(`Unable to resolve ID: ${quote(id)}`);
      return 1;
  }
}

function silentUi(ctx: CommandContext): CommandContext["ui"] {
  const ui = Object.create(ctx.ui) as CommandContext["ui"];
  ui.error = () => {};
  ui.output = () => {};
  return ui;
}

/** Matches per context from `/v1/search`, or from list prefixes when search is unavailable. */
async function prefixMatches(client: NomadClient, id: string): Promise<Map<Context, string[]>> {
  try {
    const response = await client.search.prefixSearch(id, "all");
    return new Map(CONTEXTS.map((c) => [c, response.Matches[c] ?? []]));
  } catch (error) {
    if (!(error instanceof ApiError) || (error.statusCode !== 404 && error.statusCode !== 405)) {
      throw error;
    }
  }
  const uuid = sanitizeUUIDPrefix(id);
  const quiet = async (list: () => Promise<{ data: { ID: string }[] }>) => {
    try {
      return (await list()).data.map((item) => item.ID);
    } catch {
      return [];
    }
  };
  return new Map<Context, string[]>([
    ["jobs", await quiet(() => client.jobs.prefixList(id))],
    ["allocs", uuid.length >= 2 ? await quiet(() => client.allocations.prefixList(uuid)) : []],
    ["nodes", uuid.length >= 2 ? await quiet(() => client.nodes.prefixList(uuid)) : []],
    ["evals", uuid.length >= 2 ? await quiet(() => client.evaluations.list({ prefix: uuid })) : []],
  ]);
}

function resolve(
  id: string,
  matches: ReadonlyMap<Context, string[]>,
): { context: Context; id: string } | "ambiguous" | undefined {
  const found = [...matches.entries()].filter(([, ids]) => ids.length > 0);
  for (const [context, ids] of found) {
    if (ids[0] === id) return { context, id };
  }
  if (found.length === 0) return undefined;
  const [context, ids] = found[0] ?? ["jobs", []];
  if (found.length > 1 || ids.length > 1) return "ambiguous";
  return { context, id: ids[0] ?? id };
}

function multiMatchText(id: string, matches: ReadonlyMap<Context, string[]>): string {
  const sections = [...matches.entries()]
    .filter(([, ids]) => ids.length > 0)
    .map(([context, ids]) =>
      `\n${context[0]?.toUpperCase()}${context.slice(1)}:\n${ids.join("\n")}`
    );
  return `Multiple matches found for id ${quote(id)}\n${sections.join("\n")}`;
}
