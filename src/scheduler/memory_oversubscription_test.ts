import assert from "node:assert/strict";
import { seededRng } from "../core/mod.ts";
import { selectNode } from "./select.ts";
import { mockJob, mockNode } from "./testing.ts";

function select(memoryOversubscription: boolean | undefined) {
  const job = mockJob({
    TaskGroups: [{
      Name: "web",
      Count: 1,
      Tasks: [{
        Name: "web",
        Driver: "exec",
        Resources: { CPU: 100, MemoryMB: 128, MemoryMaxMB: 512 },
      }],
    }],
  });
  return selectNode({
    nodes: [mockNode()],
    offset: 0,
    limit: 2,
    job,
    taskGroup: job.TaskGroups[0]!,
    proposed: () => [],
    algorithm: "binpack",
    rng: seededRng(1),
    penaltyNodeIDs: new Set(),
    ...(memoryOversubscription === undefined ? {} : { memoryOversubscription }),
  });
}

Deno.test("memory_max is ignored unless the scheduler configuration allows oversubscription", () => {
  const off = select(false).option?.resources.Tasks["web"]?.Memory;
  assert.deepEqual(off, { MemoryMB: 128, MemoryMaxMB: 0 });
  const on = select(true).option?.resources.Tasks["web"]?.Memory;
  assert.deepEqual(on, { MemoryMB: 128, MemoryMaxMB: 512 });
  const unknown = select(undefined).option?.resources.Tasks["web"]?.Memory;
  assert.deepEqual(
    unknown,
    { MemoryMB: 128, MemoryMaxMB: 512 },
    "views without a configuration keep it",
  );
});
