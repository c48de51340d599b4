import assert from "node:assert/strict";
import type { TaskLifecycle, TaskState } from "../structs/mod.ts";
import {
  killCauseEvent,
  killingEvent,
  killTimeoutNs,
  type LifecycleInput,
  type LifecycleTask,
  planLifecycle,
  restartsOnSuccess,
  shutdownDelayEvent,
} from "./lifecycle.ts";

const PRESTART: TaskLifecycle = { Hook: "prestart", Sidecar: false };
const PRESTART_SIDECAR: TaskLifecycle = { Hook: "prestart", Sidecar: true };
const POSTSTART: TaskLifecycle = { Hook: "poststart", Sidecar: false };
const POSTSTART_SIDECAR: TaskLifecycle = { Hook: "poststart", Sidecar: true };
const POSTSTOP: TaskLifecycle = { Hook: "poststop", Sidecar: false };

function task(name: string, lifecycle: TaskLifecycle | null = null, leader = false): LifecycleTask {
  return { name, lifecycle, leader };
}

function state(State: TaskState["State"], Failed = false): TaskState {
  return {
    State,
    Failed,
    Restarts: 0,
    LastRestart: null,
    StartedAt: null,
    FinishedAt: null,
    Events: [],
  };
}

const ALL = [
  task("init", PRESTART),
  task("proxy", PRESTART_SIDECAR),
  task("web"),
  task("announce", POSTSTART),
  task("metrics", POSTSTART_SIDECAR),
  task("cleanup", POSTSTOP),
];

function plan(
  states: Record<string, TaskState["State"] | TaskState>,
  options: Partial<LifecycleInput> = {},
) {
  const full = Object.fromEntries(
    Object.entries(states).map(([name, s]) => [name, typeof s === "string" ? state(s) : s]),
  );
  return planLifecycle({
    phase: "prestart",
    tasks: ALL,
    states: full,
    stopped: false,
    killing: new Set(),
    ...options,
  });
}

const PENDING = {
  init: "pending",
  proxy: "pending",
  web: "pending",
  announce: "pending",
  metrics: "pending",
  cleanup: "pending",
} as const;

Deno.test("only prestart tasks may start first", () => {
  const result = plan(PENDING);
  assert.equal(result.phase, "prestart");
  assert.deepEqual(result.allowed, ["init", "proxy"]);
  assert.equal(result.kill, null);
});

Deno.test("main tasks wait for ephemeral prestart tasks to finish and sidecars to run", () => {
  assert.deepEqual(plan({ ...PENDING, init: "dead" }).allowed, ["proxy"]);
  assert.deepEqual(plan({ ...PENDING, proxy: "running" }).allowed, ["init", "proxy"]);
  const main = plan({ ...PENDING, init: "dead", proxy: "running" });
  assert.equal(main.phase, "main");
  assert.deepEqual(main.allowed, ["proxy", "web"], "init is done and may not run again");
});

Deno.test("a failed prestart task never lets main tasks start and kills its siblings", () => {
  const result = plan({ ...PENDING, init: state("dead", true), proxy: "running" });
  assert.equal(result.phase, "prestart");
  assert.deepEqual(result.allowed, []);
  assert.deepEqual(result.kill, {
    cause: { type: "sibling-failed", task: "init" },
    waves: [["web", "announce"], ["proxy", "metrics"]],
  });
});

Deno.test("poststart tasks start once every main task runs", () => {
  const before = plan({ ...PENDING, init: "dead", proxy: "running" }, { phase: "main" });
  assert.equal(before.allowed.includes("announce"), false);
  const after = plan({ ...PENDING, init: "dead", proxy: "running", web: "running" });
  assert.equal(after.phase, "poststart");
  assert.deepEqual(after.allowed, ["proxy", "web", "announce", "metrics"]);
  const wait = plan({
    ...PENDING,
    init: "dead",
    proxy: "running",
    web: "running",
    announce: "dead",
    metrics: "running",
  });
  assert.equal(wait.phase, "wait");
  assert.deepEqual(wait.allowed, ["proxy", "web", "metrics"]);
});

Deno.test("phases never go back when a sidecar restarts", () => {
  const result = plan({ ...PENDING, init: "dead", proxy: "pending", web: "running" }, {
    phase: "wait",
  });
  assert.equal(result.phase, "wait");
  assert.ok(result.allowed.includes("proxy"));
});

Deno.test("sidecars are killed with Main Tasks Dead when the main tasks are done", () => {
  const result = plan({
    ...PENDING,
    init: "dead",
    proxy: "running",
    web: "dead",
    announce: "dead",
    metrics: "running",
  });
  assert.deepEqual(result.kill, { cause: { type: "main-dead" }, waves: [["proxy", "metrics"]] });
  assert.deepEqual(result.allowed, [], "no killed task may start again");
});

Deno.test("poststop tasks run only once every other task is dead", () => {
  const live = plan({ ...PENDING, init: "dead", proxy: "running", web: "dead", announce: "dead" });
  assert.equal(live.allowed.includes("cleanup"), false);
  const done = plan({
    ...PENDING,
    init: "dead",
    proxy: "dead",
    web: "dead",
    announce: "dead",
    metrics: "dead",
  }, { phase: "wait" });
  assert.equal(done.phase, "poststop");
  assert.deepEqual(done.allowed, ["cleanup"]);
  assert.equal(done.kill, null, "poststop tasks are never killed by the lifecycle");
});

Deno.test("a stop kills every task but poststop tasks, leader first and sidecars last", () => {
  const tasks = [
    task("sidecar", PRESTART_SIDECAR),
    task("a"),
    task("leader", null, true),
    task("cleanup", POSTSTOP),
  ];
  const result = planLifecycle({
    phase: "main",
    tasks,
    states: {
      sidecar: state("running"),
      a: state("running"),
      leader: state("running"),
      cleanup: state("pending"),
    },
    stopped: true,
    killing: new Set(),
  });
  assert.deepEqual(result.kill, {
    cause: { type: "stopped" },
    waves: [["leader"], ["a"], ["sidecar"]],
  });
  const again = planLifecycle({
    phase: result.phase,
    tasks,
    states: {
      sidecar: state("running"),
      a: state("running"),
      leader: state("running"),
      cleanup: state("pending"),
    },
    stopped: true,
    killing: new Set(["leader", "a", "sidecar"]),
  });
  assert.equal(again.kill, null, "a task is told to stop once");
});

Deno.test("a dead leader kills its siblings and wins over a failed sibling", () => {
  const tasks = [task("leader", null, true), task("other"), task("broken")];
  const leaderDone = planLifecycle({
    phase: "main",
    tasks,
    states: { leader: state("dead"), other: state("running"), broken: state("running") },
    stopped: false,
    killing: new Set(),
  });
  assert.deepEqual(leaderDone.kill, {
    cause: { type: "leader-dead", task: "leader" },
    waves: [["other", "broken"]],
  });
  const both = planLifecycle({
    phase: "main",
    tasks: [task("broken"), ...tasks.slice(0, 2)],
    states: { leader: state("dead"), other: state("running"), broken: state("dead", true) },
    stopped: false,
    killing: new Set(),
  });
  assert.deepEqual(both.kill?.cause, { type: "leader-dead", task: "leader" });
});

Deno.test("a group without lifecycle blocks starts all tasks at once and does nothing more", () => {
  const result = planLifecycle({
    phase: "prestart",
    tasks: [task("a"), task("b")],
    states: { a: state("pending"), b: state("pending") },
    stopped: false,
    killing: new Set(),
  });
  assert.equal(result.phase, "main");
  assert.deepEqual(result.allowed, ["a", "b"]);
  const oneDone = planLifecycle({
    phase: "main",
    tasks: [task("a"), task("b")],
    states: { a: state("dead"), b: state("running") },
    stopped: false,
    killing: new Set(),
  });
  assert.equal(oneDone.kill, null, "a task that completed does not stop its siblings");
});

Deno.test("restart on success follows job type and lifecycle as Nomad", () => {
  assert.equal(restartsOnSuccess("service", null), true);
  assert.equal(restartsOnSuccess("batch", null), false);
  assert.equal(restartsOnSuccess("sysbatch", null), false);
  assert.equal(restartsOnSuccess("service", PRESTART), false);
  assert.equal(restartsOnSuccess("batch", PRESTART_SIDECAR), true);
  assert.equal(restartsOnSuccess("service", POSTSTART), false);
  assert.equal(restartsOnSuccess("batch", POSTSTART_SIDECAR), true);
  assert.equal(restartsOnSuccess("service", POSTSTOP), false);
  assert.equal(restartsOnSuccess("service", { Hook: "", Sidecar: false }), true);
});

Deno.test("kill_timeout defaults to 5s and is capped at 30s", () => {
  assert.equal(killTimeoutNs({ KillTimeout: 0 }), 5e9);
  assert.equal(killTimeoutNs({ KillTimeout: 2e9 }), 2e9);
  assert.equal(killTimeoutNs({ KillTimeout: 600e9 }), 30e9);
});

Deno.test("lifecycle task events carry Nomad's types and messages", () => {
  const sibling = killCauseEvent({ type: "sibling-failed", task: "init" }, 1)!;
  assert.equal(sibling.Type, "Sibling Task Failed");
  assert.equal(sibling.DisplayMessage, `Task's sibling "init" failed`);
  assert.equal(sibling.FailedSibling, "init");
  const leader = killCauseEvent({ type: "leader-dead", task: "main" }, 1)!;
  assert.deepEqual([leader.Type, leader.DisplayMessage], [
    "Leader Task Dead",
    "Leader Task in Group dead",
  ]);
  const main = killCauseEvent({ type: "main-dead" }, 1)!;
  assert.deepEqual([main.Type, main.DisplayMessage], [
    "Main Tasks Dead",
    "Main tasks in the group died",
  ]);
  assert.equal(killCauseEvent({ type: "stopped" }, 1), null);
  const killing = killingEvent(5e9, 1);
  assert.deepEqual([killing.Type, killing.DisplayMessage, killing.KillTimeout], [
    "Killing",
    "Sent interrupt. Waiting 5s before force killing",
    5e9,
  ]);
  const waiting = shutdownDelayEvent(3e9, false, 1);
  assert.deepEqual([waiting.Type, waiting.DisplayMessage], [
    "Waiting for shutdown delay",
    "Waiting for shutdown_delay of 3s before killing the task.",
  ]);
  const skipping = shutdownDelayEvent(3e9, true, 1);
  assert.deepEqual([skipping.Type, skipping.DisplayMessage], [
    "Skipping shutdown delay",
    "Skipping shutdown_delay of 3s before killing the task.",
  ]);
});
