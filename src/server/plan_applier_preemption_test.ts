import assert from "node:assert/strict";
import { StateStore } from "../state/mod.ts";
import type { Allocation, Job, Plan } from "../structs/mod.ts";
import { Fsm } from "../fsm/fsm.ts";
import { mockAlloc, mockJob, mockNode, TEST_NOW_NS } from "../scheduler/testing.ts";
import { evaluatePlan, preemptionChanges } from "./plan_applier.ts";

function job(id: string, priority: number, memoryMB: number): Job {
  return mockJob({
    ID: id,
    Name: id,
    Priority: priority,
    TaskGroups: [{
      Name: "g",
      Count: 1,
      EphemeralDisk: { SizeMB: 100 },
      Tasks: [{
        Name: "t",
        Driver: "exec",
        Config: { command: "x" },
        Resources: { MemoryMB: memoryMB },
      }],
    }],
  });
}

// A node (7936 MB schedulable) with a priority-20 allocation using 7000 MB.
function cluster() {
  const state = new StateStore();
  const fsm = new Fsm(state);
  const node = mockNode();
  const low = job("low", 20, 7000);
  const high = job("high", 80, 2048);
  let index = 1;
  fsm.apply(index++, { Type: "NodeRegister", Node: node, UpdatedAt: TEST_NOW_NS, Evals: [] });
  for (const j of [low, high]) {
    fsm.apply(index++, { Type: "JobRegister", Job: j, Eval: null, SubmitTime: TEST_NOW_NS });
  }
  const lowAlloc = mockAlloc(low, node);
  fsm.apply(index++, {
    Type: "ApplyPlanResults",
    Job: low,
    AllocsUpdated: [{ ...lowAlloc, Job: null }],
    AllocsStopped: [],
    EvalID: lowAlloc.EvalID,
  });
  return { state, fsm, node, low, high, lowAlloc, next: () => index++ };
}

function plan(high: Job, placed: Allocation, preempted: Allocation[]): Plan {
  return {
    EvalID: "eval-high",
    Priority: 80,
    AllAtOnce: false,
    Job: high,
    NodeUpdate: {},
    NodeAllocation: { [placed.NodeID]: [placed] },
    Annotations: null,
    SnapshotIndex: 0,
    Deployment: null,
    DeploymentUpdates: [],
    ...(preempted.length === 0 ? {} : {
      NodePreemptions: {
        [placed.NodeID]: preempted.map((a) => ({
          ...a,
          DesiredStatus: "evict" as const,
          DesiredDescription: `Preempted by alloc ID ${placed.ID}`,
          PreemptedByAllocation: placed.ID,
        })),
      },
    }),
  };
}

Deno.test("plan applier accepts a placement that fits once its preemptions are evicted", () => {
  const { state, node, high, lowAlloc } = cluster();
  const placed = mockAlloc(high, node, { ClientStatus: "pending" });
  const without = evaluatePlan(state.snapshot(), plan(high, placed, []));
  assert.equal(without.rejectedNodes.length, 1, "no room without preemption");
  assert.match(without.rejectedNodes[0]?.reason ?? "", /memory/);
  const withPreemption = evaluatePlan(state.snapshot(), plan(high, placed, [lowAlloc]));
  assert.deepEqual(withPreemption.rejectedNodes, []);
  assert.deepEqual(withPreemption.result.NodeAllocation[node.ID]?.map((a) => a.ID), [placed.ID]);
  assert.deepEqual(withPreemption.result.NodePreemptions?.[node.ID]?.map((a) => a.ID), [
    lowAlloc.ID,
  ]);
});

Deno.test("plan applier drops preemptions of allocations that became terminal", () => {
  const { state, fsm, node, high, lowAlloc, next } = cluster();
  fsm.apply(next(), {
    Type: "AllocClientUpdate",
    Allocs: [{
      ID: lowAlloc.ID,
      ClientStatus: "complete",
      ClientDescription: "",
      TaskStates: null,
      ModifyTime: TEST_NOW_NS,
    }],
    Evals: [],
  });
  const placed = mockAlloc(high, node, { ClientStatus: "pending" });
  const evaluated = evaluatePlan(state.snapshot(), plan(high, placed, [lowAlloc]));
  assert.deepEqual(evaluated.rejectedNodes, []);
  assert.equal(evaluated.result.NodePreemptions, undefined);
});

Deno.test("plan applier commits nothing of an all-at-once plan with a rejected node", () => {
  const { state, node, high, lowAlloc } = cluster();
  const placed = mockAlloc(high, node, { ClientStatus: "pending" });
  const other = mockAlloc(high, mockNode(), { ClientStatus: "pending" });
  const p = plan(high, placed, [lowAlloc]);
  p.AllAtOnce = true;
  p.NodeAllocation[other.NodeID] = [other];
  const evaluated = evaluatePlan(state.snapshot(), p);
  assert.equal(evaluated.rejectedNodes[0]?.reason, "node does not exist");
  assert.equal(evaluated.result.NodePreemptions, undefined);
  assert.deepEqual(evaluated.result.NodeAllocation, {});
});

Deno.test("committed preemptions evict the allocation and create a preemption evaluation", () => {
  const { state, fsm, node, high, low, lowAlloc, next } = cluster();
  const placed = mockAlloc(high, node, { ClientStatus: "pending" });
  const evaluated = evaluatePlan(state.snapshot(), plan(high, placed, [lowAlloc]));
  let n = 0;
  const changes = preemptionChanges(state.snapshot(), evaluated.result.NodePreemptions, {
    nowNs: TEST_NOW_NS,
    newId: () => `preempt-eval-${++n}`,
  });
  assert.equal(changes.evals.length, 1);
  assert.equal(changes.evals[0]?.TriggeredBy, "preemption");
  assert.equal(changes.evals[0]?.JobID, low.ID);
  assert.equal(changes.evals[0]?.Priority, low.Priority);
  assert.equal(changes.evals[0]?.Status, "pending");
  const applied = fsm.apply(next(), {
    Type: "ApplyPlanResults",
    Job: high,
    AllocsUpdated: [{ ...placed, Job: null, PreemptedAllocations: [lowAlloc.ID] }],
    AllocsStopped: [],
    EvalID: "eval-high",
    AllocsPreempted: changes.diffs,
    PreemptionEvals: changes.evals,
  });
  assert.ok(applied.capacityChanged);
  assert.deepEqual(applied.evals.map((e) => e.ID), ["preempt-eval-1"]);
  const snapshot = state.snapshot();
  const evicted = snapshot.allocsByNode(node.ID).find((a) => a.ID === lowAlloc.ID);
  assert.equal(evicted?.DesiredStatus, "evict");
  assert.equal(evicted?.DesiredDescription, `Preempted by alloc ID ${placed.ID}`);
  assert.equal(evicted?.PreemptedByAllocation, placed.ID);
  assert.equal(evicted?.AllocModifyIndex, applied.index);
  const stored = snapshot.allocsByNode(node.ID).find((a) => a.ID === placed.ID);
  assert.deepEqual(stored?.PreemptedAllocations, [lowAlloc.ID]);
  assert.equal(snapshot.evalByID("preempt-eval-1")?.TriggeredBy, "preemption");
});

Deno.test("preemption creates no evaluation for a job that no longer exists", () => {
  const { state, node } = cluster();
  const ghost = mockAlloc(job("ghost", 10, 100), node);
  const changes = preemptionChanges(state.snapshot(), {
    [node.ID]: [{ ...ghost, PreemptedByAllocation: "x", DesiredDescription: "d" }],
  }, { nowNs: TEST_NOW_NS, newId: () => "id" });
  assert.equal(changes.diffs.length, 1);
  assert.deepEqual(changes.evals, []);
});
