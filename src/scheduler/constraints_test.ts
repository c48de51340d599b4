import assert from "node:assert/strict";
import {
  checkConstraint,
  constraintString,
  meetsConstraint,
  resolveTarget,
} from "./constraints.ts";
import { mockNode } from "./testing.ts";

const node = mockNode({
  ID: "node-id-1",
  Name: "worker-1",
  Datacenter: "dc2",
  NodeClass: "large",
  NodePool: "gpu",
  Attributes: { "kernel.name": "linux", "cpu.numcores": "8", "os.version": "22.04" },
  Meta: { rack: "r1", tags: "a,b,c" },
});

function meets(LTarget: string, Operand: string, RTarget: string): boolean {
  return meetsConstraint({ LTarget, Operand, RTarget }, node);
}

Deno.test("constraint targets interpolate node fields, attributes and meta", () => {
  assert.deepEqual(resolveTarget("${node.unique.id}", node), { value: "node-id-1", found: true });
  assert.deepEqual(resolveTarget("${node.unique.name}", node), { value: "worker-1", found: true });
  assert.deepEqual(resolveTarget("${node.datacenter}", node), { value: "dc2", found: true });
  assert.deepEqual(resolveTarget("${node.class}", node), { value: "large", found: true });
  assert.deepEqual(resolveTarget("${node.pool}", node), { value: "gpu", found: true });
  assert.deepEqual(resolveTarget("${attr.kernel.name}", node), { value: "linux", found: true });
  assert.deepEqual(resolveTarget("${meta.rack}", node), { value: "r1", found: true });
  assert.deepEqual(resolveTarget("${attr.missing}", node), { value: "", found: false });
  assert.deepEqual(resolveTarget("literal", node), { value: "literal", found: true });
});

Deno.test("constraint string form matches Nomad's ConstraintFiltered key", () => {
  const c = { LTarget: "${attr.kernel.name}", Operand: "=", RTarget: "linux" };
  assert.equal(constraintString(c), "${attr.kernel.name} = linux");
});

Deno.test("equality operands =, == and is", () => {
  for (const op of ["=", "==", "is"]) {
    assert.equal(meets("${attr.kernel.name}", op, "linux"), true);
    assert.equal(meets("${attr.kernel.name}", op, "windows"), false);
    assert.equal(meets("${attr.missing}", op, ""), false);
  }
});

Deno.test("inequality operands != and not", () => {
  for (const op of ["!=", "not"]) {
    assert.equal(meets("${attr.kernel.name}", op, "windows"), true);
    assert.equal(meets("${attr.kernel.name}", op, "linux"), false);
  }
});

Deno.test("order operands compare numbers numerically and strings lexically", () => {
  assert.equal(meets("${attr.cpu.numcores}", ">", "4"), true);
  assert.equal(meets("${attr.cpu.numcores}", "<", "10"), true);
  assert.equal(meets("${attr.cpu.numcores}", ">=", "8"), true);
  assert.equal(meets("${attr.cpu.numcores}", "<=", "7"), false);
  assert.equal(meets("${attr.os.version}", ">", "20.10"), true);
  assert.equal(meets("${node.datacenter}", "<", "dc3"), true);
  assert.equal(meets("${attr.missing}", "<", "3"), false);
});

Deno.test("regexp operand matches anywhere and fails on invalid expressions", () => {
  assert.equal(meets("${node.unique.name}", "regexp", "^worker-[0-9]+$"), true);
  assert.equal(meets("${node.unique.name}", "regexp", "ork"), true);
  assert.equal(meets("${node.unique.name}", "regexp", "^db"), false);
  assert.equal(meets("${node.unique.name}", "regexp", "(["), false);
});

Deno.test("version and semver operands use version constraints", () => {
  assert.equal(meets("${attr.os.version}", "version", ">= 20.04, < 23"), true);
  assert.equal(meets("${attr.os.version}", "version", "~> 21.0"), false);
  assert.equal(meets("${attr.os.version}", "semver", ">= 22.4"), true);
});

Deno.test("is_set and is_not_set check attribute presence", () => {
  assert.equal(meets("${meta.rack}", "is_set", ""), true);
  assert.equal(meets("${meta.zone}", "is_set", ""), false);
  assert.equal(meets("${meta.zone}", "is_not_set", ""), true);
});

Deno.test("set_contains operands check comma-separated members", () => {
  assert.equal(meets("${meta.tags}", "set_contains", "a, c"), true);
  assert.equal(meets("${meta.tags}", "set_contains_all", "a,d"), false);
  assert.equal(meets("${meta.tags}", "set_contains_any", "d,b"), true);
});

Deno.test("distinct operands pass the per-node check and unknown operands fail", () => {
  const t = { value: "x", found: true };
  assert.equal(checkConstraint("distinct_hosts", t, t), true);
  assert.equal(checkConstraint("distinct_property", t, t), true);
  assert.equal(checkConstraint("bogus", t, t), false);
});
