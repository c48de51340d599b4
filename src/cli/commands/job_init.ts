/** `nomad job init` (alias `nomad init`): write an example job file. */

import type { Command, CommandContext } from "../cli.ts";
import { errorMessage } from "../helpers.ts";
import { addClientFlags, commandErrorText, commandFlagSet, parseFlags } from "../meta.ts";
import { loadJobspec } from "./job_file.ts";

/** File written when no name is given (Nomad's current default). */
export const DEFAULT_INIT_NAME = "example.nomad.hcl";

const HELP = `
Usage: nomad job init <filename>
Alias: nomad init <filename>

  Creates an example job file that can be used as a starting point to customize
  further. If no filename is given, the default of "${DEFAULT_INIT_NAME}" will be used.

Init Options:

  -short
    If the short flag is set, a minimal jobspec without comments is emitted.
`;

/** `nomad job init`. */
export const jobInitCommand: Command = {
  name: "job init",
  synopsis: "Create an example job file",
  help: () => HELP.trim(),
  run: (args, ctx) => runJobInit(jobInitCommand, args, ctx),
};

/** Runs `job init` for `command` (shared by the `init` alias). */
export async function runJobInit(
  command: Command,
  args: string[],
  ctx: CommandContext,
): Promise<number> {
  const flags = commandFlagSet(command, ctx);
  addClientFlags(flags);
  const short = flags.bool("short");
  flags.bool("connect");
  const positional = parseFlags(flags, args);
  if (positional === null) return 1;
  if (positional.length > 1) {
    ctx.ui.error("This command takes either no arguments or one: <filename>");
    ctx.ui.error(commandErrorText(command));
    return 1;
  }
  const filename = positional[0] ?? DEFAULT_INIT_NAME;
  try {
    await Deno.lstat(filename);
    ctx.ui.error(`Job '${filename}' already exists`);
    return 1;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      ctx.ui.error(`Failed to stat '${filename}': ${errorMessage(error)}`);
      return 1;
    }
  }
  let template: string;
  try {
    template = (await loadJobspec()).jobInitTemplate(short.value);
  } catch (error) {
    ctx.ui.error(errorMessage(error));
    return 1;
  }
  try {
    await Deno.writeTextFile(filename, template, { mode: 0o660, createNew: true });
  } catch (error) {
    ctx.ui.error(`Failed to write '${filename}': ${errorMessage(error)}`);
    return 1;
  }
  ctx.ui.output(`Example job file written to ${filename}`);
  return 0;
}
