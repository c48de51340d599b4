/** `nomad var list|get|put|purge`: Nomad Variables from the command line. */

import { ApiError, type NomadClient, VariableConflictError } from "../../api/mod.ts";
import type { Variable, VariableMetadata } from "../../structs/mod.ts";
import { type Command, type CommandContext, RUN_RESULT_HELP } from "../cli.ts";
import { formatKV, formatList, formatUnixNanoTime } from "../format.ts";
import { errorMessage } from "../helpers.ts";
import {
  addClientFlags,
  clientFromFlags,
  commandErrorText,
  commandFlagSet,
  generalOptionsUsage,
  parseFlags,
} from "../meta.ts";

const OUT_FORMATS = ["json", "none", "table"];
const INVALID_OUT =
  'Invalid value for "-out"; valid values are [go-template, hcl, json, none, table]';
const WILDCARD = 'The wildcard namespace ("*") is not valid for this command.';

/** `nomad var`. */
export const varGroup: Command = {
  name: "var",
  synopsis: "Interact with variables",
  help: () =>
    `
Usage: nomad var <subcommand> [options] [args]

  This command groups subcommands for interacting with variables. Variables
  allow operators to provide credentials and otherwise sensitive material to
  Nomad jobs at runtime via the template block or directly through
  the Nomad API and CLI.

  Please see the individual subcommand help for detailed usage information.
`.trim(),
  run: () => Promise.resolve(RUN_RESULT_HELP),
};

function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** Nomad's table of one variable: metadata, then its items sorted by key. */
export function formatVariableTable(v: Variable): string {
  const meta = [
    `Namespace|${v.Namespace}`,
    `Path|${v.Path}`,
    `Create Time|${formatUnixNanoTime(v.CreateTime)}`,
  ];
  if (v.CreateTime !== v.ModifyTime) meta.push(`Modify Time|${formatUnixNanoTime(v.ModifyTime)}`);
  meta.push(`Check Index|${v.ModifyIndex}`);
  const items = Object.keys(v.Items ?? {}).sort().map((k) => `${k}|${v.Items![k]}`);
  return `${formatKV(meta)}\n\nItems\n${formatKV(items)}`;
}

/** Nomad's list of variables, or its "No matching variables found". */
export function formatVariableList(vars: readonly VariableMetadata[]): string {
  if (vars.length === 0) return "No matching variables found";
  const sorted = [...vars].sort((a, b) =>
    a.Namespace === b.Namespace ? (a.Path < b.Path ? -1 : 1) : a.Namespace < b.Namespace ? -1 : 1
  );
  return formatList([
    "Namespace|Path|Last Updated",
    ...sorted.map((v) => `${v.Namespace}|${v.Path}|${formatUnixNanoTime(v.ModifyTime)}`),
  ]);
}

function setup(command: Command, ctx: CommandContext, defaults: { out: string }) {
  const flags = commandFlagSet(command, ctx);
  const clientFlags = addClientFlags(flags);
  const out = flags.string("out", defaults.out, "Output format.");
  return { flags, clientFlags, out };
}

function checkOut(command: Command, ctx: CommandContext, out: string): boolean {
  if (OUT_FORMATS.includes(out)) return true;
  ctx.ui.error(INVALID_OUT);
  ctx.ui.error(commandErrorText(command));
  return false;
}

function client(ctx: CommandContext, flags: ReturnType<typeof addClientFlags>): NomadClient | null {
  const c = clientFromFlags(ctx, flags);
  if (c.config.namespace === "*") {
    ctx.ui.error(WILDCARD);
    return null;
  }
  return c;
}

/** Nomad's check-and-set conflict report. */
function reportConflict(ctx: CommandContext, error: VariableConflictError): void {
  const last = error.conflict.ModifyIndex > 0
    ? `The server-side item was last updated on ${formatUnixNanoTime(error.conflict.ModifyTime)}.\n`
    : "";
  ctx.ui.error("\nCheck-and-Set conflict\n");
  ctx.ui.error(
    `    Your provided check-index (${error.checkIndex}) does not match the server-side index (${error.conflict.ModifyIndex}).\n` +
      (last === "" ? "" : `    ${last}`) +
      `    If you are sure you want to perform this operation, add the -force or -check-index=${error.conflict.ModifyIndex} flag before the positional arguments.\n`,
  );
}

function parseCheckIndex(ctx: CommandContext, text: string): number | null | undefined {
  if (text === "") return null;
  if (!/^\d+$/.test(text)) {
    ctx.ui.error(`Invalid -check-index value "${text}": not parsable as uint64`);
    return undefined;
  }
  return Number(text);
}

/** `nomad var list`. */
export const varListCommand: Command = {
  name: "var list",
  synopsis: "List variable metadata",
  help: () =>
    `
Usage: nomad var list [options] <prefix>

  List is used to list available variables. Supplying an optional prefix,
  filters the list to variables having a path starting with the prefix.

General Options:

  ${generalOptionsUsage()}

List Options:

  -out (go-template | json | table | none)
    Format to render created or updated variable. Defaults to "none" when
    stdout is a terminal and "json" when the output is redirected.
`.trim(),
  run: async (args, ctx) => {
    const { flags, clientFlags, out } = setup(varListCommand, ctx, {
      out: ctx.io.stdoutIsTerminal ? "table" : "json",
    });
    const positional = parseFlags(flags, args);
    if (positional === null) return 1;
    if (positional.length > 1) {
      ctx.ui.error("This command takes flags and either no arguments or one: <prefix>");
      ctx.ui.error(commandErrorText(varListCommand));
      return 1;
    }
    if (!checkOut(varListCommand, ctx, out.value)) return 1;
    try {
      const c = clientFromFlags(ctx, clientFlags);
      const { data } = await c.variables.list({ prefix: positional[0] ?? "" });
      if (out.value === "json") ctx.ui.output(prettyJson(data));
      else if (out.value === "table") ctx.ui.output(formatVariableList(data));
      return 0;
    } catch (error) {
      ctx.ui.error(`Error retrieving vars: ${errorMessage(error)}`);
      return 1;
    }
  },
};

/** `nomad var get`. */
export const varGetCommand: Command = {
  name: "var get",
  synopsis: "Read a variable",
  help: () =>
    `
Usage: nomad var get [options] <path>

  The 'var get' command is used to get the contents of an existing variable.

General Options:

  ${generalOptionsUsage()}

Get Options:

  -item <item key>
     Print only the value of the given item. Specifying this option will
     take precedence over other formatting directives.

  -out (go-template | hcl | json | none | table)
     Format to render the variable in. Defaults to "table" when stdout is a
     terminal and "json" when the output is redirected.
`.trim(),
  run: async (args, ctx) => {
    const { flags, clientFlags, out } = setup(varGetCommand, ctx, {
      out: ctx.io.stdoutIsTerminal ? "table" : "json",
    });
    const item = flags.string("item", "", "Item to print.");
    const positional = parseFlags(flags, args);
    if (positional === null) return 1;
    if (positional.length !== 1) {
      ctx.ui.error("This command takes one argument: <path>");
      ctx.ui.error(commandErrorText(varGetCommand));
      return 1;
    }
    if (!checkOut(varGetCommand, ctx, out.value)) return 1;
    const c = client(ctx, clientFlags);
    if (c === null) return 1;
    let variable: Variable;
    try {
      variable = (await c.variables.read(positional[0]!)).data;
    } catch (error) {
      if (error instanceof ApiError && error.body === "variable not found") {
        ctx.ui.error("Variable not found");
        return 1;
      }
      ctx.ui.error(`Error retrieving variable: ${errorMessage(error)}`);
      return 1;
    }
    if (item.value !== "") {
      const value = variable.Items?.[item.value];
      if (value === undefined) {
        ctx.ui.error(`Variable does not contain "${item.value}" item`);
        return 1;
      }
      ctx.io.stdout.write(value);
      return 0;
    }
    if (out.value === "json") ctx.ui.output(prettyJson(variable));
    else if (out.value === "table") ctx.ui.output(formatVariableTable(variable));
    return 0;
  },
};

/** `nomad var put`. */
export const varPutCommand: Command = {
  name: "var put",
  synopsis: "Create or update a variable",
  help: () =>
    `
Usage:
nomad var put [options] <path> [<key>=<value>]...

  The 'var put' command is used to create or update an existing variable.
  Items are given as key=value arguments; a value of "-" reads it from stdin
  and "@file" reads it from a file.

General Options:

  ${generalOptionsUsage()}

Put Options:

  -check-index
     If set, the variable is only acted upon if the server-side version's
     modify index matches the provided value. When a variable specification
     contains a modify index, that modify index is used as the check-index
     for the check-and-set operation and can be overridden using this flag.

  -force
     Perform this operation regardless of the state or index of the variable
     on the server-side.

  -out (go-template | hcl | json | none | table)
     Format to render created or updated variable. Defaults to "none" when
     stdout is a terminal and "json" when the output is redirected.
`.trim(),
  run: async (args, ctx) => {
    const { flags, clientFlags, out } = setup(varPutCommand, ctx, {
      out: ctx.io.stdoutIsTerminal ? "none" : "json",
    });
    const force = flags.bool("force", false, "Ignore the server-side index.");
    const checkIndexText = flags.string("check-index", "", "Expected modify index.");
    const positional = parseFlags(flags, args);
    if (positional === null) return 1;
    if (positional.length < 1) {
      ctx.ui.error("Not enough arguments (expected >1, got 0)");
      ctx.ui.error(commandErrorText(varPutCommand));
      return 1;
    }
    if (!checkOut(varPutCommand, ctx, out.value)) return 1;
    const checkIndex = parseCheckIndex(ctx, checkIndexText.value);
    if (checkIndex === undefined) return 1;
    const [path, ...pairs] = positional;
    const items: Record<string, string> = {};
    for (const pair of pairs) {
      const eq = pair.indexOf("=");
      if (eq <= 0) {
        ctx.ui.error(`Error parsing arguments: invalid item "${pair}": expected <key>=<value>`);
        return 1;
      }
      const key = pair.slice(0, eq);
      let value = pair.slice(eq + 1);
      try {
        if (value === "-") value = await ctx.io.readStdin();
        else if (value.startsWith("@")) value = await Deno.readTextFile(value.slice(1));
      } catch (error) {
        ctx.ui.error(`Error reading value of "${key}": ${errorMessage(error)}`);
        return 1;
      }
      items[key] = value;
    }
    if (Object.keys(items).length === 0) {
      ctx.ui.error("Variable must contain at least one item");
      return 1;
    }
    const c = client(ctx, clientFlags);
    if (c === null) return 1;
    let variable: Variable;
    try {
      variable = await c.variables.put(
        { Namespace: c.config.namespace || "default", Path: path!, Items: items },
        force.value ? null : checkIndex ?? 0,
      );
    } catch (error) {
      if (error instanceof VariableConflictError) {
        reportConflict(ctx, error);
        return 1;
      }
      ctx.ui.error(`Error creating variable: ${errorMessage(error)}`);
      return 1;
    }
    const message = `Created variable "${variable.Path}" with modify index ${variable.ModifyIndex}`;
    if (out.value === "none") ctx.ui.output(message);
    else if (out.value === "json") ctx.ui.output(prettyJson(variable));
    else ctx.ui.output(formatVariableTable(variable));
    return 0;
  },
};

/** `nomad var purge`. */
export const varPurgeCommand: Command = {
  name: "var purge",
  synopsis: "Purge a variable",
  help: () =>
    `
Usage: nomad var purge [options] <path>

  Purge is used to permanently delete an existing variable.

General Options:

  ${generalOptionsUsage()}

Purge Options:

  -check-index
     If set, the variable is only purged if the server-side version's modify
     index matches the provided value.
`.trim(),
  run: async (args, ctx) => {
    const flags = commandFlagSet(varPurgeCommand, ctx);
    const clientFlags = addClientFlags(flags);
    const checkIndexText = flags.string("check-index", "", "Expected modify index.");
    const positional = parseFlags(flags, args);
    if (positional === null) return 1;
    if (positional.length !== 1) {
      ctx.ui.error("This command takes one argument: <path>");
      ctx.ui.error(commandErrorText(varPurgeCommand));
      return 1;
    }
    const checkIndex = parseCheckIndex(ctx, checkIndexText.value);
    if (checkIndex === undefined) return 1;
    const c = client(ctx, clientFlags);
    if (c === null) return 1;
    try {
      await c.variables.delete(positional[0]!, checkIndex);
    } catch (error) {
      if (error instanceof VariableConflictError) {
        reportConflict(ctx, error);
        return 1;
      }
      ctx.ui.error(`Error purging variable: ${errorMessage(error)}`);
      return 1;
    }
    ctx.ui.output(`Successfully purged variable "${positional[0]}"!`);
    return 0;
  },
};
