import assert from "node:assert/strict";
import type { Allocation, Constraint, Job, JsonObject, Node } from "../structs/mod.ts";
import { Harness, mockAlloc, mockEval, mockJob, mockNode, TEST_NOW_NS } from "./testing.ts";

function planned(h: Harness, planIndex = h.plans.length - 1): Allocation[] {
  const plan = h.plans[planIndex];
  return plan === undefined ? [] : Object.values(plan.NodeAllocation).flat();
}

function setup(nodes: Node[], job: Job): Harness {
  const h = new Harness();
  h.upsertNode(...nodes);
  h.upsertJob(job);
  return h;
}

function nodes(n: number, overrides: Partial<Node> = {}): Node[] {
  return Array.from({ length: n }, () => mockNode(overrides));
}

function group(fields: JsonObject): JsonObject {
  return {
    Name: "web",
    Count: 1,
    Tasks: [{ Name: "web", Driver: "exec", Resources: { CPU: 100, MemoryMB: 64 } }],
    ...fields,
  };
}

Deno.test("scheduler places count allocations with distinct names", async () => {
  const job = mockJob();
  const h = setup(nodes(10), job);
  await h.process(mockEval(job));
  const allocs = planned(h);
  assert.equal(h.plans.length, 1);
  assert.deepEqual(
    allocs.map((a) => a.Name).sort(),
    Array.from({ length: 10 }, (_, i) => `example.web[${i}]`).sort(),
  );
  for (const a of allocs) {
    assert.equal(a.DesiredStatus, "run");
    assert.equal(a.ClientStatus, "pending");
    assert.equal(a.JobID, "example");
    assert.equal(a.Job?.ID, "example");
    assert.equal(a.EvalID, h.plans[0]?.EvalID);
    assert.equal(a.CreateTime, TEST_NOW_NS);
    assert.equal(a.AllocatedResources?.Tasks["web"]?.Cpu.CpuShares, 500);
    assert.equal(a.AllocatedResources?.Shared.DiskMB, 150);
    assert.ok(a.Metrics !== null && a.Metrics.NodesEvaluated > 0);
    assert.ok((a.Metrics?.ScoreMetaData?.length ?? 0) > 0);
  }
  assert.equal(new Set(allocs.map((a) => a.ID)).size, 10);
  assert.equal(h.plans[0]?.Annotations?.DesiredTGUpdates?.["web"]?.Place, 10);
  const update = h.lastEvalUpdate();
  assert.equal(update?.Status, "complete");
  assert.deepEqual(update?.QueuedAllocations, { web: 0 });
  assert.equal(h.runningAllocs().length, 10);
});

Deno.test("dynamic ports on one node are distinct and within 20000-32000", async () => {
  const job = mockJob({
    TaskGroups: [
      group({ Count: 6, Networks: [{ DynamicPorts: [{ Label: "http" }, { Label: "admin" }] }] }),
    ],
  });
  const h = setup(nodes(1), job);
  await h.process(mockEval(job));
  const ports = planned(h).flatMap((a) => a.AllocatedResources?.Shared.Ports ?? []);
  assert.equal(ports.length, 12);
  assert.equal(new Set(ports.map((p) => p.Value)).size, 12);
  assert.ok(ports.every((p) => p.Value >= 20000 && p.Value <= 32000));
  const node = h.snapshot().nodes()[0]!;
  assert.ok(ports.every((p) => p.HostIP === node.NodeResources.Networks?.[0]?.IP));
  const network = planned(h)[0]?.AllocatedResources?.Shared.Networks?.[0];
  assert.equal(network?.IP, node.NodeResources.Networks?.[0]?.IP);
  assert.ok(network?.DynamicPorts?.every((p) => p.Value >= 20000));
});

Deno.test("a static port collision keeps the second allocation off that node", async () => {
  const staticPort = { ReservedPorts: [{ Label: "http", Value: 8080 }] };
  const job = mockJob({ TaskGroups: [group({ Count: 2, Networks: [staticPort] })] });
  const h = setup(nodes(2), job);
  await h.process(mockEval(job));
  const allocs = planned(h);
  assert.equal(allocs.length, 2);
  assert.notEqual(allocs[0]?.NodeID, allocs[1]?.NodeID);
  assert.ok(allocs.every((a) => a.AllocatedResources?.Shared.Ports?.[0]?.Value === 8080));

  const single = setup(nodes(1), job);
  await single.process(mockEval(job));
  assert.equal(planned(single).length, 1);
  const metric = single.lastEvalUpdate()?.FailedTGAllocs?.["web"];
  assert.deepEqual(metric?.DimensionExhausted, { "network: reserved port collision http=8080": 1 });
});

Deno.test("no node with the driver fails the group with missing drivers and blocks", async () => {
  const job = mockJob({
    TaskGroups: [group({ Count: 3, Tasks: [{ Name: "vm", Driver: "qemu" }] })],
  });
  const h = setup(nodes(4), job);
  const evaluation = mockEval(job);
  await h.process(evaluation);
  // Only the new deployment may be submitted: nothing is placed.
  assert.equal(h.plans.flatMap((p) => Object.values(p.NodeAllocation).flat()).length, 0);
  const update = h.lastEvalUpdate()!;
  const metric = update.FailedTGAllocs?.["web"];
  assert.equal(update.Status, "complete");
  assert.deepEqual(metric?.ConstraintFiltered, { "missing drivers": 4 });
  assert.equal(metric?.NodesFiltered, 4);
  assert.equal(metric?.NodesEvaluated, 4);
  assert.equal(metric?.NodesInPool, 4);
  assert.deepEqual(metric?.NodesAvailable, { dc1: 4 });
  assert.deepEqual(metric?.ClassFiltered, { "linux-medium-pci": 4 });
  assert.equal(metric?.CoalescedFailures, 2);
  assert.deepEqual(update.QueuedAllocations, { web: 3 });
  assert.equal(h.createdEvals.length, 1);
  const blocked = h.createdEvals[0]!;
  assert.equal(blocked.Status, "blocked");
  assert.equal(blocked.TriggeredBy, "queued-allocs");
  assert.equal(blocked.StatusDescription, "created to place remaining allocations");
  assert.equal(blocked.PreviousEval, evaluation.ID);
  assert.equal(blocked.JobID, job.ID);
  assert.equal(blocked.Priority, evaluation.Priority);
  assert.deepEqual(blocked.ClassEligibility, { "v1:linux-medium-pci": false });
  assert.equal(update.BlockedEval, blocked.ID);
});

Deno.test("insufficient memory is reported in DimensionExhausted", async () => {
  const job = mockJob({
    TaskGroups: [
      group({ Tasks: [{ Name: "big", Driver: "exec", Resources: { CPU: 100, MemoryMB: 9000 } }] }),
    ],
  });
  const h = setup(nodes(3), job);
  await h.process(mockEval(job));
  const metric = h.lastEvalUpdate()?.FailedTGAllocs?.["web"];
  assert.equal(metric?.NodesExhausted, 3);
  assert.deepEqual(metric?.DimensionExhausted, { memory: 3 });
  assert.deepEqual(metric?.ResourcesExhausted, { big: { CPU: 0, MemoryMB: 9000 } });
  assert.equal(h.createdEvals[0]?.Status, "blocked");
});

Deno.test("datacenter globs select nodes of matching datacenters", async () => {
  const all = [
    ...nodes(2, { Datacenter: "dc1" }),
    ...nodes(2, { Datacenter: "dc2" }),
    ...nodes(2, { Datacenter: "eu1" }),
  ];
  const job = mockJob({ Datacenters: ["dc*"], TaskGroups: [group({ Count: 4 })] });
  const h = setup(all, job);
  await h.process(mockEval(job));
  const allowed = new Set(all.filter((n) => n.Datacenter.startsWith("dc")).map((n) => n.ID));
  assert.equal(planned(h).length, 4);
  assert.ok(planned(h).every((a) => allowed.has(a.NodeID)));
  assert.deepEqual(planned(h)[0]?.Metrics?.NodesAvailable, { dc1: 2, dc2: 2 });
});

Deno.test("node pools restrict placement and pool all matches every node", async () => {
  const gpu = nodes(2, { NodePool: "gpu" });
  const plain = nodes(2);
  const inGpu = mockJob({ NodePool: "gpu", TaskGroups: [group({ Count: 2 })] });
  const h = setup([...gpu, ...plain], inGpu);
  await h.process(mockEval(inGpu));
  const gpuIDs = new Set(gpu.map((n) => n.ID));
  assert.ok(planned(h).length === 2 && planned(h).every((a) => gpuIDs.has(a.NodeID)));

  const anyPool = mockJob({
    NodePool: "all",
    TaskGroups: [group({ Count: 4, Constraints: [{ Operand: "distinct_hosts" }] })],
  });
  const h2 = setup([...gpu, ...plain], anyPool);
  await h2.process(mockEval(anyPool));
  assert.equal(new Set(planned(h2).map((a) => a.NodeID)).size, 4);
});

Deno.test("each constraint operand selects the one matching node", async () => {
  const cases: [Constraint, Partial<Node>][] = [
    [{ LTarget: "${meta.rack}", Operand: "=", RTarget: "r2" }, { Meta: { rack: "r2" } }],
    [{ LTarget: "${meta.rack}", Operand: "==", RTarget: "r2" }, { Meta: { rack: "r2" } }],
    [{ LTarget: "${meta.rack}", Operand: "is", RTarget: "r2" }, { Meta: { rack: "r2" } }],
    [{ LTarget: "${node.class}", Operand: "!=", RTarget: "linux-medium-pci" }, {
      NodeClass: "big",
    }],
    [{ LTarget: "${node.class}", Operand: "not", RTarget: "linux-medium-pci" }, {
      NodeClass: "big",
    }],
    [{ LTarget: "${node.unique.name}", Operand: "regexp", RTarget: "^special-" }, {
      Name: "special-1",
    }],
    [{ LTarget: "${attr.nomad.version}", Operand: "version", RTarget: ">= 1.8, < 2.0" }, {
      Attributes: { "nomad.version": "1.9.3", "kernel.name": "linux" },
    }],
    [{ LTarget: "${attr.nomad.version}", Operand: "semver", RTarget: ">= 1.8.0" }, {
      Attributes: { "nomad.version": "1.9.3", "kernel.name": "linux" },
    }],
    [{ LTarget: "${meta.cores}", Operand: ">", RTarget: "8" }, { Meta: { cores: "16" } }],
    [{ LTarget: "${meta.cores}", Operand: ">=", RTarget: "16" }, { Meta: { cores: "16" } }],
    [{ LTarget: "${meta.cores}", Operand: "<", RTarget: "2" }, { Meta: { cores: "1" } }],
    [{ LTarget: "${meta.cores}", Operand: "<=", RTarget: "1" }, { Meta: { cores: "1" } }],
    [{ LTarget: "${meta.ssd}", Operand: "is_set", RTarget: "" }, { Meta: { ssd: "yes" } }],
    [{ LTarget: "${meta.version}", Operand: "is_not_set", RTarget: "" }, { Meta: {} }],
    [{ LTarget: "${node.unique.id}", Operand: "=", RTarget: "target-node" }, { ID: "target-node" }],
    [{ LTarget: "${node.datacenter}", Operand: "=", RTarget: "dc1" }, {}],
  ];
  for (const [constraint, special] of cases) {
    const others = nodes(3, { Meta: { cores: "4", version: "5.6" } });
    const target = mockNode({ Meta: { cores: "4", version: "5.6" }, ...special });
    const pool = constraint.LTarget === "${node.datacenter}"
      ? others.map((n) => ({ ...n, Datacenter: "dc1-other" }))
      : others;
    const job = mockJob({
      Datacenters: ["dc1*"],
      TaskGroups: [group({ Constraints: [constraint] })],
    });
    const h = setup([...pool, target], job);
    await h.process(mockEval(job));
    const label = `${constraint.Operand} ${constraint.LTarget}`;
    assert.equal(planned(h)[0]?.NodeID, target.ID, label);
    const filtered = planned(h)[0]?.Metrics?.ConstraintFiltered ?? {};
    for (const key of Object.keys(filtered)) {
      assert.equal(key, `${constraint.LTarget} ${constraint.Operand} ${constraint.RTarget}`, label);
    }
  }
});

Deno.test("job, group and task constraints are all enforced", async () => {
  const good = mockNode({ Meta: { a: "1", b: "1", c: "1" } });
  const bad = [
    mockNode({ Meta: { a: "0", b: "1", c: "1" } }),
    mockNode({ Meta: { a: "1", b: "0", c: "1" } }),
    mockNode({ Meta: { a: "1", b: "1", c: "0" } }),
  ];
  const eq = (k: string) => ({ LTarget: `\${meta.${k}}`, Operand: "=", RTarget: "1" });
  const job = mockJob({
    Constraints: [eq("a")],
    TaskGroups: [group({
      Constraints: [eq("b")],
      Tasks: [{
        Name: "web",
        Driver: "exec",
        Constraints: [eq("c")],
        Resources: { CPU: 100, MemoryMB: 64 },
      }],
    })],
  });
  const h = setup([...bad, good], job);
  await h.process(mockEval(job));
  assert.equal(planned(h)[0]?.NodeID, good.ID);
  assert.deepEqual(planned(h)[0]?.Metrics?.ConstraintFiltered, {
    "${meta.a} = 1": 1,
    "${meta.b} = 1": 1,
    "${meta.c} = 1": 1,
  });
});

Deno.test("distinct_hosts keeps a group's allocations on separate nodes", async () => {
  const job = mockJob({
    TaskGroups: [group({ Count: 4, Constraints: [{ Operand: "distinct_hosts" }] })],
  });
  const h = setup(nodes(3), job);
  await h.process(mockEval(job));
  assert.equal(planned(h).length, 3);
  assert.equal(new Set(planned(h).map((a) => a.NodeID)).size, 3);
  const metric = h.lastEvalUpdate()?.FailedTGAllocs?.["web"];
  assert.deepEqual(metric?.ConstraintFiltered, { distinct_hosts: 3 });
});

Deno.test("job-level distinct_hosts separates allocations of different groups", async () => {
  const job = mockJob({
    Constraints: [{ Operand: "distinct_hosts", RTarget: "true" }],
    TaskGroups: [group({ Name: "a" }), group({ Name: "b" })],
  });
  const h = setup(nodes(2), job);
  await h.process(mockEval(job));
  assert.equal(planned(h).length, 2);
  assert.notEqual(planned(h)[0]?.NodeID, planned(h)[1]?.NodeID);
});

Deno.test("ineligible, draining, down and initializing nodes are never used", async () => {
  const unusable = [
    mockNode({ SchedulingEligibility: "ineligible" }),
    mockNode({ Drain: true }),
    mockNode({ Status: "down" }),
    mockNode({ Status: "initializing" }),
  ];
  const ready = mockNode();
  const job = mockJob({ TaskGroups: [group({ Count: 3 })] });
  const h = setup([...unusable, ready], job);
  await h.process(mockEval(job));
  assert.equal(planned(h).length, 3);
  assert.ok(planned(h).every((a) => a.NodeID === ready.ID));
  assert.equal(planned(h)[0]?.Metrics?.NodesInPool, 1);
});

Deno.test("binpack prefers the fuller node and spread the emptier one", async () => {
  const [busy, idle] = nodes(2);
  const other = mockJob({
    ID: "other",
    TaskGroups: [
      group({ Tasks: [{ Name: "t", Driver: "exec", Resources: { CPU: 2000, MemoryMB: 4000 } }] }),
    ],
  });
  const job = mockJob({ TaskGroups: [group({})] });
  for (const algorithm of ["binpack", "spread"] as const) {
    const h = setup([busy!, idle!], job);
    h.algorithm = algorithm;
    h.upsertJob(other);
    h.upsertAllocs(mockAlloc(other, busy!));
    await h.process(mockEval(job));
    const expected = algorithm === "binpack" ? busy!.ID : idle!.ID;
    assert.equal(planned(h)[0]?.NodeID, expected, algorithm);
    const scores = planned(h)[0]?.Metrics?.ScoreMetaData ?? [];
    assert.equal(scores.length, 2);
    assert.equal(scores[0]?.NodeID, expected);
  }
});

Deno.test("job anti-affinity spreads a group's allocations over equal nodes", async () => {
  const job = mockJob({ TaskGroups: [group({ Count: 4 })] });
  const h = setup(nodes(4), job);
  await h.process(mockEval(job));
  assert.equal(new Set(planned(h).map((a) => a.NodeID)).size, 4);
});

Deno.test("the same seed gives the same plan", async () => {
  const fixed = Array.from(
    { length: 20 },
    (_, i) => mockNode({ ID: `node-${String(i).padStart(2, "0")}`, Name: `n${i}` }),
  );
  const job = mockJob();
  const evaluation = mockEval(job);
  const run = async (seed: number) => {
    const h = setup(fixed, job);
    await h.process(evaluation, { seed });
    return JSON.stringify(h.plans);
  };
  assert.equal(await run(7), await run(7));
  assert.notEqual(await run(7), await run(8));
});

Deno.test("unsupported scheduler types fail the evaluation", async () => {
  const job = mockJob({ Type: "spaceship" });
  const h = setup(nodes(1), job);
  await h.process(mockEval(job));
  assert.equal(h.lastEvalUpdate()?.Status, "failed");
  assert.equal(h.lastEvalUpdate()?.StatusDescription, 'scheduler "spaceship" not implemented');
  assert.equal(h.plans.length, 0);
});

Deno.test("an unknown trigger fails the evaluation", async () => {
  const job = mockJob();
  const h = setup(nodes(1), job);
  await h.process(mockEval(job, { TriggeredBy: "bogus" }));
  assert.equal(h.lastEvalUpdate()?.Status, "failed");
  assert.equal(
    h.lastEvalUpdate()?.StatusDescription,
    "scheduler cannot handle 'bogus' evaluation reason",
  );
});
