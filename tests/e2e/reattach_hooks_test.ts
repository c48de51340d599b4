/**
 * After an agent SIGKILL and restart, a reattached task gets back what lived
 * in the agent's memory: its service checks run again and its template is
 * watched again (a variable change re-renders it and signals the same process).
 */

import { ok, strictEqual } from "node:assert";
import type { AllocationListStub } from "../../src/structs/mod.ts";
import {
  freePort,
  getJson,
  killExecutors,
  processAlive,
  startAgent,
  type TestAgent,
  waitFor,
} from "./harness.ts";

const SCRIPT =
  'echo pid=$$; trap \'echo "msg=$(cat local/msg)"\' HUP; echo "msg=$(cat local/msg)"; ' +
  "while true; do sleep 0.2; done";

function job() {
  return {
    Job: {
      ID: "rt",
      Type: "service",
      Datacenters: ["dc1"],
      TaskGroups: [{
        Name: "g",
        Tasks: [{
          Name: "t",
          Driver: "raw_exec",
          Config: { command: "/bin/sh", args: ["-c", SCRIPT] },
          Resources: { CPU: 10, MemoryMB: 10 },
          Templates: [{
            EmbeddedTmpl: '{{ with nomadVar "nomad/jobs/rt" }}{{ .msg }}{{ end }}',
            DestPath: "local/msg",
            ChangeMode: "signal",
            ChangeSignal: "SIGHUP",
          }],
          Services: [{
            Name: "rt-svc",
            Provider: "nomad",
            Checks: [{
              Name: "alive",
              Type: "script",
              Command: "/bin/true",
              Interval: 500e6,
              Timeout: 2e9,
            }],
          }],
        }],
      }],
    },
  };
}

async function putVar(address: string, msg: string): Promise<void> {
  const res = await fetch(`${address}/v1/var/nomad/jobs/rt`, {
    method: "PUT",
    body: JSON.stringify({ Items: { msg } }),
  });
  strictEqual(res.status, 200, await res.text());
}

async function log(address: string, alloc: string): Promise<string> {
  const res = await fetch(`${address}/v1/client/fs/logs/${alloc}?task=t&type=stdout&plain=true`);
  return res.ok ? await res.text() : "";
}

async function checkResults(address: string, alloc: string): Promise<unknown[]> {
  const res = await fetch(`${address}/v1/client/allocation/${alloc}/checks`);
  if (!res.ok) return [];
  return Object.values(await res.json() as Record<string, unknown>);
}

Deno.test({
  name: "a reattached task's checks run again and its template is watched again",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const ports = { http: freePort(), rpc: freePort(), serf: freePort() };
    const first = await startAgent({ dev: false, ports });
    let second: TestAgent | undefined;
    let pid = 0;
    try {
      await putVar(first.address, "one");
      const res = await fetch(`${first.address}/v1/jobs`, {
        method: "PUT",
        body: JSON.stringify(job()),
      });
      strictEqual(res.status, 200, await res.text());
      const alloc = await waitFor("task running with its template", async () => {
        const { body } = await getJson<AllocationListStub[]>(
          first.address,
          "/v1/job/rt/allocations",
        );
        const a = body.find((x) => x.ClientStatus === "running");
        return a !== undefined && (await log(first.address, a.ID)).includes("msg=one")
          ? a
          : undefined;
      }, 60_000);
      await waitFor(
        "check results",
        async () => (await checkResults(first.address, alloc.ID)).length > 0 ? true : undefined,
        30_000,
      );
      pid = Number(/pid=(\d+)/.exec(await log(first.address, alloc.ID))![1]);

      await first.kill();
      second = await startAgent({ dev: false, ports, dataDir: first.dataDir });
      // The new agent's checks run for the reattached task.
      await waitFor(
        "check results after the restart",
        async () => (await checkResults(second!.address, alloc.ID)).length > 0 ? true : undefined,
        30_000,
      );
      const services = await getJson<{ AllocID: string }[]>(second.address, "/v1/service/rt-svc");
      strictEqual(services.body.length, 1);
      strictEqual(services.body[0]!.AllocID, alloc.ID);

      // The template is watched again: a change re-renders it and signals the same process.
      await putVar(second.address, "two");
      await waitFor(
        "the re-rendered message",
        async () => (await log(second!.address, alloc.ID)).includes("msg=two") ? true : undefined,
        30_000,
      );
      const text = await log(second.address, alloc.ID);
      strictEqual(text.match(/pid=/g)!.length, 1, "the task was not restarted");
      ok(processAlive(pid));
    } finally {
      await fetch(`${(second ?? first).address}/v1/job/rt`, { method: "DELETE" })
        .then((r) => r.body?.cancel()).catch(() => {});
      await waitFor(
        "task stopped",
        () => Promise.resolve(pid > 0 && processAlive(pid) ? undefined : true),
        30_000,
      )
        .catch(() => pid > 0 && Deno.kill(pid, "SIGKILL"));
      await second?.stop();
      await first.kill();
      killExecutors(first.dataDir);
      await Deno.remove(first.dataDir, { recursive: true }).catch(() => {});
    }
  },
});
