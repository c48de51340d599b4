/**
 * Operating on a running allocation through one dev agent: `alloc fs`, the fs
 * endpoints and their refusals, `alloc exec` over the WebSocket (output, stdin,
 * exit codes), `alloc signal`, `alloc restart`, `alloc stop`, and log rotation.
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert";
import type { Allocation, AllocationListStub } from "../../src/structs/mod.ts";
import { getJson, nomad, startAgent, waitFor, writeJobFile } from "./harness.ts";

const e2e = { sanitizeOps: false, sanitizeResources: false };

const JOB = `
job "ops" {
  datacenters = ["dc1"]
  group "g" {
    task "web" {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args = ["-c", "trap 'echo got-usr1' USR1; echo started; echo oops >&2; echo data > local/file.txt; while true; do sleep 0.2; done"]
      }
    }
  }
}
`;

const ROTATING = `
job "rotating" {
  datacenters = ["dc1"]
  type = "batch"
  group "g" {
    task "writer" {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args = ["-c", "head -c 2500000 /dev/zero | tr '\\\\000' 'a'"]
      }
      logs {
        max_files     = 5
        max_file_size = 1
      }
    }
  }
}
`;

async function allocOf(address: string, job: string, status: string): Promise<AllocationListStub> {
  return await waitFor(`${job} ${status}`, async () => {
    const { body } = await getJson<AllocationListStub[]>(address, `/v1/job/${job}/allocations`);
    return body?.find((a) => a.ClientStatus === status && a.DesiredStatus === "run");
  }, 60_000);
}

async function logs(address: string, id: string, task: string): Promise<string> {
  const res = await fetch(`${address}/v1/client/fs/logs/${id}?task=${task}&type=stdout&plain=true`);
  return await res.text();
}

async function allocInfo(address: string, id: string): Promise<Allocation> {
  return (await getJson<Allocation>(address, `/v1/allocation/${id}`)).body;
}

Deno.test({
  name: "alloc fs, exec, signal, restart and stop work on a running allocation",
  ...e2e,
  async fn() {
    const agent = await startAgent();
    const dir = await Deno.makeTempDir();
    try {
      const run = await nomad(agent.address, [
        "job",
        "run",
        "-detach",
        await writeJobFile(dir, "ops.hcl", JOB),
      ]);
      strictEqual(run.code, 0, run.stderr);
      const alloc = await allocOf(agent.address, "ops", "running");
      const id = alloc.ID;
      await waitFor(
        "file written",
        async () => (await logs(agent.address, id, "web")).includes("started") ? true : undefined,
      );
      await waitFor("local file", async () => {
        const res = await fetch(`${agent.address}/v1/client/fs/stat/${id}?path=web/local/file.txt`);
        await res.body?.cancel();
        return res.status === 200 ? true : undefined;
      });

      // alloc fs: listing, cat, stat.
      const ls = await nomad(agent.address, ["alloc", "fs", "-H", id]);
      strictEqual(ls.code, 0, ls.stderr);
      ok(ls.stdout.startsWith("Mode"), ls.stdout);
      ok(/alloc\/\n/.test(ls.stdout) && /web\/\n?/.test(ls.stdout), ls.stdout);
      const cat = await nomad(agent.address, ["fs", id, "web/local/file.txt"]);
      deepStrictEqual([cat.code, cat.stdout], [0, "data\n"]);
      const stat = await nomad(agent.address, ["alloc", "fs", "-stat", id, "web/local/file.txt"]);
      ok(
        stat.stdout.includes("text/plain; charset=utf-8") && stat.stdout.includes("file.txt"),
        stat.stdout,
      );
      const tail = await nomad(agent.address, [
        "alloc",
        "fs",
        "-tail",
        "-c",
        "3",
        id,
        "web/local/file.txt",
      ]);
      strictEqual(tail.stdout, "ta\n");

      // fs endpoints: Nomad's shapes and refusals.
      const listing = await getJson<{ Name: string; IsDir: boolean }[]>(
        agent.address,
        `/v1/client/fs/ls/${id}?path=/web`,
      );
      deepStrictEqual(listing.body.map((f) => f.Name).sort(), ["local", "secrets", "tmp"]);
      const escape = await fetch(`${agent.address}/v1/client/fs/ls/${id}?path=../../`);
      deepStrictEqual([escape.status, await escape.text()], [
        500,
        "Path escapes the alloc directory",
      ]);
      const escapeCat = await fetch(
        `${agent.address}/v1/client/fs/cat/${id}?path=../${id}/../../x`,
      );
      deepStrictEqual([escapeCat.status, await escapeCat.text()], [
        400,
        "Path escapes the alloc directory",
      ]);
      const noPath = await fetch(`${agent.address}/v1/client/fs/stat/${id}`);
      deepStrictEqual([noPath.status, await noPath.text()], [400, "must provide a file name"]);
      const missing = await fetch(`${agent.address}/v1/client/fs/stat/${id}?path=nope`);
      strictEqual(missing.status, 404);
      ok((await missing.text()).endsWith("/nope: no such file or directory"));
      const dirCat = await fetch(`${agent.address}/v1/client/fs/cat/${id}?path=web`);
      deepStrictEqual([dirCat.status, await dirCat.text()], [400, 'file "web" is a directory']);
      const readat = await fetch(
        `${agent.address}/v1/client/fs/readat/${id}?path=web/local/file.txt&offset=1&limit=2`,
      );
      strictEqual(await readat.text(), "at");
      const badOffset = await fetch(
        `${agent.address}/v1/client/fs/readat/${id}?path=web/local/file.txt`,
      );
      strictEqual(badOffset.status, 500);
      await badOffset.body?.cancel();
      const stream = await fetch(
        `${agent.address}/v1/client/fs/stream/${id}?path=web/local/file.txt&follow=false`,
      );
      deepStrictEqual(JSON.parse(await stream.text()), {
        Offset: 5,
        Data: btoa("data\n"),
        File: "web/local/file.txt",
      });
      const unknown = await fetch(`${agent.address}/v1/client/fs/ls/not-an-alloc`);
      deepStrictEqual([unknown.status, await unknown.text()], [
        404,
        'Unknown allocation "not-an-alloc"',
      ]);
      const badType = await fetch(`${agent.address}/v1/client/fs/logs/${id}?task=web&type=x`);
      deepStrictEqual([badType.status, await badType.text()], [
        400,
        "must provide log type (stdout/stderr)",
      ]);
      const badTask = await fetch(`${agent.address}/v1/client/fs/logs/${id}?task=nope&type=stdout`);
      deepStrictEqual([badTask.status, await badTask.text()], [400, 'unknown task name "nope"']);

      // alloc exec over the WebSocket.
      const echo = await nomad(agent.address, [
        "alloc",
        "exec",
        "-i=false",
        "-t=false",
        id,
        "echo",
        "hi there",
      ]);
      deepStrictEqual([echo.code, echo.stdout, echo.stderr], [0, "hi there\n", ""]);
      const shell = await nomad(agent.address, ["alloc", "exec", "-t=false", id, "/bin/sh"], {
        stdin: 'echo "task=$NOMAD_TASK_NAME dir=$(basename $(pwd))"; echo to-err >&2; exit 3\n',
      });
      deepStrictEqual([shell.code, shell.stdout, shell.stderr], [
        3,
        "task=web dir=web\n",
        "to-err\n",
      ]);
      const tty = await nomad(agent.address, ["alloc", "exec", "-t=true", id, "/bin/sh"], {
        stdin: "test -t 0 && echo ON-A-TTY; exit 5\n",
      });
      strictEqual(tty.code, 5);
      ok(tty.stdout.includes("ON-A-TTY"), tty.stdout);
      const noTask = await nomad(agent.address, ["alloc", "exec", "-task", "nope", id, "echo"]);
      strictEqual(noTask.code, 1);
      ok(noTask.stderr.includes("Could not find task named: nope"), noTask.stderr);
      const noCommand = await nomad(agent.address, [
        "alloc",
        "exec",
        "-t=false",
        id,
        "no-such-cmd-xyz",
      ]);
      strictEqual(noCommand.code, 1);
      ok(noCommand.stderr.includes("failed to exec into task:"), noCommand.stderr);
      ok(noCommand.stderr.includes("executable file not found"), noCommand.stderr);
      const badCommand = await fetch(
        `${agent.address}/v1/client/allocation/${id}/exec?task=web&command=notjson`,
      );
      strictEqual(badCommand.status, 500);
      await badCommand.body?.cancel();

      // alloc signal: a Signaling event, and the task sees it.
      const signal = await nomad(agent.address, ["alloc", "signal", "-s", "SIGUSR1", id, "web"]);
      strictEqual(signal.code, 0, signal.stderr);
      await waitFor(
        "USR1 trapped",
        async () => (await logs(agent.address, id, "web")).includes("got-usr1") ? true : undefined,
      );
      const signaled = (await allocInfo(agent.address, id)).TaskStates!["web"]!.Events!;
      ok(
        signaled.some((e) =>
          e.Type === "Signaling" && e.TaskSignal === "SIGUSR1" &&
          e.DisplayMessage === "Task being sent signal SIGUSR1"
        ),
      );
      const badSignal = await fetch(`${agent.address}/v1/client/allocation/${id}/signal`, {
        method: "PUT",
        body: "{bad",
      });
      strictEqual(badSignal.status, 400);
      ok((await badSignal.text()).startsWith("Failed to decode body"));
      const noSuchTask = await fetch(`${agent.address}/v1/client/allocation/${id}/signal`, {
        method: "PUT",
        body: JSON.stringify({ Task: "nope", Signal: "SIGUSR1" }),
      });
      deepStrictEqual([noSuchTask.status, await noSuchTask.text()], [500, "Task not found"]);

      // alloc restart: restarted at once, not charged to the restart policy.
      const restart = await nomad(agent.address, ["alloc", "restart", id]);
      strictEqual(restart.code, 0, restart.stderr);
      const restarted = await waitFor("restarted", async () => {
        const state = (await allocInfo(agent.address, id)).TaskStates!["web"]!;
        return state.Restarts === 1 && state.State === "running" ? state : undefined;
      });
      const types = restarted.Events!.map((e) => e.Type);
      ok(types.includes("Restart Signaled") && types.includes("Restarting"), types.join(","));
      const signaledEvent = restarted.Events!.find((e) => e.Type === "Restart Signaled")!;
      strictEqual(signaledEvent.RestartReason, "User requested running tasks to restart");
      strictEqual(
        restarted.Events!.find((e) => e.Type === "Restarting")!.DisplayMessage,
        "Task restarting in 0s",
      );
      await waitFor(
        "started twice",
        async () =>
          (await logs(agent.address, id, "web")).split("started").length === 3 ? true : undefined,
      );
      const badRestart = await fetch(`${agent.address}/v1/client/allocation/${id}/restart`, {
        method: "PUT",
        body: JSON.stringify({ AllTasks: "yes" }),
      });
      strictEqual(badRestart.status, 400);
      await badRestart.body?.cancel();
      const bothRestart = await nomad(agent.address, ["alloc", "restart", "-all-tasks", id, "web"]);
      strictEqual(bothRestart.code, 1);

      // alloc stop: migrated, replaced by a new allocation.
      const stop = await nomad(agent.address, ["alloc", "stop", "-detach", id]);
      strictEqual(stop.code, 0, stop.stderr);
      ok(/^[0-9a-f-]{36}\n$/.test(stop.stdout), stop.stdout);
      const evaluation = await getJson<{ TriggeredBy: string }>(
        agent.address,
        `/v1/evaluation/${stop.stdout.trim()}`,
      );
      strictEqual(evaluation.body.TriggeredBy, "alloc-stop");
      await waitFor("replacement", async () => {
        const { body } = await getJson<AllocationListStub[]>(
          agent.address,
          "/v1/job/ops/allocations",
        );
        const old = body.find((a) => a.ID === id);
        const fresh = body.find((a) => a.ID !== id && a.ClientStatus === "running");
        return old?.DesiredStatus === "stop" && fresh !== undefined ? true : undefined;
      }, 60_000);
      strictEqual((await allocInfo(agent.address, id)).DesiredTransition.Migrate, true);
      const stopMissing = await fetch(`${agent.address}/v1/allocation/nope/stop`, {
        method: "PUT",
      });
      deepStrictEqual([stopMissing.status, await stopMissing.text()], [
        404,
        "allocation not found",
      ]);
    } finally {
      await agent.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "logs rotated by max_file_size are read back whole, in order",
  ...e2e,
  async fn() {
    const agent = await startAgent();
    const dir = await Deno.makeTempDir();
    try {
      const run = await nomad(agent.address, [
        "job",
        "run",
        "-detach",
        await writeJobFile(dir, "rot.hcl", ROTATING),
      ]);
      strictEqual(run.code, 0, run.stderr);
      const alloc = await waitFor("rotating complete", async () => {
        const { body } = await getJson<AllocationListStub[]>(
          agent.address,
          "/v1/job/rotating/allocations",
        );
        return body?.find((a) => a.ClientStatus === "complete");
      }, 60_000);
      const files = await getJson<{ Name: string; Size: number }[]>(
        agent.address,
        `/v1/client/fs/ls/${alloc.ID}?path=alloc/logs`,
      );
      const stdout = files.body.filter((f) => f.Name.startsWith("writer.stdout."));
      deepStrictEqual(stdout.map((f) => f.Name), [
        "writer.stdout.0",
        "writer.stdout.1",
        "writer.stdout.2",
      ]);
      strictEqual(stdout[0]!.Size, 1024 * 1024);
      const text = await logs(agent.address, alloc.ID, "writer");
      strictEqual(text.length, 2_500_000);
      ok(/^a+$/.test(text));
      const tail = await nomad(agent.address, ["alloc", "logs", "-tail", "-c", "10", alloc.ID]);
      strictEqual(tail.stdout, "aaaaaaaaaa");
      const noStderr = await fetch(
        `${agent.address}/v1/client/fs/logs/${alloc.ID}?task=writer&type=stderr&plain=true`,
      );
      strictEqual(noStderr.status, 200);
      strictEqual(await noStderr.text(), "");
    } finally {
      await agent.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
