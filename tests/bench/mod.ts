/** `deno task bench <name>`: runs one benchmark and prints its figures. */

import { benchHcl } from "./hcl.ts";
import { benchScheduler } from "./scheduler.ts";
import { benchSchedulerE2e } from "./scheduler_e2e.ts";
import { benchSubmit } from "./submit.ts";
import { benchTasks } from "./tasks.ts";

const BENCHMARKS: Record<string, () => Promise<void>> = {
  submit: benchSubmit,
  hcl: benchHcl,
  scheduler: benchScheduler,
  "scheduler-e2e": benchSchedulerE2e,
  tasks: benchTasks,
};

if (import.meta.main) {
  const name = Deno.args[0] ?? "";
  const bench = BENCHMARKS[name];
  if (bench === undefined) {
    console.error(`usage: deno task bench <${Object.keys(BENCHMARKS).join("|")}>`);
    Deno.exit(1);
  }
  await bench();
}
