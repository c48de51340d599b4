/** Plan annotation counts for disconnected clients (Nomad's DesiredUpdates fields). */

import { deepStrictEqual } from "node:assert";
import type { Allocation, DesiredUpdates, Job, Node } from "../structs/mod.ts";
import { mockAlloc, mockJob, mockNode, TEST_NOW_NS } from "./testing.ts";
import { emptyDesiredUpdates, reconcile } from "./reconcile.ts";
import { formatRfc3339Nano } from "./time_format.ts";

const MINUTE = 60e9;

function disconnectJob(disconnect: Record<string, unknown>, delayNs: number): Job {
  return mockJob({
    TaskGroups: [{
      Name: "web",
      Count: 2,
      Disconnect: disconnect,
      ReschedulePolicy: { Delay: delayNs, DelayFunction: "constant", Unlimited: true },
      Tasks: [{ Name: "web", Driver: "exec", Resources: { CPU: 100, MemoryMB: 64 } }],
    }],
  });
}

function counts(job: Job, allocs: Allocation[], nodes: Node[] = []): DesiredUpdates {
  let n = 0;
  return reconcile({
    job,
    jobID: job.ID,
    batch: false,
    allocs,
    tainted: new Map(nodes.map((node) => [node.ID, node])),
    evalID: "eval",
    evalPriority: 50,
    nowNs: TEST_NOW_NS,
    newId: () => `id-${++n}`,
    updateFn: () => ({ kind: "ignore" }),
  }).groups[0]!.desiredTGUpdates;
}

Deno.test("disconnecting allocations count as Disconnect and RescheduleNow when replaced at once", () => {
  const job = disconnectJob({ LostAfter: 10 * MINUTE }, 0);
  const gone = mockNode({ Status: "disconnected" });
  const up = mockNode();
  const allocs = [
    mockAlloc(job, gone, { index: 0 }),
    mockAlloc(job, up, { index: 1 }),
  ];
  deepStrictEqual(counts(job, allocs, [gone]), {
    ...emptyDesiredUpdates(),
    Place: 1,
    Ignore: 1,
    Disconnect: 1,
    RescheduleNow: 1,
  });
});

Deno.test("disconnecting allocations waiting for the reschedule delay count as RescheduleLater", () => {
  const job = disconnectJob({ LostAfter: 10 * MINUTE }, 5 * MINUTE);
  const gone = mockNode({ Status: "disconnected" });
  const allocs = [mockAlloc(job, gone, { index: 0 }), mockAlloc(job, gone, { index: 1 })];
  const got = counts(job, allocs, [gone]);
  deepStrictEqual(
    [got.Disconnect, got.RescheduleNow, got.RescheduleLater, got.Place],
    [2, 0, 2, 0],
  );
});

Deno.test("a reconnected allocation that is kept counts as Reconnect", () => {
  const job = disconnectJob({ LostAfter: 10 * MINUTE, Reconcile: "keep_original" }, 0);
  const node = mockNode();
  const original: Allocation = {
    ...mockAlloc(job, node, { index: 0 }),
    AllocStates: [{
      Field: "ClientStatus",
      Value: "unknown",
      Time: formatRfc3339Nano(TEST_NOW_NS - MINUTE),
    }],
  };
  const replacement = {
    ...mockAlloc(job, mockNode(), { index: 0 }),
    PreviousAllocation: original.ID,
  };
  const other = mockAlloc(job, node, { index: 1 });
  const got = counts(job, [original, replacement, other]);
  deepStrictEqual(
    [got.Reconnect, got.Stop, got.Disconnect, got.RescheduleNow, got.RescheduleLater],
    [1, 1, 0, 0, 0],
  );
});

Deno.test("without disconnected allocations the new counters stay zero", () => {
  const job = disconnectJob({ LostAfter: 10 * MINUTE }, 0);
  const node = mockNode();
  const failed = { ...mockAlloc(job, node, { index: 0 }), ClientStatus: "failed" as const };
  const got = counts(job, [failed, mockAlloc(job, node, { index: 1 })]);
  // A failed allocation rescheduled at once is not counted as RescheduleNow (Nomad sets it
  // only while the group has disconnecting allocations).
  deepStrictEqual([got.Place, got.Stop, got.RescheduleNow, got.Disconnect], [1, 1, 0, 0]);
});
