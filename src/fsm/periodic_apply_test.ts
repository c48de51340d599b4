import { deepStrictEqual, strictEqual } from "node:assert";
import { StateStore } from "../state/mod.ts";
import { canonicalizeJob, type Job } from "../structs/mod.ts";
import { Fsm } from "./fsm.ts";
import { periodicLaunchSeconds } from "./periodic_apply.ts";

function job(id: string, extra: Record<string, unknown> = {}): Job {
  return canonicalizeJob({
    ID: id,
    Type: "batch",
    TaskGroups: [{ Name: "g", Tasks: [{ Name: "t", Driver: "raw_exec" }] }],
    ...extra,
  });
}

Deno.test("fsm: registering a periodic job records its insertion time as the first launch", () => {
  const state = new StateStore();
  const fsm = new Fsm(state);
  fsm.apply(1, {
    Type: "JobRegister",
    Job: job("p", { Periodic: { Spec: "* * * * *" } }),
    Eval: null,
    SubmitTime: 5e9,
  });
  deepStrictEqual(state.snapshot().periodicLaunchByID("default", "p"), {
    Namespace: "default",
    ID: "p",
    Launch: 5e9,
    CreateIndex: 1,
    ModifyIndex: 1,
  });
  // Re-registering keeps the recorded launch.
  fsm.apply(2, {
    Type: "JobRegister",
    Job: job("p", { Periodic: { Spec: "*/2 * * * *" } }),
    Eval: null,
    SubmitTime: 9e9,
  });
  strictEqual(state.snapshot().periodicLaunchByID("default", "p")?.Launch, 5e9);
  // Plain, disabled and parameterized jobs get none.
  fsm.apply(3, { Type: "JobRegister", Job: job("plain"), Eval: null, SubmitTime: 1 });
  fsm.apply(4, {
    Type: "JobRegister",
    Job: job("off", { Periodic: { Spec: "* * * * *", Enabled: false } }),
    Eval: null,
    SubmitTime: 1,
  });
  strictEqual(state.snapshot().periodicLaunchByID("default", "plain"), undefined);
  strictEqual(state.snapshot().periodicLaunchByID("default", "off"), undefined);
});

Deno.test("fsm: a launched child records the launch on its parent; a purge forgets it", () => {
  const state = new StateStore();
  const fsm = new Fsm(state);
  fsm.apply(1, {
    Type: "JobRegister",
    Job: job("p", { Periodic: { Spec: "* * * * *" } }),
    Eval: null,
    SubmitTime: 5e9,
  });
  const child = { ...job("p/periodic-1700000000"), ParentID: "p" };
  fsm.apply(2, { Type: "JobRegister", Job: child, Eval: null, SubmitTime: 6e9 });
  const launch = state.snapshot().periodicLaunchByID("default", "p")!;
  strictEqual(launch.Launch, 1_700_000_000 * 1e9);
  strictEqual(launch.ModifyIndex, 2);
  strictEqual(launch.CreateIndex, 1);
  fsm.apply(3, {
    Type: "JobDeregister",
    Namespace: "default",
    JobID: "p",
    Purge: true,
    Eval: null,
    SubmitTime: 1,
  });
  strictEqual(state.snapshot().periodicLaunchByID("default", "p"), undefined);
  strictEqual(state.snapshot().tableIndex("periodic_launch"), 3);
});

Deno.test("fsm: a parent's Children summary follows its children's status", () => {
  const state = new StateStore();
  const fsm = new Fsm(state);
  const parent = job("p", { ParameterizedJob: {} });
  fsm.apply(1, { Type: "JobRegister", Job: parent, Eval: null, SubmitTime: 1 });
  strictEqual(state.snapshot().jobByID("default", "p")?.Status, "running");
  const child = {
    ...job("p/dispatch-1-aaaaaaaa", { ParameterizedJob: {} }),
    ParentID: "p",
    Dispatched: true,
  };
  fsm.apply(2, { Type: "JobRegister", Job: child, Eval: null, SubmitTime: 1 });
  // A dispatched child is not a parameterized parent: it gets the normal status rules.
  strictEqual(state.snapshot().jobByID("default", child.ID)?.Status, "pending");
  deepStrictEqual(state.snapshot().jobSummary("default", "p")?.Children, {
    Pending: 1,
    Running: 0,
    Dead: 0,
  });
  fsm.apply(3, {
    Type: "JobDeregister",
    Namespace: "default",
    JobID: child.ID,
    Purge: false,
    Eval: null,
    SubmitTime: 1,
  });
  deepStrictEqual(state.snapshot().jobSummary("default", "p")?.Children, {
    Pending: 0,
    Running: 0,
    Dead: 1,
  });
  fsm.apply(4, {
    Type: "JobDeregister",
    Namespace: "default",
    JobID: child.ID,
    Purge: true,
    Eval: null,
    SubmitTime: 1,
  });
  deepStrictEqual(state.snapshot().jobSummary("default", "p")?.Children, {
    Pending: 0,
    Running: 0,
    Dead: 0,
  });
});

Deno.test("fsm: launch seconds are read from a periodic child's ID only", () => {
  strictEqual(periodicLaunchSeconds("a/periodic-12"), 12);
  strictEqual(periodicLaunchSeconds("a/b/periodic-12"), 12);
  strictEqual(periodicLaunchSeconds("a/periodic-x"), null);
  strictEqual(periodicLaunchSeconds("a/dispatch-12-abc"), null);
});
