import { deepStrictEqual, strictEqual } from "node:assert";
import { nullLogger } from "../core/mod.ts";
import { type ApplyResult, Fsm, type LogEntry } from "../fsm/mod.ts";
import { StateStore } from "../state/mod.ts";
import {
  type Allocation,
  canonicalizeJob,
  type Deployment,
  DEPLOYMENT_DESCRIPTION,
  emptyDesiredTransition,
  type Job,
  newDeployment,
  newDeploymentState,
} from "../structs/mod.ts";
import { formatRfc3339Nano } from "../scheduler/mod.ts";
import { decideDeployment, DeploymentWatcher, type WatchInput } from "./deployment_watcher.ts";
import {
  failDeployment,
  pauseDeployment,
  promoteDeployment,
  setAllocHealth,
} from "./deployment_endpoint.ts";
import type { Raft } from "./raft.ts";

const NOW = 1_700_000_000_000_000_000;

function job(version: number, meta: string, stable = false): Job {
  return {
    ...canonicalizeJob({
      ID: "web",
      Type: "service",
      Meta: { v: meta },
      TaskGroups: [{
        Name: "g",
        Count: 2,
        Tasks: [{ Name: "t", Driver: "raw_exec", Config: { command: "/bin/true" } }],
      }],
    }),
    Version: version,
    Stable: stable,
  };
}

function deployment(j: Job, group: Partial<Deployment["TaskGroups"][string]> = {}): Deployment {
  const d = newDeployment(j, { id: "d1", evalPriority: 50, nowNs: NOW });
  // Failing on the first unhealthy allocation needs progress_deadline = 0.
  const state = { ...newDeploymentState(j.TaskGroups[0]!), ProgressDeadline: 0 };
  return { ...d, TaskGroups: { g: { ...state, ...group } } };
}

function alloc(id: string, healthy: boolean | null, fields: Partial<Allocation> = {}): Allocation {
  return {
    ID: id,
    Namespace: "default",
    EvalID: "e1",
    Name: "web.g[0]",
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
    ClientStatus: "running",
    ClientDescription: "",
    TaskStates: null,
    PreviousAllocation: "",
    NextAllocation: "",
    DeploymentID: "d1",
    DeploymentStatus: healthy === null
      ? null
      : { Healthy: healthy, Timestamp: "", Canary: false, ModifyIndex: 7 },
    RescheduleTracker: null,
    FollowupEvalID: "",
    PreemptedAllocations: null,
    PreemptedByAllocation: "",
    CreateIndex: 1,
    ModifyIndex: 1,
    AllocModifyIndex: 1,
    CreateTime: NOW,
    ModifyTime: NOW,
    ...fields,
  };
}

function input(fields: Partial<WatchInput> & Pick<WatchInput, "deployment">): WatchInput {
  const current = job(1, "new");
  return {
    allocs: [],
    job: current,
    versions: [current, job(0, "old", true)],
    nowNs: NOW,
    handledHealthIndex: 0,
    ...fields,
  };
}

Deno.test("an unhealthy allocation fails the deployment and auto-reverts to the stable version", () => {
  const d = deployment(job(1, "new"), { AutoRevert: true });
  const decision = decideDeployment(input({ deployment: d, allocs: [alloc("a", false)] }));
  strictEqual(
    decision.fail?.description,
    "Failed due to unhealthy allocations - rolling back to job version 0",
  );
  strictEqual(decision.fail?.rollback?.Meta?.["v"], "old");
  strictEqual(decision.fail?.rollback?.Stable, false);
});

Deno.test("without auto_revert the failure registers no job", () => {
  const d = deployment(job(1, "new"));
  const decision = decideDeployment(input({ deployment: d, allocs: [alloc("a", false)] }));
  deepStrictEqual(decision.fail, {
    description: DEPLOYMENT_DESCRIPTION.failedAllocations,
    rollback: null,
  });
});

Deno.test("auto_revert without a stable version says so", () => {
  const d = deployment(job(1, "new"), { AutoRevert: true });
  const decision = decideDeployment(
    input({ deployment: d, allocs: [alloc("a", false)], versions: [job(1, "new")] }),
  );
  strictEqual(
    decision.fail?.description,
    "Failed due to unhealthy allocations - no stable job version to auto revert to",
  );
});

Deno.test("the progress deadline fails the deployment only once it has passed", () => {
  const deadline = NOW + 60e9;
  const d = deployment(job(1, "new"), {
    ProgressDeadline: 60e9,
    RequireProgressBy: formatRfc3339Nano(deadline),
  });
  const before = decideDeployment(input({ deployment: d, nowNs: deadline - 1e9 }));
  strictEqual(before.fail, null);
  strictEqual(before.nextCheckNs, deadline);
  const after = decideDeployment(input({ deployment: d, nowNs: deadline }));
  strictEqual(after.fail?.description, DEPLOYMENT_DESCRIPTION.progressDeadline);
});

Deno.test("with a progress deadline an unhealthy allocation may be replaced instead", () => {
  const d = deployment(job(1, "new"), { ProgressDeadline: 60e9 });
  const decision = decideDeployment(input({ deployment: d, allocs: [alloc("a", false)] }));
  strictEqual(decision.fail, null);
  deepStrictEqual(decision.allowReplacements, ["a"]);
});

Deno.test("a new healthy allocation creates one evaluation", () => {
  const d = deployment(job(1, "new"));
  const first = decideDeployment(input({ deployment: d, allocs: [alloc("a", true)] }));
  strictEqual(first.createEval, true);
  strictEqual(first.handledHealthIndex, 7);
  const again = decideDeployment(
    input({ deployment: d, allocs: [alloc("a", true)], handledHealthIndex: 7 }),
  );
  strictEqual(again.createEval, false);
});

Deno.test("auto_promote promotes once every canary is healthy; paused deployments wait", () => {
  const d = deployment(job(1, "new"), { DesiredCanaries: 1, AutoPromote: true });
  const canary = (healthy: boolean | null) =>
    alloc("c", null, {
      DeploymentStatus: { Healthy: healthy, Timestamp: "", Canary: true, ModifyIndex: 3 },
    });
  strictEqual(decideDeployment(input({ deployment: d, allocs: [canary(null)] })).promote, false);
  strictEqual(decideDeployment(input({ deployment: d, allocs: [canary(true)] })).promote, true);
  const paused = { ...d, Status: "paused" as const };
  strictEqual(
    decideDeployment(input({ deployment: paused, allocs: [canary(true)] })).promote,
    false,
  );
});

/** A store holding job "web" v0 (stable) and v1 with running deployment d1 of v1. */
function cluster(group: Partial<Deployment["TaskGroups"][string]> = {}) {
  const state = new StateStore();
  const fsm = new Fsm(state);
  let index = 0;
  const raft: Raft = {
    apply: (entry: LogEntry): Promise<ApplyResult> => Promise.resolve(fsm.apply(++index, entry)),
    isLeader: () => true,
    leaderAddress: () => "",
    peers: () => [],
    lastIndex: () => index,
  };
  const apply = (entry: LogEntry) => fsm.apply(++index, entry);
  apply({ Type: "JobRegister", Job: job(0, "old"), Eval: null, SubmitTime: NOW });
  apply({ Type: "JobRegister", Job: job(0, "new"), Eval: null, SubmitTime: NOW });
  const v1 = state.snapshot().jobByID("default", "web")!;
  const d = { ...deployment(v1, group), JobCreateIndex: v1.CreateIndex };
  apply({
    Type: "ApplyPlanResults",
    Job: v1,
    AllocsUpdated: [alloc("a", null, { Job: v1 })],
    AllocsStopped: [],
    EvalID: "e1",
    Deployment: d,
    DeploymentUpdates: [],
  });
  let n = 0;
  const watcher = new DeploymentWatcher({
    state,
    raft,
    clock: { nowNs: () => NOW },
    newId: () => `eval-${++n}`,
    logger: nullLogger,
  });
  return { state, apply, watcher, v1 };
}

Deno.test("the watcher fails a deployment on a client's unhealthy report and queues an evaluation", async () => {
  const { state, apply, watcher } = cluster();
  apply({
    Type: "AllocClientUpdate",
    Allocs: [{
      ID: "a",
      ClientStatus: "failed",
      ClientDescription: "",
      TaskStates: null,
      ModifyTime: NOW,
      DeploymentStatus: { Healthy: false, Timestamp: "", Canary: false, ModifyIndex: 0 },
    }],
    Evals: [],
  });
  await watcher.tick();
  const s = state.snapshot();
  strictEqual(s.deploymentByID("d1")?.Status, "failed");
  strictEqual(s.deploymentByID("d1")?.StatusDescription, DEPLOYMENT_DESCRIPTION.failedAllocations);
  const evals = s.evalsByJob("default", "web");
  deepStrictEqual(evals.map((e) => [e.TriggeredBy, e.DeploymentID, e.Status]), [
    ["deployment-watcher", "d1", "pending"],
  ]);
  // A second pass does nothing more: the deployment is no longer active.
  await watcher.tick();
  strictEqual(state.snapshot().evalsByJob("default", "web").length, 1);
});

Deno.test("promote, pause and fail check their inputs with Nomad's messages", () => {
  const { state, apply } = cluster();
  const ctx = () => ({ snapshot: state.snapshot(), nowNs: NOW, newId: () => "e" });
  const throwsText = (fn: () => unknown, text: string) => {
    try {
      fn();
    } catch (error) {
      strictEqual((error as Error).message, text);
      return;
    }
    throw new Error(`expected "${text}"`);
  };
  throwsText(
    () => promoteDeployment(ctx(), { id: "d1", all: true, groups: [] }),
    "no canaries to promote",
  );
  throwsText(() => failDeployment(ctx(), "missing"), "deployment not found");
  const paused = pauseDeployment(ctx(), { id: "d1", pause: true });
  strictEqual(paused.evaluation, null);
  apply(paused.entry);
  strictEqual(state.snapshot().deploymentByID("d1")?.StatusDescription, "Deployment is paused");
  const failed = failDeployment(ctx(), "d1");
  apply(failed.entry);
  strictEqual(
    state.snapshot().deploymentByID("d1")?.StatusDescription,
    "Deployment marked as failed",
  );
  throwsText(
    () => pauseDeployment(ctx(), { id: "d1", pause: false }),
    "can't resume terminal deployment",
  );
  throwsText(() => failDeployment(ctx(), "d1"), "can't fail terminal deployment");
  throwsText(
    () => promoteDeployment(ctx(), { id: "d1", all: true, groups: [] }),
    "can't promote terminal deployment",
  );
});

Deno.test("promoting an unhealthy canary lists it", () => {
  const { state, apply, v1 } = cluster({ DesiredCanaries: 1 });
  apply({
    Type: "ApplyPlanResults",
    Job: v1,
    AllocsUpdated: [
      alloc("c", null, {
        Job: v1,
        DeploymentStatus: { Healthy: null, Timestamp: "", Canary: true, ModifyIndex: 0 },
      }),
    ],
    AllocsStopped: [],
    EvalID: "e2",
  });
  try {
    promoteDeployment(
      { snapshot: state.snapshot(), nowNs: NOW, newId: () => "e" },
      { id: "d1", all: true, groups: [] },
    );
    throw new Error("expected an error");
  } catch (error) {
    strictEqual(
      (error as Error).message,
      '1 error occurred:\n\t* Canary allocation "c" for group "g" is not healthy\n\n',
    );
  }
});

Deno.test("manual health marks allocations of the deployment and rejects others", () => {
  const { state, apply } = cluster();
  const ctx = () => ({ snapshot: state.snapshot(), nowNs: NOW, newId: () => "e" });
  const bad = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return (error as Error).message;
    }
    return "no error";
  };
  strictEqual(
    bad(() => setAllocHealth(ctx(), { id: "d1", healthy: ["other"], unhealthy: [] })),
    "Allocation other not part of deployment",
  );
  strictEqual(
    bad(() => setAllocHealth(ctx(), { id: "d1", healthy: [], unhealthy: [] })),
    "must specify at least one healthy/unhealthy allocation ID",
  );
  apply(setAllocHealth(ctx(), { id: "d1", healthy: ["a"], unhealthy: [] }).entry);
  strictEqual(state.snapshot().allocByID("a")?.DeploymentStatus?.Healthy, true);
  strictEqual(state.snapshot().deploymentByID("d1")?.TaskGroups["g"]?.HealthyAllocs, 1);
});
