/**
 * Twenty running tasks survive a SIGKILL of their agent: after the restart
 * every task has the same PID, its log carries on in the same file, and a task
 * that exited while the agent was down is reported with its real exit code.
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert";
import type { Allocation, AllocationListStub } from "../../src/structs/mod.ts";
import {
  freePort,
  getJson,
  killExecutors,
  processAlive,
  startAgent,
  type TestAgent,
  waitFor,
} from "./harness.ts";

const TASKS = 20;

function tickers() {
  return {
    Job: {
      ID: "tickers",
      Type: "service",
      Datacenters: ["dc1"],
      TaskGroups: [{
        Name: "g",
        Count: TASKS,
        Tasks: [{
          Name: "tick",
          Driver: "raw_exec",
          Config: {
            command: "/bin/sh",
            args: [
              "-c",
              "echo pid=$$; i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.5; done",
            ],
          },
          Resources: { CPU: 10, MemoryMB: 10 },
        }],
      }],
    },
  };
}

/** A batch task that exits 7 a few seconds after it starts (while the agent is down). */
function quitter() {
  return {
    Job: {
      ID: "quitter",
      Type: "batch",
      Datacenters: ["dc1"],
      TaskGroups: [{
        Name: "g",
        Count: 1,
        RestartPolicy: { Attempts: 0, Mode: "fail" },
        ReschedulePolicy: { Attempts: 0, Unlimited: false },
        Tasks: [{
          Name: "quit",
          Driver: "raw_exec",
          Config: { command: "/bin/sh", args: ["-c", "echo pid=$$; sleep 4; exit 7"] },
          Resources: { CPU: 10, MemoryMB: 10 },
        }],
      }],
    },
  };
}

async function register(address: string, body: unknown): Promise<void> {
  const res = await fetch(`${address}/v1/jobs`, { method: "PUT", body: JSON.stringify(body) });
  strictEqual(res.status, 200, await res.text());
}

async function log(address: string, alloc: string, task: string): Promise<string> {
  const res = await fetch(
    `${address}/v1/client/fs/logs/${alloc}?task=${task}&type=stdout&plain=true`,
  );
  return res.ok ? await res.text() : "";
}

const pidIn = (text: string) => Number(/pid=(\d+)/.exec(text)?.[1] ?? "0");

Deno.test({
  name: "SIGKILL of the agent with 20 running tasks: same PIDs and logs after restart, exits seen",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const ports = { http: freePort(), rpc: freePort(), serf: freePort() };
    const first = await startAgent({ dev: false, ports });
    let second: TestAgent | undefined;
    const pids = new Map<string, number>();
    try {
      await register(first.address, tickers());
      await register(first.address, quitter());
      const allocs = await waitFor("20 tickers logging", async () => {
        const { body } = await getJson<AllocationListStub[]>(
          first.address,
          "/v1/job/tickers/allocations",
        );
        const running = body.filter((a) => a.ClientStatus === "running");
        if (running.length < TASKS) return undefined;
        for (const a of running) {
          const text = await log(first.address, a.ID, "tick");
          if (!text.includes("tick 1")) return undefined;
          pids.set(a.ID, pidIn(text));
        }
        return running;
      }, 60_000);
      const quit = await waitFor("quitter running", async () => {
        const { body } = await getJson<AllocationListStub[]>(
          first.address,
          "/v1/job/quitter/allocations",
        );
        const a = body.find((x) => x.ClientStatus === "running");
        return a !== undefined && pidIn(await log(first.address, a.ID, "quit")) > 0 ? a : undefined;
      }, 60_000);
      const quitPid = pidIn(await log(first.address, quit.ID, "quit"));

      await first.kill();
      // The quitter exits while no agent runs.
      await waitFor(
        "quitter exits",
        () => Promise.resolve(processAlive(quitPid) ? undefined : true),
        30_000,
      );
      for (const pid of pids.values()) ok(processAlive(pid), `task ${pid} outlives the agent`);

      second = await startAgent({ dev: false, ports, dataDir: first.dataDir });
      const failed = await waitFor("quitter reported failed", async () => {
        const { body } = await getJson<Allocation>(second!.address, `/v1/allocation/${quit.ID}`);
        return body.ClientStatus === "failed" ? body : undefined;
      }, 30_000);
      const terminated = failed.TaskStates?.["quit"]?.Events?.filter((e) =>
        e.Type === "Terminated"
      );
      strictEqual(terminated?.at(-1)?.ExitCode, 7, JSON.stringify(failed.TaskStates));

      const lengths = new Map<string, number>();
      for (const a of allocs) lengths.set(a.ID, (await log(second.address, a.ID, "tick")).length);
      await waitFor("every log keeps growing", async () => {
        for (const a of allocs) {
          if ((await log(second!.address, a.ID, "tick")).length <= lengths.get(a.ID)!) {
            return undefined;
          }
        }
        return true;
      }, 30_000);
      for (const a of allocs) {
        const text = await log(second.address, a.ID, "tick");
        deepStrictEqual(
          [pidIn(text), text.match(/pid=/g)!.length],
          [pids.get(a.ID), 1],
          "same process, started once",
        );
        // No gap: the counter runs on without a restart (tick n is followed by tick n+1).
        const ticks = [...text.matchAll(/tick (\d+)/g)].map((m) => Number(m[1]));
        ok(ticks.every((n, i) => n === i + 1), `ticks continuous for ${a.ID}`);
      }
      const { body } = await getJson<AllocationListStub[]>(
        second.address,
        "/v1/job/tickers/allocations",
      );
      strictEqual(body.filter((a) => a.ClientStatus === "running").length, TASKS);
    } finally {
      await fetch(`${(second ?? first).address}/v1/job/tickers`, { method: "DELETE" })
        .then((r) => r.body?.cancel()).catch(() => {});
      await waitFor(
        "tasks stopped",
        () => Promise.resolve([...pids.values()].some(processAlive) ? undefined : true),
        30_000,
      ).catch(() => {
        for (const pid of pids.values()) if (processAlive(pid)) Deno.kill(pid, "SIGKILL");
      });
      await second?.stop();
      await first.kill();
      killExecutors(first.dataDir);
      await Deno.remove(first.dataDir, { recursive: true }).catch(() => {});
    }
  },
});
