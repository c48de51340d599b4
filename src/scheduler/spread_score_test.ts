import assert from "node:assert/strict";
import type { Plan } from "../structs/mod.ts";
import {
  desiredCounts,
  evenSpreadBoost,
  IMPLICIT_TARGET,
  spreadScore,
  spreadState,
} from "./spread_score.ts";
import { newPlan } from "./plan_builder.ts";
import { mockAlloc, mockEval, mockJob, mockNode } from "./testing.ts";

const rack = (value: string) => {
  const n = mockNode();
  return { ...n, Meta: { ...n.Meta, rack: value } };
};

function emptyPlan(): Plan {
  const job = mockJob();
  return newPlan(mockEval(job), job, 0);
}

Deno.test("desired counts follow the target percentages with an implicit remainder", () => {
  const desired = desiredCounts({
    Attribute: "${meta.rack}",
    Weight: 50,
    SpreadTarget: [{ Value: "r1", Percent: 50 }, { Value: "r2", Percent: 20 }],
  }, 10);
  assert.deepEqual([...desired!], [["r1", 5], ["r2", 2], [IMPLICIT_TARGET, 3]]);
  assert.equal(desiredCounts({ Attribute: "x", Weight: 50, SpreadTarget: [] }, 10), null);
});

Deno.test("even spread boosts the least used value and penalizes a level spread", () => {
  const used = new Map([["r1", 2], ["r2", 1]]);
  assert.equal(evenSpreadBoost(used, "r2"), 1); // at the minimum: (max - cur) / min
  assert.equal(evenSpreadBoost(used, "r1"), -1); // (min - cur) / min
  assert.equal(evenSpreadBoost(used, "r3"), 1); // unused value
  assert.equal(evenSpreadBoost(new Map([["r1", 1], ["r2", 1]]), "r1"), -1);
  assert.equal(evenSpreadBoost(new Map(), "r1"), 0);
});

Deno.test("spread score counts existing and planned allocations of the group", () => {
  const [a, b] = [rack("r1"), rack("r2")];
  const job = mockJob({
    TaskGroups: [{
      Name: "web",
      Count: 4,
      Spreads: [{
        Attribute: "${meta.rack}",
        Weight: 100,
        SpreadTarget: [{ Value: "r1", Percent: 50 }, { Value: "r2", Percent: 50 }],
      }],
      Tasks: [{ Name: "web", Driver: "exec" }],
    }],
  });
  const tg = job.TaskGroups[0]!;
  const plan = emptyPlan();
  plan.NodeAllocation[a.ID] = [mockAlloc(job, a)];
  const state = spreadState({
    job,
    taskGroup: tg,
    existing: [mockAlloc(job, a)],
    plan,
    nodeByID: (id) => [a, b].find((n) => n.ID === id),
  })!;
  // r1 holds 2 of its 2: one more is (2 - 3) / 2; r2 holds 0 of 2: (2 - 1) / 2.
  assert.equal(spreadScore(state, a), -0.5);
  assert.equal(spreadScore(state, b), 0.5);
  // A node without the attribute gets the maximum penalty.
  assert.equal(spreadScore(state, mockNode({ Meta: {} })), -1);
});

Deno.test("a value outside the targets without an implicit target scores -1", () => {
  const job = mockJob({
    TaskGroups: [{
      Name: "web",
      Count: 2,
      Spreads: [{
        Attribute: "${meta.rack}",
        Weight: 100,
        SpreadTarget: [{ Value: "r1", Percent: 100 }],
      }],
      Tasks: [{ Name: "web", Driver: "exec" }],
    }],
  });
  const state = spreadState({
    job,
    taskGroup: job.TaskGroups[0]!,
    existing: [],
    plan: emptyPlan(),
    nodeByID: () => undefined,
  })!;
  assert.equal(spreadScore(state, rack("r7")), -1);
  assert.equal(spreadScore(state, rack("r1")), 0.5);
});

Deno.test("a group without spread blocks has no spread state", () => {
  const job = mockJob();
  const state = spreadState({
    job,
    taskGroup: job.TaskGroups[0]!,
    existing: [],
    plan: emptyPlan(),
    nodeByID: () => undefined,
  });
  assert.equal(state, null);
});
