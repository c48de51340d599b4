/** End-to-end tests of the executor: a real executor process, real tasks, no mocks. */
import assert from "node:assert/strict";
import { ExecutorError } from "./protocol.ts";
import { eventually, executorFixture, isAlive, readOrEmpty, shellTask } from "./test_helpers.ts";

Deno.test("executor writes stdout and stderr to log files and reports the exit code", async () => {
  const fx = await executorFixture();
  try {
    const client = await fx.connect();
    const started = await client.start(shellTask(fx, "a1/web", "echo hi; echo err >&2; exit 3"));
    assert.ok(started.pid > 0);
    const done = await client.wait("a1/web");
    assert.equal(done.state, "exited");
    assert.deepEqual(done.exitResult, { exitCode: 3, signal: 0, oomKilled: false });
    assert.equal(await Deno.readTextFile(`${fx.logDir}/a1_web.stdout.0`), "hi\n");
    assert.equal(await Deno.readTextFile(`${fx.logDir}/a1_web.stderr.0`), "err\n");
    await client.close();
  } finally {
    await fx.cleanup();
  }
});

Deno.test("executor gives the task exactly the requested environment and directory", async () => {
  const fx = await executorFixture();
  try {
    const client = await fx.connect();
    await client.start({
      ...shellTask(fx, "env", ""),
      command: "env",
      args: [],
      env: { PATH: "/usr/bin:/bin", NOMAD_TASK_NAME: "env" },
    });
    await client.wait("env");
    const lines = (await Deno.readTextFile(`${fx.logDir}/env.stdout.0`)).trim().split("\n");
    assert.deepEqual(lines.sort(), ["NOMAD_TASK_NAME=env", "PATH=/usr/bin:/bin"]);
    await client.start(shellTask(fx, "cwd", "pwd"));
    await client.wait("cwd");
    assert.equal(await Deno.readTextFile(`${fx.logDir}/cwd.stdout.0`), `${fx.dir}\n`);
    await client.close();
  } finally {
    await fx.cleanup();
  }
});

Deno.test("executor rotates logs and never keeps more than maxFiles", async () => {
  const fx = await executorFixture();
  try {
    const client = await fx.connect();
    const script = 'i=0; while [ $i -lt 300 ]; do echo "line $i"; i=$((i+1)); done';
    const request = shellTask(fx, "rot", script);
    await client.start({
      ...request,
      logs: { ...request.logs, maxFiles: 3, maxFileSizeBytes: 100 },
    });
    assert.equal((await client.wait("rot")).exitResult?.exitCode, 0);
    const files = (await Array.fromAsync(Deno.readDir(fx.logDir)))
      .map((e) => e.name)
      .filter((n) => n.startsWith("rot.stdout."));
    assert.equal(files.length, 3);
    const indices = files.map((n) => Number(n.split(".").at(-1))).sort((a, b) => a - b);
    assert.equal(indices[2]! - indices[0]!, 2, `contiguous indices: ${indices}`);
    assert.ok(indices[0]! > 0, "old files were deleted");
    for (const name of files) {
      assert.ok((await Deno.stat(`${fx.logDir}/${name}`)).size <= 100, `${name} within limit`);
    }
    const newest = await Deno.readTextFile(`${fx.logDir}/rot.stdout.${indices[2]}`);
    assert.ok(newest.endsWith("line 299\n"));
    await client.close();
  } finally {
    await fx.cleanup();
  }
});

Deno.test("executor stop kills the task's whole process group", async () => {
  const fx = await executorFixture();
  try {
    const client = await fx.connect();
    // The background sleep ignores SIGINT (sh does that for `&` jobs), so only the
    // group-wide SIGKILL after the leader exits can end it.
    const task = await client.start(shellTask(fx, "grp", "sleep 1000 & sleep 1000; wait"));
    let pids: number[] = [];
    await eventually(async () => {
      pids = (await client.stats("grp")).pids;
      return pids.length >= 3;
    }, { what: "task children" });
    assert.ok(pids.includes(task.pid));
    const stopped = await client.stop("grp", { signal: "SIGINT", timeoutMs: 2_000 });
    assert.equal(stopped.state, "exited");
    assert.equal(stopped.exitResult?.signal, 2);
    for (const pid of pids) assert.equal(await isAlive(pid), false, `pid ${pid} is gone`);
    await client.close();
  } finally {
    await fx.cleanup();
  }
});

Deno.test("executor escalates to SIGKILL when the task ignores the stop signal", async () => {
  const fx = await executorFixture();
  try {
    const client = await fx.connect();
    await client.start(
      shellTask(fx, "stubborn", 'trap "" INT; echo ready; while :; do sleep 0.05; done'),
    );
    await eventually(async () => (await readOrEmpty(`${fx.logDir}/stubborn.stdout.0`)) !== "", {
      what: "trap installed",
    });
    const stopped = await client.stop("stubborn", { signal: "SIGINT", timeoutMs: 200 });
    assert.equal(stopped.exitResult?.signal, 9);
    assert.equal(stopped.exitResult?.exitCode, 137);
    await client.close();
  } finally {
    await fx.cleanup();
  }
});

Deno.test("executor signal reaches the task's main process", async () => {
  const fx = await executorFixture();
  try {
    const client = await fx.connect();
    const script = 'trap "echo got-usr1; exit 7" USR1; echo ready; while :; do sleep 0.05; done';
    await client.start(shellTask(fx, "sig", script));
    await eventually(async () => (await readOrEmpty(`${fx.logDir}/sig.stdout.0`)) !== "", {
      what: "trap installed",
    });
    await client.signal("sig", "SIGUSR1");
    assert.equal((await client.wait("sig")).exitResult?.exitCode, 7);
    assert.equal(await Deno.readTextFile(`${fx.logDir}/sig.stdout.0`), "ready\ngot-usr1\n");
    await assert.rejects(client.signal("sig", "SIGUSR1"), ExecutorError);
    await assert.rejects(client.signal("nope", "SIGUSR1"), { kind: "not_found" });
    await client.close();
  } finally {
    await fx.cleanup();
  }
});

Deno.test("executor refuses a missing command as invalid input", async () => {
  const fx = await executorFixture();
  try {
    const client = await fx.connect();
    await assert.rejects(
      client.start({ ...shellTask(fx, "missing", ""), command: "/no/such/binary" }),
      (error: unknown) =>
        error instanceof ExecutorError && error.kind === "invalid_argument" &&
        error.message === "fork/exec /no/such/binary: no such file or directory",
    );
    await assert.rejects(
      client.start({ ...shellTask(fx, "missing2", ""), command: "no-such-binary-xyz" }),
      /executable file not found in \$PATH/,
    );
    await assert.rejects(client.start({ ...shellTask(fx, "", "") }), { kind: "invalid_argument" });
    assert.deepEqual(await client.list(), []);
    await client.close();
  } finally {
    await fx.cleanup();
  }
});

Deno.test("executor refuses to start a task ID that is already running", async () => {
  const fx = await executorFixture();
  try {
    const client = await fx.connect();
    await client.start(shellTask(fx, "dup", "sleep 1000"));
    await assert.rejects(client.start(shellTask(fx, "dup", "true")), { kind: "exists" });
    await client.destroy("dup");
    await assert.rejects(client.inspect("dup"), { kind: "not_found" });
    await client.close();
  } finally {
    await fx.cleanup();
  }
});

Deno.test("executor destroy kills a running task and forgets it", async () => {
  const fx = await executorFixture();
  try {
    const client = await fx.connect();
    const task = await client.start(shellTask(fx, "gone", "sleep 1000"));
    assert.equal(await isAlive(task.pid), true);
    await client.destroy("gone");
    assert.equal(await isAlive(task.pid), false);
    assert.deepEqual(await client.list(), []);
    await client.close();
  } finally {
    await fx.cleanup();
  }
});

Deno.test("executor stats report memory of a running task", async () => {
  const fx = await executorFixture();
  try {
    const client = await fx.connect();
    const task = await client.start(shellTask(fx, "stats", "exec sleep 1000"));
    const stats = await client.stats("stats");
    assert.deepEqual(stats.pids, [task.pid]);
    assert.ok(stats.rssBytes > 0);
    assert.ok(stats.cpuTicks >= 0);
    await client.close();
  } finally {
    await fx.cleanup();
  }
});

Deno.test("a new client reattaches to a running task with the same PID and log", async () => {
  const fx = await executorFixture();
  try {
    const first = await fx.connect();
    const script = "i=0; while :; do echo tick $i; i=$((i+1)); sleep 0.1; done";
    const task = await first.start(shellTask(fx, "ticker", script));
    const log = `${fx.logDir}/ticker.stdout.0`;
    await eventually(async () => (await readOrEmpty(log)).includes("tick 2"), { what: "ticks" });
    await first.close();

    const second = await fx.connect();
    const seen = await second.inspect("ticker");
    assert.equal(seen.pid, task.pid);
    assert.equal(seen.state, "running");
    const before = (await Deno.readTextFile(log)).length;
    await eventually(async () => (await readOrEmpty(log)).length > before, { what: "log growth" });
    await second.close();
  } finally {
    await fx.cleanup();
  }
});

Deno.test("after the executor is SIGKILLed a new one adopts the task and sees it exit", async () => {
  const fx = await executorFixture();
  try {
    const client = await fx.connect();
    const executorPid = (await client.ping()).pid;
    const script = "i=0; while [ $i -lt 15 ]; do echo tick $i; i=$((i+1)); sleep 0.1; done";
    const task = await client.start(shellTask(fx, "orphan", script));
    const log = `${fx.logDir}/orphan.stdout.0`;
    await eventually(async () => (await readOrEmpty(log)).includes("tick 1"), { what: "ticks" });
    await client.close();
    Deno.kill(executorPid, "SIGKILL");
    await eventually(async () => !await isAlive(executorPid), { what: "executor death" });

    const next = await fx.connect();
    assert.notEqual((await next.ping()).pid, executorPid);
    const adopted = (await next.list()).find((t) => t.id === "orphan");
    assert.equal(adopted?.pid, task.pid);
    assert.equal(adopted?.adopted, true);
    const done = await next.wait("orphan");
    assert.equal(done.state, "exited");
    assert.equal(done.exitResult?.exitCode, -1, "exit status of a non-child is unknown");
    // The task did not die of SIGPIPE: its output continued into the same log file.
    assert.ok((await Deno.readTextFile(log)).includes("tick 14\n"));
    await next.close();
  } finally {
    await fx.cleanup();
  }
});

Deno.test("a pending wait survives the executor being killed and respawned", async () => {
  const fx = await executorFixture();
  try {
    const client = await fx.connect();
    const executorPid = (await client.ping()).pid;
    await client.start(shellTask(fx, "waited", "sleep 0.5"));
    const waiting = client.wait("waited");
    Deno.kill(executorPid, "SIGKILL");
    const done = await waiting;
    assert.equal(done.state, "exited");
    assert.notEqual((await client.ping()).pid, executorPid);
    await client.close();
  } finally {
    await fx.cleanup();
  }
});

Deno.test("an idle executor exits and a new one still knows finished tasks", async () => {
  const fx = await executorFixture(["-idle-exit-ms", "200"]);
  try {
    const client = await fx.connect();
    const executorPid = (await client.ping()).pid;
    await client.start(shellTask(fx, "short", "exit 5"));
    await client.wait("short");
    await client.close();
    await eventually(async () => !await isAlive(executorPid), { what: "idle exit" });

    const again = await fx.connect();
    assert.notEqual((await again.ping()).pid, executorPid);
    const [record] = await again.list();
    assert.equal(record?.id, "short");
    assert.equal(record?.exitResult?.exitCode, 5);
    await again.close();
  } finally {
    await fx.cleanup();
  }
});

Deno.test("executor shutdown kills every task and exits", async () => {
  const fx = await executorFixture();
  try {
    const client = await fx.connect();
    const executorPid = (await client.ping()).pid;
    const a = await client.start(shellTask(fx, "a", "sleep 1000"));
    const b = await client.start(shellTask(fx, "b", "sleep 1000"));
    await client.shutdown({ timeoutMs: 1_000 });
    assert.equal(await isAlive(a.pid), false);
    assert.equal(await isAlive(b.pid), false);
    await eventually(async () => !await isAlive(executorPid), { what: "executor exit" });
    await assert.rejects(client.list(), { kind: "unavailable" });
  } finally {
    await fx.cleanup();
  }
});

Deno.test("only one executor serves a state directory", async () => {
  const fx = await executorFixture();
  try {
    const [a, b] = await Promise.all([fx.connect(), fx.connect()]);
    assert.equal((await a.ping()).pid, (await b.ping()).pid);
    await a.close();
    await b.close();
  } finally {
    await fx.cleanup();
  }
});
