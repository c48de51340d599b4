/** Job versions against a real agent: `job history [-p]`, `job revert`, `job scale`. */

import { ok, strictEqual } from "node:assert";
import type { Job } from "../../src/structs/mod.ts";
import { getJson, nomad, startAgent, waitFor, writeJobFile } from "./harness.ts";

const e2e = { sanitizeOps: false, sanitizeResources: false };

function jobFile(seconds: string): string {
  return `job "versioned" {
  group "g" {
    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/sleep"
        args    = ["${seconds}"]
      }
    }
  }
}
`;
}

Deno.test({
  name: "job history shows each version and its diff; revert and scale make new versions",
  ...e2e,
  async fn() {
    const agent = await startAgent();
    try {
      for (const [name, seconds] of [["v0.hcl", "300"], ["v1.hcl", "301"]] as const) {
        const file = await writeJobFile(agent.dataDir, name, jobFile(seconds));
        const run = await nomad(agent.address, ["job", "run", "-detach", file]);
        strictEqual(run.code, 0, run.stderr);
      }
      const history = await nomad(agent.address, ["job", "history", "-p", "versioned"]);
      strictEqual(history.code, 0, history.stderr);
      ok(history.stdout.startsWith("Version     = 1\nStable      = false\nSubmit Date = "));
      ok(history.stdout.includes('+/- args[0]: "300" => "301"'), history.stdout);
      ok(history.stdout.includes("\n\nVersion     = 0\n"), history.stdout);

      const one = await nomad(agent.address, ["job", "history", "-version", "0", "versioned"]);
      strictEqual(one.code, 0);
      ok(one.stdout.startsWith("Version     = 0\n") && !one.stdout.includes("Version     = 1"));

      const revert = await nomad(agent.address, ["job", "revert", "-detach", "versioned", "0"]);
      strictEqual(revert.code, 0, revert.stderr);
      ok(revert.stdout.startsWith("Evaluation ID: "), revert.stdout);
      const reverted = await getJson<Job>(agent.address, "/v1/job/versioned");
      strictEqual(reverted.body.Version, 2);
      strictEqual(
        (reverted.body.TaskGroups[0]!.Tasks[0]!.Config as { args: string[] }).args[0],
        "300",
      );

      const same = await nomad(agent.address, ["job", "revert", "versioned", "2"]);
      strictEqual(same.code, 1);
      ok(same.stderr.includes("can't revert to current version"), same.stderr);
      const missing = await nomad(agent.address, ["job", "revert", "versioned", "9"]);
      strictEqual(missing.code, 1);
      ok(missing.stderr.includes("at version 9 not found"), missing.stderr);
      const notNumber = await nomad(agent.address, ["job", "revert", "versioned", "x"]);
      strictEqual(notNumber.code, 1);

      const scale = await nomad(agent.address, ["job", "scale", "-detach", "versioned", "3"]);
      strictEqual(scale.code, 0, scale.stderr);
      await waitFor("three running allocations", async () => {
        const { body } = await getJson<{ ClientStatus: string }[]>(
          agent.address,
          "/v1/job/versioned/allocations",
        );
        return body.filter((a) => a.ClientStatus === "running").length === 3 ? true : undefined;
      });
      const allocs = await getJson<{ ID: string }[]>(
        agent.address,
        "/v1/job/versioned/allocations",
      );
      const verbose = await nomad(agent.address, [
        "alloc",
        "status",
        "-verbose",
        allocs.body[0]!.ID,
      ]);
      strictEqual(verbose.code, 0, verbose.stderr);
      ok(
        /\nPlacement Metrics\nNode +binpack +job-anti-affinity +node-affinity +node-reschedule-penalty +final score\n[0-9a-f-]{36} +\d/
          .test(verbose.stdout),
        verbose.stdout,
      );
      const badGroup = await nomad(agent.address, ["job", "scale", "versioned", "nope", "2"]);
      strictEqual(badGroup.code, 1);
      ok(badGroup.stderr.includes('task group "nope" specified for scaling does not exist'));
      const negative = await fetch(`${agent.address}/v1/job/versioned/scale`, {
        method: "POST",
        body: JSON.stringify({ Count: -1, Target: { Group: "g" } }),
      });
      strictEqual(negative.status, 400);
      strictEqual(await negative.text(), "scaling action count can't be negative");
      await nomad(agent.address, ["job", "stop", "-purge", "versioned"]);
    } finally {
      await agent.stop();
    }
  },
});
