/** Native service discovery against a real agent: registration, checks, deregistration, check_restart. */

import { deepStrictEqual, ok, strictEqual } from "node:assert";
import type { AllocationListStub, ServiceRegistration, TaskState } from "../../src/structs/mod.ts";
import { getJson, nomad, startAgent, waitFor, writeJobFile } from "./harness.ts";

const WEB_JOB = `
job "web" {
  group "g" {
    network {
      port "http" {}
    }
    service {
      name     = "web-group"
      provider = "nomad"
      port     = "http"
      tags     = ["group"]
    }
    task "server" {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args    = ["-c", "exec python3 -m http.server --bind 127.0.0.1 $NOMAD_PORT_http"]
      }
      service {
        name     = "web-\${NOMAD_JOB_NAME}"
        provider = "nomad"
        port     = "http"
        tags     = ["b", "a"]
        check {
          type     = "http"
          path     = "/"
          interval = "1s"
          timeout  = "2s"
        }
      }
    }
  }
}
`;

const FLAKY_JOB = `
job "flaky" {
  group "g" {
    network {
      port "db" {}
    }
    restart {
      attempts = 5
      interval = "5m"
      delay    = "1s"
      mode     = "delay"
    }
    task "idle" {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args    = ["-c", "sleep 300"]
      }
      service {
        name     = "flaky-db"
        provider = "nomad"
        port     = "db"
        check {
          name     = "db-alive"
          type     = "tcp"
          interval = "1s"
          timeout  = "1s"
          check_restart {
            limit = 2
            grace = "1s"
          }
        }
      }
    }
  }
}
`;

async function runningAlloc(address: string, job: string): Promise<AllocationListStub | undefined> {
  const { body } = await getJson<AllocationListStub[]>(address, `/v1/job/${job}/allocations`);
  return body.find((a) => a.ClientStatus === "running");
}

Deno.test({
  name: "a running task's services are registered with a passing http check and removed on stop",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const agent = await startAgent();
    try {
      const path = await writeJobFile(agent.dataDir, "web.hcl", WEB_JOB);
      const run = await nomad(agent.address, ["job", "run", "-detach", path]);
      strictEqual(run.code, 0, run.stderr);
      const alloc = await waitFor("running web", () => runningAlloc(agent.address, "web"), 30_000);
      const instances = await waitFor("registered web-web", async () => {
        const { body } = await getJson<ServiceRegistration[]>(agent.address, "/v1/service/web-web");
        return body.length === 1 ? body : undefined;
      }, 30_000);
      const instance = instances[0]!;
      deepStrictEqual(
        [instance.AllocID, instance.JobID, instance.Namespace, instance.Address, instance.Tags],
        [alloc.ID, "web", "default", "127.0.0.1", ["b", "a"]],
      );
      strictEqual(instance.ID, `_nomad-task-${alloc.ID}-server-web-web-http`);
      ok(instance.Port > 0);
      await waitFor("group service", async () => {
        const { body } = await getJson<ServiceRegistration[]>(
          agent.address,
          "/v1/service/web-group",
        );
        return body.length === 1 ? body : undefined;
      });

      const checks = await waitFor("passing check", async () => {
        const { body } = await getJson<Record<string, { Status: string; Output: string }>>(
          agent.address,
          `/v1/client/allocation/${alloc.ID}/checks`,
        );
        const list = Object.values(body);
        return list.length === 1 && list[0]!.Status === "success" ? list : undefined;
      }, 30_000);
      strictEqual(checks[0]!.Output, "nomad: http ok");

      const list = await nomad(agent.address, ["service", "list"]);
      strictEqual(list.code, 0, list.stderr);
      deepStrictEqual(list.stdout.trim().split("\n").map((l) => l.split(/\s+/)), [
        ["Service", "Name", "Tags"],
        ["web-group", "[group]"],
        ["web-web", "[a,b]"],
      ]);
      const info = await nomad(agent.address, ["service", "info", "web-web"]);
      strictEqual(info.code, 0, info.stderr);
      const row = info.stdout.trim().split("\n")[1]!.split(/\s+/);
      deepStrictEqual(row, [
        "web",
        `127.0.0.1:${instance.Port}`,
        "[b,a]",
        instance.NodeID.slice(0, 8),
        alloc.ID.slice(0, 8),
      ]);
      const verbose = await nomad(agent.address, ["service", "info", "-verbose", "web-web"]);
      ok(verbose.stdout.includes(`ID           = ${instance.ID}`), verbose.stdout);

      const stop = await nomad(agent.address, ["job", "stop", "-detach", "web"]);
      strictEqual(stop.code, 0, stop.stderr);
      await waitFor("services removed", async () => {
        const { body } = await getJson<unknown[]>(agent.address, "/v1/services");
        return body.length === 0 ? true : undefined;
      }, 30_000);
      const none = await nomad(agent.address, ["service", "list"]);
      strictEqual(none.stdout, "No service registrations found\n");
      const missing = await nomad(agent.address, ["service", "delete", "web-web", instance.ID]);
      strictEqual(missing.code, 1);
      strictEqual(
        missing.stderr,
        "Error deleting service registration: Unexpected response code: 500 (service registration not found)\n",
      );
    } finally {
      await agent.stop();
    }
  },
});

Deno.test({
  name: "a failing check with check_restart restarts the task",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const agent = await startAgent();
    try {
      const path = await writeJobFile(agent.dataDir, "flaky.hcl", FLAKY_JOB);
      strictEqual((await nomad(agent.address, ["job", "run", "-detach", path])).code, 0);
      const alloc = await waitFor("running flaky", () => runningAlloc(agent.address, "flaky"));
      const state = await waitFor("restart after failed checks", async () => {
        const { body } = await getJson<{ TaskStates: Record<string, TaskState> | null }>(
          agent.address,
          `/v1/allocation/${alloc.ID}`,
        );
        const task = body.TaskStates?.idle;
        return task !== undefined && task.Restarts >= 1 && task.State === "running"
          ? task
          : undefined;
      }, 45_000);
      const signaled = (state.Events ?? []).find((e) => e.Type === "Restart Signaled");
      ok(signaled !== undefined, JSON.stringify(state.Events));
      strictEqual(signaled.RestartReason, 'healthcheck: check "db-alive" unhealthy');
      // The instance stays registered while the task runs again.
      await waitFor("re-registered", async () => {
        const { body } = await getJson<ServiceRegistration[]>(
          agent.address,
          "/v1/service/flaky-db",
        );
        return body.length === 1 ? body : undefined;
      });
    } finally {
      await agent.stop();
    }
  },
});
