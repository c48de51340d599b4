/** A `system` job against a real `nomad agent -dev`: runs on the node, shows in `job status`, stops. */

import { ok, strictEqual } from "node:assert";
import type { AllocationListStub, Evaluation } from "../../src/structs/mod.ts";
import { getJson, nomad, startAgent, waitFor, writeJobFile } from "./harness.ts";

const e2e = { sanitizeOps: false, sanitizeResources: false };

const SYSTEM_JOB = `
job "sys-e2e" {
  type = "system"

  group "agent" {
    task "sleeper" {
      driver = "raw_exec"

      config {
        command = "/bin/sleep"
        args    = ["300"]
      }

      resources {
        cpu    = 50
        memory = 32
      }
    }
  }
}
`;

Deno.test({
  name: "a system raw_exec job runs on the dev node and nomad job status shows it",
  ...e2e,
  async fn() {
    const agent = await startAgent();
    try {
      const path = await writeJobFile(agent.dataDir, "sys.nomad.hcl", SYSTEM_JOB);
      const run = await nomad(agent.address, ["job", "run", "-detach", path]);
      strictEqual(run.code, 0, run.stderr + run.stdout);
      const allocs = await waitFor("running system allocation", async () => {
        const res = await getJson<AllocationListStub[]>(
          agent.address,
          "/v1/job/sys-e2e/allocations",
        );
        const running = res.body.filter((a) => a.ClientStatus === "running");
        return running.length === 1 ? res.body : undefined;
      }, 60_000);
      strictEqual(allocs.length, 1, "one allocation on the one node");
      const alloc = allocs[0]!;
      strictEqual(alloc.Name, "sys-e2e.agent[0]");
      const evals = await getJson<Evaluation[]>(agent.address, "/v1/job/sys-e2e/evaluations");
      ok(evals.body.some((e) => e.Type === "system" && e.Status === "complete"));

      const status = await nomad(agent.address, ["job", "status", "sys-e2e"]);
      strictEqual(status.code, 0, status.stderr);
      ok(/Type\s+= system/.test(status.stdout), status.stdout);
      ok(status.stdout.includes(alloc.ID.slice(0, 8)), status.stdout);
      ok(/agent\s.*running/.test(status.stdout), status.stdout);

      const stop = await nomad(agent.address, ["job", "stop", "-detach", "sys-e2e"]);
      strictEqual(stop.code, 0, stop.stderr + stop.stdout);
      await waitFor("system allocation stopped", async () => {
        const res = await getJson<AllocationListStub[]>(
          agent.address,
          "/v1/job/sys-e2e/allocations",
        );
        const done = res.body.every((a) =>
          a.DesiredStatus === "stop" && a.ClientStatus === "complete"
        );
        return done ? true : undefined;
      }, 60_000);
    } finally {
      await agent.stop();
    }
  },
});
