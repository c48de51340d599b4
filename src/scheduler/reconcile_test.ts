import assert from "node:assert/strict";
import type { Allocation, Job, Node } from "../structs/mod.ts";
import {
  ALLOC_LOST,
  ALLOC_MIGRATING,
  ALLOC_NOT_NEEDED,
  type AllocUpdateFn,
  reconcile,
  type ReconcileInput,
} from "./reconcile.ts";
import { mockAlloc, mockJob, mockNode, TEST_NOW_NS } from "./testing.ts";

const ignoreAll: AllocUpdateFn = () => ({ kind: "ignore" });

function input(
  job: Job | null,
  allocs: Allocation[],
  extra: Partial<ReconcileInput> = {},
): ReconcileInput {
  let n = 0;
  return {
    job,
    jobID: "example",
    batch: false,
    allocs,
    tainted: new Map(),
    evalID: "eval-1",
    evalPriority: 50,
    nowNs: TEST_NOW_NS,
    newId: () => `id-${++n}`,
    updateFn: ignoreAll,
    ...extra,
  };
}

function withCount(job: Job, count: number): Job {
  return { ...job, TaskGroups: job.TaskGroups.map((tg) => ({ ...tg, Count: count })) };
}

const node: Node = mockNode();

Deno.test("reconciler places the lowest free names when the count grows", () => {
  const job = withCount(mockJob(), 4);
  const allocs = [0, 2].map((index) => mockAlloc(job, node, { index }));
  const group = reconcile(input(job, allocs)).groups[0]!;
  assert.deepEqual(group.place.map((p) => p.name), ["example.web[1]", "example.web[3]"]);
  assert.equal(group.desiredTGUpdates.Place, 2);
  assert.equal(group.desiredTGUpdates.Ignore, 2);
  assert.equal(group.stop.length, 0);
});

Deno.test("reconciler stops the highest indexes when the count shrinks", () => {
  const job = withCount(mockJob(), 2);
  const allocs = [0, 1, 2, 3, 4].map((index) => mockAlloc(job, node, { index }));
  const group = reconcile(input(job, allocs)).groups[0]!;
  assert.deepEqual(group.stop.map((s) => s.alloc.Name).sort(), [
    "example.web[2]",
    "example.web[3]",
    "example.web[4]",
  ]);
  assert.ok(group.stop.every((s) => s.description === ALLOC_NOT_NEEDED));
  assert.equal(group.place.length, 0);
  assert.equal(group.desiredTGUpdates.Stop, 3);
});

Deno.test("reconciler stops every live allocation of a stopped job", () => {
  const job = mockJob();
  const live = mockAlloc(job, node, { index: 0 });
  const done = mockAlloc(job, node, { index: 1, ClientStatus: "complete" });
  const group = reconcile(input(null, [live, done])).groups[0]!;
  assert.deepEqual(group.stop.map((s) => [s.alloc.ID, s.description]), [
    [live.ID, ALLOC_NOT_NEEDED],
  ]);
  assert.equal(group.desiredTGUpdates.Stop, 1);
});

Deno.test("reconciler stops allocations of a removed task group", () => {
  const job = mockJob();
  const orphan = mockAlloc(job, node, { index: 0 });
  const renamed = { ...job, TaskGroups: job.TaskGroups.map((tg) => ({ ...tg, Name: "api" })) };
  const groups = reconcile(input(renamed, [{ ...orphan, TaskGroup: "web" }])).groups;
  const web = groups.find((g) => g.group === "web")!;
  assert.equal(web.stop[0]?.alloc.ID, orphan.ID);
  assert.equal(groups.find((g) => g.group === "api")!.place.length, 10);
});

Deno.test("reconciler replaces allocations on a down node and marks them lost", () => {
  const job = withCount(mockJob(), 2);
  const down = mockNode({ Status: "down" });
  const kept = mockAlloc(job, node, { index: 0 });
  const lost = mockAlloc(job, down, { index: 1 });
  const group = reconcile(input(job, [kept, lost], { tainted: new Map([[down.ID, down]]) }))
    .groups[0]!;
  assert.deepEqual(group.stop.map((s) => [s.alloc.ID, s.description, s.clientStatus]), [
    [lost.ID, ALLOC_LOST, "lost"],
  ]);
  assert.equal(group.place.length, 1);
  assert.equal(group.place[0]?.name, "example.web[1]");
  assert.equal(group.place[0]?.previousAlloc?.ID, lost.ID);
  assert.equal(group.place[0]?.lost, true);
});

Deno.test("a lost allocation with stop_on_client_after is replaced only after its client stopped it", () => {
  const base = withCount(mockJob(), 2);
  const job: Job = {
    ...base,
    TaskGroups: base.TaskGroups.map((tg) => ({
      ...tg,
      Disconnect: { LostAfter: 0, StopOnClientAfter: 30e9, Replace: null, Reconcile: "best_score" },
    })),
  };
  const down = mockNode({ Status: "down" });
  const kept = mockAlloc(job, node, { index: 0 });
  const lost = mockAlloc(job, down, { index: 1 });
  const first = reconcile(input(job, [kept, lost], { tainted: new Map([[down.ID, down]]) }))
    .groups[0]!;
  // Stopped as lost now, with a follow-up evaluation when the client has stopped it: no placement yet.
  assert.equal(first.place.length, 0);
  assert.equal(first.stop.length, 1);
  const [stop] = first.stop;
  assert.equal(stop!.clientStatus, "lost");
  assert.equal(first.followupEvals.length, 1);
  const followup = first.followupEvals[0]!;
  assert.equal(stop!.followupEvalID, followup.ID);
  assert.equal(followup.TriggeredBy, "alloc-failure");
  // 30 s stop_on_client_after plus the default 5 s kill timeout.
  assert.equal(Date.parse(followup.WaitUntil!) * 1e6, TEST_NOW_NS + 35e9);
  const lostState = stop!.alloc.AllocStates?.at(-1);
  assert.equal(lostState?.Value, "lost");

  // The follow-up, once the wait is over: the stopped allocation is replaced.
  const stopped = { ...stop!.alloc, DesiredStatus: "stop" as const, ClientStatus: "lost" as const };
  const later = reconcile(
    input(job, [kept, stopped], { tainted: new Map([[down.ID, down]]), nowNs: TEST_NOW_NS + 36e9 }),
  ).groups[0]!;
  assert.equal(later.place.length, 1);
  assert.equal(later.place[0]?.name, "example.web[1]");
  assert.equal(later.followupEvals.length, 0);
});

Deno.test("reconciler migrates allocations marked to migrate", () => {
  const job = withCount(mockJob(), 1);
  const alloc = mockAlloc(job, node, {
    index: 0,
    DesiredTransition: {
      Migrate: true,
      Reschedule: null,
      ForceReschedule: null,
      NoShutdownDelay: null,
    },
  });
  const group = reconcile(input(job, [alloc])).groups[0]!;
  assert.equal(group.stop[0]?.description, ALLOC_MIGRATING);
  assert.equal(group.place[0]?.previousAlloc?.ID, alloc.ID);
  assert.equal(group.desiredTGUpdates.Migrate, 1);
});

Deno.test("batch reconciler counts successfully completed allocations toward the count", () => {
  const job = withCount(mockJob({ Type: "batch" }), 2);
  const done = mockAlloc(job, node, { index: 0, ClientStatus: "complete" });
  const group = reconcile(input(job, [done], { batch: true })).groups[0]!;
  assert.deepEqual(group.place.map((p) => p.name), ["example.web[1]"]);
});

Deno.test("reconciler hands in-place and destructive decisions to the update function", () => {
  const job = withCount(mockJob(), 2);
  const a = mockAlloc(job, node, { index: 0 });
  const b = mockAlloc(job, node, { index: 1 });
  const updateFn: AllocUpdateFn = (alloc) =>
    alloc.ID === a.ID ? { kind: "inplace", alloc: { ...alloc, EvalID: "new" } } : {
      kind: "destructive",
    };
  const group = reconcile(input(job, [a, b], { updateFn })).groups[0]!;
  assert.deepEqual(group.inplaceUpdate.map((x) => x.ID), [a.ID]);
  assert.deepEqual(group.destructiveUpdate.map((d) => d.stopAlloc.ID), [b.ID]);
  assert.equal(group.desiredTGUpdates.InPlaceUpdate, 1);
  assert.equal(group.desiredTGUpdates.DestructiveUpdate, 1);
  assert.equal(group.place.length, 0);
});

Deno.test("failed allocations due within five seconds share one follow-up evaluation", () => {
  const job = withCount(mockJob(), 3);
  const failedAt = (index: number, offsetS: number) =>
    mockAlloc(job, node, {
      index,
      ClientStatus: "failed",
      ModifyTime: TEST_NOW_NS + offsetS * 1_000_000_000,
    });
  const allocs = [failedAt(0, 0), failedAt(1, 2), failedAt(2, 20)];
  const group = reconcile(input(job, allocs)).groups[0]!;
  assert.equal(group.followupEvals.length, 2);
  assert.deepEqual(group.followupEvals.map((e) => e.WaitUntil), [
    "2024-01-01T00:00:30Z",
    "2024-01-01T00:00:50Z",
  ]);
  const byAlloc = new Map(group.attributeUpdates.map((a) => [a.ID, a.FollowupEvalID]));
  assert.equal(byAlloc.get(allocs[0]!.ID), group.followupEvals[0]?.ID);
  assert.equal(byAlloc.get(allocs[1]!.ID), group.followupEvals[0]?.ID);
  assert.equal(byAlloc.get(allocs[2]!.ID), group.followupEvals[1]?.ID);
  assert.equal(group.place.length, 0);
});
