/**
 * Seeded fuzzing of the job file parser: mutated corpus files (bytes and
 * tokens) must parse or fail with a positioned error, never throw anything
 * else and never hang. Runs for HCL_FUZZ_MS (default 15 s) in a worker; a
 * watchdog fails the test if one input takes longer than 10 s.
 *
 * Replay one seed: HCL_FUZZ_SEED=1234 deno test -A tests/hcl_fuzz_test.ts
 */

import { fail, ok } from "node:assert";

const FIXTURES = new URL("./fixtures/", import.meta.url).pathname;
const HANG_MS = 10_000;

function corpus(): { file: string; source: string }[] {
  const dir = `${FIXTURES}jobspecs/`;
  return [...Deno.readDirSync(dir)]
    .filter((e) => e.isFile && e.name.endsWith(".hcl"))
    .map((e) => ({ file: e.name, source: Deno.readTextFileSync(`${dir}${e.name}`) }))
    .sort((a, b) => a.file.localeCompare(b.file));
}

Deno.test({
  name: "fuzzed job files parse or fail with a file:line:col error, and never hang",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const only = Deno.env.get("HCL_FUZZ_SEED");
    const budgetMs = Number(Deno.env.get("HCL_FUZZ_MS") ?? 15_000);
    const firstSeed = only !== undefined ? Number(only) : 1;
    const lastSeed = only !== undefined ? Number(only) : Number.MAX_SAFE_INTEGER;
    const worker = new Worker(new URL("./fuzz/hcl_fuzz_worker.ts", import.meta.url), {
      type: "module",
    });
    let current = firstSeed;
    let lastProgress = performance.now();
    const result = await new Promise<
      { seeds: number } | { hang: number } | {
        failure: string;
        seed: number;
        file: string;
      }
    >((resolve) => {
      const watchdog = setInterval(() => {
        if (performance.now() - lastProgress > HANG_MS) {
          clearInterval(watchdog);
          resolve({ hang: current });
        }
      }, 500);
      worker.onmessage = (event) => {
        const msg = event.data;
        lastProgress = performance.now();
        if (msg.kind === "seed") current = msg.seed;
        else {
          clearInterval(watchdog);
          resolve(msg.kind === "done" ? { seeds: msg.seeds } : msg);
        }
      };
      worker.postMessage({ corpus: corpus(), firstSeed, lastSeed, budgetMs });
    });
    worker.terminate();
    const replay = (seed: number) =>
      `replay: HCL_FUZZ_SEED=${seed} deno test -A tests/hcl_fuzz_test.ts`;
    if ("hang" in result) {
      fail(`seed ${result.hang} ran over ${HANG_MS} ms (${replay(result.hang)})`);
    }
    if ("failure" in result) {
      fail(
        `seed ${result.seed} (${result.file}) broke the parser contract (${
          replay(result.seed)
        }):\n${result.failure}`,
      );
    }
    ok(result.seeds > 0);
    console.log(`hcl fuzz: ${result.seeds} mutated job files checked`);
  },
});
