import assert from "node:assert/strict";
import type { Allocation } from "../structs/mod.ts";
import { allocatedComparable, allocsFit, scoreFit } from "./alloc_fit.ts";
import { mockAlloc, mockJob, mockNode } from "./testing.ts";

const job = mockJob();

function sized(cpu: number, memoryMB: number, diskMB = 0): Allocation {
  const alloc = mockAlloc(job, mockNode());
  return {
    ...alloc,
    AllocatedResources: {
      Tasks: {
        web: {
          Cpu: { CpuShares: cpu, ReservedCores: null },
          Memory: { MemoryMB: memoryMB, MemoryMaxMB: 0 },
          Networks: null,
          Devices: null,
        },
      },
      TaskLifecycles: null,
      Shared: { DiskMB: diskMB, Networks: null, Ports: null },
    },
  };
}

function withPort(alloc: Allocation, ip: string, port: number): Allocation {
  const resources = alloc.AllocatedResources!;
  return {
    ...alloc,
    AllocatedResources: {
      ...resources,
      Shared: { ...resources.Shared, Ports: [{ Label: "http", Value: port, To: 0, HostIP: ip }] },
    },
  };
}

Deno.test("allocsFit accepts allocations within the node's capacity minus reserved", () => {
  const node = mockNode(); // 4000 MHz − 100 reserved, 8192 MB − 256 reserved
  assert.deepEqual(allocsFit(node, [sized(1900, 4000), sized(2000, 3936)]), {
    fit: true,
    dimension: "",
  });
});

Deno.test("allocsFit reports cpu, memory and disk exhaustion", () => {
  const node = mockNode();
  assert.deepEqual(allocsFit(node, [sized(3901, 100)]), { fit: false, dimension: "cpu" });
  assert.deepEqual(allocsFit(node, [sized(100, 7000), sized(100, 1000)]), {
    fit: false,
    dimension: "memory",
  });
  assert.deepEqual(allocsFit(node, [sized(100, 100, 97 * 1024)]), {
    fit: false,
    dimension: "disk",
  });
});

Deno.test("allocsFit ignores terminal allocations", () => {
  const node = mockNode();
  const stopped = { ...sized(3000, 6000), DesiredStatus: "stop" as const };
  const failed = { ...sized(3000, 6000), ClientStatus: "failed" as const };
  assert.equal(allocsFit(node, [stopped, failed, sized(3000, 6000)]).fit, true);
});

Deno.test("allocsFit detects two allocations on the same host port", () => {
  const node = mockNode();
  const a = withPort(sized(100, 100), "10.0.0.1", 8080);
  const b = withPort(sized(100, 100), "10.0.0.1", 8080);
  const result = allocsFit(node, [a, b]);
  assert.equal(result.fit, false);
  assert.match(result.dimension, /^reserved alloc port collision: .*port 8080 already in use/);
});

Deno.test("allocsFit allows the same port on different IPs", () => {
  const node = mockNode();
  const a = withPort(sized(100, 100), "10.0.0.1", 8080);
  const b = withPort(sized(100, 100), "10.0.0.2", 8080);
  assert.equal(allocsFit(node, [a, b]).fit, true);
});

Deno.test("allocsFit rejects an allocation on a node-reserved port", () => {
  const node = mockNode(); // reserves port 22
  const result = allocsFit(node, [withPort(sized(100, 100), "10.0.0.1", 22)]);
  assert.equal(result.fit, false);
  assert.match(result.dimension, /port 22 already in use/);
});

Deno.test("prestart tasks count only against the largest lifecycle phase", () => {
  const used = allocatedComparable({
    Tasks: {
      init: {
        Cpu: { CpuShares: 1000, ReservedCores: null },
        Memory: { MemoryMB: 100, MemoryMaxMB: 0 },
        Networks: null,
        Devices: null,
      },
      main: {
        Cpu: { CpuShares: 500, ReservedCores: null },
        Memory: { MemoryMB: 400, MemoryMaxMB: 0 },
        Networks: null,
        Devices: null,
      },
    },
    TaskLifecycles: { init: { Hook: "prestart", Sidecar: false }, main: null },
    Shared: { DiskMB: 10, Networks: null, Ports: null },
  });
  assert.deepEqual(used, { cpuShares: 1000, memoryMB: 400, diskMB: 10 });
});

Deno.test("binpack scores fuller nodes higher and spread scores emptier nodes higher", () => {
  const node = mockNode();
  const light = { cpuShares: 390, memoryMB: 794, diskMB: 0 };
  const heavy = { cpuShares: 3510, memoryMB: 7142, diskMB: 0 };
  assert.ok(scoreFit(node, heavy, "binpack") > scoreFit(node, light, "binpack"));
  assert.ok(scoreFit(node, light, "spread") > scoreFit(node, heavy, "spread"));
  assert.equal(scoreFit(node, { cpuShares: 3900, memoryMB: 7936, diskMB: 0 }, "binpack"), 18);
});
