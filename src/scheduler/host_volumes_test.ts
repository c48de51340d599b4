import assert from "node:assert/strict";
import type { TaskGroup, VolumeRequest } from "../structs/mod.ts";
import { hostVolumeRequests, nodeHasHostVolumes } from "./host_volumes.ts";
import { mockJob } from "./testing.ts";

function group(volumes: Record<string, VolumeRequest> | null): TaskGroup {
  return { ...mockJob().TaskGroups[0]!, Volumes: volumes };
}

const ro = { Path: "/ro", ReadOnly: true };
const rw = { Path: "/rw", ReadOnly: false };

Deno.test("host volume requests ignore CSI volumes", () => {
  const tg = group({
    a: { Name: "a", Type: "host", Source: "data", ReadOnly: false },
    b: { Name: "b", Type: "csi", Source: "ebs", ReadOnly: false },
  });
  assert.deepEqual(hostVolumeRequests(tg).map((v) => v.Source), ["data"]);
  assert.ok(nodeHasHostVolumes({ HostVolumes: { data: rw } }, tg));
});

Deno.test("a node needs each requested source, writable unless the request is read-only", () => {
  const write = group({ v: { Name: "v", Type: "host", Source: "data", ReadOnly: false } });
  const read = group({ v: { Name: "v", Type: "host", Source: "data", ReadOnly: true } });
  assert.ok(nodeHasHostVolumes({ HostVolumes: null }, group(null)));
  assert.ok(!nodeHasHostVolumes({ HostVolumes: null }, read));
  assert.ok(!nodeHasHostVolumes({ HostVolumes: { logs: rw } }, read));
  assert.ok(nodeHasHostVolumes({ HostVolumes: { data: rw } }, write));
  assert.ok(!nodeHasHostVolumes({ HostVolumes: { data: ro } }, write));
  assert.ok(nodeHasHostVolumes({ HostVolumes: { data: ro } }, read));
  const proto = group({ v: { Name: "v", Type: "host", Source: "toString", ReadOnly: true } });
  assert.ok(!nodeHasHostVolumes({ HostVolumes: {} }, proto), "inherited keys are not volumes");
});
