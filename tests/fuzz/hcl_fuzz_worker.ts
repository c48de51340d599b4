/// <reference lib="deno.worker" />
/** Worker side of tests/hcl_fuzz_test.ts: runs seeds and reports each before parsing it. */

import { checkMutant, mutate } from "./hcl_mutate.ts";

interface Start {
  corpus: { file: string; source: string }[];
  firstSeed: number;
  lastSeed: number;
  budgetMs: number;
}

self.onmessage = (event: MessageEvent<Start>) => {
  const { corpus, firstSeed, lastSeed, budgetMs } = event.data;
  const deadline = performance.now() + budgetMs;
  let seed = firstSeed;
  for (; seed <= lastSeed && performance.now() < deadline; seed++) {
    self.postMessage({ kind: "seed", seed });
    const mutant = mutate(seed, corpus);
    const failure = checkMutant(mutant);
    if (failure !== null) {
      self.postMessage({ kind: "failure", seed, file: mutant.file, failure });
      return;
    }
  }
  self.postMessage({ kind: "done", seeds: seed - firstSeed });
};
