import { deepStrictEqual, strictEqual } from "node:assert";
import { Fsm } from "../fsm/mod.ts";
import {
  mockAlloc,
  mockEval,
  mockJob,
  mockNode,
  TEST_NOW_NS,
  testId,
} from "../scheduler/testing.ts";
import { StateStore } from "../state/mod.ts";
import {
  type Allocation,
  type Deployment,
  type DeploymentStatusName,
  newDeployment,
} from "../structs/mod.ts";
import { DEFAULT_GC_THRESHOLDS, FORCE_GC_THRESHOLDS, gcCandidates, partitionGc } from "./gc.ts";
import { disconnectWindowNs, missedHeartbeatStatus } from "./heartbeats.ts";

const HOUR = 3600e9;

function seeded() {
  const state = new StateStore();
  const fsm = new Fsm(state);
  let index = 0;
  const apply = (entry: Parameters<Fsm["apply"]>[1]) => fsm.apply(++index, entry);
  const node = mockNode({ ID: testId(1, 1) });
  apply({ Type: "NodeRegister", Node: node, UpdatedAt: TEST_NOW_NS, Evals: [] });
  const put = (job: ReturnType<typeof mockJob>, alloc: Partial<Allocation>) => {
    const evaluation = {
      ...mockEval(job, { Status: "complete", ModifyTime: TEST_NOW_NS }),
      Type: job.Type,
    };
    apply({ Type: "JobRegister", Job: job, Eval: evaluation, SubmitTime: TEST_NOW_NS });
    const a = mockAlloc(job, node, { EvalID: evaluation.ID, ModifyTime: TEST_NOW_NS, ...alloc });
    apply({
      Type: "ApplyPlanResults",
      Job: job,
      AllocsUpdated: [a],
      AllocsStopped: [],
      EvalID: "",
    });
    return { evaluation, alloc: a };
  };
  return { state, apply, node, put };
}

Deno.test("gc keeps running work and young objects, collects stopped jobs past the threshold", () => {
  const s = seeded();
  const live = s.put(mockJob({ ID: "live" }), {});
  const stopped = s.put(mockJob({ ID: "stopped" }), {
    DesiredStatus: "stop",
    ClientStatus: "complete",
  });
  s.apply({
    Type: "JobDeregister",
    Namespace: "default",
    JobID: "stopped",
    Purge: false,
    Eval: null,
    SubmitTime: TEST_NOW_NS,
  });
  const young = gcCandidates(s.state.snapshot(), {
    nowNs: TEST_NOW_NS + 1e9,
    thresholds: DEFAULT_GC_THRESHOLDS,
  });
  deepStrictEqual(young, { Evals: [], Allocs: [], Jobs: [], Nodes: [], Deployments: [] });
  const old = gcCandidates(s.state.snapshot(), {
    nowNs: TEST_NOW_NS + 5 * HOUR,
    thresholds: DEFAULT_GC_THRESHOLDS,
  });
  deepStrictEqual(old.Jobs, [{ Namespace: "default", ID: "stopped" }]);
  deepStrictEqual(old.Allocs, [stopped.alloc.ID]);
  // The live job keeps its evaluation: its allocation still runs.
  strictEqual(old.Evals.includes(live.evaluation.ID), false);
  strictEqual(old.Evals.includes(stopped.evaluation.ID), true);
  s.apply({ Type: "GarbageCollect", ...old });
  strictEqual(s.state.snapshot().jobByID("default", "stopped"), undefined);
  strictEqual(s.state.snapshot().allocByID(stopped.alloc.ID), undefined);
  strictEqual(s.state.snapshot().jobByID("default", "live")?.ID, "live");
});

Deno.test("forced gc ignores age but not liveness; down nodes with no work go", () => {
  const s = seeded();
  s.put(mockJob({ ID: "batch", Type: "batch" }), { ClientStatus: "complete" });
  s.apply({
    Type: "NodeUpdateStatus",
    NodeID: s.node.ID,
    Status: "down",
    UpdatedAt: TEST_NOW_NS,
    Event: null,
    Evals: [],
  });
  const forced = gcCandidates(s.state.snapshot(), {
    nowNs: TEST_NOW_NS,
    thresholds: FORCE_GC_THRESHOLDS,
  });
  deepStrictEqual(forced.Jobs, [{ Namespace: "default", ID: "batch" }]);
  deepStrictEqual(forced.Nodes, [s.node.ID]);
  strictEqual(partitionGc(forced).length, 1);
});

Deno.test("a missed heartbeat disconnects a node only while an allocation may reconnect", () => {
  const job = mockJob({
    TaskGroups: [{
      Name: "web",
      MaxClientDisconnect: 60e9,
      Tasks: [{ Name: "t", Driver: "exec", Config: { command: "x" } }],
    }],
  });
  const node = mockNode();
  const alloc = mockAlloc(job, node);
  strictEqual(disconnectWindowNs(alloc), 60e9);
  strictEqual(missedHeartbeatStatus(node, [alloc], TEST_NOW_NS), "disconnected");
  const since = { Status: "disconnected" as const, StatusUpdatedAt: TEST_NOW_NS / 1e9 };
  strictEqual(missedHeartbeatStatus(since, [alloc], TEST_NOW_NS + 30e9), "disconnected");
  strictEqual(missedHeartbeatStatus(since, [alloc], TEST_NOW_NS + 60e9), "down");
  strictEqual(missedHeartbeatStatus(node, [mockAlloc(mockJob(), node)], TEST_NOW_NS), "down");
  strictEqual(
    missedHeartbeatStatus(node, [{ ...alloc, ClientStatus: "complete" }], TEST_NOW_NS),
    "down",
  );
});

Deno.test("gc collects old terminal deployments but never the latest of a live job", () => {
  const s = seeded();
  const web = s.put(mockJob({ ID: "web" }), {});
  const webJob = s.state.snapshot().jobByID("default", "web")!;
  const deploy = (id: string, status: DeploymentStatusName, job = webJob): Deployment => {
    const d = {
      ...newDeployment(job, { id, evalPriority: 50, nowNs: TEST_NOW_NS }),
      Status: status,
    };
    s.apply({
      Type: "ApplyPlanResults",
      Job: job,
      AllocsUpdated: [],
      AllocsStopped: [],
      EvalID: "",
      Deployment: d,
    });
    return d;
  };
  const old = deploy("d-old", "successful");
  const failed = deploy("d-failed", "failed");
  const latest = deploy("d-latest", "cancelled");
  // A terminal deployment one of whose allocations still runs stays.
  const inUse = deploy("d-in-use", "successful");
  s.apply({
    Type: "ApplyPlanResults",
    Job: webJob,
    AllocsUpdated: [{ ...web.alloc, DeploymentID: inUse.ID }],
    AllocsStopped: [],
    EvalID: "",
  });
  const newest = deploy("d-newest", "successful");
  const other = s.put(mockJob({ ID: "other" }), {});
  const otherJob = s.state.snapshot().jobByID("default", "other")!;
  const running = deploy("d-running", "running", otherJob);
  strictEqual(other.alloc.DeploymentID, "");

  const young = gcCandidates(s.state.snapshot(), {
    nowNs: TEST_NOW_NS + 1e9,
    thresholds: DEFAULT_GC_THRESHOLDS,
  });
  deepStrictEqual(young.Deployments, []);
  const aged = gcCandidates(s.state.snapshot(), {
    nowNs: TEST_NOW_NS + 2 * HOUR,
    thresholds: DEFAULT_GC_THRESHOLDS,
  });
  deepStrictEqual(aged.Deployments, [failed.ID, latest.ID, old.ID].sort());
  // deployment_gc_threshold is its own setting.
  const longer = gcCandidates(s.state.snapshot(), {
    nowNs: TEST_NOW_NS + 2 * HOUR,
    thresholds: { ...DEFAULT_GC_THRESHOLDS, deploymentNs: 3 * HOUR },
  });
  deepStrictEqual(longer.Deployments, []);

  s.apply({ Type: "GarbageCollect", ...aged });
  const after = s.state.snapshot();
  strictEqual(after.deploymentByID(old.ID), undefined);
  strictEqual(after.deploymentByID(latest.ID), undefined);
  strictEqual(after.deploymentByID(inUse.ID)?.ID, inUse.ID);
  strictEqual(after.deploymentByID(newest.ID)?.ID, newest.ID);
  strictEqual(after.deploymentByID(running.ID)?.ID, running.ID);
  strictEqual(after.latestDeploymentByJob("default", "web")?.ID, newest.ID);

  // Once the job is stopped its latest deployment may go too (forced gc ignores age).
  s.apply({
    Type: "JobDeregister",
    Namespace: "default",
    JobID: "web",
    Purge: false,
    Eval: null,
    SubmitTime: TEST_NOW_NS,
  });
  const forced = gcCandidates(s.state.snapshot(), {
    nowNs: TEST_NOW_NS,
    thresholds: FORCE_GC_THRESHOLDS,
  });
  deepStrictEqual(forced.Deployments, [newest.ID]);
});

Deno.test("a GarbageCollect entry without Deployments (older log) still applies", () => {
  const s = seeded();
  s.apply({ Type: "GarbageCollect", Evals: [], Allocs: [], Jobs: [], Nodes: [] });
  strictEqual(s.state.snapshot().nodes().length, 1);
});

Deno.test("partitionGc splits deployments like the other lists", () => {
  const ids = Array.from({ length: 5_001 }, (_, i) => `d-${i}`);
  const parts = partitionGc({ Evals: [], Allocs: [], Jobs: [], Nodes: [], Deployments: ids });
  deepStrictEqual(parts.map((p) => p.Deployments.length), [5_000, 1]);
});
