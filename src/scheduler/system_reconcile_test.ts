import assert from "node:assert/strict";
import type { Allocation, Job, Node } from "../structs/mod.ts";
import { mockAlloc, mockJob, mockNode } from "./testing.ts";
import {
  reconcileSystem,
  requiredSystemGroups,
  splitTerminalAllocs,
  type SystemReconcileInput,
} from "./system_reconcile.ts";

function systemJob(type: "system" | "sysbatch" = "system", modifyIndex = 99): Job {
  return mockJob({
    Type: type,
    JobModifyIndex: modifyIndex,
    TaskGroups: [{ Name: "agent", Count: 1, Tasks: [{ Name: "agent", Driver: "exec" }] }],
  });
}

function input(job: Job | null, nodes: Node[], allocs: Allocation[]): SystemReconcileInput {
  return { job, readyNodes: nodes, notReadyNodeIDs: new Set(), tainted: new Map(), allocs };
}

function summary(result: ReturnType<typeof reconcileSystem>): Record<string, number> {
  return Object.fromEntries(Object.entries(result).map(([k, v]) => [k, v.length]));
}

Deno.test("required groups use the job name and every count index; a stopped job needs none", () => {
  const job = mockJob({
    ID: "id",
    Name: "name",
    Type: "system",
    TaskGroups: [{ Name: "g", Count: 2, Tasks: [{ Name: "t", Driver: "exec" }] }],
  });
  assert.deepEqual([...requiredSystemGroups(job).keys()], ["name.g[0]", "name.g[1]"]);
  assert.equal(requiredSystemGroups({ ...job, Stop: true }).size, 0);
  assert.equal(requiredSystemGroups(null).size, 0);
});

Deno.test("splitTerminalAllocs keeps the newest terminal allocation per node and name", () => {
  const job = systemJob();
  const node = mockNode();
  const older = mockAlloc(job, node, { ClientStatus: "failed", CreateIndex: 5 });
  const newer = mockAlloc(job, node, { ClientStatus: "complete", CreateIndex: 9 });
  const live = mockAlloc(job, node);
  const split = splitTerminalAllocs([newer, older, live]);
  assert.deepEqual(split.live.map((a) => a.ID), [live.ID]);
  assert.equal(split.terminal.get(node.ID)?.get(older.Name)?.ID, newer.ID);
});

Deno.test("the node diff places on empty nodes, ignores current ones, updates old versions", () => {
  const job = systemJob("system", 100);
  const [empty, current, old] = [mockNode(), mockNode(), mockNode()];
  const allocs = [
    mockAlloc(job, current),
    mockAlloc(systemJob("system", 99), old),
  ];
  const result = reconcileSystem(input(job, [empty, current, old], allocs));
  assert.deepEqual(summary(result), {
    place: 1,
    update: 1,
    migrate: 0,
    stop: 0,
    ignore: 1,
    lost: 0,
  });
  assert.equal(result.place[0]?.nodeID, empty.ID);
  assert.equal(result.place[0]?.alloc, null);
  assert.equal(result.update[0]?.nodeID, old.ID);
});

Deno.test("a replacement on a node remembers the node's last terminal allocation", () => {
  const job = systemJob();
  const node = mockNode();
  const failed = mockAlloc(job, node, { ClientStatus: "failed" });
  const result = reconcileSystem(input(job, [node], [failed]));
  assert.equal(result.place[0]?.alloc?.ID, failed.ID);
});

Deno.test("sysbatch leaves terminal allocations alone unless the job changed", () => {
  const node = mockNode();
  const done = mockAlloc(systemJob("sysbatch", 99), node, { ClientStatus: "complete" });
  const same = reconcileSystem(input(systemJob("sysbatch", 99), [node], [done]));
  assert.deepEqual(summary(same), { place: 0, update: 0, migrate: 0, stop: 0, ignore: 1, lost: 0 });
  const changed = reconcileSystem(input(systemJob("sysbatch", 100), [node], [done]));
  assert.equal(changed.update[0]?.alloc?.ID, done.ID);
});

Deno.test("allocations on down or vanished nodes are lost; on draining ones ignored", () => {
  const job = systemJob();
  const [down, draining, gone] = [
    mockNode({ Status: "down" }),
    mockNode({ Drain: true }),
    mockNode(),
  ];
  const allocs = [mockAlloc(job, down), mockAlloc(job, draining), mockAlloc(job, gone)];
  const tainted = new Map<string, Node | null>([
    [down.ID, down],
    [draining.ID, draining],
    [gone.ID, null],
  ]);
  const result = reconcileSystem({
    job,
    readyNodes: [],
    notReadyNodeIDs: new Set([down.ID, draining.ID]),
    tainted,
    allocs,
  });
  assert.deepEqual(result.lost.map((t) => t.nodeID).sort(), [down.ID, gone.ID].sort());
  assert.deepEqual(result.ignore.map((t) => t.nodeID), [draining.ID]);
  assert.equal(result.place.length, 0);
});

Deno.test("allocations of groups the job dropped are stopped", () => {
  const old = systemJob();
  const node = mockNode();
  const next = mockJob({
    Type: "system",
    TaskGroups: [{ Name: "other", Count: 1, Tasks: [{ Name: "t", Driver: "exec" }] }],
  });
  const result = reconcileSystem(input(next, [node], [mockAlloc(old, node)]));
  assert.equal(result.stop.length, 1);
  assert.equal(result.stop[0]?.taskGroup, null);
  assert.equal(result.place[0]?.name, "example.other[0]");
});
