import { deepStrictEqual } from "node:assert";
import type { TaskState } from "../structs/mod.ts";
import { decideHealth } from "./health.ts";

const running: TaskState = {
  State: "running",
  Failed: false,
  Restarts: 0,
  LastRestart: null,
  StartedAt: null,
  FinishedAt: null,
  Events: [],
};
const base = {
  strategy: { MinHealthyTime: 1e9, HealthyDeadline: 60e9 },
  tasks: [{ Name: "web", Lifecycle: null }],
  states: { web: running },
  startNs: 0,
  upSinceNs: 0,
  nowNs: 5e9,
};

Deno.test("deployment health with checks waits for every healthiness check to pass", () => {
  deepStrictEqual(decideHealth({ ...base, checksPassing: true }), { healthy: true });
  deepStrictEqual(decideHealth({ ...base, checksPassing: false }), {
    healthy: null,
    upSinceNs: null,
    checkAtNs: 60e9,
  });
  // Without native checks the task states alone decide.
  deepStrictEqual(decideHealth(base), { healthy: true });
  // A check that never passes ends in an unhealthy verdict at the deadline.
  deepStrictEqual(decideHealth({ ...base, nowNs: 61e9, checksPassing: false }), {
    healthy: false,
  });
});
