import { deepStrictEqual, strictEqual } from "node:assert";
import { StateStore } from "../state/mod.ts";
import {
  type Allocation,
  canonicalizeJob,
  type Deployment,
  DEPLOYMENT_DESCRIPTION,
  emptyDesiredTransition,
  newDeployment,
  newDeploymentState,
  ZERO_TIME,
} from "../structs/mod.ts";
import { Fsm } from "./fsm.ts";

const NOW = 1_700_000_000_000_000_000;

function job() {
  return canonicalizeJob({
    ID: "web",
    Type: "service",
    TaskGroups: [{
      Name: "g",
      Count: 2,
      Tasks: [{ Name: "t", Driver: "raw_exec", Config: { command: "/bin/true" } }],
    }],
  });
}

function alloc(id: string, fields: Partial<Allocation> = {}): Allocation {
  return {
    ID: id,
    Namespace: "default",
    EvalID: "e1",
    Name: `web.g[0]`,
    NodeID: "n1",
    NodeName: "n1",
    JobID: "web",
    Job: null,
    TaskGroup: "g",
    AllocatedResources: null,
    Metrics: null,
    DesiredStatus: "run",
    DesiredDescription: "",
    DesiredTransition: emptyDesiredTransition(),
    ClientStatus: "pending",
    ClientDescription: "",
    TaskStates: null,
    PreviousAllocation: "",
    NextAllocation: "",
    DeploymentID: "d1",
    DeploymentStatus: null,
    RescheduleTracker: null,
    FollowupEvalID: "",
    PreemptedAllocations: null,
    PreemptedByAllocation: "",
    CreateIndex: 0,
    ModifyIndex: 0,
    AllocModifyIndex: 0,
    CreateTime: NOW,
    ModifyTime: NOW,
    ...fields,
  };
}

/** A store with job "web" (version 0) and deployment d1 of it, placed through one plan. */
function setup(options: { canary?: boolean; progressDeadlineNs?: number } = {}) {
  const state = new StateStore();
  const fsm = new Fsm(state);
  fsm.apply(1, { Type: "JobRegister", Job: job(), Eval: null, SubmitTime: NOW });
  const stored = state.snapshot().jobByID("default", "web")!;
  const base = newDeployment(stored, { id: "d1", evalPriority: 50, nowNs: NOW });
  const tg = stored.TaskGroups[0]!;
  const d: Deployment = {
    ...base,
    TaskGroups: {
      g: { ...newDeploymentState(tg), ProgressDeadline: options.progressDeadlineNs ?? 0 },
    },
  };
  const placed = alloc("a1", {
    DeploymentStatus: options.canary === true
      ? { Healthy: null, Timestamp: ZERO_TIME, Canary: true, ModifyIndex: 0 }
      : null,
  });
  fsm.apply(2, {
    Type: "ApplyPlanResults",
    Job: stored,
    AllocsUpdated: [placed],
    AllocsStopped: [],
    EvalID: "e1",
    Deployment: d,
    DeploymentUpdates: [],
  });
  return { state, fsm };
}

function health(healthy: boolean, seconds = 1) {
  return {
    ID: "a1",
    ClientStatus: "running" as const,
    ClientDescription: "",
    TaskStates: null,
    ModifyTime: NOW + seconds * 1e9,
    DeploymentStatus: {
      Healthy: healthy,
      Timestamp: new Date((NOW + seconds * 1e9) / 1e6).toISOString(),
      Canary: false,
      ModifyIndex: 0,
    },
  };
}

Deno.test("a plan's deployment is stored and its new allocations counted as placed", () => {
  const { state } = setup({ canary: true });
  const d = state.snapshot().deploymentByID("d1")!;
  strictEqual(d.CreateIndex, 2);
  strictEqual(d.TaskGroups["g"]?.PlacedAllocs, 1);
  deepStrictEqual(d.TaskGroups["g"]?.PlacedCanaries, ["a1"]);
  strictEqual(state.snapshot().latestDeploymentByJob("default", "web")?.ID, "d1");
  strictEqual(state.snapshot().tableIndex("deployment"), 2);
});

Deno.test("client health reports move the deployment's healthy and unhealthy counts once", () => {
  const { state, fsm } = setup();
  fsm.apply(3, { Type: "AllocClientUpdate", Allocs: [health(true)], Evals: [] });
  fsm.apply(4, { Type: "AllocClientUpdate", Allocs: [health(true, 2)], Evals: [] });
  let d = state.snapshot().deploymentByID("d1")!;
  strictEqual(d.TaskGroups["g"]?.HealthyAllocs, 1);
  strictEqual(state.snapshot().allocByID("a1")?.DeploymentStatus?.ModifyIndex, 3);
  fsm.apply(5, { Type: "AllocClientUpdate", Allocs: [health(false, 3)], Evals: [] });
  d = state.snapshot().deploymentByID("d1")!;
  strictEqual(d.TaskGroups["g"]?.HealthyAllocs, 0);
  strictEqual(d.TaskGroups["g"]?.UnhealthyAllocs, 1);
});

Deno.test("a health report pushes the progress deadline forward", () => {
  const { state, fsm } = setup({ progressDeadlineNs: 60e9 });
  const placedBy = state.snapshot().deploymentByID("d1")!.TaskGroups["g"]!.RequireProgressBy;
  fsm.apply(3, { Type: "AllocClientUpdate", Allocs: [health(true, 30)], Evals: [] });
  const healthyBy = state.snapshot().deploymentByID("d1")!.TaskGroups["g"]!.RequireProgressBy;
  strictEqual(placedBy, "2023-11-14T22:14:20Z");
  strictEqual(healthyBy, "2023-11-14T22:14:50Z");
});

Deno.test("a successful deployment marks its job version stable", () => {
  const { state, fsm } = setup();
  fsm.apply(3, {
    Type: "DeploymentStatusUpdate",
    Update: {
      DeploymentID: "d1",
      Status: "successful",
      StatusDescription: DEPLOYMENT_DESCRIPTION.successful,
    },
    Job: null,
    Eval: null,
    UpdatedAt: NOW,
  });
  const s = state.snapshot();
  strictEqual(s.deploymentByID("d1")?.Status, "successful");
  strictEqual(s.jobByID("default", "web")?.Stable, true);
  strictEqual(s.jobVersions("default", "web")[0]?.Stable, true);
});

Deno.test("a failure with a rollback job registers the stable spec as a new version", () => {
  const { state, fsm } = setup();
  const changed = { ...job(), Meta: { v: "1" } };
  fsm.apply(3, { Type: "JobRegister", Job: changed, Eval: null, SubmitTime: NOW });
  const v0 = state.snapshot().jobVersions("default", "web")[1]!;
  const result = fsm.apply(4, {
    Type: "DeploymentStatusUpdate",
    Update: { DeploymentID: "d1", Status: "failed", StatusDescription: "x" },
    Job: v0,
    Eval: null,
    UpdatedAt: NOW,
  });
  const current = state.snapshot().jobByID("default", "web")!;
  strictEqual(current.Version, 2);
  strictEqual(current.Meta, v0.Meta);
  strictEqual(result.jobModifyIndex, 4);
  strictEqual(state.snapshot().deploymentByID("d1")?.Status, "failed");
});

Deno.test("promotion marks canary groups promoted and updates the description", () => {
  const { state, fsm } = setup({ canary: true });
  const d = state.snapshot().deploymentByID("d1")!;
  fsm.apply(3, {
    Type: "ApplyPlanResults",
    Job: null,
    AllocsUpdated: [],
    AllocsStopped: [],
    EvalID: "e2",
    Deployment: {
      ...d,
      TaskGroups: { g: { ...d.TaskGroups["g"]!, DesiredCanaries: 1 } },
      StatusDescription: DEPLOYMENT_DESCRIPTION.runningNeedsPromotion,
    },
    DeploymentUpdates: [],
  });
  fsm.apply(4, {
    Type: "DeploymentPromotion",
    DeploymentID: "d1",
    All: true,
    Groups: null,
    Eval: null,
    UpdatedAt: NOW,
  });
  const promoted = state.snapshot().deploymentByID("d1")!;
  strictEqual(promoted.TaskGroups["g"]?.Promoted, true);
  // The plan's copy did not reset the counters the FSM keeps.
  strictEqual(promoted.TaskGroups["g"]?.PlacedAllocs, 1);
  strictEqual(promoted.StatusDescription, DEPLOYMENT_DESCRIPTION.running);
});

Deno.test("an in-place update takes the plan's job; a follow-up mark keeps the old one", () => {
  const { state, fsm } = setup();
  const changed = { ...job(), Meta: { v: "1" } };
  fsm.apply(3, { Type: "JobRegister", Job: changed, Eval: null, SubmitTime: NOW });
  const v1 = state.snapshot().jobByID("default", "web")!;
  const existing = state.snapshot().allocByID("a1")!;
  fsm.apply(4, {
    Type: "ApplyPlanResults",
    Job: v1,
    AllocsUpdated: [{ ...existing, Job: null, EvalID: "e9" }],
    AllocsStopped: [],
    EvalID: "e9",
  });
  strictEqual(state.snapshot().allocByID("a1")?.Job?.Version, 1);
});
