/**
 * Deployments and `nomad job stop` on a real `agent -dev`: stopping a job
 * whose deployment is running cancels it and the stop's monitor follows it
 * (exit 1, as Nomad's monitor treats a cancelled deployment); `deployment
 * status -monitor -verbose` lists the deployment's allocations; `system gc`
 * then collects the cancelled deployment of the stopped job.
 */

import { ok, strictEqual } from "node:assert";
import type { Deployment } from "../../src/structs/mod.ts";
import { getJson, nomad, startAgent, waitFor, writeJobFile } from "./harness.ts";

const e2e = { sanitizeOps: false, sanitizeResources: false };

/** A deployment that stays running: allocations must be healthy for 10 minutes. */
const SLOW_JOB = `
job "slow" {
  datacenters = ["dc1"]
  group "app" {
    count = 1
    update {
      min_healthy_time  = "10m"
      healthy_deadline  = "15m"
      progress_deadline = "20m"
    }
    task "app" {
      driver = "raw_exec"
      config {
        command = "/bin/sleep"
        args    = ["600"]
      }
      resources {
        cpu    = 20
        memory = 16
      }
    }
  }
}
`;

Deno.test({
  name:
    "job stop follows the deployment it cancels; deployment status -monitor -verbose lists its allocations; gc collects it",
  ...e2e,
  async fn() {
    const agent = await startAgent();
    try {
      const path = await writeJobFile(agent.dataDir, "slow.nomad.hcl", SLOW_JOB);
      const run = await nomad(agent.address, ["job", "run", "-detach", path]);
      strictEqual(run.code, 0, run.stderr);
      const running = await waitFor("a running deployment with a placed allocation", async () => {
        const d = (await getJson<Deployment | null>(agent.address, "/v1/job/slow/deployment"))
          .body;
        return d !== null && d.Status === "running" && d.TaskGroups["app"]?.PlacedAllocs === 1
          ? d
          : undefined;
      }, 60_000);
      // Stop only once the task runs: the client must have something to stop.
      await waitFor("the allocation to run", async () => {
        const allocs = (await getJson<{ ClientStatus: string }[]>(
          agent.address,
          "/v1/job/slow/allocations",
        )).body;
        return allocs.length === 1 && allocs[0]!.ClientStatus === "running" ? true : undefined;
      }, 60_000);

      const stop = await nomad(agent.address, ["job", "stop", "slow"]);
      strictEqual(stop.code, 1, stop.stderr + stop.stdout);
      ok(
        stop.stdout.includes(`Evaluation within deployment: "${running.ID.slice(0, 8)}"`),
        stop.stdout,
      );
      ok(
        stop.stdout.includes(`Monitoring deployment "${running.ID.slice(0, 8)}"`),
        stop.stdout,
      );
      ok(/Status\s+= cancelled/.test(stop.stdout), stop.stdout);
      ok(stop.stdout.includes("Cancelled because job is stopped"), stop.stdout);

      const status = await nomad(agent.address, [
        "deployment",
        "status",
        "-monitor",
        "-verbose",
        running.ID,
      ]);
      strictEqual(status.code, 0, status.stderr);
      ok(status.stdout.includes(`Monitoring deployment "${running.ID}"`), status.stdout);
      ok(status.stdout.includes("Allocations"), status.stdout);
      ok(
        /ID\s+Eval ID\s+Node ID\s+Node Name\s+Task Group\s+Version\s+Desired\s+Status/.test(
          status.stdout,
        ),
        status.stdout,
      );
      ok(/\s+app\s+0\s+stop\s+/.test(status.stdout), status.stdout);
      // Without -verbose only the status block is printed.
      const plain = await nomad(agent.address, ["deployment", "status", running.ID]);
      strictEqual(plain.code, 0, plain.stderr);
      strictEqual(plain.stdout.includes("Allocations"), false, plain.stdout);

      // Once the allocation has stopped, a forced gc takes the job's deployment.
      await waitFor("the allocation to stop", async () => {
        const allocs = (await getJson<{ ClientStatus: string }[]>(
          agent.address,
          "/v1/job/slow/allocations",
        )).body;
        return allocs.every((a) => a.ClientStatus === "complete") ? true : undefined;
      }, 60_000);
      const gc = await nomad(agent.address, ["system", "gc"]);
      strictEqual(gc.code, 0, gc.stderr);
      const gone = await fetch(`${agent.address}/v1/deployment/${running.ID}`);
      await gone.body?.cancel();
      strictEqual(gone.status, 404);
    } finally {
      await agent.stop();
    }
  },
});
