import assert from "node:assert/strict";
import type { Job, Task } from "../structs/mod.ts";
import { looselyEqual, tasksUpdated } from "./tasks_updated.ts";
import { mockJob } from "./testing.ts";

function withTask(job: Job, change: (task: Task) => Task): Job {
  const tg = job.TaskGroups[0]!;
  return { ...job, TaskGroups: [{ ...tg, Tasks: tg.Tasks.map(change) }] };
}

const base = mockJob();

Deno.test("an identical job needs no destructive update", () => {
  assert.equal(tasksUpdated(base, mockJob(), "web"), false);
});

Deno.test("changes to driver, config, env, user, resources or meta are destructive", () => {
  const changes: ((t: Task) => Task)[] = [
    (t) => ({ ...t, Driver: "docker" }),
    (t) => ({ ...t, Config: { command: "/bin/true" } }),
    (t) => ({ ...t, Env: { FOO: "baz" } }),
    (t) => ({ ...t, User: "nobody" }),
    (t) => ({ ...t, Resources: { ...t.Resources, MemoryMB: 512 } }),
    (t) => ({ ...t, Resources: { ...t.Resources, CPU: 600 } }),
    (t) => ({ ...t, Meta: { version: "2" } }),
  ];
  for (const [i, change] of changes.entries()) {
    assert.equal(tasksUpdated(base, withTask(base, change), "web"), true, `change ${i}`);
  }
});

Deno.test("an empty template list equals no templates", () => {
  assert.equal(tasksUpdated(base, withTask(base, (t) => ({ ...t, Templates: [] })), "web"), false);
});

Deno.test("changes to ports, task count and ephemeral disk are destructive", () => {
  const tg = base.TaskGroups[0]!;
  const ports = { ...base, TaskGroups: [{ ...tg, Networks: [] }] };
  const tasks = {
    ...base,
    TaskGroups: [{ ...tg, Tasks: [...tg.Tasks, { ...tg.Tasks[0]!, Name: "side" }] }],
  };
  const disk = {
    ...base,
    TaskGroups: [{ ...tg, EphemeralDisk: { ...tg.EphemeralDisk, SizeMB: 500 } }],
  };
  assert.equal(tasksUpdated(base, ports, "web"), true);
  assert.equal(tasksUpdated(base, tasks, "web"), true);
  assert.equal(tasksUpdated(base, disk, "web"), true);
});

Deno.test("count, kill timeout and services can change in place", () => {
  const tg = base.TaskGroups[0]!;
  const changed = withTask({ ...base, TaskGroups: [{ ...tg, Count: 3 }] }, (t) => ({
    ...t,
    KillTimeout: t.KillTimeout * 2,
  }));
  assert.equal(tasksUpdated(base, changed, "web"), false);
});

Deno.test("loose equality treats null and empty collections alike", () => {
  assert.equal(looselyEqual(null, {}), true);
  assert.equal(looselyEqual({ a: [] }, { a: null }), true);
  assert.equal(looselyEqual({ a: 1 }, { a: 2 }), false);
});
