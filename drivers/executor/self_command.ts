/**
 * How to run this program again as `nomad executor`: the compiled `nomad` binary runs
 * itself; from source, the same `deno` runs the repository's main.ts.
 */

/** Where main.ts sits relative to this file (drivers/executor/ → repo root). */
const MAIN_MODULE_URL = new URL("../../main.ts", import.meta.url);
const CONFIG_URL = new URL("../../deno.json", import.meta.url);

/**
 * True inside a `deno compile` binary. `Deno.build.standalone` says so directly; a
 * module URL that is not a file on disk means the same for older runtimes.
 */
export function isCompiled(): boolean {
  return Deno.build.standalone === true || !import.meta.url.startsWith("file:");
}

/**
 * The argv that starts `nomad executor` (flags not included).
 *
 * @example
 * ```ts
 * import { selfCommand } from "./self_command.ts";
 * const argv = selfCommand(); // e.g. ["/usr/bin/deno", "run", "-A", ".../main.ts", "executor"]
 * ```
 */
export function selfCommand(): string[] {
  const executable = Deno.execPath();
  if (isCompiled()) return [executable, "executor"];
  const config = decodeURIComponent(CONFIG_URL.pathname);
  // The executor runs with cwd "/", so the config (import map) must be named explicitly.
  const configArgs = exists(config) ? ["--config", config] : [];
  return [
    executable,
    "run",
    "-A",
    ...configArgs,
    decodeURIComponent(MAIN_MODULE_URL.pathname),
    "executor",
  ];
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
