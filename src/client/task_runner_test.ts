import assert from "node:assert/strict";
import { isAlive } from "../../drivers/executor/test_helpers.ts";
import { nullLogger, seededRng } from "../core/mod.ts";
import type { Allocation } from "../structs/mod.ts";
import { allocDirPaths, buildAllocDir, taskDirPaths } from "./alloc_dir.ts";
import {
  allocationOf,
  type RunnerFixture,
  runnerFixture,
  shellTask,
  within,
} from "./lifecycle_testing.ts";
import { killingEvent, killTimeoutNs } from "./lifecycle.ts";
import { TaskRunner } from "./task_runner.ts";

const test = { sanitizeOps: false, sanitizeResources: false };

async function taskRunnerOf(
  fixture: RunnerFixture,
  alloc: Allocation,
  onChange: () => void = () => {},
): Promise<TaskRunner> {
  const allocDir = allocDirPaths(fixture.allocRoot, alloc.ID);
  await buildAllocDir(allocDir);
  const task = alloc.Job!.TaskGroups[0]!.Tasks[0]!;
  return new TaskRunner({
    alloc,
    task,
    node: fixture.node,
    driver: fixture.driver,
    allocDir,
    taskDir: taskDirPaths(allocDir, task.Name),
    stateDb: fixture.stateDb,
    nowNs: () => Date.now() * 1e6,
    rng: seededRng(1),
    logger: nullLogger,
    hostEnv: () => ({ PATH: "/usr/bin:/bin" }),
    onChange,
  });
}

async function assertStopped(fixture: RunnerFixture): Promise<void> {
  for (const handle of fixture.driver.started) {
    const pid = handle.driverState["pid"] as number;
    assert.equal(await isAlive(pid), false, `task process ${pid} still runs after the kill`);
  }
}

Deno.test({
  name: "a kill while driver.startTask is in flight stops the task and ends the runner",
  ...test,
  async fn() {
    const fixture = await runnerFixture();
    try {
      const alloc = allocationOf(fixture, { tasks: [shellTask("sleeper", "sleep 300")] });
      const runner = await taskRunnerOf(fixture, alloc);
      let killed: Promise<void> | undefined;
      fixture.driver.beforeStart = () => killed = runner.kill();
      await within("the killed runner to finish", runner.run());
      await within("kill() to resolve", killed!);
      assert.equal(fixture.driver.started.length, 1, "the start that was in flight completed");
      assert.equal(runner.state.State, "dead");
      assert.equal(runner.state.Failed, false);
      await assertStopped(fixture);
    } finally {
      await fixture.cleanup();
    }
  },
});

Deno.test({
  name: "a kill at any step of a start ends with the task stopped and the runner dead",
  ...test,
  async fn() {
    // Step n: the kill comes at the n-th task state change: Received, Task Setup, Started.
    for (let step = 0; step <= 2; step++) {
      const fixture = await runnerFixture();
      try {
        const alloc = allocationOf(fixture, { tasks: [shellTask("sleeper", "sleep 300")] });
        let changes = 0;
        let killed: Promise<void> | undefined;
        const runner: TaskRunner = await taskRunnerOf(fixture, alloc, () => {
          if (changes++ === step) killed ??= runner.kill();
        });
        await within(`the runner killed at step ${step} to finish`, runner.run());
        assert.ok(killed !== undefined, `the kill came at step ${step}`);
        await within("kill() to resolve", killed);
        assert.equal(runner.state.State, "dead", `step ${step}`);
        await assertStopped(fixture);
      } finally {
        await fixture.cleanup();
      }
    }
  },
});

Deno.test({
  name:
    "a kill right after the driver started the task, and a kill before run, both end the runner",
  ...test,
  async fn() {
    const fixture = await runnerFixture();
    try {
      const alloc = allocationOf(fixture, { tasks: [shellTask("sleeper", "sleep 300")] });
      const runner = await taskRunnerOf(fixture, alloc);
      fixture.driver.afterStart = () => void runner.kill();
      await within("the runner to finish", runner.run());
      await assertStopped(fixture);
      const types = runner.state.Events!.map((e) => e.Type);
      assert.deepEqual(types.slice(-3), ["Started", "Terminated", "Killed"]);

      const never = await taskRunnerOf(
        fixture,
        allocationOf(fixture, {
          tasks: [shellTask("never", "sleep 300")],
        }),
      );
      await within("kill() before run to resolve", never.kill());
      await within("run() after the kill to resolve", never.run());
      assert.equal(never.state.State, "dead");
      assert.equal(fixture.driver.started.length, 1, "the killed-before-run task never started");
    } finally {
      await fixture.cleanup();
    }
  },
});

Deno.test({
  name: "kill sends kill_signal and records Nomad's Killing, Terminated and Killed events",
  ...test,
  async fn() {
    const fixture = await runnerFixture();
    try {
      const script = "trap 'exit 3' TERM; echo ready > ready; while true; do sleep 0.1; done";
      const alloc = allocationOf(fixture, {
        tasks: [shellTask("trapper", script, { KillSignal: "SIGTERM" })],
      });
      const runner = await taskRunnerOf(fixture, alloc);
      const done = runner.run();
      const ready = `${fixture.allocRoot}/${alloc.ID}/trapper/ready`;
      await within("the task to start", waitUntil(() => exists(ready)));
      await within("the kill", runner.kill(killingEvent(killTimeoutNs(runner.task), 1)));
      await done;
      const events = runner.state.Events!;
      const killing = events.find((e) => e.Type === "Killing")!;
      assert.equal(killing.DisplayMessage, "Sent interrupt. Waiting 5s before force killing");
      assert.equal(killing.KillTimeout, 5e9);
      const terminated = events.find((e) => e.Type === "Terminated")!;
      assert.equal(terminated.ExitCode, 3, "the TERM trap ran: kill_signal was SIGTERM");
      assert.equal(events.at(-1)!.Type, "Killed");
      assert.equal(events.at(-1)!.DisplayMessage, "Task successfully killed");
      assert.equal(runner.state.Failed, false);
    } finally {
      await fixture.cleanup();
    }
  },
});

Deno.test({
  name: "a task that ignores its kill_signal is force killed after kill_timeout",
  ...test,
  async fn() {
    const fixture = await runnerFixture();
    try {
      const script = "trap '' INT; echo ready > ready; while true; do sleep 0.1; done";
      const alloc = allocationOf(fixture, {
        tasks: [shellTask("stubborn", script, { KillTimeout: 1e9 })],
      });
      const runner = await taskRunnerOf(fixture, alloc);
      const done = runner.run();
      const ready = `${fixture.allocRoot}/${alloc.ID}/stubborn/ready`;
      await within("the task to start", waitUntil(() => exists(ready)));
      await within("the kill", runner.kill());
      await done;
      const terminated = runner.state.Events!.find((e) => e.Type === "Terminated")!;
      assert.equal(terminated.Signal, 9, "SIGKILL ended the task");
      await assertStopped(fixture);
    } finally {
      await fixture.cleanup();
    }
  },
});

Deno.test({
  name:
    "shutdown_delay is waited out before the kill, with Nomad's event; NoShutdownDelay skips it",
  ...test,
  async fn() {
    const fixture = await runnerFixture();
    try {
      const alloc = allocationOf(fixture, {
        tasks: [shellTask("delayed", "echo ready > ready; sleep 300", { ShutdownDelay: 60e9 })],
      });
      const runner = await taskRunnerOf(fixture, alloc);
      const done = runner.run();
      await within("the task to start", waitUntil(() => runner.state.State === "running"));
      const killed = runner.kill();
      await within(
        "the shutdown delay to begin",
        waitUntil(() => runner.state.State === "pending"),
      );
      const waiting = runner.state.Events!.at(-1)!;
      assert.equal(waiting.Type, "Waiting for shutdown delay");
      assert.equal(
        waiting.DisplayMessage,
        "Waiting for shutdown_delay of 1m0s before killing the task.",
      );
      assert.equal(await isAlive(fixture.driver.started[0]!.driverState["pid"] as number), true);
      runner.update({
        ...alloc,
        DesiredTransition: { ...alloc.DesiredTransition, NoShutdownDelay: true },
      });
      await within("the kill after the delay was cut short", killed);
      await done;
      await assertStopped(fixture);
    } finally {
      await fixture.cleanup();
    }
  },
});

Deno.test({
  name: "a kill during a restart delay ends the runner without another start",
  ...test,
  async fn() {
    const fixture = await runnerFixture();
    try {
      const alloc = allocationOf(fixture, {
        tasks: [shellTask("flaky", "exit 1")],
        group: { RestartPolicy: { Attempts: 3, Mode: "fail", Delay: 600e9, Interval: 3600e9 } },
      });
      const runner = await taskRunnerOf(fixture, alloc);
      const done = runner.run();
      await within(
        "the restart delay",
        waitUntil(() => runner.state.Events!.some((e) => e.Type === "Restarting")),
      );
      await within("the kill", runner.kill());
      await within("the runner to finish", done);
      assert.equal(runner.state.State, "dead");
      assert.equal(fixture.driver.started.length, 1);
      assert.equal(runner.state.Events!.at(-1)!.Type, "Restarting", "no Killed: nothing ran");
    } finally {
      await fixture.cleanup();
    }
  },
});

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Polls `check` every 20ms (bounded by the caller's {@linkcode within}). */
async function waitUntil(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!await check()) await new Promise((r) => setTimeout(r, 20));
}
