import assert from "node:assert/strict";
import type {
  Allocation,
  Job,
  JsonObject,
  Node,
  NodeDeviceResource,
  TaskGroup,
} from "../structs/mod.ts";
import { DEFAULT_SCHEDULER_CONFIGURATION } from "../structs/mod.ts";
import {
  netPriority,
  preemptionEnabled,
  preemptionScore,
  resourceDistance,
  selectPreemptions,
} from "./preemption.ts";
import { groupAsk } from "./rank.ts";
import { mockAlloc, mockJob, mockNode } from "./testing.ts";

// A node with 4000 MHz and 4096 MB free for scheduling (reserved resources zeroed).
function node(overrides: Partial<Node> = {}): Node {
  const base = mockNode();
  return mockNode({
    NodeResources: { ...base.NodeResources, Memory: { MemoryMB: 4096 } },
    ReservedResources: {
      Cpu: { CpuShares: 0 },
      Memory: { MemoryMB: 0 },
      Disk: { DiskMB: 0 },
      Networks: { ReservedHostPorts: "" },
    },
    ...overrides,
  });
}

function job(id: string, priority: number, resources: JsonObject, extra: JsonObject = {}): Job {
  return mockJob({
    ID: id,
    Name: id,
    Priority: priority,
    TaskGroups: [{
      Name: "g",
      Count: 1,
      EphemeralDisk: { SizeMB: 10 },
      Tasks: [{ Name: "t", Driver: "exec", Config: { command: "x" }, Resources: resources }],
      ...extra,
    }],
  });
}

function group(j: Job): TaskGroup {
  const tg = j.TaskGroups[0];
  assert.ok(tg !== undefined);
  return tg;
}

function select(n: Node, placing: Job, proposed: Allocation[]): string[] | null {
  const tg = group(placing);
  const chosen = selectPreemptions({
    node: n,
    proposed,
    job: placing,
    taskGroup: tg,
    ask: groupAsk(tg),
  });
  return chosen === null ? null : chosen.map((a) => a.ID).sort();
}

const high = job("high", 80, { CPU: 500, MemoryMB: 2048 });

Deno.test("preemption evicts a lower-priority allocation to free memory", () => {
  const n = node();
  const low = mockAlloc(job("low", 20, { CPU: 500, MemoryMB: 3000 }), n);
  assert.deepEqual(select(n, high, [low]), [low.ID]);
});

Deno.test("preemption needs a priority difference of at least 10", () => {
  const n = node();
  const close = mockAlloc(job("close", 71, { CPU: 500, MemoryMB: 3000 }), n);
  assert.equal(select(n, high, [close]), null, "71 is within 10 of 80");
  const exact = mockAlloc(job("exact", 70, { CPU: 500, MemoryMB: 3000 }), n);
  assert.deepEqual(select(n, high, [exact]), [exact.ID], "70 is exactly 10 below");
});

Deno.test("preemption never evicts equal or higher priority or the placing job's own", () => {
  const n = node();
  const equal = mockAlloc(job("equal", 80, { CPU: 500, MemoryMB: 3000 }), n);
  const higher = mockAlloc(job("higher", 90, { CPU: 500, MemoryMB: 3000 }), n);
  const own = mockAlloc({ ...high, Priority: 80 }, n);
  const lowOwn = mockAlloc(job("high", 10, { CPU: 500, MemoryMB: 3000 }), n);
  assert.equal(select(n, high, [equal]), null);
  assert.equal(select(n, high, [higher]), null);
  assert.equal(select(n, high, [own, lowOwn]), null, "same job ID is never a candidate");
});

Deno.test("preemption returns null when evicting every candidate would not be enough", () => {
  const n = node();
  const fixed = mockAlloc(job("fixed", 75, { CPU: 500, MemoryMB: 2500 }), n);
  const low = mockAlloc(job("low", 20, { CPU: 500, MemoryMB: 1000 }), n);
  assert.equal(select(n, high, [fixed, low]), null);
});

Deno.test("preemption returns null when the ask already fits", () => {
  const n = node();
  const low = mockAlloc(job("low", 20, { CPU: 500, MemoryMB: 1000 }), n);
  assert.equal(select(n, high, [low]), null);
});

Deno.test("preemption picks the closest-sized allocation and no more", () => {
  const n = node();
  const small = mockAlloc(job("small", 20, { CPU: 100, MemoryMB: 512 }), n);
  const fit = mockAlloc(job("fit", 20, { CPU: 500, MemoryMB: 2048 }), n);
  const big = mockAlloc(job("big", 20, { CPU: 100, MemoryMB: 1500 }), n);
  // 4060 MB used, 2048 more needed: only the allocation of exactly that size goes.
  assert.deepEqual(select(n, high, [small, fit, big]), [fit.ID]);
});

Deno.test("preemption evicts the lowest priority first", () => {
  const n = node();
  const p40 = mockAlloc(job("p40", 40, { CPU: 500, MemoryMB: 2048 }), n);
  const p20 = mockAlloc(job("p20", 20, { CPU: 500, MemoryMB: 2048 }), n);
  assert.deepEqual(select(n, high, [p40, p20]), [p20.ID]);
});

Deno.test("preemption drops allocations made unnecessary by a later choice", () => {
  const n = node();
  // Two small allocations of the lowest priority are not enough; a priority-30
  // allocation large enough alone makes them unnecessary.
  const a = mockAlloc(job("a", 10, { CPU: 100, MemoryMB: 300 }), n);
  const b = mockAlloc(job("b", 10, { CPU: 100, MemoryMB: 300 }), n);
  const big = mockAlloc(job("big", 30, { CPU: 100, MemoryMB: 3400 }), n);
  assert.deepEqual(select(n, high, [a, b, big]), [big.ID]);
});

Deno.test("preemption spreads evictions past a group's migrate max_parallel", () => {
  const n = node();
  const migrate = { Migrate: { MaxParallel: 1 } };
  const limited = job("limited", 20, { CPU: 100, MemoryMB: 2048 }, migrate);
  const other = job("other", 20, { CPU: 100, MemoryMB: 1900 });
  const first = mockAlloc(limited, n);
  const second = mockAlloc(other, n);
  const tg = group(high);
  const alreadyPreempted = mockAlloc(limited, mockNode());
  const chosen = selectPreemptions({
    node: n,
    proposed: [first, second],
    job: high,
    taskGroup: tg,
    ask: groupAsk(tg),
    planPreemptions: [alreadyPreempted],
  });
  assert.deepEqual(chosen?.map((a) => a.ID), [second.ID], "the penalty outweighs the closer fit");
  const without = select(n, high, [first, second]);
  assert.deepEqual(without, [first.ID], "without earlier preemptions the exact fit wins");
});

Deno.test("preemption evicts the holder of a static port the placement needs", () => {
  const n = node();
  const ip = n.NodeResources.Networks?.[0]?.IP ?? "";
  const web = (id: string, priority: number) =>
    job(id, priority, { CPU: 100, MemoryMB: 64 }, {
      Networks: [{ ReservedPorts: [{ Label: "http", Value: 8080 }] }],
    });
  const holder = (j: Job) => {
    const a = mockAlloc(j, n);
    const resources = a.AllocatedResources!;
    return {
      ...a,
      AllocatedResources: {
        ...resources,
        Shared: {
          ...resources.Shared,
          Ports: [{ Label: "http", Value: 8080, To: 0, HostIP: ip }],
        },
      },
    };
  };
  const low = holder(web("low", 20));
  const bystander = mockAlloc(job("bystander", 20, { CPU: 100, MemoryMB: 64 }), n);
  assert.deepEqual(select(n, web("high", 80), [low, bystander]), [low.ID]);
  const higher = holder(web("higher", 75));
  assert.equal(select(n, web("high", 80), [higher, bystander]), null);
});

Deno.test("preemption frees device instances held by lower-priority allocations", () => {
  const gpu: NodeDeviceResource = {
    Vendor: "nvidia",
    Type: "gpu",
    Name: "a100",
    Instances: [{ ID: "g0", Healthy: true, HealthDescription: "", Locality: null }],
    Attributes: null,
  };
  const base = node();
  const n = { ...base, NodeResources: { ...base.NodeResources, Devices: [gpu] } };
  const gpuJob = (id: string, priority: number) =>
    job(id, priority, {
      CPU: 100,
      MemoryMB: 64,
      Devices: [{ Name: "nvidia/gpu", Count: 1 }],
    });
  const withDevice = (j: Job): Allocation => {
    const a = mockAlloc(j, n);
    const resources = a.AllocatedResources!;
    const task = resources.Tasks["t"]!;
    const device = { Vendor: "nvidia", Type: "gpu", Name: "a100", DeviceIDs: ["g0"] };
    return {
      ...a,
      AllocatedResources: { ...resources, Tasks: { t: { ...task, Devices: [device] } } },
    };
  };
  const holder = withDevice(gpuJob("low", 20));
  const bystander = mockAlloc(job("bystander", 20, { CPU: 100, MemoryMB: 64 }), n);
  assert.deepEqual(select(n, gpuJob("high", 80), [holder, bystander]), [holder.ID]);
  assert.equal(select(n, gpuJob("high", 80), [withDevice(gpuJob("peer", 75))]), null);
});

Deno.test("preemption frees reserved cores held by lower-priority allocations", () => {
  const n = node();
  const coresJob = (id: string, priority: number, cores: number) =>
    job(id, priority, { Cores: cores, MemoryMB: 64 });
  const holder = (j: Job, cores: number[]): Allocation => {
    const a = mockAlloc(j, n);
    const resources = a.AllocatedResources!;
    const task = resources.Tasks["t"]!;
    return {
      ...a,
      AllocatedResources: {
        ...resources,
        Tasks: { t: { ...task, Cpu: { CpuShares: cores.length * 1000, ReservedCores: cores } } },
      },
    };
  };
  const a = holder(coresJob("a", 20, 2), [0, 1]);
  const b = holder(coresJob("b", 30, 2), [2, 3]);
  assert.deepEqual(select(n, coresJob("high", 80, 2), [a, b]), [a.ID]);
});

Deno.test("preemption distance is zero for an exact match and grows with the gap", () => {
  const ask = { cpuShares: 1000, memoryMB: 1000, diskMB: 0 };
  assert.equal(resourceDistance(ask, ask), 0);
  const near = resourceDistance(ask, { cpuShares: 900, memoryMB: 900, diskMB: 50 });
  const far = resourceDistance(ask, { cpuShares: 100, memoryMB: 100, diskMB: 0 });
  assert.ok(near < far);
});

Deno.test("preemption score falls as the evicted priorities rise", () => {
  const n = node();
  const at = (priority: number) => mockAlloc(job(`p${priority}`, priority, { CPU: 1 }), n);
  assert.equal(netPriority([at(20), at(40)]), 40 + 60 / 40);
  assert.ok(preemptionScore([at(20)]) > preemptionScore([at(40)]));
  assert.ok(preemptionScore([at(20)]) > preemptionScore([at(20), at(20)]));
  assert.ok(preemptionScore([at(20)]) < 1 && preemptionScore([at(20)]) > 0.99);
});

Deno.test("preemption is on for system and sysbatch and off for service and batch by default", () => {
  assert.ok(preemptionEnabled(null, "system"));
  assert.ok(preemptionEnabled(null, "sysbatch"));
  assert.ok(!preemptionEnabled(null, "service"));
  assert.ok(!preemptionEnabled(null, "batch"));
  const config = {
    PreemptionConfig: {
      ...DEFAULT_SCHEDULER_CONFIGURATION.PreemptionConfig,
      ServiceSchedulerEnabled: true,
      SystemSchedulerEnabled: false,
    },
  };
  assert.ok(preemptionEnabled(config, "service"));
  assert.ok(!preemptionEnabled(config, "system"));
});
