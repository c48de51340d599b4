import assert from "node:assert/strict";
import { isAlive } from "../../drivers/executor/test_helpers.ts";
import type { TaskEvent } from "../structs/mod.ts";
import {
  allocationOf,
  allocRunnerOf,
  type RunnerFixture,
  runnerFixture,
  shellTask,
  within,
} from "./lifecycle_testing.ts";

const test = { sanitizeOps: false, sanitizeResources: false };

async function withFixture(body: (fixture: RunnerFixture) => Promise<void>): Promise<void> {
  const fixture = await runnerFixture();
  try {
    await body(fixture);
  } finally {
    await fixture.cleanup();
  }
}

function types(events: TaskEvent[] | null): string[] {
  return (events ?? []).map((e) => e.Type);
}

async function allStopped(fixture: RunnerFixture): Promise<void> {
  for (const handle of fixture.driver.started) {
    const pid = handle.driverState["pid"] as number;
    assert.equal(await isAlive(pid), false, `${handle.taskId} (pid ${pid}) still runs`);
  }
}

/** Polls `check` every 20ms (bounded by the caller's {@linkcode within}). */
async function waitUntil(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!await check()) await new Promise((r) => setTimeout(r, 20));
}

Deno.test({
  name: "a prestart task finishes before the main task starts, and a poststop task runs last",
  ...test,
  fn: () =>
    withFixture(async (fixture) => {
      const log = "$NOMAD_ALLOC_DIR/data/order";
      const alloc = allocationOf(fixture, {
        tasks: [
          shellTask("cleanup", `echo cleanup >> ${log}`, {
            Lifecycle: { Hook: "poststop", Sidecar: false },
          }),
          shellTask("main", `cat $NOMAD_ALLOC_DIR/data/ready >> ${log}`),
          shellTask(
            "init",
            `sleep 0.3; echo init > $NOMAD_ALLOC_DIR/data/ready; echo init >> ${log}`,
            {
              Lifecycle: { Hook: "prestart", Sidecar: false },
            },
          ),
        ],
      });
      const { runner, updates } = allocRunnerOf(fixture, alloc);
      await within("the allocation to finish", runner.run());
      const order = await Deno.readTextFile(`${runner.dir.shared}/data/order`);
      assert.equal(order, "init\ninit\ncleanup\n");
      assert.equal(updates.at(-1)!.ClientStatus, "complete");
      const states = runner.taskStates();
      for (const name of ["init", "main", "cleanup"]) {
        assert.equal(states[name]!.State, "dead");
        assert.equal(states[name]!.Failed, false, name);
      }
    }),
});

Deno.test({
  name: "a failed prestart task fails the allocation; main never starts; poststop still runs",
  ...test,
  fn: () =>
    withFixture(async (fixture) => {
      const alloc = allocationOf(fixture, {
        tasks: [
          shellTask("init", "exit 7", { Lifecycle: { Hook: "prestart", Sidecar: false } }),
          shellTask("main", "echo main > $NOMAD_ALLOC_DIR/data/main"),
          shellTask("cleanup", "echo done > $NOMAD_ALLOC_DIR/data/cleanup", {
            Lifecycle: { Hook: "poststop", Sidecar: false },
          }),
        ],
      });
      const { runner, updates } = allocRunnerOf(fixture, alloc);
      await within("the allocation to finish", runner.run());
      const states = runner.taskStates();
      assert.equal(states["init"]!.Failed, true);
      assert.equal(states["main"]!.State, "dead");
      assert.equal(states["main"]!.StartedAt, null, "main never started");
      assert.deepEqual(types(states["main"]!.Events), [
        "Received",
        "Sibling Task Failed",
        "Killing",
      ]);
      assert.equal(states["main"]!.Events![1]!.DisplayMessage, `Task's sibling "init" failed`);
      assert.equal(await Deno.readTextFile(`${runner.dir.shared}/data/cleanup`), "done\n");
      assert.equal(updates.at(-1)!.ClientStatus, "failed");
    }),
});

Deno.test({
  name: "when the leader task exits its siblings are killed with Leader Task Dead",
  ...test,
  fn: () =>
    withFixture(async (fixture) => {
      const alloc = allocationOf(fixture, {
        tasks: [
          shellTask("sibling", "sleep 300"),
          shellTask("leader", "sleep 0.5; exit 0", { Leader: true }),
        ],
      });
      const { runner, updates } = allocRunnerOf(fixture, alloc);
      await within("the allocation to finish", runner.run());
      const sibling = runner.taskStates()["sibling"]!;
      assert.deepEqual(types(sibling.Events).slice(-5), [
        "Started",
        "Leader Task Dead",
        "Killing",
        "Terminated",
        "Killed",
      ]);
      assert.equal(sibling.Events!.at(-4)!.DisplayMessage, "Leader Task in Group dead");
      assert.equal(sibling.Failed, false);
      await allStopped(fixture);
      assert.equal(updates.at(-1)!.ClientStatus, "complete");
    }),
});

Deno.test({
  name: "a prestart sidecar keeps running and is killed with Main Tasks Dead when batch main ends",
  ...test,
  fn: () =>
    withFixture(async (fixture) => {
      const alloc = allocationOf(fixture, {
        tasks: [
          shellTask("proxy", "echo up > $NOMAD_ALLOC_DIR/data/proxy; sleep 300", {
            Lifecycle: { Hook: "prestart", Sidecar: true },
          }),
          // Main starts once the sidecar runs (not once its command did anything): poll for its file.
          shellTask(
            "main",
            "for i in $(seq 100); do test -f $NOMAD_ALLOC_DIR/data/proxy && exit 0; sleep 0.1; done; exit 1",
          ),
        ],
      });
      const { runner, updates } = allocRunnerOf(fixture, alloc);
      await within("the allocation to finish", runner.run());
      const states = runner.taskStates();
      assert.equal(states["main"]!.Failed, false, "main saw the sidecar running");
      assert.ok(types(states["proxy"]!.Events).includes("Main Tasks Dead"));
      assert.equal(
        states["proxy"]!.Events!.find((e) => e.Type === "Main Tasks Dead")!.DisplayMessage,
        "Main tasks in the group died",
      );
      assert.equal(states["proxy"]!.Failed, false);
      await allStopped(fixture);
      assert.equal(updates.at(-1)!.ClientStatus, "complete");
    }),
});

Deno.test({
  name: "a stop while tasks are starting ends the allocation with every task stopped",
  ...test,
  fn: () =>
    withFixture(async (fixture) => {
      const alloc = allocationOf(fixture, {
        type: "service",
        tasks: [shellTask("a", "sleep 300"), shellTask("b", "sleep 300")],
      });
      const { runner } = allocRunnerOf(fixture, alloc);
      let stopped: Promise<void> | undefined;
      fixture.driver.beforeStart = () => stopped ??= runner.stop();
      const done = runner.run();
      await within("the stop", waitUntil(() => stopped !== undefined));
      await within("stop() to resolve", stopped!);
      await within("the allocation to finish", done);
      for (const state of Object.values(runner.taskStates())) assert.equal(state.State, "dead");
      await allStopped(fixture);
    }),
});

Deno.test({
  name: "a stopped service allocation runs its poststop task after the main task is killed",
  ...test,
  fn: () =>
    withFixture(async (fixture) => {
      const alloc = allocationOf(fixture, {
        type: "service",
        tasks: [
          shellTask("web", "sleep 300"),
          shellTask("cleanup", "echo bye > $NOMAD_ALLOC_DIR/data/bye", {
            Lifecycle: { Hook: "poststop", Sidecar: false },
          }),
        ],
        group: { ShutdownDelay: 200e6 },
      });
      const { runner, updates } = allocRunnerOf(fixture, alloc);
      const done = runner.run();
      await within("web to run", waitUntil(() => runner.taskStates()["web"]!.State === "running"));
      assert.equal(runner.taskStates()["cleanup"]!.State, "pending");
      await within("the update", runner.update({ ...alloc, DesiredStatus: "stop" }));
      await done;
      assert.equal(await Deno.readTextFile(`${runner.dir.shared}/data/bye`), "bye\n");
      const web = runner.taskStates()["web"]!;
      assert.deepEqual(types(web.Events).slice(-3), ["Killing", "Terminated", "Killed"]);
      assert.equal(updates.at(-1)!.ClientStatus, "complete");
      await allStopped(fixture);
    }),
});
