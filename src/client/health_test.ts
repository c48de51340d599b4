import { deepStrictEqual, strictEqual } from "node:assert";
import type { TaskState } from "../structs/mod.ts";
import { decideHealth, type HealthInput } from "./health.ts";

const S = 1e9;

function state(name: TaskState["State"], failed = false): TaskState {
  return {
    State: name,
    Failed: failed,
    Restarts: 0,
    LastRestart: null,
    StartedAt: null,
    FinishedAt: null,
    Events: null,
  };
}

function input(fields: Partial<HealthInput>): HealthInput {
  return {
    strategy: { MinHealthyTime: 10 * S, HealthyDeadline: 60 * S },
    tasks: [{ Name: "web", Lifecycle: null }, {
      Name: "init",
      Lifecycle: { Hook: "prestart", Sidecar: false },
    }],
    states: { web: state("running"), init: state("dead") },
    startNs: 0,
    upSinceNs: null,
    nowNs: 0,
    ...fields,
  };
}

Deno.test("tasks running for min_healthy_time make the allocation healthy", () => {
  const first = decideHealth(input({ nowNs: 5 * S }));
  deepStrictEqual(first, { healthy: null, upSinceNs: 5 * S, checkAtNs: 15 * S });
  strictEqual(decideHealth(input({ nowNs: 15 * S, upSinceNs: 5 * S })).healthy, true);
});

Deno.test("a failed task makes the allocation unhealthy at once", () => {
  const failed = { web: state("dead", true), init: state("dead") };
  strictEqual(decideHealth(input({ states: failed, nowNs: 1 })).healthy, false);
});

Deno.test("healthy_deadline passing first makes the allocation unhealthy", () => {
  const pending = { web: state("pending"), init: state("dead") };
  const waiting = decideHealth(input({ states: pending, nowNs: 30 * S }));
  deepStrictEqual(waiting, { healthy: null, upSinceNs: null, checkAtNs: 60 * S });
  strictEqual(decideHealth(input({ states: pending, nowNs: 60 * S })).healthy, false);
});

Deno.test("a task that stops running restarts the min_healthy_time clock", () => {
  const restarting = { web: state("pending"), init: state("dead") };
  const verdict = decideHealth(input({ states: restarting, upSinceNs: 1 * S, nowNs: 20 * S }));
  deepStrictEqual(verdict, { healthy: null, upSinceNs: null, checkAtNs: 60 * S });
});

Deno.test("a poststop task waiting for the others does not hold back health", () => {
  const tasks = [{ Name: "web", Lifecycle: null }, {
    Name: "cleanup",
    Lifecycle: { Hook: "poststop", Sidecar: false },
  }];
  const states = { web: state("running"), cleanup: state("pending") };
  const verdict = decideHealth(input({ tasks, states, nowNs: 15 * S, upSinceNs: 5 * S }));
  strictEqual(verdict.healthy, true);
});
