import { deepStrictEqual } from "node:assert";
import { mockAlloc, mockJob, mockNode } from "../scheduler/testing.ts";
import type { Allocation, Job } from "../structs/mod.ts";
import { nodeEvals } from "./drainer_endpoints.ts";

Deno.test("drain, eligibility and heartbeat evaluations follow Nomad's one node-evaluation rule", () => {
  const node = mockNode({ ID: "n1", Datacenter: "dc1", NodePool: "default" });
  const service = mockJob({ ID: "svc" });
  const system = mockJob({ ID: "sys", Type: "system", TaskGroups: [{ Name: "g", Tasks: [] }] });
  const elsewhere = mockJob({
    ID: "sys-dc2",
    Type: "system",
    Datacenters: ["dc2"],
    TaskGroups: [{ Name: "g", Tasks: [] }],
  });
  const otherPool = mockJob({
    ID: "sys-pool",
    Type: "system",
    NodePool: "gpu",
    TaskGroups: [{ Name: "g", Tasks: [] }],
  });
  const sysbatch = mockJob({
    ID: "sb",
    Type: "sysbatch",
    TaskGroups: [{ Name: "g", Tasks: [] }],
  });
  const stopped = { ...mockJob({ ID: "sys-stopped", Type: "system" }), Stop: true };
  const jobs: Job[] = [service, system, elsewhere, otherPool, sysbatch, stopped];
  const allocs: Allocation[] = [mockAlloc(service, node), mockAlloc(service, node, { index: 1 })];
  let n = 0;
  const evals = nodeEvals(
    { allocsByNode: () => allocs, jobs: () => jobs },
    node,
    { nowNs: 7, newId: () => `e${++n}` },
  );
  // The service job once (for both allocations), then the system job that can run there;
  // sysbatch jobs, stopped jobs and jobs of other datacenters or pools get none.
  deepStrictEqual(
    evals.map((e) => [e.ID, e.JobID, e.TriggeredBy, e.NodeID, e.CreateTime]),
    [["e1", "svc", "node-update", "n1", 7], ["e2", "sys", "node-update", "n1", 7]],
  );
});
