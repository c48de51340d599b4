import assert from "node:assert/strict";
import type { Allocation, Job, JsonObject, Node } from "../structs/mod.ts";
import { Harness, mockAlloc, mockEval, mockJob, mockNode } from "./testing.ts";
import { ALLOC_LOST, ALLOC_NOT_NEEDED, ALLOC_UPDATING } from "./reconcile.ts";
import { ALLOC_NODE_TAINTED } from "./system_reconcile.ts";
import { SYSTEM_BLOCKED_DESC } from "./system_scheduler.ts";

function group(name: string, fields: JsonObject = {}): JsonObject {
  return {
    Name: name,
    Count: 1,
    Tasks: [{
      Name: name,
      Driver: "exec",
      Config: { command: "/bin/agent" },
      Resources: { CPU: 100, MemoryMB: 64 },
    }],
    ...fields,
  };
}

/** A system job "example" with one group "agent" unless `overrides` say otherwise. */
function systemJob(overrides: JsonObject = {}): Job {
  return mockJob({ Type: "system", Priority: 70, TaskGroups: [group("agent")], ...overrides });
}

function setup(nodes: Node[], job: Job, allocs: Allocation[] = []): Harness {
  const h = new Harness();
  h.upsertNode(...nodes);
  h.upsertJob(job);
  h.upsertAllocs(...allocs);
  return h;
}

function nodes(n: number, overrides: Partial<Node> = {}): Node[] {
  return Array.from({ length: n }, () => mockNode(overrides));
}

function lastPlan(h: Harness) {
  const plan = h.plans[h.plans.length - 1];
  assert.ok(plan !== undefined, "a plan was submitted");
  return plan;
}

function placed(h: Harness): Allocation[] {
  return Object.values(lastPlan(h).NodeAllocation).flat();
}

function stopped(h: Harness): Allocation[] {
  return Object.values(lastPlan(h).NodeUpdate).flat();
}

Deno.test("system scheduler places one allocation of each group on every ready node", async () => {
  const job = systemJob({ TaskGroups: [group("agent"), group("logs")] });
  const cluster = nodes(3);
  const h = setup(cluster, job);
  await h.process(mockEval(job));
  const allocs = placed(h);
  assert.equal(allocs.length, 6);
  for (const node of cluster) {
    const names = allocs.filter((a) => a.NodeID === node.ID).map((a) => a.Name).sort();
    assert.deepEqual(names, ["example.agent[0]", "example.logs[0]"]);
  }
  assert.ok(allocs.every((a) => a.DesiredStatus === "run" && a.PreviousAllocation === ""));
  assert.ok(allocs.every((a) => a.Metrics?.NodesEvaluated === 1));
  const update = h.lastEvalUpdate();
  assert.equal(update?.Status, "complete");
  assert.equal(update?.FailedTGAllocs, null);
  assert.deepEqual(update?.QueuedAllocations, { agent: 0, logs: 0 });
  assert.equal(lastPlan(h).Annotations?.DesiredTGUpdates?.["agent"]?.Place, 3);
  assert.equal(h.createdEvals.length, 0);
});

Deno.test("system scheduler skips infeasible, ineligible, draining, down and foreign nodes", async () => {
  const job = systemJob({ NodePool: "default" });
  const good = mockNode();
  const skipped = [
    mockNode({ Attributes: { ...mockNode().Attributes, "kernel.name": "windows" } }),
    mockNode({ SchedulingEligibility: "ineligible" }),
    mockNode({ Drain: true }),
    mockNode({ Status: "down" }),
    mockNode({ Datacenter: "dc2" }),
    mockNode({ NodePool: "gpu" }),
    mockNode({ Drivers: {}, Attributes: { "kernel.name": "linux" } }),
  ];
  const h = setup([good, ...skipped], job);
  await h.process(mockEval(job));
  assert.deepEqual(placed(h).map((a) => a.NodeID), [good.ID]);
  // Infeasible nodes are not failures while the group runs somewhere.
  assert.equal(h.lastEvalUpdate()?.FailedTGAllocs, null);
  assert.deepEqual(h.lastEvalUpdate()?.QueuedAllocations, { agent: 0 });
});

Deno.test("a system job feasible on no node reports the filtered nodes without blocking", async () => {
  const job = systemJob({
    Constraints: [{ LTarget: "${attr.kernel.name}", RTarget: "plan9", Operand: "=" }],
  });
  const h = setup(nodes(3), job);
  await h.process(mockEval(job));
  assert.equal(h.plans.length, 0);
  const update = h.lastEvalUpdate();
  assert.equal(update?.Status, "complete");
  const metric = update?.FailedTGAllocs?.["agent"];
  assert.equal(metric?.NodesFiltered, 3);
  assert.equal(metric?.NodesEvaluated, 3);
  assert.equal(metric?.ConstraintFiltered?.["${attr.kernel.name} = plan9"], 3);
  assert.equal(h.createdEvals.length, 0, "no blocked evaluation for constraints");
});

Deno.test("nodes without room are reported per group and do not hold back other nodes", async () => {
  const job = systemJob({
    TaskGroups: [group("agent", {
      Tasks: [{ Name: "agent", Driver: "exec", Resources: { CPU: 2000, MemoryMB: 1024 } }],
    })],
  });
  const small = { Cpu: { CpuShares: 1000, TotalCpuCores: 1, ReservableCpuCores: null } };
  const big = nodes(2);
  const tiny = nodes(2).map((n) => ({ ...n, NodeResources: { ...n.NodeResources, ...small } }));
  const h = setup([...big, ...tiny], job);
  await h.process(mockEval(job));
  assert.deepEqual(
    placed(h).map((a) => a.NodeID).sort(),
    big.map((n) => n.ID).sort(),
  );
  const update = h.lastEvalUpdate();
  assert.equal(update?.Status, "complete");
  const metric = update?.FailedTGAllocs?.["agent"];
  assert.equal(metric?.NodesExhausted, 1);
  assert.equal(metric?.CoalescedFailures, 1);
  assert.equal(metric?.DimensionExhausted?.["cpu"], 1);
  assert.deepEqual(update?.QueuedAllocations, { agent: 2 });
  assert.equal(h.createdEvals.length, 1);
  const blocked = h.createdEvals[0]!;
  assert.equal(blocked.Status, "blocked");
  assert.equal(blocked.StatusDescription, SYSTEM_BLOCKED_DESC);
  assert.ok(tiny.some((n) => n.ID === blocked.NodeID));
  assert.equal(blocked.PreviousEval, update?.ID);
  assert.equal(update?.BlockedEval, "", "system evaluations do not link their blocked eval");
});

Deno.test("a blocked system evaluation that still cannot place is re-blocked", async () => {
  const job = systemJob({
    TaskGroups: [group("agent", {
      Tasks: [{ Name: "agent", Driver: "exec", Resources: { CPU: 9000, MemoryMB: 64 } }],
    })],
  });
  const h = setup(nodes(1), job);
  await h.process(mockEval(job, { Status: "blocked", TriggeredBy: "queued-allocs" }));
  assert.equal(h.reblockedEvals.length, 1);
  assert.equal(h.createdEvals.length, 0);
  assert.equal(h.evalUpdates.length, 0);
  assert.ok(h.reblockedEvals[0]?.FailedTGAllocs?.["agent"] !== undefined);
});

Deno.test("a node that joins later gets the system job's allocation", async () => {
  const job = systemJob();
  const old = mockNode();
  const running = mockAlloc(job, old);
  const fresh = mockNode();
  const h = setup([old, fresh], job, [running]);
  await h.process(mockEval(job, { TriggeredBy: "node-update", NodeID: fresh.ID }));
  assert.deepEqual(placed(h).map((a) => a.NodeID), [fresh.ID]);
  assert.equal(stopped(h).length, 0);
  assert.equal(lastPlan(h).Annotations?.DesiredTGUpdates?.["agent"]?.Ignore, 1);
});

Deno.test("allocations on a down node are lost and not replaced elsewhere", async () => {
  const job = systemJob();
  const up = mockNode();
  const down = mockNode({ Status: "down" });
  const h = setup([up, down], job, [mockAlloc(job, up), mockAlloc(job, down)]);
  await h.process(mockEval(job, { TriggeredBy: "node-update", NodeID: down.ID }));
  assert.equal(placed(h).length, 0);
  const stops = stopped(h);
  assert.equal(stops.length, 1);
  assert.equal(stops[0]?.NodeID, down.ID);
  assert.equal(stops[0]?.DesiredStatus, "stop");
  assert.equal(stops[0]?.ClientStatus, "lost");
  assert.equal(stops[0]?.DesiredDescription, ALLOC_LOST);
});

Deno.test("allocations on a node that vanished are lost", async () => {
  const job = systemJob();
  const gone = mockNode();
  const h = setup([mockNode()], job, [mockAlloc(job, gone)]);
  await h.process(mockEval(job));
  assert.equal(stopped(h).find((a) => a.NodeID === gone.ID)?.ClientStatus, "lost");
});

Deno.test("a draining node keeps its system allocation until the drainer marks it", async () => {
  const job = systemJob();
  const draining = mockNode({ Drain: true });
  const alloc = mockAlloc(job, draining);
  const h = setup([draining], job, [alloc]);
  await h.process(mockEval(job, { TriggeredBy: "node-drain" }));
  assert.equal(h.plans.length, 0, "nothing to do until the alloc is marked to migrate");
  const marked = { ...alloc, DesiredTransition: { ...alloc.DesiredTransition, Migrate: true } };
  h.upsertAllocs(marked);
  await h.process(mockEval(job, { TriggeredBy: "node-drain" }));
  assert.deepEqual(stopped(h).map((a) => a.DesiredDescription), [ALLOC_NODE_TAINTED]);
  assert.equal(placed(h).length, 0, "system allocations are not migrated elsewhere");
});

Deno.test("an ineligible node keeps running its system allocation", async () => {
  const job = systemJob();
  const node = mockNode({ SchedulingEligibility: "ineligible" });
  const h = setup([node], job, [mockAlloc(job, node)]);
  await h.process(mockEval(job, { TriggeredBy: "node-update" }));
  assert.equal(h.plans.length, 0);
  assert.equal(h.lastEvalUpdate()?.Status, "complete");
});

Deno.test("a node that left the job's datacenters has its allocation stopped", async () => {
  const job = systemJob();
  const moved = mockNode({ Datacenter: "dc9" });
  const h = setup([moved], job, [mockAlloc(job, moved)]);
  await h.process(mockEval(job, { TriggeredBy: "node-update" }));
  assert.deepEqual(stopped(h).map((a) => a.DesiredDescription), [ALLOC_NOT_NEEDED]);
});

function updatedJob(job: Job, fields: JsonObject): Job {
  return { ...systemJob(fields), JobModifyIndex: job.JobModifyIndex + 1, Version: 1 };
}

Deno.test("a system job update that keeps the tasks is applied in place", async () => {
  const job = systemJob();
  const cluster = nodes(3);
  const allocs = cluster.map((n) => mockAlloc(job, n));
  const next = updatedJob(job, { Priority: 80 });
  const h = setup(cluster, next, allocs);
  await h.process(mockEval(next));
  assert.equal(stopped(h).length, 0);
  const updated = placed(h);
  assert.deepEqual(updated.map((a) => a.ID).sort(), allocs.map((a) => a.ID).sort());
  assert.ok(updated.every((a) => a.Job?.Priority === 80));
  assert.equal(lastPlan(h).Annotations?.DesiredTGUpdates?.["agent"]?.InPlaceUpdate, 3);
});

Deno.test("a system job update that changes tasks replaces allocations on the same nodes", async () => {
  const job = systemJob();
  const cluster = nodes(3);
  const allocs = cluster.map((n) => mockAlloc(job, n));
  const changed = group("agent", {
    Tasks: [{ Name: "agent", Driver: "exec", Config: { command: "/bin/agent2" } }],
  });
  const next = updatedJob(job, { Update: { MaxParallel: 0 }, TaskGroups: [changed] });
  const h = setup(cluster, next, allocs);
  await h.process(mockEval(next));
  assert.equal(stopped(h).length, 3);
  assert.ok(stopped(h).every((a) => a.DesiredDescription === ALLOC_UPDATING));
  const fresh = placed(h);
  assert.equal(fresh.length, 3);
  for (const alloc of fresh) {
    const previous = allocs.find((a) => a.ID === alloc.PreviousAllocation);
    assert.equal(previous?.NodeID, alloc.NodeID);
  }
  assert.equal(lastPlan(h).Annotations?.DesiredTGUpdates?.["agent"]?.DestructiveUpdate, 3);
  assert.equal(h.createdEvals.length, 0, "max_parallel = 0: all at once");
});

Deno.test("destructive system updates respect update.max_parallel", async () => {
  const job = systemJob();
  const cluster = nodes(4);
  const allocs = cluster.map((n) => mockAlloc(job, n));
  const next = updatedJob(job, {
    Update: { MaxParallel: 1, Stagger: 5_000_000_000 },
    TaskGroups: [group("agent", { Tasks: [{ Name: "agent", Driver: "raw_exec" }] })],
  });
  const h = setup(cluster, next, allocs);
  const evaluation = mockEval(next);
  await h.process(evaluation);
  assert.equal(stopped(h).length, 1);
  assert.equal(placed(h).length, 1);
  assert.equal(h.createdEvals.length, 1);
  const rolling = h.createdEvals[0]!;
  assert.equal(rolling.TriggeredBy, "rolling-update");
  assert.equal(rolling.Wait, 5_000_000_000);
  assert.equal(rolling.PreviousEval, evaluation.ID);
  assert.equal(h.lastEvalUpdate()?.NextEval, rolling.ID);
  // The follow-up replaces the next one (another seed: the harness's IDs restart per run).
  await h.process(rolling, { seed: 7 });
  const current = h.runningAllocs().filter((a) => a.Job?.JobModifyIndex === next.JobModifyIndex);
  assert.equal(current.length, 2);
  assert.equal(new Set(current.map((a) => a.NodeID)).size, 2);
});

Deno.test("stopping a system job stops every allocation", async () => {
  const job = systemJob({ TaskGroups: [group("agent"), group("logs")] });
  const cluster = nodes(3);
  const allocs = cluster.flatMap((n) => [mockAlloc(job, n), mockAlloc(job, n, { group: "logs" })]);
  const h = setup(cluster, { ...job, Stop: true }, allocs);
  await h.process(mockEval(job, { TriggeredBy: "job-deregister" }));
  assert.equal(stopped(h).length, 6);
  assert.ok(stopped(h).every((a) => a.DesiredDescription === ALLOC_NOT_NEEDED));
  assert.equal(placed(h).length, 0);
  assert.equal(h.runningAllocs().length, 0);
});

Deno.test("a failed system allocation is replaced on its node at the next evaluation", async () => {
  const job = systemJob();
  const node = mockNode();
  const failed = mockAlloc(job, node, { ClientStatus: "failed" });
  const h = setup([node], job, [failed]);
  await h.process(mockEval(job, { TriggeredBy: "node-update" }));
  assert.equal(placed(h).length, 1);
  assert.equal(placed(h)[0]?.NodeID, node.ID);
  assert.equal(placed(h)[0]?.PreviousAllocation, failed.ID);
});

Deno.test("system scheduler refuses triggers it does not handle", async () => {
  const job = systemJob();
  const h = setup(nodes(1), job);
  await h.process(mockEval(job, { TriggeredBy: "alloc-failure" }));
  assert.equal(h.plans.length, 0);
  assert.equal(h.lastEvalUpdate()?.Status, "failed");
  assert.equal(
    h.lastEvalUpdate()?.StatusDescription,
    "scheduler cannot handle 'alloc-failure' evaluation reason",
  );
  await h.process(mockEval(job, { TriggeredBy: "periodic-job" }));
  assert.equal(h.lastEvalUpdate()?.Status, "failed", "periodic-job is for sysbatch only");
});

Deno.test("a plan that keeps failing to commit fails the system evaluation", async () => {
  const job = systemJob();
  const h = setup(nodes(2), job);
  h.planHook = () => ({ kind: "partial", keepAlloc: () => false });
  await h.process(mockEval(job));
  assert.equal(h.plans.length, 5);
  assert.equal(h.lastEvalUpdate()?.Status, "failed");
  assert.equal(h.lastEvalUpdate()?.StatusDescription, "maximum attempts reached (5)");
});

Deno.test("a partly committed system plan is retried for the rest", async () => {
  const job = systemJob();
  const h = setup(nodes(4), job);
  let kept = 0;
  h.planHook = (_plan, attempt) =>
    attempt === 0 ? { kind: "partial", keepAlloc: () => kept++ < 2 } : { kind: "commit" };
  await h.process(mockEval(job));
  assert.equal(h.plans.length, 2);
  assert.equal(Object.values(h.plans[1]!.NodeAllocation).flat().length, 2);
  assert.equal(h.runningAllocs().length, 4);
  assert.equal(h.lastEvalUpdate()?.Status, "complete");
});

// --- sysbatch ---

function sysbatchJob(overrides: JsonObject = {}): Job {
  return systemJob({ Type: "sysbatch", ...overrides });
}

Deno.test("sysbatch runs once on every node and does not re-run completed allocations", async () => {
  const job = sysbatchJob();
  const cluster = nodes(3);
  const h = setup(cluster, job);
  await h.process(mockEval(job));
  assert.equal(placed(h).length, 3);
  const done = h.allocs().map((a) => ({ ...a, ClientStatus: "complete" as const }));
  h.upsertAllocs(...done);
  const plans = h.plans.length;
  await h.process(mockEval(job, { TriggeredBy: "node-update" }));
  assert.equal(h.plans.length, plans, "nothing placed again");
  assert.equal(h.lastEvalUpdate()?.Status, "complete");
});

Deno.test("sysbatch does not re-place failed allocations until the job changes", async () => {
  const job = sysbatchJob();
  const node = mockNode();
  const failed = mockAlloc(job, node, { ClientStatus: "failed" });
  const h = setup([node], job, [failed]);
  await h.process(mockEval(job, { TriggeredBy: "node-update" }));
  assert.equal(h.plans.length, 0);
  const changed = group("agent", { Tasks: [{ Name: "agent", Driver: "raw_exec" }] });
  const next = { ...sysbatchJob({ TaskGroups: [changed] }), JobModifyIndex: 100, Version: 1 };
  h.upsertJob(next);
  await h.process(mockEval(next));
  assert.equal(placed(h).length, 1);
  assert.equal(placed(h)[0]?.PreviousAllocation, failed.ID);
});

Deno.test("a finished sysbatch allocation on a down node is left alone", async () => {
  const job = sysbatchJob();
  const down = mockNode({ Status: "down" });
  const alloc = mockAlloc(job, down, {
    ClientStatus: "running",
    TaskStates: {
      agent: {
        State: "dead",
        Failed: false,
        Restarts: 0,
        LastRestart: null,
        StartedAt: null,
        FinishedAt: null,
        Events: null,
      },
    },
  });
  const h = setup([down], job, [alloc]);
  await h.process(mockEval(job, { TriggeredBy: "node-update" }));
  assert.equal(h.plans.length, 0);
});

Deno.test("sysbatch handles periodic-job evaluations", async () => {
  const job = sysbatchJob();
  const h = setup(nodes(2), job);
  await h.process(mockEval(job, { TriggeredBy: "periodic-job" }));
  assert.equal(h.lastEvalUpdate()?.Status, "complete");
  assert.equal(placed(h).length, 2);
});
