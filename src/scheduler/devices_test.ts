import assert from "node:assert/strict";
import type { Allocation, NodeDeviceResource, RequestedDevice } from "../structs/mod.ts";
import {
  assignDevices,
  deviceMatches,
  deviceNameMatches,
  meetsDeviceConstraint,
  nodeHasDevices,
  parseAttributeLiteral,
} from "./devices.ts";
import { mockAlloc, mockJob, mockNode } from "./testing.ts";

const gpu: NodeDeviceResource = {
  Vendor: "nvidia",
  Type: "gpu",
  Name: "a100",
  Instances: [
    { ID: "g0", Healthy: true, HealthDescription: "", Locality: null },
    { ID: "g1", Healthy: false, HealthDescription: "xid 79", Locality: null },
    { ID: "g2", Healthy: true, HealthDescription: "", Locality: null },
  ],
  Attributes: {
    memory: { IntVal: 80, Unit: "GiB" },
    cuda_cores: { IntVal: 6912 },
    driver_version: { StringVal: "535.104.05" },
    mig: { BoolVal: false },
  },
};

function request(fields: Partial<RequestedDevice>): RequestedDevice {
  return { Name: "nvidia/gpu", Count: 1, Constraints: null, Affinities: null, ...fields };
}

Deno.test("device names match by type, vendor/type or vendor/type/model", () => {
  assert.ok(deviceNameMatches(gpu, "gpu"));
  assert.ok(deviceNameMatches(gpu, "nvidia/gpu"));
  assert.ok(deviceNameMatches(gpu, "nvidia/gpu/a100"));
  assert.ok(!deviceNameMatches(gpu, "amd/gpu"));
  assert.ok(!deviceNameMatches(gpu, "nvidia/gpu/t4"));
  assert.ok(!deviceNameMatches(gpu, "fpga"));
  assert.ok(!deviceNameMatches(gpu, "a/b/c/d"));
});

Deno.test("attribute literals parse numbers with units, booleans and strings", () => {
  assert.deepEqual(parseAttributeLiteral("4 GiB"), { kind: "number", value: 4, unit: "GiB" });
  assert.deepEqual(parseAttributeLiteral("2.5GHz"), { kind: "number", value: 2.5, unit: "GHz" });
  assert.deepEqual(parseAttributeLiteral("true"), { kind: "bool", value: true });
  assert.deepEqual(parseAttributeLiteral("Tesla V100"), { kind: "string", value: "Tesla V100" });
  assert.deepEqual(parseAttributeLiteral("4 parsecs"), { kind: "string", value: "4 parsecs" });
});

Deno.test("device constraints compare units, strings, booleans and versions", () => {
  const c = (LTarget: string, Operand: string, RTarget: string) =>
    meetsDeviceConstraint({ LTarget, Operand, RTarget }, gpu);
  assert.ok(c("${device.attr.memory}", ">=", "40 GiB"));
  assert.ok(c("${device.attr.memory}", ">", "81919 MiB"));
  assert.ok(!c("${device.attr.memory}", ">", "81920 MiB"));
  assert.ok(!c("${device.attr.memory}", "<", "2 GHz"), "bytes and hertz do not compare");
  assert.ok(c("${device.attr.cuda_cores}", ">", "5000"));
  assert.ok(c("${device.model}", "=", "a100"));
  assert.ok(c("${device.vendor}", "!=", "amd"));
  assert.ok(c("${device.type}", "regexp", "^g.u$"));
  assert.ok(c("${device.ids}", "set_contains", "g1"));
  assert.ok(c("${device.attr.mig}", "=", "false"));
  assert.ok(c("${device.attr.driver_version}", "version", ">= 535.0"));
  assert.ok(c("${device.attr.memory}", "is_set", ""));
  assert.ok(c("${device.attr.ecc}", "is_not_set", ""));
  assert.ok(!c("${device.attr.ecc}", "=", "true"), "a missing attribute never equals");
  assert.ok(c("${device.attr.ecc}", "!=", "true"), "missing != present is true");
  assert.ok(!c("${device.attr.ecc}", "!=", "${device.attr.other}"), "nil != nil is false");
  assert.ok(!c("${device.attr.memory}", "unknown-op", "1"));
});

Deno.test("a device request needs enough healthy instances of a matching group", () => {
  const node = mockNode();
  const withGpu = { ...node, NodeResources: { ...node.NodeResources, Devices: [gpu] } };
  const group = (devices: RequestedDevice[]) => {
    const job = mockJob();
    const tg = job.TaskGroups[0]!;
    const task = tg.Tasks[0]!;
    return { ...tg, Tasks: [{ ...task, Resources: { ...task.Resources, Devices: devices } }] };
  };
  assert.ok(nodeHasDevices(withGpu, group([request({ Count: 2 })])));
  assert.ok(!nodeHasDevices(withGpu, group([request({ Count: 3 })])), "one instance is unhealthy");
  assert.ok(!nodeHasDevices(node, group([request({})])));
  assert.ok(
    !nodeHasDevices(withGpu, group([request({ Count: 2 }), request({ Count: 1 })])),
    "two requests may not share instances",
  );
  const tg = group([request({ Count: 1 })]);
  const first = assignDevices(withGpu, tg, []);
  assert.ok(first.ok);
  assert.deepEqual(first.byTask["web"], [
    { Vendor: "nvidia", Type: "gpu", Name: "a100", DeviceIDs: ["g0"] },
  ]);
  const job = mockJob();
  const holder: Allocation = mockAlloc(job, withGpu);
  const webTask = holder.AllocatedResources!.Tasks["web"]!;
  const held: Allocation = {
    ...holder,
    AllocatedResources: {
      ...holder.AllocatedResources!,
      Tasks: { web: { ...webTask, Devices: first.byTask["web"] ?? null } },
    },
  };
  const second = assignDevices(withGpu, tg, [held]);
  assert.ok(second.ok);
  assert.deepEqual(second.byTask["web"]?.[0]?.DeviceIDs, ["g2"]);
  assert.deepEqual(assignDevices(withGpu, group([request({ Count: 2 })]), [held]), {
    ok: false,
    dimension: "devices: no devices match request",
  });
  assert.ok(deviceMatches(gpu, request({ Constraints: null })));
});
