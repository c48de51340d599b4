import assert from "node:assert/strict";
import { affinityScore, combinedAffinities } from "./affinity_score.ts";
import { mockJob, mockNode } from "./testing.ts";

const node = mockNode({ Datacenter: "dc2", Meta: { rack: "r1", tags: "a,b,c" } });

Deno.test("affinity score is the matched weight over the sum of absolute weights", () => {
  const score = affinityScore([
    { LTarget: "${node.datacenter}", Operand: "=", RTarget: "dc2", Weight: 50 },
    { LTarget: "${meta.rack}", Operand: "=", RTarget: "r9", Weight: 50 },
  ], node);
  assert.equal(score, 0.5);
});

Deno.test("a matched negative affinity repels the node", () => {
  const score = affinityScore([
    { LTarget: "${meta.rack}", Operand: "=", RTarget: "r1", Weight: -100 },
  ], node);
  assert.equal(score, -1);
});

Deno.test("affinities support the constraint operators (set_contains_any, regexp, version)", () => {
  const one = (Operand: string, RTarget: string, LTarget = "${meta.tags}") =>
    affinityScore([{ LTarget, Operand, RTarget, Weight: 100 }], node);
  assert.equal(one("set_contains_any", "x,b"), 1);
  assert.equal(one("set_contains_all", "a,x"), 0);
  assert.equal(one("regexp", "^r[0-9]$", "${meta.rack}"), 1);
  assert.equal(one("version", ">= 1.5", "${attr.nomad.version}"), 1);
  assert.equal(one("!=", "dc2", "${node.datacenter}"), 0);
});

Deno.test("no affinities or zero weights score zero", () => {
  assert.equal(affinityScore([], node), 0);
  assert.equal(
    affinityScore([{ LTarget: "${meta.rack}", Operand: "=", RTarget: "r1", Weight: 0 }], node),
    0,
  );
});

Deno.test("job, group and task affinities all apply", () => {
  const affinity = { LTarget: "${meta.rack}", Operand: "=", RTarget: "r1", Weight: 10 };
  const job = mockJob({
    Affinities: [affinity],
    TaskGroups: [{
      Name: "web",
      Affinities: [affinity],
      Tasks: [{ Name: "web", Driver: "exec", Affinities: [affinity] }],
    }],
  });
  assert.equal(combinedAffinities(job, job.TaskGroups[0]!).length, 3);
});
