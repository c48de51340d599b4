/**
 * The command tree and dispatcher, with the behaviour of mitchellh/cli that
 * Nomad users see: nested commands chosen by longest prefix ("job run"),
 * `-h`/`-help`/`--help` anywhere before `--` shows the command's help (exit
 * 0), an unknown command prints the top-level help (exit 127), and a parent
 * command without a subcommand prints its help with a subcommand list (exit 1).
 */

import type { CliIo } from "./io.ts";
import { Ui } from "./io.ts";

/** Returned by a command's `run` to ask for its help text to be shown (exit 1). */
export const RUN_RESULT_HELP = -18511;

/** What a command receives besides its arguments. */
export interface CommandContext {
  /** Process streams, environment and stdin. */
  io: CliIo;
  /** Line-oriented writer over `io`. */
  ui: Ui;
}

/** One command of the tree, keyed by its full name ("job run"). */
export interface Command {
  /** Full name with spaces between levels. */
  readonly name: string;
  /** One-line description for help listings. */
  readonly synopsis: string;
  /** Full help text. */
  help(): string;
  /** Runs the command; returns the exit code or {@linkcode RUN_RESULT_HELP}. */
  run(args: string[], ctx: CommandContext): Promise<number>;
  /** Left out of help listings. */
  readonly hidden?: boolean;
  /** Receives `-h`/`-help` itself instead of the dispatcher printing help (agent, executor). */
  readonly ownsHelpFlag?: boolean;
}

/** Settings of the top-level help and version output. */
export interface CliOptions {
  /** First line of `nomad version` / `nomad -v`. */
  versionText: string;
  /** Commands listed first under "Common commands:". */
  commonCommands: readonly string[];
  /** Top-level aliases left out of "Other commands:" ("logs", "init"). */
  aliases: readonly string[];
}

interface ParsedArgs {
  subcommand: string;
  subcommandArgs: string[];
  topFlags: string[];
  isHelp: boolean;
  isVersion: boolean;
}

/** Dispatches `args` to the matching command; returns the process exit code. */
export async function runCli(
  commands: readonly Command[],
  args: readonly string[],
  io: CliIo,
  options: CliOptions,
): Promise<number> {
  const tree = new Map(commands.map((c) => [c.name, c]));
  const parsed = processArgs(tree, args);
  const ui = new Ui(io);
  if (parsed.isVersion) {
    io.stdout.write(options.versionText + "\n");
    return 0;
  }
  if (parsed.isHelp && parsed.subcommand === "") {
    io.stdout.write(rootHelp(tree, options) + "\n");
    return 0;
  }
  const command = tree.get(parsed.subcommand);
  if (command === undefined) {
    io.stdout.write(rootHelp(tree, options) + "\n");
    return 127;
  }
  if (parsed.isHelp && !command.ownsHelpFlag) {
    io.stdout.write(commandHelp(tree, command));
    return 0;
  }
  if (parsed.topFlags.length > 0) {
    io.stdout.write(
      "Invalid flags before the subcommand. If these flags are for\n" +
        "the subcommand, please put them after the subcommand.\n\n",
    );
    io.stdout.write(commandHelp(tree, command));
    return 1;
  }
  const code = await command.run(parsed.subcommandArgs, { io, ui });
  if (code === RUN_RESULT_HELP) {
    io.stdout.write(commandHelp(tree, command));
    return 1;
  }
  return code;
}

function processArgs(tree: ReadonlyMap<string, Command>, args: readonly string[]): ParsedArgs {
  const parsed: ParsedArgs = {
    subcommand: "",
    subcommandArgs: [],
    topFlags: [],
    isHelp: false,
    isVersion: false,
  };
  let owner: Command | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "--") break;
    if (arg === "-h" || arg === "-help" || arg === "--help") {
      if (!owner?.ownsHelpFlag) parsed.isHelp = true;
      continue;
    }
    if (parsed.subcommand === "") {
      if (arg === "-v" || arg === "-version" || arg === "--version") {
        parsed.isVersion = true;
        continue;
      }
      if (arg.startsWith("-")) parsed.topFlags.push(arg);
      else if (arg !== "") {
        const key = longestCommand(tree, args.slice(i));
        parsed.subcommand = key ?? arg;
        i += key === undefined ? 0 : key.split(" ").length - 1;
        parsed.subcommandArgs = args.slice(i + 1);
        owner = tree.get(parsed.subcommand);
      }
    }
  }
  return parsed;
}

/** The longest registered command name that the leading words of `words` spell. */
function longestCommand(
  tree: ReadonlyMap<string, Command>,
  words: readonly string[],
): string | undefined {
  let best: string | undefined;
  for (let n = 1; n <= words.length; n++) {
    const key = words.slice(0, n).join(" ");
    if (tree.has(key)) best = key;
    if (![...tree.keys()].some((k) => k === key || k.startsWith(key + " "))) break;
  }
  return best;
}

/** Visible direct children of `prefix` ("" for the top level). */
function children(tree: ReadonlyMap<string, Command>, prefix: string): Command[] {
  const start = prefix === "" ? "" : prefix + " ";
  return [...tree.values()]
    .filter((c) => !c.hidden && c.name.startsWith(start) && c.name !== prefix)
    .filter((c) => !c.name.slice(start.length).includes(" "))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A command's help, followed by its subcommands when it has any. */
export function commandHelp(tree: ReadonlyMap<string, Command>, command: Command): string {
  const subs = children(tree, command.name);
  if (subs.length === 0) return command.help() + "\n";
  const lastWord = (name: string) => name.slice(name.lastIndexOf(" ") + 1);
  const longest = Math.max(...subs.map((c) => lastWord(c.name).length));
  const lines = subs.map((c) => `    ${lastWord(c.name).padEnd(longest)}    ${c.synopsis}`);
  return `${command.help()}\n\nSubcommands:\n${lines.join("\n")}\n`;
}

/** Nomad's top-level usage: common commands first, then the others. */
export function rootHelp(tree: ReadonlyMap<string, Command>, options: CliOptions): string {
  const top = children(tree, "");
  const common = options.commonCommands
    .map((name) => tree.get(name))
    .filter((c): c is Command => c !== undefined);
  const others = top.filter((c) =>
    !options.commonCommands.includes(c.name) && !options.aliases.includes(c.name)
  );
  return [
    "Usage: nomad [-version] [-help] [-autocomplete-(un)install] <command> [args]",
    "",
    "Common commands:",
    ...tabulate(common),
    "",
    "Other commands:",
    ...tabulate(others),
  ].join("\n").trim();
}

/** Go's tabwriter with padding 6 over `    name\tsynopsis` lines. */
function tabulate(commands: readonly Command[]): string[] {
  const width = Math.max(0, ...commands.map((c) => c.name.length + 4)) + 6;
  return commands.map((c) => `${`    ${c.name}`.padEnd(width)}${c.synopsis}`);
}
