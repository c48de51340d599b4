import { deepStrictEqual, ok, strictEqual } from "node:assert";
import type { Allocation, Job, Node } from "../structs/mod.ts";
import { mockAlloc, mockJob, mockNode, TEST_NOW_NS } from "./testing.ts";
import { reconcile, type ReconcileResult } from "./reconcile.ts";
import { ALLOC_RECONNECTED, ALLOC_UNKNOWN, needsToReconnect } from "./disconnect.ts";
import { formatRfc3339Nano } from "./time_format.ts";

const MINUTE = 60e9;

function disconnectJob(disconnect: Record<string, unknown> | null, delayNs = 0): Job {
  return mockJob({
    TaskGroups: [{
      Name: "web",
      Count: 1,
      ...(disconnect === null ? {} : { Disconnect: disconnect }),
      ReschedulePolicy: { Delay: delayNs, DelayFunction: "constant", Unlimited: true },
      Tasks: [{ Name: "web", Driver: "exec", Resources: { CPU: 100, MemoryMB: 64 } }],
    }],
  });
}

function run(
  job: Job,
  allocs: Allocation[],
  options: { nodes?: Node[]; nowNs?: number; evalID?: string } = {},
): ReconcileResult {
  let n = 0;
  return reconcile({
    job,
    jobID: job.ID,
    batch: false,
    allocs,
    tainted: new Map((options.nodes ?? []).map((node) => [node.ID, node])),
    evalID: options.evalID ?? "eval",
    evalPriority: 50,
    nowNs: options.nowNs ?? TEST_NOW_NS,
    newId: () => `id-${++n}`,
    updateFn: () => ({ kind: "ignore" }),
  });
}

function unknownAlloc(job: Job, node: Node, sinceNs: number): Allocation {
  return {
    ...mockAlloc(job, node),
    ClientStatus: "unknown",
    AllocStates: [{ Field: "ClientStatus", Value: "unknown", Time: formatRfc3339Nano(sinceNs) }],
  };
}

Deno.test("an allocation on a disconnected node becomes unknown with a lost_after follow-up", () => {
  const job = disconnectJob({ LostAfter: 10 * MINUTE }, 30e9);
  const node = mockNode({ Status: "disconnected" });
  const alloc = mockAlloc(job, node);
  const group = run(job, [alloc], { nodes: [node] }).groups[0]!;
  strictEqual(group.disconnectUpdates.length, 1);
  const update = group.disconnectUpdates[0]!;
  strictEqual(update.ClientStatus, "unknown");
  strictEqual(update.ClientDescription, ALLOC_UNKNOWN);
  deepStrictEqual(update.AllocStates, [
    { Field: "ClientStatus", Value: "unknown", Time: formatRfc3339Nano(TEST_NOW_NS) },
  ]);
  ok(needsToReconnect(update));
  // No stop; the replacement waits for the reschedule delay (30 s) in a follow-up.
  strictEqual(group.stop.length, 0);
  strictEqual(group.place.length, 0);
  const timeout = group.followupEvals.find((e) => e.TriggeredBy === "max-disconnect-timeout")!;
  strictEqual(timeout.WaitUntil, formatRfc3339Nano(TEST_NOW_NS + 10 * MINUTE));
  const later = group.followupEvals.find((e) => e.TriggeredBy === "alloc-failure")!;
  strictEqual(later.WaitUntil, formatRfc3339Nano(TEST_NOW_NS + 30e9));
  // The unknown update carries the reschedule follow-up; no separate attribute update.
  strictEqual(update.FollowupEvalID, later.ID);
  strictEqual(group.attributeUpdates.length, 0);
});

Deno.test("max_client_disconnect works like lost_after, and replacement is placed at once without delay", () => {
  const job = { ...disconnectJob(null, 0) };
  job.TaskGroups = [{ ...job.TaskGroups[0]!, MaxClientDisconnect: 5 * MINUTE }];
  const node = mockNode({ Status: "disconnected" });
  const alloc = mockAlloc(job, node);
  const group = run(job, [alloc], { nodes: [node] }).groups[0]!;
  strictEqual(group.disconnectUpdates[0]?.ClientStatus, "unknown");
  strictEqual(group.disconnectUpdates[0]?.FollowupEvalID, group.followupEvals[0]?.ID);
  strictEqual(group.place.length, 1);
  strictEqual(group.place[0]!.previousAlloc?.ID, alloc.ID);
  strictEqual(group.place[0]!.previousAlloc?.ClientStatus, "unknown");
  // The original is not stopped: it may still reconnect.
  strictEqual(group.stop.length, 0);
});

Deno.test("without lost_after an allocation on a disconnected node is lost and replaced", () => {
  const job = disconnectJob(null);
  const node = mockNode({ Status: "disconnected" });
  const alloc = mockAlloc(job, node);
  const group = run(job, [alloc], { nodes: [node] }).groups[0]!;
  strictEqual(group.disconnectUpdates.length, 0);
  deepStrictEqual(group.stop.map((s) => [s.alloc.ID, s.clientStatus]), [[alloc.ID, "lost"]]);
  strictEqual(group.place[0]?.lost, true);
});

Deno.test("an unknown allocation is replaced when its follow-up evaluation runs", () => {
  const job = disconnectJob({ LostAfter: 10 * MINUTE }, 30e9);
  const node = mockNode({ Status: "disconnected" });
  const alloc = { ...unknownAlloc(job, node, TEST_NOW_NS - 31e9), FollowupEvalID: "later" };
  // Another evaluation leaves it alone (it keeps its slot).
  const other = run(job, [alloc], { nodes: [node] }).groups[0]!;
  strictEqual(other.place.length, 0);
  strictEqual(other.stop.length, 0);
  const group = run(job, [alloc], { nodes: [node], evalID: "later" }).groups[0]!;
  strictEqual(group.place.length, 1);
  strictEqual(group.place[0]!.reschedule, true);
  strictEqual(group.stop.length, 0);
  // Once replaced, both count and nothing more is placed or stopped.
  const replacement = { ...mockAlloc(job, mockNode()), PreviousAllocation: alloc.ID };
  const after = run(job, [alloc, replacement], { nodes: [node] }).groups[0]!;
  strictEqual(after.place.length, 0);
  strictEqual(after.stop.length, 0);
});

Deno.test("an unknown allocation past lost_after is lost; with replace = false it is kept", () => {
  const job = disconnectJob({ LostAfter: 10 * MINUTE });
  const node = mockNode({ Status: "disconnected" });
  const alloc = unknownAlloc(job, node, TEST_NOW_NS - 11 * MINUTE);
  const replacement = { ...mockAlloc(job, mockNode()), PreviousAllocation: alloc.ID };
  const group = run(job, [alloc, replacement], { nodes: [node] }).groups[0]!;
  deepStrictEqual(group.stop.map((s) => [s.alloc.ID, s.clientStatus]), [[alloc.ID, "lost"]]);
  strictEqual(group.place.length, 0);
  // Not yet expired: kept.
  const early = unknownAlloc(job, node, TEST_NOW_NS - 9 * MINUTE);
  strictEqual(run(job, [early, replacement], { nodes: [node] }).groups[0]!.stop.length, 0);

  const keep = disconnectJob({ LostAfter: 10 * MINUTE, Replace: false });
  const stale = unknownAlloc(keep, node, TEST_NOW_NS - 11 * MINUTE);
  const kept = run(keep, [stale], { nodes: [node] }).groups[0]!;
  strictEqual(kept.stop.length, 0);
  strictEqual(kept.place.length, 0);
});

Deno.test("replace = false places no replacement for a disconnected allocation", () => {
  const job = disconnectJob({ LostAfter: 10 * MINUTE, Replace: false }, 0);
  const node = mockNode({ Status: "disconnected" });
  const group = run(job, [mockAlloc(job, node)], { nodes: [node] }).groups[0]!;
  strictEqual(group.disconnectUpdates[0]?.ClientStatus, "unknown");
  strictEqual(group.place.length, 0);
  strictEqual(group.followupEvals.map((e) => e.TriggeredBy).join(), "max-disconnect-timeout");
});

function reconnected(reconcileOption: string) {
  const job = disconnectJob({ LostAfter: 10 * MINUTE, Reconcile: reconcileOption });
  const node = mockNode();
  const original = {
    ...unknownAlloc(job, node, TEST_NOW_NS - MINUTE),
    ClientStatus: "running" as const,
    Metrics: null,
  };
  const replacement = {
    ...mockAlloc(job, mockNode()),
    PreviousAllocation: original.ID,
    Metrics: {
      ...({} as NonNullable<Allocation["Metrics"]>),
      ScoreMetaData: [{ NodeID: "x", Scores: {}, NormScore: 0.9 }],
    },
  };
  // The original's node is ready again: it is no longer tainted.
  return { original, replacement, group: run(job, [original, replacement]).groups[0]! };
}

Deno.test("on reconnect keep_original stops the replacement and records the reconnect", () => {
  const { original, replacement, group } = reconnected("keep_original");
  deepStrictEqual(
    group.stop.map((s) => [s.alloc.ID, s.description]),
    [[replacement.ID, ALLOC_RECONNECTED]],
  );
  strictEqual(group.reconnectUpdates.length, 1);
  strictEqual(group.reconnectUpdates[0]!.ID, original.ID);
  strictEqual(group.reconnectUpdates[0]!.AllocStates?.at(-1)?.Value, "running");
  ok(!needsToReconnect(group.reconnectUpdates[0]!));
  strictEqual(group.place.length, 0);
});

Deno.test("on reconnect keep_replacement and best_score stop the original", () => {
  for (const option of ["keep_replacement", "best_score"]) {
    const { original, group } = reconnected(option);
    deepStrictEqual(group.stop.map((s) => s.alloc.ID), [original.ID], option);
    strictEqual(group.reconnectUpdates.length, 0, option);
    strictEqual(group.place.length, 0, option);
  }
});

Deno.test("on reconnect longest_running keeps the allocation that started first", () => {
  const { original, replacement } = reconnected("longest_running");
  const started = (alloc: Allocation, ns: number): Allocation => ({
    ...alloc,
    TaskStates: {
      web: {
        State: "running",
        Failed: false,
        Restarts: 0,
        LastRestart: null,
        StartedAt: formatRfc3339Nano(ns),
        FinishedAt: null,
        Events: null,
      },
    },
  });
  const job = original.Job!;
  const older = run(job, [
    started(original, TEST_NOW_NS - 60 * MINUTE),
    started(replacement, TEST_NOW_NS - MINUTE),
  ]).groups[0]!;
  deepStrictEqual(older.stop.map((s) => s.alloc.ID), [replacement.ID]);
  const newer = run(job, [
    started(original, TEST_NOW_NS - MINUTE),
    started(replacement, TEST_NOW_NS - 60 * MINUTE),
  ]).groups[0]!;
  deepStrictEqual(newer.stop.map((s) => s.alloc.ID), [original.ID]);
});

Deno.test("a reconnecting allocation that failed is stopped and replaced", () => {
  const job = disconnectJob({ LostAfter: 10 * MINUTE });
  const node = mockNode();
  const failed = {
    ...unknownAlloc(job, node, TEST_NOW_NS - MINUTE),
    ClientStatus: "failed" as const,
  };
  const group = run(job, [failed]).groups[0]!;
  deepStrictEqual(group.stop.map((s) => s.alloc.ID), [failed.ID]);
  strictEqual(group.place.length, 1);
});
