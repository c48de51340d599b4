import { deepStrictEqual, ok, strictEqual } from "node:assert";
import { Fsm } from "../fsm/mod.ts";
import { StateStore } from "../state/mod.ts";
import { canonicalizeJob, type Job, newEvaluation } from "../structs/mod.ts";
import {
  catchUpLaunches,
  derivePeriodicChild,
  dueLaunches,
  earliestLaunch,
  hasRunningChildren,
  periodicChildID,
  trackPeriodicJobs,
} from "./periodic.ts";

const at = (iso: string) => Date.parse(iso);

function periodicJob(id: string, periodic: Record<string, unknown>, extra = {}): Job {
  return {
    ...canonicalizeJob({
      ID: id,
      Type: "batch",
      Periodic: periodic,
      TaskGroups: [{ Name: "g", Tasks: [{ Name: "t", Driver: "raw_exec" }] }],
      ...extra,
    }),
    JobModifyIndex: 10,
  };
}

Deno.test("periodic: a tracked job launches at each cron time, computed from the last launch", () => {
  const job = periodicJob("report", { Spec: "*/15 * * * *" });
  let schedule = trackPeriodicJobs(new Map(), { jobs: [job], nowMs: at("2024-05-01T10:01:00Z") });
  strictEqual(earliestLaunch(schedule), at("2024-05-01T10:15:00Z"));
  // Nothing is due before the launch time.
  strictEqual(dueLaunches(schedule, at("2024-05-01T10:14:59Z")).due.length, 0);
  const first = dueLaunches(schedule, at("2024-05-01T10:15:00Z"));
  deepStrictEqual(first.due.map((d) => d.launchMs), [at("2024-05-01T10:15:00Z")]);
  schedule = first.schedule;
  strictEqual(earliestLaunch(schedule), at("2024-05-01T10:30:00Z"));
});

Deno.test("periodic: an unchanged job keeps its next launch; a changed spec is rescheduled from now", () => {
  const job = periodicJob("report", { Spec: "0 * * * *" });
  const schedule = trackPeriodicJobs(new Map(), { jobs: [job], nowMs: at("2024-05-01T10:30:00Z") });
  const same = trackPeriodicJobs(schedule, { jobs: [job], nowMs: at("2024-05-01T12:30:00Z") });
  strictEqual(earliestLaunch(same), at("2024-05-01T11:00:00Z"));
  const changed = { ...periodicJob("report", { Spec: "30 * * * *" }), JobModifyIndex: 11 };
  const updated = trackPeriodicJobs(schedule, {
    jobs: [changed],
    nowMs: at("2024-05-01T10:40:00Z"),
  });
  strictEqual(earliestLaunch(updated), at("2024-05-01T11:30:00Z"));
});

Deno.test("periodic: stopped, disabled, parameterized and deleted jobs stop launching", () => {
  const job = periodicJob("report", { Spec: "* * * * *" });
  const now = at("2024-05-01T10:00:00Z");
  const schedule = trackPeriodicJobs(new Map(), { jobs: [job], nowMs: now });
  strictEqual(schedule.size, 1);
  for (
    const gone of [
      [],
      [{ ...job, Stop: true }],
      [{ ...job, Periodic: { ...job.Periodic!, Enabled: false } }],
      [{
        ...job,
        ParameterizedJob: { Payload: "optional", MetaRequired: null, MetaOptional: null },
      }],
    ]
  ) {
    const next = trackPeriodicJobs(schedule, { jobs: gone, nowMs: now });
    strictEqual(next.size, 0);
    strictEqual(dueLaunches(next, now + 3_600_000).due.length, 0);
  }
});

Deno.test("periodic: crons lists and time zones decide the next launch", () => {
  const job = periodicJob("tz", {
    Specs: ["0 9 * * *", "0 17 * * *"],
    TimeZone: "America/New_York",
  });
  const schedule = trackPeriodicJobs(new Map(), {
    jobs: [job],
    nowMs: at("2024-01-10T15:00:00Z"), // 10:00 in New York
  });
  strictEqual(earliestLaunch(schedule), at("2024-01-10T22:00:00Z")); // 17:00 EST
});

Deno.test("periodic: the child is a non-periodic copy named after the launch second", () => {
  const job = periodicJob("report", { Spec: "* * * * *" });
  const child = derivePeriodicChild(job, at("2024-05-01T10:15:00.500Z"));
  strictEqual(child.ID, `report/periodic-${at("2024-05-01T10:15:00Z") / 1000}`);
  strictEqual(child.Name, child.ID);
  strictEqual(child.ParentID, "report");
  strictEqual(child.Periodic, null);
  strictEqual(periodicChildID("a", 1_700_000_000_999), "a/periodic-1700000000");
});

function stateWith(jobs: Job[], submitTimeNs: number): { state: StateStore; fsm: Fsm } {
  const state = new StateStore();
  const fsm = new Fsm(state);
  let index = 0;
  for (const job of jobs) {
    fsm.apply(++index, { Type: "JobRegister", Job: job, Eval: null, SubmitTime: submitTimeNs });
  }
  return { state, fsm };
}

Deno.test("periodic: a new leader catches up one missed launch, not launches still ahead", () => {
  const missed = periodicJob("missed", { Spec: "0 * * * *" });
  const ahead = periodicJob("ahead", { Spec: "0 0 1 1 *" });
  const { state } = stateWith([missed, ahead], at("2024-05-01T10:30:00Z") * 1e6);
  const launches = catchUpLaunches(state.snapshot(), at("2024-05-01T12:10:00Z"));
  deepStrictEqual(launches.map((j) => j.ID), ["missed"]);
  // Before 11:00 nothing was missed yet.
  strictEqual(catchUpLaunches(state.snapshot(), at("2024-05-01T10:59:00Z")).length, 0);
});

Deno.test("periodic: a recorded child launch moves the catch-up point", () => {
  const job = periodicJob("report", { Spec: "0 * * * *" });
  const { state, fsm } = stateWith([job], at("2024-05-01T09:30:00Z") * 1e6);
  const child = derivePeriodicChild(
    state.snapshot().jobByID("default", "report")!,
    at("2024-05-01T12:00:00Z"),
  );
  fsm.apply(10, { Type: "JobRegister", Job: child, Eval: null, SubmitTime: 1 });
  strictEqual(
    state.snapshot().periodicLaunchByID("default", "report")?.Launch,
    at("2024-05-01T12:00:00Z") * 1e6,
  );
  strictEqual(catchUpLaunches(state.snapshot(), at("2024-05-01T12:30:00Z")).length, 0);
  strictEqual(catchUpLaunches(state.snapshot(), at("2024-05-01T13:00:01Z")).length, 1);
});

Deno.test("periodic: prohibit_overlap sees a child with a pending evaluation as running", () => {
  const job = periodicJob("report", { Spec: "0 * * * *", ProhibitOverlap: true });
  const { state, fsm } = stateWith([job], at("2024-05-01T09:30:00Z") * 1e6);
  const parent = state.snapshot().jobByID("default", "report")!;
  strictEqual(hasRunningChildren(state.snapshot(), parent), false);
  const child = derivePeriodicChild(parent, at("2024-05-01T10:00:00Z"));
  const evaluation = newEvaluation({
    ID: "e1",
    Namespace: "default",
    Priority: 50,
    Type: "batch",
    TriggeredBy: "periodic-job",
    JobID: child.ID,
    CreateTime: 1,
    ModifyTime: 1,
  });
  fsm.apply(10, { Type: "JobRegister", Job: child, Eval: evaluation, SubmitTime: 1 });
  ok(hasRunningChildren(state.snapshot(), parent));
  // The overlapping job is not caught up either.
  strictEqual(catchUpLaunches(state.snapshot(), at("2024-05-01T12:30:00Z")).length, 0);
  fsm.apply(11, { Type: "EvalUpdate", Evals: [{ ...evaluation, Status: "complete" }] });
  strictEqual(hasRunningChildren(state.snapshot(), parent), false);
});
