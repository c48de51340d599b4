import { deepStrictEqual, strictEqual } from "node:assert";
import { mockAlloc, mockJob, mockNode } from "../scheduler/testing.ts";
import { allocationsToStop, disconnectStopTimeoutNs } from "./heartbeat_stop.ts";

function groupJob(group: Record<string, unknown>) {
  return mockJob({
    TaskGroups: [{
      Name: "web",
      Count: 1,
      Tasks: [{ Name: "web", Driver: "exec", Config: { command: "/bin/date" } }],
      ...group,
    }],
  });
}

Deno.test("stop timeout comes from disconnect.stop_on_client_after, else the legacy field", () => {
  const node = mockNode();
  const both = groupJob({ Disconnect: { StopOnClientAfter: 5e9 }, StopAfterClientDisconnect: 9e9 });
  strictEqual(disconnectStopTimeoutNs(mockAlloc(both, node)), 5e9);
  const legacy = groupJob({ StopAfterClientDisconnect: 9e9 });
  strictEqual(disconnectStopTimeoutNs(mockAlloc(legacy, node)), 9e9);
  const lostAfter = groupJob({ Disconnect: { LostAfter: 9e9 } });
  strictEqual(disconnectStopTimeoutNs(mockAlloc(lostAfter, node)), null);
  strictEqual(disconnectStopTimeoutNs(mockAlloc(groupJob({}), node)), null);
  strictEqual(disconnectStopTimeoutNs({ ...mockAlloc(groupJob({}), node), Job: null }), null);
});

Deno.test("a client stops only running-wanted allocations whose stop timeout has passed", () => {
  const node = mockNode();
  const short = mockAlloc(groupJob({ Disconnect: { StopOnClientAfter: 5e9 } }), node);
  const long = mockAlloc(groupJob({ StopAfterClientDisconnect: 60e9 }), node);
  const none = mockAlloc(groupJob({}), node);
  const stopping = { ...short, ID: "stopping", DesiredStatus: "stop" as const };
  const allocs = [short, long, none, stopping];
  deepStrictEqual(allocationsToStop(allocs, { lastOkNs: 0, nowNs: 5e9 }), []);
  deepStrictEqual(allocationsToStop(allocs, { lastOkNs: 0, nowNs: 5e9 + 1 }), [short.ID]);
  deepStrictEqual(allocationsToStop(allocs, { lastOkNs: 0, nowNs: 61e9 }), [short.ID, long.ID]);
  // A heartbeat that got through moves the deadline.
  deepStrictEqual(allocationsToStop(allocs, { lastOkNs: 60e9, nowNs: 61e9 }), []);
});
