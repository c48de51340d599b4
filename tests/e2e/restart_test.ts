/** A non-dev agent killed with SIGKILL keeps its jobs and reattaches to running tasks. */

import { ok, strictEqual } from "node:assert";
import type { AllocationListStub, Job } from "../../src/structs/mod.ts";
import {
  freePort,
  getJson,
  killExecutors,
  nomad,
  processAlive,
  startAgent,
  waitFor,
  writeJobFile,
} from "./harness.ts";

const TICKER_JOB = `
job "ticker" {
  group "g" {
    task "tick" {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args    = ["-c", "echo pid=$$; i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.1; done"]
      }
    }
  }
}
`;

async function logText(address: string, allocID: string): Promise<string> {
  const res = await fetch(
    `${address}/v1/client/fs/logs/${allocID}?task=tick&type=stdout&plain=true`,
  );
  return await res.text();
}

Deno.test({
  name:
    "after SIGKILL and restart on the same data_dir the job is kept and the task keeps its PID and log",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const ports = { http: freePort(), rpc: freePort(), serf: freePort() };
    const first = await startAgent({ dev: false, ports });
    let second: Awaited<ReturnType<typeof startAgent>> | undefined;
    let pid = 0;
    try {
      const path = await writeJobFile(first.dataDir, "ticker.hcl", TICKER_JOB);
      strictEqual((await nomad(first.address, ["job", "run", "-detach", path])).code, 0);
      const alloc = await waitFor("running ticker", async () => {
        const { body } = await getJson<AllocationListStub[]>(
          first.address,
          "/v1/job/ticker/allocations",
        );
        const running = body.find((a) => a.ClientStatus === "running");
        if (running === undefined) return undefined;
        return (await logText(first.address, running.ID)).includes("tick 2") ? running : undefined;
      });
      pid = Number(/pid=(\d+)/.exec(await logText(first.address, alloc.ID))![1]);
      ok(processAlive(pid));
      await first.kill();
      ok(processAlive(pid), "the task outlives the agent");
      second = await startAgent({ dev: false, ports, dataDir: first.dataDir });
      const job = await getJson<Job>(second.address, "/v1/job/ticker");
      strictEqual(job.status, 200);
      strictEqual(job.body.Status, "running");
      const before = (await logText(second.address, alloc.ID)).length;
      await waitFor(
        "log to keep growing",
        async () => ((await logText(second!.address, alloc.ID)).length > before + 20
          ? true
          : undefined),
      );
      const after = await logText(second.address, alloc.ID);
      strictEqual(Number(/pid=(\d+)/.exec(after)![1]), pid, "same task process");
      strictEqual(after.match(/pid=/g)!.length, 1, "the task was not started a second time");
      ok(processAlive(pid));
      const { body } = await getJson<AllocationListStub[]>(
        second.address,
        "/v1/job/ticker/allocations",
      );
      strictEqual(body.length, 1);
      strictEqual(body[0]!.ClientStatus, "running");
      // -detach: a stop cancels the running deployment, which exits 1 when followed (as Nomad).
      strictEqual((await nomad(second.address, ["job", "stop", "-detach", "ticker"])).code, 0);
      await waitFor("task to stop", () => Promise.resolve(processAlive(pid) ? undefined : true));
    } finally {
      if (pid > 0 && processAlive(pid)) Deno.kill(pid, "SIGKILL");
      await second?.stop();
      await first.kill();
      killExecutors(first.dataDir);
      await Deno.remove(first.dataDir, { recursive: true }).catch(() => {});
    }
  },
});
