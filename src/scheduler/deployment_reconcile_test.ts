import assert from "node:assert/strict";
import {
  type Allocation,
  type Deployment,
  DEPLOYMENT_DESCRIPTION,
  type DeploymentState,
  type Job,
  newDeployment,
  newDeploymentState,
  type Node,
  type UpdateStrategy,
} from "../structs/mod.ts";
import { reconcile, type ReconcileInput } from "./reconcile.ts";
import { mockAlloc, mockJob, mockNode, TEST_NOW_NS } from "./testing.ts";
import { deploymentContext, destructiveLimit, groupComplete } from "./deployment_reconcile.ts";

const node: Node = mockNode();

function job(version: number, update: Partial<UpdateStrategy> = {}, count = 3): Job {
  const base = mockJob();
  return {
    ...base,
    Version: version,
    CreateIndex: 10,
    TaskGroups: base.TaskGroups.map((tg) => ({
      ...tg,
      Count: count,
      Update: tg.Update === null ? null : { ...tg.Update, ...update },
    })),
  };
}

function input(
  current: Job | null,
  allocs: Allocation[],
  deployment: Deployment | null = null,
): ReconcileInput {
  let n = 0;
  return {
    job: current,
    jobID: "example",
    batch: false,
    allocs,
    tainted: new Map(),
    evalID: "eval-1",
    evalPriority: 50,
    nowNs: TEST_NOW_NS,
    newId: () => `id-${++n}`,
    // Allocations of an older version need a destructive update.
    updateFn: (alloc) =>
      alloc.Job?.Version === current?.Version ? { kind: "ignore" } : { kind: "destructive" },
    deployment,
  };
}

function deploymentOf(j: Job, groupState: Partial<DeploymentState> = {}): Deployment {
  const d = newDeployment(j, { id: "dep-1", evalPriority: 50, nowNs: TEST_NOW_NS });
  const tg = j.TaskGroups[0]!;
  return { ...d, TaskGroups: { [tg.Name]: { ...newDeploymentState(tg), ...groupState } } };
}

function running(j: Job, count: number, fields: Partial<Allocation> = {}): Allocation[] {
  return Array.from({ length: count }, (_, index) => mockAlloc(j, node, { index, ...fields }));
}

Deno.test("a first registration creates a running deployment of the group's count", () => {
  const v0 = job(0);
  const result = reconcile(input(v0, []));
  assert.equal(result.groups[0]!.place.length, 3);
  assert.equal(result.deployment?.Status, "running");
  assert.equal(result.deployment?.StatusDescription, DEPLOYMENT_DESCRIPTION.running);
  assert.equal(result.deployment?.TaskGroups["web"]?.DesiredTotal, 3);
  assert.equal(result.deploymentID, result.deployment?.ID);
});

Deno.test("a group without an update block creates no deployment", () => {
  const v0 = job(0);
  const plain = { ...v0, TaskGroups: v0.TaskGroups.map((tg) => ({ ...tg, Update: null })) };
  const result = reconcile(input(plain, []));
  assert.equal(result.deployment, null);
  assert.equal(result.deploymentID, "");
});

Deno.test("max_parallel limits destructive updates per evaluation", () => {
  const v0 = job(0);
  const v1 = job(1, { MaxParallel: 2 });
  const result = reconcile(input(v1, running(v0, 3)));
  const group = result.groups[0]!;
  assert.deepEqual(group.destructiveUpdate.map((d) => d.name), [
    "example.web[0]",
    "example.web[1]",
  ]);
  assert.equal(group.desiredTGUpdates.DestructiveUpdate, 2);
  assert.equal(group.desiredTGUpdates.Ignore, 1);
  assert.equal(result.deployment?.JobVersion, 1);
});

Deno.test("the next batch waits until the deployment's new allocations are healthy", () => {
  const v0 = job(0);
  const v1 = job(1, { MaxParallel: 1 });
  const d = deploymentOf(v1, { PlacedAllocs: 1 });
  const fresh = mockAlloc(v1, node, { index: 0, DeploymentID: d.ID });
  const old = running(v0, 3).slice(1);
  const pending = reconcile(input(v1, [fresh, ...old], d)).groups[0]!;
  assert.equal(pending.destructiveUpdate.length, 0);
  const healthy = {
    ...fresh,
    DeploymentStatus: { Healthy: true, Timestamp: "", Canary: false, ModifyIndex: 5 },
  };
  const next = reconcile(input(v1, [healthy, ...old], d)).groups[0]!;
  assert.deepEqual(next.destructiveUpdate.map((u) => u.name), ["example.web[1]"]);
});

Deno.test("an unhealthy allocation stops the rollout", () => {
  const v1 = job(1, { MaxParallel: 3 });
  const d = deploymentOf(v1);
  const bad = mockAlloc(v1, node, {
    index: 0,
    DeploymentID: d.ID,
    DeploymentStatus: { Healthy: false, Timestamp: "", Canary: false, ModifyIndex: 5 },
  });
  const limit = destructiveLimit({
    tg: v1.TaskGroups[0]!,
    context: deploymentContext(v1, d),
    canarying: false,
    untainted: [bad],
    changes: 2,
  });
  assert.equal(limit, 0);
});

Deno.test("paused and failed deployments place nothing new and update nothing", () => {
  const v0 = job(0);
  const v1 = job(1, { MaxParallel: 3 }, 4);
  for (const status of ["paused", "failed"] as const) {
    const d = { ...deploymentOf(v1), Status: status };
    const group = reconcile(input(v1, running(v0, 3), d)).groups[0]!;
    assert.equal(group.destructiveUpdate.length, 0, status);
    assert.equal(group.place.length, 0, status);
  }
});

Deno.test("canaries are placed first and the rest waits for promotion", () => {
  const v0 = job(0);
  const v1 = job(1, { MaxParallel: 3, Canary: 1 });
  const result = reconcile(input(v1, running(v0, 3)));
  const group = result.groups[0]!;
  assert.equal(group.destructiveUpdate.length, 0);
  assert.deepEqual(group.place.map((p) => [p.name, p.canary]), [["example.web[0]", true]]);
  assert.equal(group.desiredTGUpdates.Canary, 1);
  assert.equal(result.deployment?.TaskGroups["web"]?.DesiredCanaries, 1);
  assert.equal(result.deployment?.StatusDescription, DEPLOYMENT_DESCRIPTION.runningNeedsPromotion);
});

Deno.test("an unpromoted canary does not count toward the group's count", () => {
  const v0 = job(0);
  const v1 = job(1, { MaxParallel: 3, Canary: 1 });
  const d = deploymentOf(v1, { DesiredCanaries: 1, PlacedCanaries: ["c"], PlacedAllocs: 1 });
  const canary = mockAlloc(v1, node, {
    index: 0,
    ID: "c",
    DeploymentID: d.ID,
    DeploymentStatus: { Healthy: true, Timestamp: "", Canary: true, ModifyIndex: 5 },
  });
  const group = reconcile(input(v1, [canary, ...running(v0, 3)], d)).groups[0]!;
  assert.equal(group.stop.length, 0);
  assert.equal(group.place.length, 0);
  assert.equal(group.destructiveUpdate.length, 0);
  assert.equal(group.complete, false);
});

Deno.test("after promotion the canary replaces its namesake and the rest roll", () => {
  const v0 = job(0);
  const v1 = job(1, { MaxParallel: 3, Canary: 1 });
  const d = deploymentOf(v1, {
    DesiredCanaries: 1,
    PlacedCanaries: ["c"],
    Promoted: true,
    PlacedAllocs: 1,
    HealthyAllocs: 1,
  });
  const canary = mockAlloc(v1, node, {
    index: 0,
    ID: "c",
    DeploymentID: d.ID,
    DeploymentStatus: { Healthy: true, Timestamp: "", Canary: true, ModifyIndex: 5 },
  });
  const old = running(v0, 3);
  const group = reconcile(input(v1, [canary, ...old], d)).groups[0]!;
  assert.deepEqual(group.stop.map((s) => s.alloc.ID), [old[0]!.ID]);
  assert.deepEqual(group.destructiveUpdate.map((u) => u.name), [
    "example.web[1]",
    "example.web[2]",
  ]);
});

Deno.test("a deployment whose allocations are all healthy is marked successful", () => {
  const v1 = job(1);
  const d = deploymentOf(v1, { PlacedAllocs: 3, HealthyAllocs: 3 });
  const allocs = running(v1, 3, { DeploymentID: d.ID });
  const result = reconcile(input(v1, allocs, d));
  assert.deepEqual(result.deploymentUpdates, [{
    DeploymentID: d.ID,
    Status: "successful",
    StatusDescription: DEPLOYMENT_DESCRIPTION.successful,
  }]);
  assert.equal(result.deployment, null);
});

Deno.test("an older version's active deployment is cancelled by a newer job", () => {
  const v0 = job(0);
  const d = deploymentOf(v0);
  const v1 = job(1);
  const result = reconcile(input(v1, running(v0, 3), d));
  assert.deepEqual(result.deploymentUpdates[0], {
    DeploymentID: d.ID,
    Status: "cancelled",
    StatusDescription: DEPLOYMENT_DESCRIPTION.newerJob,
  });
  assert.notEqual(result.deployment?.ID, d.ID);
});

Deno.test("stopping a job cancels its active deployment", () => {
  const v0 = job(0);
  const d = deploymentOf(v0);
  const result = reconcile(input({ ...v0, Stop: true }, running(v0, 3), d));
  assert.equal(result.deploymentUpdates[0]?.StatusDescription, DEPLOYMENT_DESCRIPTION.stoppedJob);
  assert.equal(result.deployment, null);
});

Deno.test("a failed allocation of the active deployment is not rescheduled", () => {
  const v1 = job(1);
  const d = deploymentOf(v1, { PlacedAllocs: 3 });
  const allocs = running(v1, 3, { DeploymentID: d.ID });
  allocs[0] = { ...allocs[0]!, ClientStatus: "failed" };
  const group = reconcile(input(v1, allocs, d)).groups[0]!;
  assert.equal(group.place.length, 0);
  assert.equal(group.followupEvals.length, 0);
});

Deno.test("groupComplete needs every desired allocation healthy and canaries promoted", () => {
  const base = newDeploymentState(job(1).TaskGroups[0]!);
  assert.equal(groupComplete({ pending: 0, requireCanary: false, state: base }), false);
  const healthy = { ...base, HealthyAllocs: 3 };
  assert.equal(groupComplete({ pending: 0, requireCanary: false, state: healthy }), true);
  assert.equal(groupComplete({ pending: 1, requireCanary: false, state: healthy }), false);
  const canary = { ...healthy, DesiredCanaries: 1 };
  assert.equal(groupComplete({ pending: 0, requireCanary: false, state: canary }), false);
});
