/**
 * `nomad fmt`: rewrites job and agent configuration files in canonical HCL
 * style. The HCL code is imported lazily, like the job parser, so other
 * commands do not pay for loading it.
 */

import { join } from "node:path";
import type { Command, CommandContext } from "../cli.ts";
import { errorMessage } from "../helpers.ts";
import { addClientFlags, commandErrorText, commandFlagSet, parseFlags } from "../meta.ts";

/** Name Nomad gives standard input in listings and diagnostics. */
const STDIN_PATH = "<stdin>";

/** Largest file `fmt` reads; bigger files are reported, not formatted. */
export const MAX_FMT_FILE_BYTES = 16 * 1024 * 1024;

const HELP = `
Usage: nomad fmt [flags] paths ...

  Formats Nomad agent configuration and job file to a canonical format.
  If a path is a directory, it will recursively format all files
  with .nomad and .hcl extensions in the directory.

  If you provide a single dash (-) as argument, fmt will read from standard
  input (STDIN) and output the processed output to standard output (STDOUT).

Format Options:

  -check
    Check if the files are valid HCL files. If not, exit status of the
    command will be 1 and the incorrect files will not be formatted. This
    flag overrides any -write flag value.

  -list
    List the files which contain formatting inconsistencies. Defaults
    to -list=true.

  -recursive
    Process files in subdirectories. By default only the given (or current)
    directory is processed.

  -write
    Overwrite the input files. Defaults to -write=true. Ignored if the input
    comes from STDIN.
`;

/** `nomad fmt`. */
export const fmtCommand: Command = {
  name: "fmt",
  synopsis: "Rewrites Nomad config and job files to canonical format",
  help: () => HELP.trim(),
  run: (args, ctx) => runFmt(fmtCommand, args, ctx),
};

/** What one run does with each file, after the flags are combined as Nomad combines them. */
interface FmtOptions {
  readonly list: boolean;
  readonly check: boolean;
  readonly recursive: boolean;
  readonly writeFile: boolean;
  readonly writeStdout: boolean;
}

/** What the formatter needs from `src/hcl`. */
interface Formatter {
  formatHcl(source: string, filename: string): string;
  isSyntaxError(error: unknown): boolean;
}

/** Results gathered over all files; the exit code is decided at the end. */
interface FmtState {
  readonly options: FmtOptions;
  readonly ctx: CommandContext;
  readonly formatter: Formatter;
  /** `file:line:col: ...` messages of files that do not parse. */
  readonly diagnostics: string[];
  /** Missing paths, unreadable files, failed writes. */
  readonly errors: string[];
  /** False once `-check` saw a file whose formatting would change. */
  checkSuccess: boolean;
}

async function loadFormatter(): Promise<Formatter> {
  const [{ formatHcl }, { HclSyntaxError }] = await Promise.all([
    import("../../hcl/fmt.ts"),
    import("../../hcl/mod.ts"),
  ]);
  return { formatHcl, isSyntaxError: (error) => error instanceof HclSyntaxError };
}

/** Runs `nomad fmt`; exit 1 on syntax errors, unusable paths, or files `-check` finds unformatted. */
export async function runFmt(
  command: Command,
  args: string[],
  ctx: CommandContext,
): Promise<number> {
  const flags = commandFlagSet(command, ctx);
  addClientFlags(flags);
  const check = flags.bool("check", false);
  const write = flags.bool("write", true);
  const list = flags.bool("list", true);
  const recursive = flags.bool("recursive", false);
  const positional = parseFlags(flags, args);
  if (positional === null) return 1;

  // Nomad reads stdin when the first argument is "-" and then ignores the rest.
  const fromStdin = positional[0] === "-";
  const paths = positional.length === 0 ? ["."] : fromStdin ? [] : positional;
  const writeFile = !fromStdin && !check.value && write.value;
  const listFiles = !fromStdin && list.value;
  const options: FmtOptions = {
    list: listFiles,
    check: check.value,
    recursive: recursive.value,
    writeFile,
    writeStdout: fromStdin || (!listFiles && !writeFile),
  };
  const state: FmtState = {
    options,
    ctx,
    formatter: await loadFormatter(),
    diagnostics: [],
    errors: [],
    checkSuccess: true,
  };
  if (fromStdin) await processSource(state, STDIN_PATH, await ctx.io.readStdin());
  for (const path of paths) await processPath(state, path);
  return report(command, state);
}

function report(command: Command, state: FmtState): number {
  for (const diagnostic of state.diagnostics) state.ctx.ui.error(diagnostic);
  if (state.errors.length > 0) {
    state.ctx.ui.error(multiError(state.errors));
    state.ctx.ui.error(commandErrorText(command));
  }
  if (state.diagnostics.length > 0 || state.errors.length > 0) return 1;
  return state.checkSuccess ? 0 : 1;
}

/** The layout of Go's go-multierror, which Nomad prints these errors with. */
function multiError(errors: readonly string[]): string {
  const points = errors.map((error) => `* ${error}`).join("\n\t");
  const count = errors.length === 1 ? "1 error occurred" : `${errors.length} errors occurred`;
  return `${count}:\n\t${points}\n`;
}

async function processPath(state: FmtState, path: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch {
    state.errors.push(`No file or directory at ${path}`);
    return;
  }
  if (info.isDirectory) {
    await processDirectory(state, path);
  } else if (isNomadFile(path)) {
    await processFile(state, path, info);
  } else {
    state.errors.push("Only .nomad and .hcl files can be processed using nomad fmt");
  }
}

/** Formats the directory's files in name order, and its subdirectories with `-recursive`. */
async function processDirectory(state: FmtState, path: string): Promise<void> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(path));
  } catch {
    state.errors.push(`Failed to list directory ${path}`);
    return;
  }
  // Byte order of names, as Go's os.ReadDir returns them.
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const subpath = join(path, entry.name);
    if (entry.isDirectory) {
      if (state.options.recursive) await processDirectory(state, subpath);
    } else if (isNomadFile(entry.name)) {
      await processFile(state, subpath, null);
    }
  }
}

function isNomadFile(path: string): boolean {
  return path.endsWith(".nomad") || path.endsWith(".hcl");
}

async function processFile(
  state: FmtState,
  path: string,
  info: Deno.FileInfo | null,
): Promise<void> {
  let source: string;
  try {
    const size = (info ?? await Deno.stat(path)).size;
    if (size > MAX_FMT_FILE_BYTES) {
      throw new RangeError(`file is ${size} bytes, more than the limit of ${MAX_FMT_FILE_BYTES}`);
    }
    source = new TextDecoder("utf-8", { fatal: true }).decode(await Deno.readFile(path));
  } catch (error) {
    const reason = error instanceof TypeError
      ? "the file is not UTF-8 encoded"
      : errorMessage(error);
    state.errors.push(`Failed to read file ${path}: ${reason}`);
    return;
  }
  await processSource(state, path, source);
}

async function processSource(state: FmtState, path: string, source: string): Promise<void> {
  const { options, ctx, formatter } = state;
  let formatted: string;
  try {
    formatted = formatter.formatHcl(source, path);
  } catch (error) {
    if (!formatter.isSyntaxError(error)) throw error;
    state.diagnostics.push(errorMessage(error));
    return;
  }
  if (formatted !== source) {
    if (options.list) ctx.ui.output(path);
    if (options.check) state.checkSuccess = false;
    if (options.writeFile) {
      try {
        await Deno.writeTextFile(path, formatted);
      } catch (error) {
        state.errors.push(`Failed to write file ${path}: ${errorMessage(error)}`);
        return;
      }
    }
  }
  if (options.writeStdout) ctx.io.stdout.write(formatted);
}
