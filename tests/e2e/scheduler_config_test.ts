/** The scheduler configuration against a real agent: `nomad operator scheduler get-config/set-config`. */

import { ok, strictEqual } from "node:assert";
import { getJson, nomad, startAgent, writeJobFile } from "./harness.ts";

const e2e = { sanitizeOps: false, sanitizeResources: false };

const JOB = `job "sleepy" {
  type = "batch"
  group "g" {
    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/true"
      }
    }
  }
}
`;

Deno.test({
  name: "operator scheduler set-config switches to spread and rejects job registration",
  ...e2e,
  async fn() {
    const agent = await startAgent();
    try {
      const before = await nomad(agent.address, ["operator", "scheduler", "get-config"]);
      strictEqual(before.code, 0, before.stderr);
      ok(before.stdout.startsWith("Scheduler Algorithm           = binpack\n"), before.stdout);

      const spread = await nomad(agent.address, [
        "operator",
        "scheduler",
        "set-config",
        "-scheduler-algorithm=spread",
      ]);
      strictEqual(spread.code, 0, spread.stderr);
      strictEqual(spread.stdout, "Scheduler configuration updated!\n");
      const after = await nomad(agent.address, ["operator", "scheduler", "get-config"]);
      ok(after.stdout.startsWith("Scheduler Algorithm           = spread\n"), after.stdout);
      ok(after.stdout.includes("Preemption System Scheduler   = true\n"), after.stdout);
      const json = await nomad(agent.address, ["operator", "scheduler", "get-config", "-json"]);
      strictEqual(JSON.parse(json.stdout).SchedulerConfig.SchedulerAlgorithm, "spread");

      const stale = await nomad(agent.address, [
        "operator",
        "scheduler",
        "set-config",
        "-check-index=1",
        "-pause-eval-broker=true",
      ]);
      strictEqual(stale.code, 1);
      ok(
        stale.stderr.includes("Error performing check index set: check-index 1 does not match"),
        stale.stderr,
      );

      const reject = await nomad(agent.address, [
        "operator",
        "scheduler",
        "set-config",
        "-reject-job-registration=true",
      ]);
      strictEqual(reject.code, 0, reject.stderr);
      const file = await writeJobFile(agent.dataDir, "sleepy.hcl", JOB);
      const run = await nomad(agent.address, ["job", "run", "-detach", file]);
      strictEqual(run.code, 1, run.stdout);
      ok(
        run.stderr.includes(
          "Job registration, dispatch, and scale are disabled by the scheduler configuration",
        ),
        run.stderr,
      );
      const jobs = await getJson<unknown[]>(agent.address, "/v1/jobs");
      strictEqual(jobs.body.length, 0);

      const allow = await nomad(agent.address, [
        "operator",
        "scheduler",
        "set-config",
        "-reject-job-registration=false",
      ]);
      strictEqual(allow.code, 0, allow.stderr);
      const again = await nomad(agent.address, ["job", "run", "-detach", file]);
      strictEqual(again.code, 0, again.stderr);
      await nomad(agent.address, ["job", "stop", "-purge", "-detach", "sleepy"]);
    } finally {
      await agent.stop();
    }
  },
});
