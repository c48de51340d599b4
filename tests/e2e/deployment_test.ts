/**
 * Deployments end to end on a real `agent -dev`: a rolling update with
 * max_parallel = 1, a canary promoted by `nomad deployment promote`, and an
 * update that fails health and auto-reverts to the stable version.
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert";
import type { AllocationListStub, Deployment, Job } from "../../src/structs/mod.ts";
import { getJson, nomad, startAgent, type TestAgent, waitFor, writeJobFile } from "./harness.ts";

const e2e = { sanitizeOps: false, sanitizeResources: false };
/** Rollouts take a few min_healthy_time periods; generous so slow machines pass. */
const ROLLOUT_TIMEOUT_MS = 90_000;

function jobSpec(options: { version: string; update: string; command?: string }): string {
  const command = options.command ??
    `config {\n        command = "/bin/sh"\n        args    = ["-c", "echo ${options.version}; sleep 600"]\n      }`;
  return `
job "web" {
  datacenters = ["dc1"]
  type        = "service"
  group "app" {
    count = 3
    update {
      ${options.update}
    }
    restart {
      attempts = 0
      mode     = "fail"
    }
    task "app" {
      driver = "raw_exec"
      ${command}
      env {
        VERSION = "${options.version}"
      }
      resources {
        cpu    = 50
        memory = 32
      }
    }
  }
}
`;
}

async function latestDeployment(agent: TestAgent): Promise<Deployment | null> {
  return (await getJson<Deployment | null>(agent.address, "/v1/job/web/deployment")).body;
}

async function waitForDeployment(
  agent: TestAgent,
  what: string,
  check: (d: Deployment) => boolean,
): Promise<Deployment> {
  return await waitFor(what, async () => {
    const d = await latestDeployment(agent);
    return d !== null && check(d) ? d : undefined;
  }, ROLLOUT_TIMEOUT_MS);
}

async function runningAllocs(agent: TestAgent): Promise<AllocationListStub[]> {
  const allocs = await getJson<AllocationListStub[]>(agent.address, "/v1/job/web/allocations");
  return allocs.body.filter((a) => a.DesiredStatus === "run" && a.ClientStatus === "running");
}

async function run(agent: TestAgent, dir: string, name: string, spec: string, detach = true) {
  const path = await writeJobFile(dir, name, spec);
  const args = detach ? ["job", "run", "-detach", path] : ["job", "run", path];
  return await nomad(agent.address, args);
}

Deno.test({
  name: "a rolling update with max_parallel = 1 replaces all allocations and succeeds",
  ...e2e,
  async fn() {
    const agent = await startAgent();
    const dir = await Deno.makeTempDir();
    try {
      const update =
        `max_parallel = 1\n      min_healthy_time = "1s"\n      healthy_deadline = "30s"`;
      const first = await run(agent, dir, "v0.hcl", jobSpec({ version: "v0", update }), false);
      strictEqual(first.code, 0, first.stdout + first.stderr);
      ok(first.stdout.includes("Monitoring deployment"), first.stdout);
      ok(first.stdout.includes("Deployment completed successfully"), first.stdout);
      const v1 = await run(agent, dir, "v1.hcl", jobSpec({ version: "v1", update }));
      strictEqual(v1.code, 0, v1.stderr);
      const done = await waitForDeployment(
        agent,
        "version 1 deployment to succeed",
        (d) => d.JobVersion === 1 && d.Status === "successful",
      );
      strictEqual(done.TaskGroups["app"]?.HealthyAllocs, 3);
      strictEqual(done.TaskGroups["app"]?.DesiredTotal, 3);
      const allocs = await runningAllocs(agent);
      deepStrictEqual(allocs.map((a) => a.JobVersion), [1, 1, 1]);
      const status = await nomad(agent.address, ["deployment", "status", done.ID]);
      strictEqual(status.code, 0, status.stderr);
      ok(/Status\s+= successful/.test(status.stdout), status.stdout);
      ok(status.stdout.includes("Deployment completed successfully"), status.stdout);
      const list = await nomad(agent.address, ["deployment", "list"]);
      ok(list.stdout.startsWith("ID"), list.stdout);
      strictEqual(list.stdout.trim().split("\n").length, 3, list.stdout);
      const job = await getJson<Job>(agent.address, "/v1/job/web");
      strictEqual(job.body.Stable, true);
      const jobStatus = await nomad(agent.address, ["job", "status", "web"]);
      ok(jobStatus.stdout.includes("Latest Deployment"), jobStatus.stdout);
    } finally {
      await agent.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a canary waits for nomad deployment promote, then the rollout completes",
  ...e2e,
  async fn() {
    const agent = await startAgent();
    const dir = await Deno.makeTempDir();
    try {
      const update =
        `max_parallel = 3\n      canary = 1\n      min_healthy_time = "1s"\n      healthy_deadline = "30s"`;
      await run(agent, dir, "v0.hcl", jobSpec({ version: "v0", update }));
      await waitForDeployment(agent, "first deployment", (d) => d.Status === "successful");
      await run(agent, dir, "v1.hcl", jobSpec({ version: "v1", update }));
      const waiting = await waitForDeployment(
        agent,
        "a healthy canary",
        (d) => d.JobVersion === 1 && d.TaskGroups["app"]?.HealthyAllocs === 1,
      );
      strictEqual(waiting.Status, "running");
      strictEqual(waiting.StatusDescription, "Deployment is running but requires manual promotion");
      strictEqual(waiting.TaskGroups["app"]?.PlacedCanaries?.length, 1);
      // Four allocations run: three old ones and the canary.
      const before = await runningAllocs(agent);
      deepStrictEqual(before.map((a) => a.JobVersion).sort(), [0, 0, 0, 1]);
      const promote = await nomad(agent.address, ["deployment", "promote", waiting.ID]);
      strictEqual(promote.code, 0, promote.stdout + promote.stderr);
      const done = await waitForDeployment(
        agent,
        "the promoted deployment to succeed",
        (d) => d.ID === waiting.ID && d.Status === "successful",
      );
      strictEqual(done.TaskGroups["app"]?.Promoted, true);
      await waitFor("three allocations of version 1", async () => {
        const allocs = await runningAllocs(agent);
        return allocs.length === 3 && allocs.every((a) => a.JobVersion === 1) ? true : undefined;
      }, ROLLOUT_TIMEOUT_MS);
      const again = await nomad(agent.address, ["deployment", "promote", waiting.ID]);
      strictEqual(again.code, 1);
      ok(again.stderr.includes("can't promote terminal deployment"), again.stderr);
    } finally {
      await agent.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "an update that fails health with auto_revert fails and reverts to the stable version",
  ...e2e,
  async fn() {
    const agent = await startAgent();
    const dir = await Deno.makeTempDir();
    try {
      const update =
        `max_parallel = 1\n      min_healthy_time = "1s"\n      healthy_deadline = "5s"\n` +
        `      progress_deadline = "0s"\n      auto_revert = true`;
      await run(agent, dir, "v0.hcl", jobSpec({ version: "v0", update }));
      await waitForDeployment(agent, "first deployment", (d) => d.Status === "successful");
      const stable = (await getJson<Job>(agent.address, "/v1/job/web")).body;
      strictEqual(stable.Stable, true);
      const broken = jobSpec({
        version: "v1",
        update,
        command:
          `config {\n        command = "/bin/sh"\n        args    = ["-c", "exit 1"]\n      }`,
      });
      await run(agent, dir, "v1.hcl", broken);
      // The rollback's deployment soon becomes the latest, so search them all.
      const failed = await waitFor("version 1 deployment to fail", async () => {
        const all = await getJson<Deployment[]>(agent.address, "/v1/job/web/deployments");
        return all.body.find((d) => d.JobVersion === 1 && d.Status === "failed");
      }, ROLLOUT_TIMEOUT_MS);
      strictEqual(
        failed.StatusDescription,
        "Failed due to unhealthy allocations - rolling back to job version 0",
      );
      const reverted = await waitFor("job version 2", async () => {
        const job = (await getJson<Job>(agent.address, "/v1/job/web")).body;
        return job.Version === 2 ? job : undefined;
      }, ROLLOUT_TIMEOUT_MS);
      deepStrictEqual(reverted.TaskGroups, stable.TaskGroups);
      await waitForDeployment(
        agent,
        "the rollback deployment to succeed",
        (d) => d.JobVersion === 2 && d.Status === "successful",
      );
      await waitFor("three allocations of the reverted spec", async () => {
        const allocs = await runningAllocs(agent);
        return allocs.length === 3 && allocs.every((a) => a.JobVersion === 2) ? true : undefined;
      }, ROLLOUT_TIMEOUT_MS);
    } finally {
      await agent.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "deployment commands and endpoints reject unknown deployments and bad bodies",
  ...e2e,
  async fn() {
    const agent = await startAgent();
    try {
      const missing = await fetch(`${agent.address}/v1/deployment/nope-nope`);
      strictEqual(missing.status, 404);
      strictEqual(await missing.text(), "deployment not found");
      const fail = await fetch(`${agent.address}/v1/deployment/fail/nope-nope`, { method: "PUT" });
      strictEqual(fail.status, 404);
      strictEqual(await fail.text(), "deployment not found");
      const mismatch = await fetch(`${agent.address}/v1/deployment/promote/abc`, {
        method: "PUT",
        body: JSON.stringify({ DeploymentID: "xyz", All: true }),
      });
      strictEqual(mismatch.status, 400);
      strictEqual(await mismatch.text(), "Deployment ID does not match");
      const empty = await fetch(`${agent.address}/v1/deployment/pause/abc`, {
        method: "PUT",
        body: JSON.stringify({ Pause: true }),
      });
      strictEqual(empty.status, 400);
      strictEqual(await empty.text(), "DeploymentID must be specified");
      const list = await getJson<Deployment[]>(agent.address, "/v1/deployments");
      deepStrictEqual(list.body, []);
      const cli = await nomad(agent.address, ["deployment", "status", "abcd"]);
      strictEqual(cli.code, 1);
      ok(cli.stderr.includes('No deployment(s) with prefix or id "abcd" found'), cli.stderr);
      const noArgs = await nomad(agent.address, ["deployment", "promote"]);
      strictEqual(noArgs.code, 1);
      ok(noArgs.stderr.includes("This command takes one argument: <deployment id>"));
      const none = await nomad(agent.address, ["deployment", "list"]);
      strictEqual(none.stdout.trim(), "No deployments found");
    } finally {
      await agent.stop();
    }
  },
});
