import assert from "node:assert/strict";
import {
  type Allocation,
  DEFAULT_SCHEDULER_CONFIGURATION,
  type Job,
  type Node,
  type SchedulerConfiguration,
} from "../structs/mod.ts";
import { Harness, mockAlloc, mockEval, mockJob, mockNode } from "./testing.ts";

function config(preemption: Partial<SchedulerConfiguration["PreemptionConfig"]>) {
  return {
    ...DEFAULT_SCHEDULER_CONFIGURATION,
    PreemptionConfig: { ...DEFAULT_SCHEDULER_CONFIGURATION.PreemptionConfig, ...preemption },
  };
}

function job(id: string, options: { type: string; priority: number; memoryMB: number }): Job {
  return mockJob({
    ID: id,
    Name: id,
    Type: options.type,
    Priority: options.priority,
    TaskGroups: [{
      Name: "g",
      Count: 1,
      EphemeralDisk: { SizeMB: 100 },
      Tasks: [{
        Name: "t",
        Driver: "exec",
        Config: { command: "/bin/sleep" },
        Resources: { CPU: 200, MemoryMB: options.memoryMB },
      }],
    }],
  });
}

// One node (7936 MB schedulable) mostly filled by a priority-20 batch allocation.
function filledCluster(): { h: Harness; node: Node; low: Allocation } {
  const h = new Harness();
  const node = mockNode();
  const lowJob = job("low", { type: "batch", priority: 20, memoryMB: 7000 });
  const low = mockAlloc(lowJob, node);
  h.upsertNode(node);
  h.upsertJob(lowJob);
  h.upsertAllocs(low);
  return { h, node, low };
}

const highService = job("high", { type: "service", priority: 80, memoryMB: 2048 });

function placed(h: Harness): Allocation[] {
  return h.plans.flatMap((p) => Object.values(p.NodeAllocation).flat());
}

Deno.test("a priority-80 service job preempts a priority-20 batch allocation when enabled", async () => {
  const { h, node, low } = filledCluster();
  h.schedulerConfig = config({ ServiceSchedulerEnabled: true });
  h.upsertJob(highService);
  await h.process(mockEval(highService));
  const plan = h.plans[0];
  assert.ok(plan !== undefined);
  const [alloc] = placed(h);
  assert.ok(alloc !== undefined, "the high-priority allocation is placed");
  assert.equal(alloc.NodeID, node.ID);
  assert.deepEqual(alloc.PreemptedAllocations, [low.ID]);
  const preempted = plan.NodePreemptions?.[node.ID] ?? [];
  assert.deepEqual(preempted.map((a) => a.ID), [low.ID]);
  assert.equal(preempted[0]?.DesiredStatus, "evict");
  assert.equal(preempted[0]?.PreemptedByAllocation, alloc.ID);
  assert.equal(preempted[0]?.DesiredDescription, `Preempted by alloc ID ${alloc.ID}`);
  assert.deepEqual(plan.Annotations?.PreemptedAllocs?.map((a) => a.ID), [low.ID]);
  assert.equal(plan.Annotations?.DesiredTGUpdates?.["g"]?.Preemptions, 1);
  assert.ok((alloc.Metrics?.ScoreMetaData ?? []).some((s) => "preemption" in s.Scores));
  const stored = h.allocs().find((a) => a.ID === low.ID);
  assert.equal(stored?.DesiredStatus, "evict");
  assert.equal(stored?.PreemptedByAllocation, alloc.ID);
  assert.equal(h.lastEvalUpdate()?.Status, "complete");
});

Deno.test("a service job does not preempt when service preemption is off", async () => {
  const { h, low } = filledCluster();
  h.schedulerConfig = config({ ServiceSchedulerEnabled: false });
  h.upsertJob(highService);
  await h.process(mockEval(highService));
  assert.equal(placed(h).length, 0);
  assert.equal(h.allocs().find((a) => a.ID === low.ID)?.DesiredStatus, "run");
  const failed = h.lastEvalUpdate()?.FailedTGAllocs?.["g"];
  assert.equal(failed?.DimensionExhausted?.["memory"], 1);
  assert.equal(h.createdEvals[0]?.Status, "blocked");
});

Deno.test("service preemption is off under the default configuration", async () => {
  const { h } = filledCluster();
  h.upsertJob(highService);
  await h.process(mockEval(highService));
  assert.equal(placed(h).length, 0);
});

Deno.test("a node with room wins over a node that needs preemption", async () => {
  const { h, low } = filledCluster();
  const free = mockNode();
  h.upsertNode(free);
  h.schedulerConfig = config({ ServiceSchedulerEnabled: true });
  h.upsertJob(highService);
  await h.process(mockEval(highService));
  const [alloc] = placed(h);
  assert.equal(alloc?.NodeID, free.ID);
  assert.equal(alloc?.PreemptedAllocations, null);
  assert.equal(h.plans[0]?.NodePreemptions, undefined);
  assert.equal(h.allocs().find((a) => a.ID === low.ID)?.DesiredStatus, "run");
});

Deno.test("a service job does not preempt a job within 10 priority points", async () => {
  const { h } = filledCluster();
  h.schedulerConfig = config({ ServiceSchedulerEnabled: true });
  const near = job("near", { type: "service", priority: 29, memoryMB: 2048 });
  h.upsertJob(near);
  await h.process(mockEval(near));
  assert.equal(placed(h).length, 0);
});

Deno.test("a batch job preempts only when batch preemption is enabled", async () => {
  const highBatch = job("hb", { type: "batch", priority: 80, memoryMB: 2048 });
  const off = filledCluster();
  off.h.schedulerConfig = config({ ServiceSchedulerEnabled: true });
  off.h.upsertJob(highBatch);
  await off.h.process(mockEval(highBatch));
  assert.equal(placed(off.h).length, 0);
  const on = filledCluster();
  on.h.schedulerConfig = config({ BatchSchedulerEnabled: true });
  on.h.upsertJob(highBatch);
  await on.h.process(mockEval(highBatch));
  assert.deepEqual(placed(on.h)[0]?.PreemptedAllocations, [on.low.ID]);
});

Deno.test("a system job preempts lower-priority allocations by default", async () => {
  const { h, node, low } = filledCluster();
  const system = job("sys", { type: "system", priority: 80, memoryMB: 2048 });
  h.upsertJob(system);
  await h.process(mockEval(system));
  const [alloc] = placed(h);
  assert.equal(alloc?.NodeID, node.ID);
  assert.deepEqual(alloc?.PreemptedAllocations, [low.ID]);
  assert.deepEqual(h.plans[0]?.NodePreemptions?.[node.ID]?.map((a) => a.ID), [low.ID]);
  assert.equal(h.plans[0]?.Annotations?.DesiredTGUpdates?.["g"]?.Preemptions, 1);
  assert.equal(h.allocs().find((a) => a.ID === low.ID)?.DesiredStatus, "evict");
});

Deno.test("a system job does not preempt when system preemption is off", async () => {
  const { h, low } = filledCluster();
  h.schedulerConfig = config({ SystemSchedulerEnabled: false });
  const system = job("sys", { type: "system", priority: 80, memoryMB: 2048 });
  h.upsertJob(system);
  await h.process(mockEval(system));
  assert.equal(placed(h).length, 0);
  assert.equal(h.allocs().find((a) => a.ID === low.ID)?.DesiredStatus, "run");
});

Deno.test("one evaluation does not preempt the same allocation twice", async () => {
  const h = new Harness();
  const node = mockNode();
  const lowJob = job("low", { type: "batch", priority: 20, memoryMB: 3000 });
  const a = mockAlloc(lowJob, node);
  const b = mockAlloc(lowJob, node, { index: 1 });
  const filler = job("filler", { type: "service", priority: 90, memoryMB: 1800 });
  h.upsertNode(node);
  h.upsertJob(lowJob);
  h.upsertAllocs(a, b, mockAlloc(filler, node));
  h.schedulerConfig = config({ ServiceSchedulerEnabled: true });
  const two = { ...highService, TaskGroups: [{ ...highService.TaskGroups[0]!, Count: 2 }] };
  h.upsertJob(two);
  await h.process(mockEval(two));
  const allocs = placed(h);
  assert.equal(allocs.length, 2);
  const preempted = allocs.flatMap((x) => x.PreemptedAllocations ?? []).sort();
  assert.deepEqual(preempted, [a.ID, b.ID].sort());
});
