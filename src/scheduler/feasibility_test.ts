import assert from "node:assert/strict";
import type { Allocation, Job, JsonObject, Node, NodeDeviceResource } from "../structs/mod.ts";
import { allocsFit } from "./alloc_fit.ts";
import { checkDistinctProperty, checkDrivers } from "./feasibility.ts";
import { Harness, mockAlloc, mockEval, mockJob, mockNode } from "./testing.ts";

function group(fields: JsonObject): JsonObject {
  return {
    Name: "web",
    Count: 1,
    Tasks: [{ Name: "web", Driver: "exec", Resources: { CPU: 100, MemoryMB: 64 } }],
    ...fields,
  };
}

async function run(nodes: Node[], job: Job, existing: Allocation[] = []): Promise<Harness> {
  const h = new Harness();
  h.upsertNode(...nodes);
  h.upsertJob(job);
  h.upsertAllocs(...existing);
  await h.process(mockEval(job));
  return h;
}

function placed(h: Harness): Allocation[] {
  return h.plans.flatMap((p) => Object.values(p.NodeAllocation).flat());
}

function rack(name: string): Node {
  return mockNode({ Meta: { rack: name } });
}

const RACK = "${meta.rack}";

Deno.test("distinct_property allows one allocation per property value by default", async () => {
  const nodes = [rack("r1"), rack("r1"), rack("r2")];
  const job = mockJob({
    TaskGroups: [group({
      Count: 3,
      Constraints: [{ Operand: "distinct_property", LTarget: RACK }],
    })],
  });
  const h = await run(nodes, job);
  const racks = placed(h).map((a) => nodes.find((n) => n.ID === a.NodeID)?.Meta["rack"]);
  assert.deepEqual(racks.sort(), ["r1", "r2"]);
  const metric = h.lastEvalUpdate()?.FailedTGAllocs?.["web"];
  assert.ok(metric !== undefined);
  assert.equal(metric.ConstraintFiltered?.[`distinct_property: ${RACK}=r1 used by 1 allocs`], 2);
  assert.equal(metric.ConstraintFiltered?.[`distinct_property: ${RACK}=r2 used by 1 allocs`], 1);
});

Deno.test("distinct_property RTarget sets how many allocations may share a value", async () => {
  const nodes = [rack("r1"), rack("r1"), rack("r1"), rack("r2"), rack("r2"), rack("r2")];
  const job = mockJob({
    TaskGroups: [group({
      Count: 5,
      Constraints: [{ Operand: "distinct_property", LTarget: RACK, RTarget: "2" }],
    })],
  });
  const h = await run(nodes, job);
  const perRack: Record<string, number> = {};
  for (const a of placed(h)) {
    const value = nodes.find((n) => n.ID === a.NodeID)?.Meta["rack"] ?? "";
    perRack[value] = (perRack[value] ?? 0) + 1;
  }
  assert.deepEqual(perRack, { r1: 2, r2: 2 });
  assert.equal(h.lastEvalUpdate()?.FailedTGAllocs?.["web"]?.CoalescedFailures, 0);
});

Deno.test("distinct_property counts existing allocations and filters nodes missing it", async () => {
  const r1 = rack("r1");
  const r2 = rack("r2");
  const bare = mockNode({ Meta: {} });
  const job = mockJob({
    Constraints: [{ Operand: "distinct_property", LTarget: RACK }],
    TaskGroups: [group({ Count: 2 })],
  });
  const existing = mockAlloc(job, r1, { index: 0 });
  const h = await run([r1, r2, bare], job, [existing]);
  assert.deepEqual(placed(h).map((a) => a.NodeID), [r2.ID]);
  const metric = placed(h)[0]?.Metrics;
  assert.ok(metric !== null && metric !== undefined);
  assert.equal(metric.NodesEvaluated, 3);
  assert.deepEqual(metric.ConstraintFiltered, {
    [`missing property "${RACK}"`]: 1,
    [`distinct_property: ${RACK}=r1 used by 1 allocs`]: 1,
  });
});

Deno.test("job-level distinct_property counts every group of the job", () => {
  const r1 = rack("r1");
  const job = mockJob({
    Constraints: [{ Operand: "distinct_property", LTarget: RACK }],
    TaskGroups: [group({ Name: "a" }), group({ Name: "b" })],
  });
  const a = mockAlloc(job, r1, { group: "a" });
  const usage = { jobAllocations: () => [a], nodeByID: () => r1 };
  const result = checkDistinctProperty(job, job.TaskGroups[1]!, { node: r1, usage });
  assert.deepEqual(result, {
    feasible: false,
    reason: `distinct_property: ${RACK}=r1 used by 1 allocs`,
  });
  const groupLevel = mockJob({
    TaskGroups: [
      group({ Name: "a" }),
      group({ Name: "b", Constraints: [{ Operand: "distinct_property", LTarget: RACK }] }),
    ],
  });
  const other = checkDistinctProperty(groupLevel, groupLevel.TaskGroups[1]!, { node: r1, usage });
  assert.deepEqual(other, { feasible: true });
  const bad = mockJob({
    Constraints: [{ Operand: "distinct_property", LTarget: RACK, RTarget: "many" }],
  });
  const invalid = checkDistinctProperty(bad, bad.TaskGroups[0]!, { node: r1, usage });
  assert.equal(invalid.feasible, false);
});

Deno.test("a detected but unhealthy driver is a missing driver", () => {
  const base = mockNode();
  const unhealthy = mockNode({
    Drivers: { ...base.Drivers, exec: { ...base.Drivers["exec"]!, Healthy: false } },
  });
  const job = mockJob();
  assert.deepEqual(checkDrivers(base, job.TaskGroups[0]!), { feasible: true });
  assert.deepEqual(checkDrivers(unhealthy, job.TaskGroups[0]!), {
    feasible: false,
    reason: "missing drivers",
  });
});

Deno.test("host volumes need a matching, writable-if-asked node volume", async () => {
  const none = mockNode();
  const readOnly = mockNode({ HostVolumes: { data: { Path: "/ro", ReadOnly: true } } });
  const writable = mockNode({ HostVolumes: { data: { Path: "/rw", ReadOnly: false } } });
  const rw = mockJob({
    TaskGroups: [group({
      Count: 2,
      Volumes: { data: { Name: "data", Type: "host", Source: "data", ReadOnly: false } },
    })],
  });
  const h = await run([none, readOnly, writable], rw);
  assert.ok(placed(h).every((a) => a.NodeID === writable.ID));
  assert.equal(placed(h).length, 2);
  const ro = mockJob({
    ID: "ro",
    TaskGroups: [group({
      Count: 1,
      Volumes: { data: { Name: "data", Type: "host", Source: "data", ReadOnly: true } },
    })],
  });
  const h2 = await run([none, readOnly], ro);
  assert.deepEqual(placed(h2).map((a) => a.NodeID), [readOnly.ID]);
  const h3 = await run([none], ro);
  const metric = h3.lastEvalUpdate()?.FailedTGAllocs?.["web"];
  assert.deepEqual(metric?.ConstraintFiltered, { "missing compatible host volumes": 1 });
});

function gpuNode(count: number, memoryGiB: number): Node {
  const gpus: NodeDeviceResource = {
    Vendor: "nvidia",
    Type: "gpu",
    Name: "t4",
    Instances: Array.from({ length: count }, (_, i) => ({
      ID: `GPU-${memoryGiB}-${i}`,
      Healthy: true,
      HealthDescription: "",
      Locality: null,
    })),
    Attributes: { memory: { IntVal: memoryGiB, Unit: "GiB" } },
  };
  const node = mockNode();
  return { ...node, NodeResources: { ...node.NodeResources, Devices: [gpus] } };
}

function gpuJob(count: number, devices: JsonObject[]): Job {
  return mockJob({
    TaskGroups: [group({
      Count: count,
      Tasks: [{
        Name: "train",
        Driver: "exec",
        Resources: { CPU: 100, MemoryMB: 64, Devices: devices },
      }],
    })],
  });
}

Deno.test("device requests take distinct healthy instances of a matching group", async () => {
  const node = gpuNode(3, 16);
  const h = await run([node], gpuJob(2, [{ Name: "nvidia/gpu", Count: 1 }]));
  const ids = placed(h).flatMap((a) =>
    a.AllocatedResources?.Tasks["train"]?.Devices?.flatMap((d) => d.DeviceIDs) ?? []
  );
  assert.equal(ids.length, 2);
  assert.equal(new Set(ids).size, 2);
  const h2 = await run([node], gpuJob(2, [{ Name: "gpu", Count: 2 }]));
  assert.equal(placed(h2).length, 1);
  const metric = h2.lastEvalUpdate()?.FailedTGAllocs?.["web"];
  assert.deepEqual(metric?.DimensionExhausted, { "devices: no devices match request": 1 });
});

Deno.test("device constraints compare attributes with units; misses are missing devices", async () => {
  const small = gpuNode(2, 8);
  const large = gpuNode(2, 32);
  const wantBig = [{
    Name: "nvidia/gpu/t4",
    Count: 1,
    Constraints: [{ LTarget: "${device.attr.memory}", Operand: ">=", RTarget: "16384 MiB" }],
  }];
  const h = await run([small, large], gpuJob(1, wantBig));
  assert.deepEqual(placed(h).map((a) => a.NodeID), [large.ID]);
  const h2 = await run([small], gpuJob(1, wantBig));
  const metric = h2.lastEvalUpdate()?.FailedTGAllocs?.["web"];
  assert.deepEqual(metric?.ConstraintFiltered, { "missing devices": 1 });
  const h3 = await run([large], gpuJob(1, [{ Name: "amd/gpu", Count: 1 }]));
  assert.equal(placed(h3).length, 0);
});

Deno.test("cores are reserved exclusively and count as whole-core CPU", async () => {
  const node = mockNode(); // 4 cores, 4000 MHz
  const job = mockJob({
    TaskGroups: [group({
      Count: 3,
      Tasks: [{ Name: "pinned", Driver: "exec", Resources: { Cores: 2, MemoryMB: 64 } }],
    })],
  });
  const h = await run([node], job);
  const allocs = placed(h);
  assert.equal(allocs.length, 1);
  const cpu = allocs[0]?.AllocatedResources?.Tasks["pinned"]?.Cpu;
  assert.equal(cpu?.CpuShares, 2000);
  assert.equal(cpu?.ReservedCores?.length, 2);
  // The node reserves 100 MHz, so a second pair of cores (2000 MHz) no longer fits.
  const metric = h.lastEvalUpdate()?.FailedTGAllocs?.["web"];
  assert.deepEqual(metric?.DimensionExhausted, { cpu: 1 });
  const roomy = mockNode({
    ReservedResources: { ...node.ReservedResources, Cpu: { CpuShares: 0 } },
  });
  const h2 = await run([roomy], job);
  const cores = placed(h2).flatMap((a) => a.AllocatedResources?.Tasks["pinned"]?.Cpu.ReservedCores);
  assert.deepEqual(cores.sort(), [0, 1, 2, 3]);
  assert.deepEqual(h2.lastEvalUpdate()?.FailedTGAllocs?.["web"]?.DimensionExhausted, {
    cores: 1,
  });
});

Deno.test("allocsFit rejects overlapping cores and doubly used devices", () => {
  const node = gpuNode(2, 16);
  const job = mockJob();
  const withTask = (cores: number[] | null, ids: string[]): Allocation => {
    const alloc = mockAlloc(job, node);
    const task = alloc.AllocatedResources!.Tasks["web"]!;
    return {
      ...alloc,
      AllocatedResources: {
        ...alloc.AllocatedResources!,
        Tasks: {
          web: {
            ...task,
            Cpu: { CpuShares: 100, ReservedCores: cores },
            Devices: ids.length === 0
              ? null
              : [{ Vendor: "nvidia", Type: "gpu", Name: "t4", DeviceIDs: ids }],
          },
        },
      },
    };
  };
  assert.deepEqual(allocsFit(node, [withTask([0], []), withTask([1], [])]), {
    fit: true,
    dimension: "",
  });
  assert.equal(
    allocsFit(node, [withTask([0], []), withTask([0], [])]).dimension,
    "overlapping cores",
  );
  assert.equal(allocsFit(node, [withTask([9], [])]).dimension, "cores");
  assert.equal(
    allocsFit(node, [withTask(null, ["GPU-16-0"]), withTask(null, ["GPU-16-0"])]).dimension,
    "device oversubscribed",
  );
});

Deno.test("node reserved ports and a full dynamic range exhaust the network", async () => {
  const base = mockNode();
  const reserved = mockNode({
    ReservedResources: { ...base.ReservedResources, Networks: { ReservedHostPorts: "22,8080" } },
  });
  const staticJob = mockJob({
    TaskGroups: [group({ Networks: [{ ReservedPorts: [{ Label: "http", Value: 8080 }] }] })],
  });
  const h = await run([reserved], staticJob);
  assert.deepEqual(h.lastEvalUpdate()?.FailedTGAllocs?.["web"]?.DimensionExhausted, {
    "network: reserved port collision http=8080": 1,
  });
  const narrow = mockNode({
    NodeResources: { ...base.NodeResources, MinDynamicPort: 20000, MaxDynamicPort: 20001 },
  });
  const dynamicJob = mockJob({
    TaskGroups: [group({
      Networks: [{ DynamicPorts: [{ Label: "a" }, { Label: "b" }, { Label: "c" }] }],
    })],
  });
  const h2 = await run([narrow], dynamicJob);
  assert.deepEqual(h2.lastEvalUpdate()?.FailedTGAllocs?.["web"]?.DimensionExhausted, {
    "network: dynamic port selection failed": 1,
  });
});

Deno.test("memory_max oversubscription does not count towards fit", async () => {
  const node = mockNode(); // 8192 MB, 256 reserved
  const job = mockJob({
    TaskGroups: [group({
      Count: 2,
      Tasks: [{
        Name: "web",
        Driver: "exec",
        Resources: { CPU: 100, MemoryMB: 3000, MemoryMaxMB: 7000 },
      }],
    })],
  });
  const h = await run([node], job);
  assert.equal(placed(h).length, 2);
  assert.equal(placed(h)[0]?.AllocatedResources?.Tasks["web"]?.Memory.MemoryMaxMB, 7000);
});
