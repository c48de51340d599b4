import { deepStrictEqual } from "node:assert";
import { allocsToCollect } from "./gc.ts";

const terminal = [
  { id: "c", finishedAtNs: 30 },
  { id: "a", finishedAtNs: 10 },
  { id: "b", finishedAtNs: 20 },
];
const base = { terminal, live: 2, maxAllocs: 50, diskUsedPercent: 40, diskUsageThreshold: 80 };

Deno.test("nothing is collected under gc_max_allocs and the disk threshold", () => {
  deepStrictEqual(allocsToCollect(base), []);
  deepStrictEqual(allocsToCollect({ ...base, diskUsedPercent: null }), []);
});

Deno.test("the oldest terminal allocations go first until the total fits gc_max_allocs", () => {
  deepStrictEqual(allocsToCollect({ ...base, maxAllocs: 4 }), ["a"]);
  deepStrictEqual(allocsToCollect({ ...base, maxAllocs: 3 }), ["a", "b"]);
  // Live allocations are never collected, even when they alone exceed the limit.
  deepStrictEqual(allocsToCollect({ ...base, live: 10, maxAllocs: 3 }), ["a", "b", "c"]);
});

Deno.test("over the disk threshold one more terminal allocation goes per pass", () => {
  deepStrictEqual(allocsToCollect({ ...base, diskUsedPercent: 81 }), ["a"]);
  deepStrictEqual(allocsToCollect({ ...base, terminal: [], diskUsedPercent: 99 }), []);
});
