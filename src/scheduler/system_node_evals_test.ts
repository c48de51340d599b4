import assert from "node:assert/strict";
import { mockAlloc, mockJob, mockNode } from "./testing.ts";
import {
  nodeEvaluations,
  nodeUpdateNeedsEvals,
  statusTransitionNeedsEvals,
  systemJobsForNode,
} from "./system_node_evals.ts";

Deno.test("status transitions that need evaluations are Nomad's", () => {
  assert.ok(statusTransitionNeedsEvals("ready", "initializing"));
  assert.ok(statusTransitionNeedsEvals("ready", "down"));
  assert.ok(statusTransitionNeedsEvals("ready", "disconnected"));
  assert.ok(statusTransitionNeedsEvals("disconnected", "ready"));
  assert.ok(!statusTransitionNeedsEvals("ready", "ready"));
  assert.ok(!statusTransitionNeedsEvals("initializing", "initializing"));
});

Deno.test("a node registering ready, going down or changing attributes needs evaluations", () => {
  const node = mockNode();
  assert.ok(nodeUpdateNeedsEvals(null, node));
  assert.ok(!nodeUpdateNeedsEvals(null, { ...node, Status: "initializing" }));
  assert.ok(!nodeUpdateNeedsEvals(node, { ...node }), "a plain re-register changes nothing");
  assert.ok(nodeUpdateNeedsEvals(node, { ...node, Status: "down" }));
  assert.ok(nodeUpdateNeedsEvals({ ...node, Status: "down" }, node));
  const attrs = { ...node.Attributes, "kernel.name": "darwin" };
  assert.ok(nodeUpdateNeedsEvals(node, { ...node, Attributes: attrs }));
  assert.ok(nodeUpdateNeedsEvals(node, { ...node, Meta: { rack: "r2" } }));
  assert.ok(nodeUpdateNeedsEvals(node, { ...node, Datacenter: "dc2" }));
  assert.ok(nodeUpdateNeedsEvals(node, { ...node, NodePool: "gpu" }));
  assert.ok(nodeUpdateNeedsEvals(node, { ...node, Drivers: {} }));
  const more = {
    ...node.NodeResources,
    Memory: { MemoryMB: node.NodeResources.Memory.MemoryMB * 2 },
  };
  assert.ok(
    !nodeUpdateNeedsEvals(node, { ...node, NodeResources: more }),
    "resources are left to blocked evaluations",
  );
});

Deno.test("system jobs for a node match its datacenter and pool and are running", () => {
  const node = mockNode({ Datacenter: "eu-1", NodePool: "edge" });
  const jobs = [
    mockJob({ ID: "a", Type: "system", Datacenters: ["eu-*"], NodePool: "edge" }),
    mockJob({ ID: "b", Type: "system", Datacenters: ["us-1"], NodePool: "edge" }),
    mockJob({ ID: "c", Type: "system", Datacenters: ["*"], NodePool: "default" }),
    mockJob({ ID: "d", Type: "system", Datacenters: ["*"], NodePool: "all" }),
    mockJob({ ID: "e", Type: "service", Datacenters: ["*"], NodePool: "all" }),
    mockJob({ ID: "f", Type: "sysbatch", Datacenters: ["*"], NodePool: "all" }),
    { ...mockJob({ ID: "g", Type: "system", Datacenters: ["*"], NodePool: "all" }), Stop: true },
  ];
  assert.deepEqual(systemJobsForNode(jobs, node).map((j) => j.ID), ["a", "d"]);
});

Deno.test("node evaluations cover jobs with allocations there and system jobs, once each", () => {
  const node = mockNode({ ModifyIndex: 42 });
  const service = mockJob({ ID: "web" });
  const system = mockJob({ ID: "agent", Type: "system", Priority: 90 });
  const allocs = [mockAlloc(service, node), mockAlloc(service, node), mockAlloc(system, node)];
  let n = 0;
  const evals = nodeEvaluations({
    node,
    allocs,
    jobs: [system, mockJob({ ID: "logs", Type: "system" })],
    newId: () => `eval-${++n}`,
    nowNs: 5,
  });
  assert.deepEqual(evals.map((e) => e.JobID), ["web", "agent", "logs"]);
  for (const e of evals) {
    assert.equal(e.TriggeredBy, "node-update");
    assert.equal(e.NodeID, node.ID);
    assert.equal(e.NodeModifyIndex, 42);
    assert.equal(e.Status, "pending");
    assert.equal(e.CreateTime, 5);
  }
  assert.equal(evals[1]?.Type, "system");
  assert.equal(evals[1]?.Priority, 90);
  assert.deepEqual(new Set(evals.map((e) => e.ID)).size, 3);
});
