/**
 * The `nomad` command line: Nomad's commands, flags, output and exit codes.
 *
 * `main(args)` runs one command against the real process streams;
 * `main(args, io)` runs it against injected writers and environment (tests).
 *
 * @module
 */

import { runCli } from "./cli.ts";
import { errorMessage } from "./helpers.ts";
import { type CliIo, denoIo, Ui } from "./io.ts";

/**
 * Runs the CLI; returns the exit code. `io` fields that are left out use the
 * real process (stdout, stderr, environment, stdin).
 *
 * @example
 * ```ts
 * import { main } from "./mod.ts";
 * let out = "";
 * const code = await main(["version"], { stdout: { write: (c) => out += String(c) } });
 * // code === 0, out starts with "Nomad v"
 * ```
 */
export async function main(args: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const full: CliIo = { ...denoIoLazy(io), ...io } as CliIo;
  try {
    // `agent` and `executor` are long-lived processes: load only what they need,
    // not every command, to keep their memory small.
    if (args[0] === "agent" || args[0] === "executor") {
      const { agentCommand, executorCommand } = await import("./commands/agent.ts");
      const command = args[0] === "agent" ? agentCommand : executorCommand;
      return await command.run(args.slice(1), { io: full, ui: new Ui(full) });
    }
    const { allCommands, cliOptions } = await import("./commands/registry.ts");
    return await runCli(allCommands(), args, full, cliOptions());
  } catch (error) {
    full.stderr.write(`Error executing CLI: ${errorMessage(error)}\n`);
    return 1;
  }
}

/** The real streams, built only for the fields the caller did not inject. */
function denoIoLazy(io: Partial<CliIo>): Partial<CliIo> {
  const missing = ["stdout", "stderr", "env", "readStdin", "readLine", "interruptSignal", "now"]
    .some((key) => !(key in io));
  return missing ? denoIo() : {};
}

export { type Command, type CommandContext, RUN_RESULT_HELP, runCli } from "./cli.ts";
export {
  FlagError,
  type FlagErrorKind,
  type FlagParseResult,
  FlagSet,
  type FlagSetOptions,
  type FlagValue,
} from "../core/flags.ts";
export { type CliIo, denoIo, PrefixedUi, Ui, type Writer } from "./io.ts";
export {
  columnize,
  formatKV,
  formatList,
  formatTime,
  formatUnixNanoTime,
  humanizeIBytes,
  limit,
  prettyTimeDiff,
  quote,
} from "./format.ts";
export { VERSION, versionText } from "./commands/version.ts";
