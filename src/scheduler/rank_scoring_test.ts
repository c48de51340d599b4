import assert from "node:assert/strict";
import { seededRng } from "../core/mod.ts";
import type { Allocation, JsonObject } from "../structs/mod.ts";
import { rankNode } from "./rank.ts";
import { groupSelectLimit, MIN_SCORING_SELECT_LIMIT, selectLimit } from "./select.ts";
import { Harness, mockAlloc, mockEval, mockJob, mockNode } from "./testing.ts";

function planned(h: Harness): Allocation[] {
  return h.plans.flatMap((p) => Object.values(p.NodeAllocation).flat());
}

function group(fields: JsonObject): JsonObject {
  return {
    Name: "web",
    Count: 1,
    Tasks: [{ Name: "web", Driver: "exec", Resources: { CPU: 100, MemoryMB: 64 } }],
    ...fields,
  };
}

const base = {
  algorithm: "binpack" as const,
  rng: seededRng(1),
  penaltyNodeIDs: new Set<string>(),
};

Deno.test("the final score is the mean of the fit score and the scores that apply", () => {
  const node = mockNode();
  const job = mockJob({ TaskGroups: [group({ Count: 4 })] });
  const tg = job.TaskGroups[0]!;
  const alone = rankNode({ ...base, node, job, taskGroup: tg, proposed: [] });
  assert.ok(alone.ok);
  assert.equal(alone.option.finalScore, alone.option.scores["binpack"]);
  assert.equal(alone.option.scores["job-anti-affinity"], 0);
  assert.equal(alone.option.scores["node-affinity"], 0);
  const crowded = rankNode({
    ...base,
    node,
    job,
    taskGroup: tg,
    proposed: [mockAlloc(job, node)],
    penaltyNodeIDs: new Set([node.ID]),
  });
  assert.ok(crowded.ok);
  const s = crowded.option.scores;
  assert.equal(s["job-anti-affinity"], -2 / 4);
  assert.equal(s["node-reschedule-penalty"], -1);
  const mean = (s["binpack"]! + s["job-anti-affinity"]! + s["node-reschedule-penalty"]!) / 3;
  assert.equal(crowded.option.finalScore, mean);
});

Deno.test("spread algorithm prefers the emptier node, binpack the fuller", () => {
  const node = mockNode();
  const job = mockJob({ TaskGroups: [group({})] });
  const tg = job.TaskGroups[0]!;
  const other = mockJob({ ID: "other", TaskGroups: [group({})] });
  const busy = [mockAlloc(other, node), mockAlloc(other, node)];
  const score = (algorithm: "binpack" | "spread", proposed: Allocation[]) => {
    const r = rankNode({ ...base, algorithm, node, job, taskGroup: tg, proposed });
    assert.ok(r.ok);
    return r.option.scores["binpack"]!;
  };
  assert.ok(score("binpack", busy) > score("binpack", []));
  assert.ok(score("spread", busy) < score("spread", []));
});

Deno.test("a positive affinity draws the allocation to the matching node", async () => {
  const nodes = Array.from(
    { length: 6 },
    (_, i) => mockNode({ Datacenter: i === 3 ? "dc2" : "dc1" }),
  );
  const job = mockJob({
    Datacenters: ["dc1", "dc2"],
    TaskGroups: [group({
      Affinities: [{ LTarget: "${node.datacenter}", Operand: "=", RTarget: "dc2", Weight: 100 }],
    })],
  });
  const h = new Harness();
  h.upsertNode(...nodes);
  h.upsertJob(job);
  await h.process(mockEval(job));
  const [alloc] = planned(h);
  assert.equal(alloc?.NodeID, nodes[3]!.ID);
  const meta = alloc?.Metrics?.ScoreMetaData?.[0];
  assert.equal(meta?.NodeID, nodes[3]!.ID);
  assert.equal(meta?.Scores["node-affinity"], 1);
  assert.ok(meta?.Scores["binpack"] !== undefined);
  assert.ok(meta?.Scores["job-anti-affinity"] !== undefined);
  assert.ok(meta?.Scores["node-reschedule-penalty"] !== undefined);
});

Deno.test("a negative affinity keeps allocations off the matching nodes", async () => {
  const nodes = Array.from(
    { length: 4 },
    (_, i) => mockNode({ Datacenter: i === 0 ? "dc1" : "dc2" }),
  );
  const job = mockJob({
    Datacenters: ["dc1", "dc2"],
    TaskGroups: [group({
      Count: 3,
      Affinities: [{ LTarget: "${node.datacenter}", Operand: "=", RTarget: "dc1", Weight: -100 }],
    })],
  });
  const h = new Harness();
  h.upsertNode(...nodes);
  h.upsertJob(job);
  await h.process(mockEval(job));
  assert.equal(planned(h).length, 3);
  assert.ok(planned(h).every((a) => a.NodeID !== nodes[0]!.ID));
});

Deno.test("a spread without targets spreads allocations evenly over datacenters", async () => {
  const nodes = Array.from({ length: 9 }, (_, i) => mockNode({ Datacenter: `dc${i % 3}` }));
  const job = mockJob({
    Datacenters: ["dc0", "dc1", "dc2"],
    TaskGroups: [group({ Count: 6, Spreads: [{ Attribute: "${node.datacenter}", Weight: 100 }] })],
  });
  const h = new Harness();
  h.upsertNode(...nodes);
  h.upsertJob(job);
  await h.process(mockEval(job));
  const dcOf = new Map(nodes.map((n) => [n.ID, n.Datacenter]));
  const counts: Record<string, number> = {};
  for (const a of planned(h)) {
    const dc = dcOf.get(a.NodeID)!;
    counts[dc] = (counts[dc] ?? 0) + 1;
  }
  assert.deepEqual(counts, { dc0: 2, dc1: 2, dc2: 2 });
});

Deno.test("the selection limit widens to max(count, 100) with affinities or spreads", () => {
  const tg = mockJob({ TaskGroups: [group({ Count: 250 })] }).TaskGroups[0]!;
  assert.equal(selectLimit(5000, false), 13);
  assert.equal(selectLimit(5000, true), 2);
  assert.equal(groupSelectLimit(13, tg, false), 13);
  assert.equal(groupSelectLimit(13, tg, true), 250);
  const small = mockJob({ TaskGroups: [group({ Count: 3 })] }).TaskGroups[0]!;
  assert.equal(groupSelectLimit(2, small, true), MIN_SCORING_SELECT_LIMIT);
});

Deno.test("only a bounded sample of a large cluster is ranked per placement", async () => {
  const nodes = Array.from({ length: 500 }, () => mockNode());
  const job = mockJob({ TaskGroups: [group({ Count: 1 })] });
  const h = new Harness();
  h.upsertNode(...nodes);
  h.upsertJob(job);
  await h.process(mockEval(job));
  const metric = planned(h)[0]?.Metrics;
  // ⌈log2 500⌉ = 9 ranked options (plus up to three skipped low scorers).
  assert.ok(metric !== null && metric !== undefined);
  assert.ok(metric.NodesEvaluated <= 9 + 3, `evaluated ${metric.NodesEvaluated}`);
});
