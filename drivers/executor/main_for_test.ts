/**
 * Test entry: runs the executor directly (`deno run -A main_for_test.ts -socket ...`),
 * standing in for `main.ts executor` until the CLI routes that command.
 */
import { runExecutor } from "./mod.ts";

if (import.meta.main) Deno.exit(await runExecutor(Deno.args));
