/** `nomad server members`: the servers known through gossip, with the leader marked. */

import type { AgentMember, NomadClient } from "../../api/mod.ts";
import type { Command, CommandContext } from "../cli.ts";
import { columnize, quote } from "../format.ts";
import { errorMessage } from "../helpers.ts";
import {
  addClientFlags,
  clientFromFlags,
  commandErrorText,
  commandFlagSet,
  generalOptionsUsage,
  parseFlags,
} from "../meta.ts";

const HELP = `
Usage: nomad server members [options]

  Display a list of the known servers and their status. Only Nomad servers are
  able to service this command.

General Options:

  ${generalOptionsUsage({ namespace: false })}

Server Members Options:

  -verbose
    Show detailed information about each member. This dumps a raw set of tags
    which shows more information than the default output format.

  -json
    Output the latest information about each member in a JSON format.
`;

/** `nomad server members`. */
export const serverMembersCommand: Command = {
  name: "server members",
  synopsis: "Display a list of known servers and their status",
  help: () => HELP.trim(),
  run: (args, ctx) => runServerMembers(serverMembersCommand, args, ctx),
};

async function runServerMembers(
  command: Command,
  args: string[],
  ctx: CommandContext,
): Promise<number> {
  const flags = commandFlagSet(command, ctx);
  const clientFlags = addClientFlags(flags);
  const detailed = flags.bool("detailed");
  const verboseFlag = flags.bool("verbose");
  const json = flags.bool("json");
  const positional = parseFlags(flags, args);
  if (positional === null) return 1;
  if (positional.length !== 0) {
    ctx.ui.error("This command takes no arguments");
    ctx.ui.error(commandErrorText(command));
    return 1;
  }
  const verbose = verboseFlag.value || detailed.value;
  const client = clientFromFlags(ctx, clientFlags);
  let members: AgentMember[];
  try {
    members = [...((await client.agent.members()).Members ?? [])];
  } catch (error) {
    ctx.ui.error(`Error querying servers: ${errorMessage(error)}`);
    return 1;
  }
  members.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
  const { leaders, errors } = await regionLeaders(client, members);
  if (json.value) {
    const tagged = members.map((m) => ({
      ...m,
      Tags: { ...m.Tags, Leader: String(isLeader(m, leaders)) },
    }));
    ctx.ui.output(JSON.stringify(tagged, null, 4));
    return 0;
  }
  ctx.ui.output(
    columnize(verbose ? verboseRows(members, leaders) : standardRows(members, leaders)),
  );
  if (errors.length > 0) {
    ctx.ui.output("");
    ctx.ui.warn(`Error determining leaders: ${formatErrors(errors)}`);
    return 1;
  }
  return 0;
}

function standardRows(
  members: readonly AgentMember[],
  leaders: ReadonlyMap<string, string>,
): string[] {
  return [
    "Name|Address|Port|Status|Leader|Raft Version|Build|Datacenter|Region",
    ...members.map((m) =>
      [
        m.Name,
        m.Addr,
        m.Port,
        m.Status,
        isLeader(m, leaders),
        m.Tags["raft_vsn"] ?? "",
        m.Tags["build"] ?? "",
        m.Tags["dc"] ?? "",
        m.Tags["region"] ?? "",
      ].join("|")
    ),
  ];
}

function verboseRows(
  members: readonly AgentMember[],
  leaders: ReadonlyMap<string, string>,
): string[] {
  return [
    "Name|Address|Port|Status|Leader|Protocol|Raft Version|Build|Datacenter|Region|Tags",
    ...members.map((m) => {
      const tags = Object.entries(m.Tags).map(([k, v]) => `${k}=${v}`).join(",");
      return [
        m.Name,
        m.Addr,
        m.Port,
        m.Status,
        isLeader(m, leaders),
        m.ProtocolCur ?? 0,
        m.Tags["raft_vsn"] ?? "",
        m.Tags["build"] ?? "",
        m.Tags["dc"] ?? "",
        m.Tags["region"] ?? "",
        tags,
      ].join("|");
    }),
  ];
}

/** Leader RPC address per region of the (not departed) members. */
async function regionLeaders(
  client: NomadClient,
  members: readonly AgentMember[],
): Promise<{ leaders: Map<string, string>; errors: string[] }> {
  const regions = new Set(
    members.filter((m) => m.Status !== "left").map((m) => m.Tags["region"] ?? ""),
  );
  const leaders = new Map<string, string>();
  const errors: string[] = [];
  for (const region of [...regions].sort()) {
    try {
      leaders.set(region, await client.status.leader(region));
    } catch (error) {
      errors.push(`Region ${quote(region)}: ${errorMessage(error)}`);
    }
  }
  return { leaders, errors };
}

function isLeader(member: AgentMember, leaders: ReadonlyMap<string, string>): boolean {
  const host = member.Addr.includes(":") ? `[${member.Addr}]` : member.Addr;
  return leaders.get(member.Tags["region"] ?? "") === `${host}:${member.Tags["port"] ?? ""}`;
}

/** go-multierror's layout. */
function formatErrors(errors: readonly string[]): string {
  if (errors.length === 1) return `1 error occurred:\n\t* ${errors[0]}\n\n`;
  return `${errors.length} errors occurred:\n${errors.map((e) => `\t* ${e}`).join("\n")}\n\n`;
}
