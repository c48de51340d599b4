import assert from "node:assert/strict";
import { NS_PER_HOUR, NS_PER_SECOND } from "../core/mod.ts";
import type { Allocation, Job, JsonObject, Node } from "../structs/mod.ts";
import { ALLOC_LOST, ALLOC_NOT_NEEDED, ALLOC_RESCHEDULED, ALLOC_UPDATING } from "./reconcile.ts";
import { formatRfc3339Nano } from "./time_format.ts";
import { Harness, mockAlloc, mockEval, mockJob, mockNode, TEST_NOW_NS } from "./testing.ts";

function placedIn(h: Harness, planIndex = h.plans.length - 1): Allocation[] {
  const plan = h.plans[planIndex];
  return plan === undefined ? [] : Object.values(plan.NodeAllocation).flat();
}

function stoppedIn(h: Harness, planIndex = h.plans.length - 1): Allocation[] {
  const plan = h.plans[planIndex];
  return plan === undefined ? [] : Object.values(plan.NodeUpdate).flat();
}

function jobWith(count: number, extra: JsonObject = {}, task: JsonObject = {}): Job {
  return mockJob({
    TaskGroups: [{
      Name: "web",
      Count: count,
      Tasks: [{
        Name: "web",
        Driver: "exec",
        Config: { command: "/bin/sleep" },
        Resources: { CPU: 100, MemoryMB: 64 },
        ...task,
      }],
    }],
    ...extra,
  });
}

/** A harness with `nodeCount` nodes where the job already runs `running` allocations. */
function running(job: Job, options: { nodes?: number; running?: number } = {}) {
  const h = new Harness();
  const nodes = Array.from({ length: options.nodes ?? 3 }, () => mockNode());
  h.upsertNode(...nodes);
  h.upsertJob(job);
  const allocs = Array.from(
    { length: options.running ?? 0 },
    (_, index) => mockAlloc(job, nodes[index % nodes.length]!, { index }),
  );
  h.upsertAllocs(...allocs);
  return { h, nodes, allocs };
}

Deno.test("decreasing the count stops the highest indexes", async () => {
  const job = jobWith(5);
  const { h } = running(job, { running: 5 });
  const smaller = { ...jobWith(2), JobModifyIndex: 100, Version: 1 };
  h.upsertJob(smaller);
  await h.process(mockEval(smaller));
  const stops = stoppedIn(h);
  assert.deepEqual(stops.map((a) => a.Name).sort(), [
    "example.web[2]",
    "example.web[3]",
    "example.web[4]",
  ]);
  assert.ok(stops.every((a) => a.DesiredStatus === "stop"));
  assert.ok(stops.every((a) => a.DesiredDescription === ALLOC_NOT_NEEDED));
  assert.equal(h.runningAllocs().length, 2);
  assert.equal(h.plans[0]?.Annotations?.DesiredTGUpdates?.["web"]?.Stop, 3);
});

Deno.test("stopping a job stops all of its allocations", async () => {
  const job = jobWith(3);
  const { h } = running(job, { running: 3 });
  const stopped = { ...job, Stop: true, JobModifyIndex: 100 };
  h.upsertJob(stopped);
  await h.process(mockEval(stopped, { TriggeredBy: "job-deregister" }));
  assert.equal(stoppedIn(h).length, 3);
  assert.ok(stoppedIn(h).every((a) => a.DesiredDescription === ALLOC_NOT_NEEDED));
  assert.equal(placedIn(h).length, 0);
  assert.equal(h.runningAllocs().length, 0);
  assert.equal(h.lastEvalUpdate()?.Status, "complete");
  assert.deepEqual(h.lastEvalUpdate()?.QueuedAllocations, { web: 0 });
});

Deno.test("a purged job's allocations are stopped too", async () => {
  const job = jobWith(2);
  const h = new Harness();
  const node = mockNode();
  h.upsertNode(node);
  h.upsertAllocs(mockAlloc(job, node, { index: 0 }), mockAlloc(job, node, { index: 1 }));
  await h.process(mockEval(job, { TriggeredBy: "job-deregister" }));
  assert.equal(stoppedIn(h).length, 2);
  assert.equal(h.plans[0]?.Job?.ID, job.ID);
});

Deno.test("changing a task's config replaces allocations destructively", async () => {
  const job = jobWith(2);
  const { h, allocs } = running(job, { running: 2 });
  const base = jobWith(2, {}, { Config: { command: "/bin/true" } });
  // Without an update block every allocation is replaced at once (no max_parallel).
  const changed = {
    ...base,
    TaskGroups: base.TaskGroups.map((tg) => ({ ...tg, Update: null })),
    JobModifyIndex: 100,
    Version: 1,
  };
  h.upsertJob(changed);
  await h.process(mockEval(changed));
  assert.deepEqual(stoppedIn(h).map((a) => a.ID).sort(), allocs.map((a) => a.ID).sort());
  assert.ok(stoppedIn(h).every((a) => a.DesiredDescription === ALLOC_UPDATING));
  const replacements = placedIn(h);
  assert.deepEqual(replacements.map((a) => a.Name).sort(), ["example.web[0]", "example.web[1]"]);
  assert.ok(replacements.every((a) => a.Job?.Version === 1 && !allocs.some((o) => o.ID === a.ID)));
  assert.ok(replacements.every((a) => allocs.some((o) => o.ID === a.PreviousAllocation)));
  assert.equal(h.plans[0]?.Annotations?.DesiredTGUpdates?.["web"]?.DestructiveUpdate, 2);
});

Deno.test("a change that keeps the tasks identical updates allocations in place", async () => {
  const job = jobWith(2);
  const { h, allocs } = running(job, { running: 2 });
  const changed = {
    ...jobWith(2, {}, { KillTimeout: 30 * NS_PER_SECOND }),
    JobModifyIndex: 100,
    Version: 1,
  };
  h.upsertJob(changed);
  const evaluation = mockEval(changed);
  await h.process(evaluation);
  assert.equal(stoppedIn(h).length, 0);
  const updated = placedIn(h);
  assert.deepEqual(updated.map((a) => a.ID).sort(), allocs.map((a) => a.ID).sort());
  for (const a of updated) {
    const before = allocs.find((o) => o.ID === a.ID)!;
    assert.equal(a.NodeID, before.NodeID);
    assert.equal(a.Job?.Version, 1);
    assert.equal(a.EvalID, evaluation.ID);
  }
  assert.equal(h.plans[0]?.Annotations?.DesiredTGUpdates?.["web"]?.InPlaceUpdate, 2);
});

Deno.test("an unchanged job registration is a no-op", async () => {
  const job = jobWith(2);
  const { h } = running(job, { running: 2 });
  await h.process(mockEval(job));
  assert.equal(h.plans.length, 0);
  assert.equal(h.lastEvalUpdate()?.Status, "complete");
});

Deno.test("a batch allocation that completed is not replaced", async () => {
  const job = jobWith(2, { Type: "batch" });
  const { h, nodes } = running(job);
  h.upsertAllocs(
    mockAlloc(job, nodes[0]!, { index: 0, ClientStatus: "complete" }),
    mockAlloc(job, nodes[1]!, { index: 1 }),
  );
  await h.process(mockEval(job));
  assert.equal(h.plans.length, 0);
});

Deno.test("a failed batch allocation is rescheduled while a completed one is kept", async () => {
  const job = jobWith(2, { Type: "batch" });
  const { h, nodes } = running(job);
  const failed = mockAlloc(job, nodes[1]!, {
    index: 1,
    ClientStatus: "failed",
    ModifyTime: TEST_NOW_NS - NS_PER_HOUR,
  });
  h.upsertAllocs(mockAlloc(job, nodes[0]!, { index: 0, ClientStatus: "complete" }), failed);
  await h.process(mockEval(job, { TriggeredBy: "alloc-failure" }));
  assert.deepEqual(placedIn(h).map((a) => [a.Name, a.PreviousAllocation]), [
    ["example.web[1]", failed.ID],
  ]);
});

Deno.test("a failed service allocation past its delay is rescheduled now", async () => {
  const job = jobWith(1);
  const { h, nodes } = running(job, { nodes: 2 });
  const failed = mockAlloc(job, nodes[0]!, {
    ClientStatus: "failed",
    ModifyTime: TEST_NOW_NS - NS_PER_HOUR,
  });
  h.upsertAllocs(failed);
  await h.process(mockEval(job, { TriggeredBy: "alloc-failure" }));
  const [replacement] = placedIn(h);
  assert.equal(replacement?.Name, failed.Name);
  assert.equal(replacement?.PreviousAllocation, failed.ID);
  assert.notEqual(replacement?.NodeID, failed.NodeID, "the failed node is penalized");
  assert.deepEqual(replacement?.RescheduleTracker?.Events, [{
    RescheduleTime: TEST_NOW_NS,
    PrevAllocID: failed.ID,
    PrevNodeID: failed.NodeID,
    Delay: 30 * NS_PER_SECOND,
  }]);
  assert.deepEqual(stoppedIn(h).map((a) => [a.ID, a.DesiredDescription, a.NextAllocation]), [
    [failed.ID, ALLOC_RESCHEDULED, replacement?.ID],
  ]);
  const stored = h.allocs().find((a) => a.ID === failed.ID);
  assert.equal(stored?.NextAllocation, replacement?.ID);
  assert.equal(h.createdEvals.length, 0);
});

Deno.test("a recently failed service allocation is rescheduled later by a follow-up eval", async () => {
  const job = jobWith(1);
  const { h, nodes } = running(job, { nodes: 2 });
  const failed = mockAlloc(job, nodes[0]!, { ClientStatus: "failed", ModifyTime: TEST_NOW_NS });
  h.upsertAllocs(failed);
  const evaluation = mockEval(job, { TriggeredBy: "alloc-failure" });
  await h.process(evaluation);
  assert.equal(h.createdEvals.length, 1);
  const followup = h.createdEvals[0]!;
  assert.equal(followup.TriggeredBy, "alloc-failure");
  assert.equal(followup.Status, "pending");
  assert.equal(followup.PreviousEval, evaluation.ID);
  assert.equal(followup.WaitUntil, formatRfc3339Nano(TEST_NOW_NS + 30 * NS_PER_SECOND));
  assert.equal(followup.WaitUntil, "2024-01-01T00:00:30Z");
  const updates = placedIn(h);
  assert.deepEqual(updates.map((a) => [a.ID, a.FollowupEvalID]), [[failed.ID, followup.ID]]);
  assert.equal(stoppedIn(h).length, 0);
  assert.equal(h.lastEvalUpdate()?.Status, "complete");

  // When the follow-up evaluation runs, the allocation is replaced.
  await h.process(followup, { nowNs: TEST_NOW_NS + 30 * NS_PER_SECOND });
  assert.equal(placedIn(h)[0]?.PreviousAllocation, failed.ID);
  assert.equal(stoppedIn(h)[0]?.DesiredDescription, ALLOC_RESCHEDULED);
});

Deno.test("a delayed evaluation neither spawns follow-ups nor stamps allocations", async () => {
  const job = jobWith(1);
  const { h, nodes } = running(job, { nodes: 2 });
  h.upsertAllocs(mockAlloc(job, nodes[0]!, { ClientStatus: "failed", ModifyTime: TEST_NOW_NS }));
  await h.process(
    mockEval(job, { TriggeredBy: "alloc-failure", WaitUntil: "2023-12-31T23:59:00Z" }),
  );
  assert.equal(h.createdEvals.length, 0);
  assert.equal(h.plans.length, 0);
  assert.equal(h.lastEvalUpdate()?.Status, "complete");
});

Deno.test("a failed allocation without reschedule attempts left keeps its slot", async () => {
  const job = jobWith(1, {}, {});
  const limited = {
    ...job,
    TaskGroups: job.TaskGroups.map((tg) => ({
      ...tg,
      ReschedulePolicy: {
        Attempts: 0,
        Interval: 0,
        Delay: 0,
        DelayFunction: "" as const,
        MaxDelay: 0,
        Unlimited: false,
      },
    })),
  };
  const { h, nodes } = running(limited);
  h.upsertAllocs(
    mockAlloc(limited, nodes[0]!, {
      ClientStatus: "failed",
      ModifyTime: TEST_NOW_NS - NS_PER_HOUR,
    }),
  );
  await h.process(mockEval(limited, { TriggeredBy: "alloc-failure" }));
  assert.equal(h.plans.length, 0);
});

Deno.test("allocations on a down node are marked lost and replaced", async () => {
  const job = jobWith(2);
  const h = new Harness();
  const down = mockNode({ Status: "down" });
  const ready = mockNode();
  h.upsertNode(down, ready);
  h.upsertJob(job);
  const lost = mockAlloc(job, down, { index: 0 });
  h.upsertAllocs(lost, mockAlloc(job, ready, { index: 1 }));
  await h.process(mockEval(job, { TriggeredBy: "node-update" }));
  assert.deepEqual(stoppedIn(h).map((a) => [a.ID, a.ClientStatus, a.DesiredDescription]), [
    [lost.ID, "lost", ALLOC_LOST],
  ]);
  assert.deepEqual(placedIn(h).map((a) => [a.Name, a.NodeID, a.PreviousAllocation]), [
    ["example.web[0]", ready.ID, lost.ID],
  ]);
});

Deno.test("a stopped allocation still running on a down node is marked lost", async () => {
  const job = jobWith(1);
  const h = new Harness();
  const down = mockNode({ Status: "down" });
  const ready = mockNode();
  h.upsertNode(down, ready);
  h.upsertJob(job);
  const stale = mockAlloc(job, down, { index: 0, DesiredStatus: "stop" });
  h.upsertAllocs(stale, mockAlloc(job, ready, { index: 0 }));
  await h.process(mockEval(job, { TriggeredBy: "node-update" }));
  assert.deepEqual(stoppedIn(h).map((a) => [a.ID, a.ClientStatus]), [[stale.ID, "lost"]]);
});

Deno.test("a partially committed plan is retried against the refreshed state", async () => {
  const job = jobWith(6);
  const { h } = running(job, { nodes: 6 });
  let kept = 0;
  h.planHook = (_plan, attempt) =>
    attempt === 0 ? { kind: "partial", keepAlloc: () => kept++ < 2 } : { kind: "commit" };
  await h.process(mockEval(job));
  assert.equal(h.plans.length, 2);
  assert.equal(placedIn(h, 0).length, 6);
  assert.equal(placedIn(h, 1).length, 4);
  assert.equal(h.runningAllocs().length, 6);
  assert.equal(new Set(h.runningAllocs().map((a) => a.Name)).size, 6);
  assert.equal(h.lastEvalUpdate()?.Status, "complete");
  assert.deepEqual(h.lastEvalUpdate()?.QueuedAllocations, { web: 0 });
});

Deno.test("plans that never commit fail the evaluation after the maximum attempts", async () => {
  for (const [type, attempts] of [["service", 5], ["batch", 2]] as const) {
    const job = jobWith(2, { Type: type });
    const { h } = running(job);
    h.planHook = () => ({ kind: "partial", keepAlloc: () => false });
    const evaluation = mockEval(job);
    await h.process(evaluation);
    assert.equal(h.plans.length, attempts, type);
    const update = h.lastEvalUpdate()!;
    assert.equal(update.Status, "failed");
    assert.equal(update.StatusDescription, `maximum attempts reached (${attempts})`);
    const blocked = h.createdEvals.at(-1)!;
    assert.equal(blocked.TriggeredBy, "max-plan-attempts");
    assert.equal(blocked.StatusDescription, "created due to placement conflicts");
    assert.equal(blocked.Status, "blocked");
    assert.equal(update.BlockedEval, blocked.ID);
  }
});

Deno.test("a blocked evaluation that still cannot place is re-blocked", async () => {
  const job = jobWith(2, {}, { Driver: "qemu" });
  const { h } = running(job);
  const blocked = mockEval(job, { Status: "blocked", TriggeredBy: "queued-allocs" });
  await h.process(blocked);
  assert.equal(h.createdEvals.length, 0);
  assert.equal(h.evalUpdates.length, 0);
  assert.equal(h.reblockedEvals.length, 1);
  assert.equal(h.reblockedEvals[0]?.ID, blocked.ID);
  assert.deepEqual(h.reblockedEvals[0]?.ClassEligibility, { "v1:linux-medium-pci": false });
});

Deno.test("a blocked evaluation completes once capacity appears", async () => {
  const job = jobWith(2);
  const { h } = running(job);
  await h.process(mockEval(job, { Status: "blocked", TriggeredBy: "queued-allocs" }));
  assert.equal(placedIn(h).length, 2);
  assert.equal(h.lastEvalUpdate()?.Status, "complete");
  assert.equal(h.reblockedEvals.length, 0);
});

Deno.test("escaped constraints leave class eligibility out of the blocked eval", async () => {
  const job = jobWith(1, {
    Constraints: [{ LTarget: "${node.unique.name}", Operand: "=", RTarget: "nowhere" }],
  });
  const { h } = running(job);
  await h.process(mockEval(job));
  const blocked = h.createdEvals[0]!;
  assert.equal(blocked.EscapedComputedClass, true);
  assert.equal(blocked.ClassEligibility, null);
});

Deno.test("placements fill free capacity before the group fails", async () => {
  const job = jobWith(5, {}, { Resources: { CPU: 1900, MemoryMB: 64 } });
  const nodes: Node[] = [mockNode(), mockNode()];
  const h = new Harness();
  h.upsertNode(...nodes);
  h.upsertJob(job);
  await h.process(mockEval(job));
  assert.equal(placedIn(h).length, 4);
  const update = h.lastEvalUpdate()!;
  assert.deepEqual(update.QueuedAllocations, { web: 1 });
  assert.deepEqual(update.FailedTGAllocs?.["web"]?.DimensionExhausted, { cpu: 2 });
  assert.equal(h.createdEvals[0]?.Status, "blocked");
});
