import { deepStrictEqual, strictEqual } from "node:assert";
import { StateStore } from "../state/mod.ts";
import { canonicalizeJob, type Job } from "../structs/mod.ts";
import { Fsm } from "./fsm.ts";

function job(id: string, extra: Record<string, unknown> = {}): Job {
  return canonicalizeJob({
    ID: id,
    Type: "batch",
    TaskGroups: [{ Name: "g", Tasks: [{ Name: "t", Driver: "raw_exec" }] }],
    ...extra,
  });
}

Deno.test("fsm: garbage collecting a periodic parent forgets its launches, as a purge does", () => {
  const state = new StateStore();
  const fsm = new Fsm(state);
  fsm.apply(1, {
    Type: "JobRegister",
    Job: job("p", { Periodic: { Spec: "* * * * *" } }),
    Eval: null,
    SubmitTime: 5e9,
  });
  strictEqual(state.snapshot().periodicLaunchByID("default", "p")?.Launch, 5e9);
  fsm.apply(2, {
    Type: "GarbageCollect",
    Evals: [],
    Allocs: [],
    Jobs: [{ Namespace: "default", ID: "p" }],
    Nodes: [],
  });
  strictEqual(state.snapshot().jobByID("default", "p"), undefined);
  strictEqual(state.snapshot().periodicLaunchByID("default", "p"), undefined);
  strictEqual(state.snapshot().tableIndex("periodic_launch"), 2);
});

Deno.test("fsm: garbage collecting a dispatched child updates its parent's Children counts", () => {
  const state = new StateStore();
  const fsm = new Fsm(state);
  fsm.apply(1, {
    Type: "JobRegister",
    Job: job("p", { ParameterizedJob: {} }),
    Eval: null,
    SubmitTime: 1,
  });
  const child = {
    ...job("p/dispatch-1-aaaaaaaa", { ParameterizedJob: {} }),
    ParentID: "p",
    Dispatched: true,
  };
  fsm.apply(2, { Type: "JobRegister", Job: child, Eval: null, SubmitTime: 1 });
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
    Type: "GarbageCollect",
    Evals: [],
    Allocs: [],
    Jobs: [{ Namespace: "default", ID: child.ID }],
    Nodes: [],
  });
  deepStrictEqual(state.snapshot().jobSummary("default", "p")?.Children, {
    Pending: 0,
    Running: 0,
    Dead: 0,
  });
  // An unknown job in the entry changes nothing.
  fsm.apply(5, {
    Type: "GarbageCollect",
    Evals: [],
    Allocs: [],
    Jobs: [{ Namespace: "default", ID: "missing" }],
    Nodes: [],
  });
  strictEqual(state.snapshot().jobByID("default", "p")?.ID, "p");
});
