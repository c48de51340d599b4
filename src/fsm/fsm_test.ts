import { deepStrictEqual, ok, strictEqual, throws } from "node:assert";
import { StateStore } from "../state/mod.ts";
import {
  type Allocation,
  canonicalizeJob,
  emptyDesiredTransition,
  newEvaluation,
} from "../structs/mod.ts";
import { Fsm, jobSpecChanged } from "./fsm.ts";

function job(overrides: Record<string, unknown> = {}) {
  return canonicalizeJob({
    ID: "web",
    Type: "service",
    TaskGroups: [{
      Name: "g",
      Count: 2,
      Tasks: [{ Name: "t", Driver: "raw_exec", Config: { command: "/bin/true" } }],
    }],
    ...overrides,
  });
}

function evalFor(id: string, status: "pending" | "complete" | "blocked" = "pending") {
  return newEvaluation({
    ID: id,
    Namespace: "default",
    Priority: 50,
    Type: "service",
    TriggeredBy: "job-register",
    JobID: "web",
    Status: status,
  });
}

function alloc(id: string, clientStatus: Allocation["ClientStatus"] = "pending"): Allocation {
  return {
    ID: id,
    Namespace: "default",
    EvalID: "e1",
    Name: `web.g[${id}]`,
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
    ClientStatus: clientStatus,
    ClientDescription: "",
    TaskStates: null,
    PreviousAllocation: "",
    NextAllocation: "",
    DeploymentID: "",
    DeploymentStatus: null,
    RescheduleTracker: null,
    FollowupEvalID: "",
    PreemptedAllocations: null,
    PreemptedByAllocation: "",
    CreateIndex: 0,
    ModifyIndex: 0,
    AllocModifyIndex: 0,
    CreateTime: 1,
    ModifyTime: 1,
  };
}

Deno.test("registering a new job stores version 0 with its evaluation and a pending status", () => {
  const state = new StateStore();
  const fsm = new Fsm(state);
  const result = fsm.apply(1, {
    Type: "JobRegister",
    Job: job(),
    Eval: evalFor("e1"),
    SubmitTime: 5,
  });
  const stored = state.snapshot().jobByID("default", "web")!;
  strictEqual(stored.Version, 0);
  strictEqual(stored.CreateIndex, 1);
  strictEqual(stored.JobModifyIndex, 1);
  strictEqual(stored.Status, "pending");
  strictEqual(stored.SubmitTime, 5);
  strictEqual(result.evals[0]!.JobModifyIndex, 1);
  ok(Object.isFrozen(stored), "stored objects are frozen");
});

Deno.test("re-registering an unchanged job keeps its version; a changed spec bumps it", () => {
  const state = new StateStore();
  const fsm = new Fsm(state);
  fsm.apply(1, { Type: "JobRegister", Job: job(), Eval: evalFor("e1"), SubmitTime: 1 });
  fsm.apply(2, { Type: "JobRegister", Job: job(), Eval: evalFor("e2"), SubmitTime: 2 });
  strictEqual(state.snapshot().jobByID("default", "web")!.Version, 0);
  strictEqual(state.snapshot().jobVersions("default", "web").length, 1);
  fsm.apply(3, {
    Type: "JobRegister",
    Job: job({ Priority: 70 }),
    Eval: evalFor("e3"),
    SubmitTime: 3,
  });
  const stored = state.snapshot().jobByID("default", "web")!;
  strictEqual(stored.Version, 1);
  strictEqual(stored.JobModifyIndex, 3);
  strictEqual(stored.CreateIndex, 1);
  deepStrictEqual(state.snapshot().jobVersions("default", "web").map((j) => j.Version), [1, 0]);
  ok(!jobSpecChanged(stored, { ...stored, Status: "dead", ModifyIndex: 99 }));
});

Deno.test("stopping a job creates a new stopped version; purging removes it", () => {
  const state = new StateStore();
  const fsm = new Fsm(state);
  fsm.apply(1, { Type: "JobRegister", Job: job(), Eval: evalFor("e1", "complete"), SubmitTime: 1 });
  fsm.apply(2, {
    Type: "JobDeregister",
    Namespace: "default",
    JobID: "web",
    Purge: false,
    Eval: evalFor("e2", "complete"),
    SubmitTime: 2,
  });
  const stopped = state.snapshot().jobByID("default", "web")!;
  strictEqual(stopped.Stop, true);
  strictEqual(stopped.Version, 1);
  strictEqual(stopped.Status, "dead");
  fsm.apply(3, {
    Type: "JobDeregister",
    Namespace: "default",
    JobID: "web",
    Purge: true,
    Eval: null,
    SubmitTime: 3,
  });
  strictEqual(state.snapshot().jobByID("default", "web"), undefined);
  strictEqual(state.snapshot().jobSummary("default", "web"), undefined);
});

Deno.test("plan results and client updates drive job status and summary", () => {
  const state = new StateStore();
  const fsm = new Fsm(state);
  fsm.apply(1, { Type: "JobRegister", Job: job(), Eval: evalFor("e1"), SubmitTime: 1 });
  fsm.apply(2, {
    Type: "ApplyPlanResults",
    Job: job(),
    AllocsUpdated: [alloc("a1"), alloc("a2")],
    AllocsStopped: [],
    EvalID: "e1",
  });
  let snap = state.snapshot();
  strictEqual(
    snap.allocByID("a1")!.Job!.ID,
    "web",
    "the plan's job is attached to new allocations",
  );
  strictEqual(snap.jobByID("default", "web")!.Status, "running");
  strictEqual(snap.jobSummary("default", "web")!.Summary.g!.Starting, 2);
  fsm.apply(3, {
    Type: "AllocClientUpdate",
    Allocs: [{
      ID: "a1",
      ClientStatus: "running",
      ClientDescription: "Tasks are running",
      TaskStates: {},
      ModifyTime: 9,
    }],
    Evals: [],
  });
  snap = state.snapshot();
  strictEqual(snap.jobSummary("default", "web")!.Summary.g!.Running, 1);
  strictEqual(snap.jobSummary("default", "web")!.Summary.g!.Starting, 1);
  strictEqual(snap.allocByID("a1")!.ModifyIndex, 3);
  strictEqual(
    snap.allocByID("a1")!.AllocModifyIndex,
    2,
    "client updates do not change AllocModifyIndex",
  );
  const result = fsm.apply(4, {
    Type: "AllocClientUpdate",
    Allocs: ["a1", "a2"].map((id) => ({
      ID: id,
      ClientStatus: "complete" as const,
      ClientDescription: "",
      TaskStates: {},
      ModifyTime: 10,
    })),
    Evals: [],
  });
  ok(result.capacityChanged);
  fsm.apply(5, { Type: "EvalUpdate", Evals: [evalFor("e1", "complete")] });
  strictEqual(state.snapshot().jobByID("default", "web")!.Status, "dead");
  strictEqual(state.snapshot().jobSummary("default", "web")!.Summary.g!.Complete, 2);
});

Deno.test("state indexes must grow", () => {
  const state = new StateStore();
  const fsm = new Fsm(state);
  fsm.apply(2, { Type: "EvalUpdate", Evals: [evalFor("e1")] });
  throws(
    () => fsm.apply(2, { Type: "EvalUpdate", Evals: [evalFor("e2")] }),
    /state index must grow/,
  );
});

Deno.test("watchers wake only for tables they watch", async () => {
  const state = new StateStore();
  const fsm = new Fsm(state);
  const abort = new AbortController();
  let woke = false;
  const waiting = state.waitForChange(["nodes"], abort.signal).then(() => (woke = true));
  fsm.apply(1, { Type: "EvalUpdate", Evals: [evalFor("e1")] });
  await Promise.resolve();
  strictEqual(woke, false);
  fsm.apply(2, { Type: "JobRegister", Job: job(), Eval: null, SubmitTime: 1 });
  await Promise.resolve();
  strictEqual(woke, false);
  abort.abort();
  await waiting;
  strictEqual(state.snapshot().tableIndex("jobs"), 2);
  strictEqual(state.snapshot().tableIndex("evals"), 1);
});
