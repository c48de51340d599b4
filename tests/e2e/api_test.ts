/** HTTP API behaviour against a real agent: blocking queries and bad input. */

import { ok, strictEqual } from "node:assert";
import type { JobListStub } from "../../src/structs/mod.ts";
import { fixture, getJson, nomad, startAgent, writeJobFile } from "./harness.ts";

const e2e = { sanitizeOps: false, sanitizeResources: false };

function batchJob(id: string, count = 1, driver = "raw_exec") {
  return {
    Job: {
      ID: id,
      Type: "batch",
      TaskGroups: [{
        Name: "g",
        Count: count,
        Tasks: [{ Name: "t", Driver: driver, Config: { command: "/bin/true" } }],
      }],
    },
  };
}

Deno.test({
  name: "a blocking job list returns as soon as a job changes, with a larger index",
  ...e2e,
  async fn() {
    const agent = await startAgent();
    try {
      const first = await getJson<JobListStub[]>(agent.address, "/v1/jobs");
      strictEqual(first.status, 200);
      ok(first.index >= 1);
      // The wait is far longer than this test's own limit below, so only a
      // wake-up on the change can pass; no timing is measured.
      const blocked = getJson<JobListStub[]>(
        agent.address,
        `/v1/jobs?index=${first.index}&wait=120s`,
      );
      await new Promise((r) => setTimeout(r, 200));
      await fetch(`${agent.address}/v1/jobs`, {
        method: "PUT",
        body: JSON.stringify(batchJob("blocker")),
      });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const result = await Promise.race([
        blocked,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error("blocking query did not wake on the change")),
            30_000,
          );
        }),
      ]).finally(() => clearTimeout(timer));
      ok(result.index > first.index, `index grew: ${first.index} -> ${result.index}`);
      ok(result.body.some((j) => j.ID === "blocker"));
      const idle = await getJson<JobListStub[]>(
        agent.address,
        `/v1/jobs?index=${result.index + 1000}&wait=300ms`,
      );
      strictEqual(idle.status, 200, "a wait that times out returns the current data");
      const bad = await fetch(`${agent.address}/v1/jobs?wait=soon&index=1`);
      strictEqual(bad.status, 400);
      strictEqual(await bad.text(), "Invalid wait time");
    } finally {
      await agent.stop();
    }
  },
});

Deno.test({
  name: "bad input gets clear errors and the agent keeps serving",
  ...e2e,
  async fn() {
    const agent = await startAgent();
    try {
      const syntax = await nomad(agent.address, [
        "job",
        "run",
        fixture("errors/syntax_error.nomad.hcl"),
      ]);
      strictEqual(syntax.code, 1);
      ok(/syntax_error\.nomad\.hcl:\d+:\d+/.test(syntax.stderr + syntax.stdout), syntax.stderr);

      const driverFile = await writeJobFile(
        agent.dataDir,
        "driver.hcl",
        `job "x" {\n  group "g" {\n    task "t" {\n      driver = "rawexec"\n      config {\n        command = "/bin/true"\n      }\n    }\n  }\n}\n`,
      );
      const driver = await nomad(agent.address, ["job", "run", driverFile]);
      strictEqual(driver.code, 1);
      ok(driver.stderr.includes('unknown driver "rawexec"'), driver.stderr);

      const countFile = await writeJobFile(
        agent.dataDir,
        "count.hcl",
        `job "y" {\n  group "g" {\n    count = -2\n    task "t" {\n      driver = "raw_exec"\n      config {\n        command = "/bin/true"\n      }\n    }\n  }\n}\n`,
      );
      const count = await nomad(agent.address, ["job", "run", countFile]);
      strictEqual(count.code, 1);
      ok(count.stderr.includes("count can't be negative"), count.stderr);

      const garbage = await fetch(`${agent.address}/v1/jobs`, { method: "PUT", body: "{not json" });
      strictEqual(garbage.status, 400);
      strictEqual(garbage.headers.get("content-type")?.startsWith("text/plain"), true);
      ok((await garbage.text()).startsWith("Failed to decode request body"));

      const empty = await fetch(`${agent.address}/v1/jobs`, { method: "PUT", body: "" });
      strictEqual(empty.status, 400);
      strictEqual(await empty.text(), "Request body is empty");

      const wrongType = await fetch(`${agent.address}/v1/jobs`, {
        method: "PUT",
        body: JSON.stringify({ Job: { ID: "z", TaskGroups: [{ Name: "g", Count: "three" }] } }),
      });
      strictEqual(wrongType.status, 400);
      ok((await wrongType.text()).includes("Count"));

      const missing = await fetch(`${agent.address}/v1/job/nope`);
      strictEqual(missing.status, 404);
      strictEqual(await missing.text(), "job not found");

      const list = await getJson<JobListStub[]>(agent.address, "/v1/jobs");
      strictEqual(list.status, 200);
      strictEqual(list.body.length, 0, "nothing invalid was stored");
    } finally {
      await agent.stop();
    }
  },
});

Deno.test({
  name: "job validate and the parse/validate endpoints check jobs without storing them",
  ...e2e,
  async fn() {
    const agent = await startAgent();
    try {
      const good = await nomad(agent.address, [
        "job",
        "validate",
        fixture("jobspecs/example.nomad.hcl"),
      ]);
      strictEqual(good.code, 0, good.stderr);
      strictEqual(good.stdout.trim(), "Job validation successful");

      const badConfig = await writeJobFile(
        agent.dataDir,
        "bad_config.hcl",
        `job "v" {\n  group "g" {\n    task "t" {\n      driver = "raw_exec"\n      config {\n        args = ["x"]\n      }\n    }\n  }\n}\n`,
      );
      const invalid = await nomad(agent.address, ["validate", badConfig]);
      strictEqual(invalid.code, 1);
      ok(invalid.stderr.startsWith("Job validation errors:\n"), invalid.stderr);
      ok(invalid.stderr.includes("command"), invalid.stderr);

      const offline = await nomad("http://127.0.0.1:1", ["job", "validate", badConfig]);
      strictEqual(offline.code, 0, "without an agent, driver configs are not checked");
      ok(offline.stdout.includes("Driver configuration not validated"), offline.stdout);

      const ok200 = await fetch(`${agent.address}/v1/validate/job`, {
        method: "PUT",
        body: JSON.stringify(batchJob("checked")),
      });
      strictEqual(ok200.status, 200);
      const body = await ok200.json();
      strictEqual(body.ValidationErrors, null);
      strictEqual(body.Error, "");
      strictEqual(body.DriverConfigValidated, true);

      const negative = await fetch(`${agent.address}/v1/validate/job`, {
        method: "POST",
        body: JSON.stringify(batchJob("neg", -1)),
      });
      strictEqual(negative.status, 200);
      const problems = await negative.json();
      ok(problems.ValidationErrors[0].includes("count can't be negative"), problems.Error);

      const noJob = await fetch(`${agent.address}/v1/validate/job`, { method: "PUT", body: "{}" });
      strictEqual(noJob.status, 400);
      strictEqual(await noJob.text(), "Job must be specified");

      const parsed = await fetch(`${agent.address}/v1/jobs/parse`, {
        method: "PUT",
        body: JSON.stringify({
          JobHCL:
            'variable "n" {\n  default = 1\n}\njob "p" {\n  group "g" {\n    count = var.n\n' +
            '    task "t" {\n      driver = "raw_exec"\n    }\n  }\n}\n',
          Variables: "n = 3\n",
          Canonicalize: true,
        }),
      });
      strictEqual(parsed.status, 200);
      const job = await parsed.json();
      strictEqual(job.TaskGroups[0].Count, 3);
      strictEqual(job.Type, "service", "canonicalized");

      const broken = await fetch(`${agent.address}/v1/jobs/parse`, {
        method: "PUT",
        body: JSON.stringify({ JobHCL: 'job "p" {\n  group "g" {\n' }),
      });
      strictEqual(broken.status, 400);
      ok(/input\.hcl:\d+:\d+/.test(await broken.text()));

      const list = await getJson<JobListStub[]>(agent.address, "/v1/jobs");
      strictEqual(list.body.length, 0, "validate and parse store nothing");
    } finally {
      await agent.stop();
    }
  },
});
