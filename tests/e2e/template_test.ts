/**
 * Templates end to end: a -dev agent renders a task's template from a Nomad
 * variable written with the CLI, and restarts the task with the re-rendered
 * file when the variable changes.
 */

import { ok, strictEqual } from "node:assert";
import type { Allocation, AllocationListStub } from "../../src/structs/mod.ts";
import { getJson, nomad, startAgent, waitFor, writeJobFile } from "./harness.ts";

const e2e = { sanitizeOps: false, sanitizeResources: false };

const JOB = `
job "tpl" {
  group "web" {
    task "app" {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args    = ["-c", "echo task-start; while true; do cat local/app.conf; echo \\"env=$GREETING\\"; sleep 1; done"]
      }
      template {
        destination = "local/app.conf"
        splay       = "100ms"
        data        = <<EOT
greeting={{ with nomadVar "nomad/jobs/tpl/web/app" }}{{ .greeting }}{{ end }}
alloc={{ env "NOMAD_ALLOC_ID" }}
{{ range $k, $v := nomadVar "nomad/jobs/tpl/web/app" }}item {{ $k }}={{ $v }}
{{ end }}
EOT
      }
      template {
        destination = "local/app.env"
        env         = true
        data        = "GREETING={{ with nomadVar \\"nomad/jobs/tpl/web/app\\" }}{{ .greeting }}{{ end }}"
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
  name: "a template renders a variable and env into the task, and a changed variable restarts it",
  ...e2e,
  async fn() {
    const agent = await startAgent();
    try {
      const put = await nomad(agent.address, [
        "var",
        "put",
        "nomad/jobs/tpl/web/app",
        "greeting=hello",
      ]);
      strictEqual(put.code, 0, put.stderr + put.stdout);
      const path = await writeJobFile(agent.dataDir, "tpl.nomad.hcl", JOB);
      const run = await nomad(agent.address, ["job", "run", "-detach", path]);
      strictEqual(run.code, 0, run.stderr + run.stdout);
      const stub = await waitFor("the allocation to run", async () => {
        const { body } = await getJson<AllocationListStub[]>(
          agent.address,
          "/v1/job/tpl/allocations",
        );
        return body.find((a) => a.ClientStatus === "running");
      }, 60_000);
      const logs = async () =>
        (await nomad(agent.address, ["alloc", "logs", stub.ID, "app"])).stdout;
      const first = await waitFor("the rendered file in the logs", async () => {
        const out = await logs();
        return out.includes("env=hello") ? out : undefined;
      }, 60_000);
      ok(first.startsWith("task-start\n"), first);
      ok(first.includes("greeting=hello\n"), first);
      ok(first.includes(`alloc=${stub.ID}\n`), first);
      ok(first.includes("item greeting=hello\n"), first);

      const change = await nomad(agent.address, [
        "var",
        "put",
        "-force",
        "nomad/jobs/tpl/web/app",
        "greeting=bye",
      ]);
      strictEqual(change.code, 0, change.stderr + change.stdout);
      const after = await waitFor("the re-rendered file after a restart", async () => {
        const out = await logs();
        return out.includes("env=bye") ? out : undefined;
      }, 60_000);
      const restarted = after.slice(after.lastIndexOf("task-start\n"));
      ok(after.split("task-start\n").length === 3, after);
      ok(restarted.includes("greeting=bye\n"), restarted);
      ok(restarted.includes("item greeting=bye\n"), restarted);

      const { body: alloc } = await getJson<Allocation>(agent.address, `/v1/allocation/${stub.ID}`);
      const events = alloc.TaskStates!.app!.Events!;
      const signaled = events.find((e) => e.Type === "Restart Signaled");
      strictEqual(signaled?.DisplayMessage, "Template with change_mode restart re-rendered");
      strictEqual(alloc.TaskStates!.app!.Restarts, 1);
      const stop = await nomad(agent.address, ["job", "stop", "-purge", "-detach", "tpl"]);
      strictEqual(stop.code, 0, stop.stderr);
    } finally {
      await agent.stop();
    }
  },
});
