import assert from "node:assert/strict";
import { DriverError, type TaskConfig } from "../driver.ts";
import { ExecutorClient } from "../executor/mod.ts";
import {
  eventually,
  type ExecutorFixture,
  executorFixture,
  isAlive,
  readOrEmpty,
} from "../executor/test_helpers.ts";
import { RawExecDriver } from "./mod.ts";

function taskConfig(
  fx: ExecutorFixture,
  name: string,
  config: Record<string, unknown>,
): TaskConfig {
  return {
    id: `alloc1/${name}`,
    allocId: "alloc1",
    taskName: name,
    jobId: "job",
    groupName: "group",
    config,
    env: { PATH: "/usr/bin:/bin", NOMAD_TASK_NAME: name },
    user: "",
    allocDir: fx.dir,
    taskDir: fx.dir,
    logs: { directory: fx.logDir, maxFiles: 10, maxFileSizeBytes: 10 * 1024 * 1024 },
    resources: { cpuShares: 100, memoryMB: 300, memoryMaxMB: 0 },
  };
}

/** Runs `body` with an enabled driver on a fresh executor, cleaning everything after. */
async function withDriver(body: (driver: RawExecDriver, fx: ExecutorFixture) => Promise<void>) {
  const fx = await executorFixture();
  const driver = new RawExecDriver({ executor: () => fx.connect(), enabled: true });
  try {
    await body(driver, fx);
  } finally {
    await driver.shutdown({ destroyTasks: true });
    await fx.cleanup();
  }
}

Deno.test("raw_exec fingerprint: healthy with driver.raw_exec=1 when enabled", async () => {
  const never = () => Promise.reject(new Error("not used"));
  const enabled = await new RawExecDriver({ executor: never, enabled: true }).fingerprint();
  assert.deepEqual(enabled, {
    attributes: { "driver.raw_exec": "1" },
    detected: true,
    healthy: true,
    healthDescription: "Healthy",
  });
  const disabled = await new RawExecDriver({ executor: never, enabled: false }).fingerprint();
  assert.deepEqual(disabled, {
    attributes: {},
    detected: false,
    healthy: false,
    healthDescription: "disabled",
  });
});

Deno.test("raw_exec runs a task and reports its exit code and logs", async () => {
  await withDriver(async (driver, fx) => {
    const handle = await driver.startTask(
      taskConfig(fx, "web", {
        command: "/bin/sh",
        args: ["-c", 'echo "$NOMAD_TASK_NAME"; exit 2'],
      }),
    );
    assert.equal(handle.driver, "raw_exec");
    assert.equal(handle.taskId, "alloc1/web");
    assert.equal(typeof handle.driverState["pid"], "number");
    assert.equal(handle.driverState["executorSocket"], fx.options.socketPath);
    const exit = await driver.waitTask("alloc1/web");
    assert.deepEqual(exit, { exitCode: 2, signal: 0, oomKilled: false });
    assert.equal(await Deno.readTextFile(`${fx.logDir}/web.stdout.0`), "web\n");
    const status = await driver.inspectTask("alloc1/web");
    assert.equal(status.state, "exited");
    assert.equal(status.attributes["pid"], String(handle.driverState["pid"]));
    await driver.destroyTask("alloc1/web", { force: false });
    await assert.rejects(driver.inspectTask("alloc1/web"), /task not found/);
  });
});

Deno.test("raw_exec reports a missing binary as an unrecoverable DriverError", async () => {
  await withDriver(async (driver, fx) => {
    await assert.rejects(
      driver.startTask(taskConfig(fx, "bad", { command: "/does/not/exist" })),
      (error: unknown) =>
        error instanceof DriverError && error.unrecoverable &&
        error.message ===
          "failed to launch command with executor: fork/exec /does/not/exist: no such file or directory",
    );
    await assert.rejects(
      driver.startTask(taskConfig(fx, "bad2", { args: [] })),
      (error: unknown) =>
        error instanceof DriverError && error.unrecoverable &&
        /"command" is required/.test(error.message),
    );
  });
});

Deno.test("raw_exec stop sends SIGINT by default and honours a custom signal", async () => {
  await withDriver(async (driver, fx) => {
    await driver.startTask(taskConfig(fx, "a", { command: "sleep", args: ["1000"] }));
    await driver.stopTask("alloc1/a", { timeoutMs: 5_000, signal: "" });
    assert.deepEqual(await driver.waitTask("alloc1/a"), {
      exitCode: 130,
      signal: 2,
      oomKilled: false,
    });
    await driver.startTask(taskConfig(fx, "b", { command: "sleep", args: ["1000"] }));
    await driver.stopTask("alloc1/b", { timeoutMs: 5_000, signal: "SIGTERM" });
    assert.equal((await driver.waitTask("alloc1/b")).signal, 15);
  });
});

Deno.test("raw_exec refuses to destroy a running task unless forced", async () => {
  await withDriver(async (driver, fx) => {
    const handle = await driver.startTask(
      taskConfig(fx, "s", { command: "sleep", args: ["1000"] }),
    );
    await assert.rejects(
      driver.destroyTask("alloc1/s", { force: false }),
      /cannot destroy running task/,
    );
    await driver.destroyTask("alloc1/s", { force: true });
    assert.equal(await isAlive(handle.driverState["pid"] as number), false);
  });
});

Deno.test("raw_exec signal, exec and stats work on a running task", async () => {
  await withDriver(async (driver, fx) => {
    const config = taskConfig(fx, "t", {
      command: "/bin/sh",
      args: ["-c", 'trap "echo hup" HUP; echo up; while :; do sleep 0.05; done'],
    });
    await driver.startTask(config);
    const log = `${fx.logDir}/t.stdout.0`;
    await eventually(async () => (await readOrEmpty(log)) === "up\n", { what: "task up" });
    await driver.signalTask("alloc1/t", "SIGHUP");
    await eventually(async () => (await readOrEmpty(log)).includes("hup"), { what: "signal" });

    const exec = await driver.execTask("alloc1/t", ["sh", "-c", 'echo "$NOMAD_TASK_NAME $PWD"'], {
      timeoutMs: 5_000,
    });
    assert.equal(exec.exitCode, 0);
    assert.equal(new TextDecoder().decode(exec.stdout), `t ${fx.dir}\n`);
    await assert.rejects(
      driver.execTask("alloc1/t", ["sleep", "10"], { timeoutMs: 100 }),
      /timed out/,
    );

    const first = await driver.taskStats("alloc1/t");
    assert.ok(first.memoryRssBytes > 0);
    assert.ok(first.pids.length >= 1);
    const second = await driver.taskStats("alloc1/t");
    assert.ok(second.cpuPercent >= 0);
  });
});

Deno.test("raw_exec recovers a task after the agent restarts", async () => {
  await withDriver(async (driver, fx) => {
    const handle = await driver.startTask(
      taskConfig(fx, "r", { command: "sleep", args: ["1000"] }),
    );
    // A second driver with its own client stands in for the restarted agent.
    const client = await fx.connect();
    const restarted = new RawExecDriver({ executor: client, enabled: true });
    await restarted.recoverTask(handle);
    const status = await restarted.inspectTask("alloc1/r");
    assert.equal(status.state, "running");
    assert.equal(status.attributes["pid"], String(handle.driverState["pid"]));
    await restarted.stopTask("alloc1/r", { timeoutMs: 1_000, signal: "SIGTERM" });
    assert.equal((await restarted.waitTask("alloc1/r")).signal, 15);
    await restarted.shutdown({ destroyTasks: false });
  });
});

Deno.test("raw_exec adopts a live task the executor forgot, and fails for a dead one", async () => {
  await withDriver(async (driver, fx) => {
    const handle = await driver.startTask(
      taskConfig(fx, "lost", { command: "sleep", args: ["1000"] }),
    );
    // Simulate a wiped executor state: a fresh executor in another state directory.
    const other = await ExecutorClient.connect({
      ...fx.options,
      socketPath: `${fx.dir}/other.sock`,
      stateDir: `${fx.dir}/other`,
    });
    try {
      const restarted = new RawExecDriver({ executor: other, enabled: true });
      await restarted.recoverTask(handle);
      assert.equal((await restarted.inspectTask("alloc1/lost")).state, "running");
      await restarted.stopTask("alloc1/lost", { timeoutMs: 1_000, signal: "SIGKILL" });
      assert.equal((await restarted.waitTask("alloc1/lost")).exitCode, -1);

      const gone = { ...handle, taskId: "alloc1/ghost", driverState: { pid: 2 ** 22 + 7 } };
      await assert.rejects(
        restarted.recoverTask(gone),
        (error: unknown) =>
          error instanceof DriverError && /process 4194311 is gone/.test(error.message),
      );
    } finally {
      await other.shutdown({ signal: "SIGKILL", timeoutMs: 0 });
    }
  });
});
