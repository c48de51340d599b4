/**
 * A server-only agent answers `/v1/client/*` for allocations running on a
 * client-only agent by proxying to that node's HTTP address: logs, fs and exec
 * against the server's address work.
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert";
import type { AllocationListStub } from "../../src/structs/mod.ts";
import {
  freePort,
  getJson,
  killExecutors,
  nomad,
  startAgent,
  type TestAgent,
  waitFor,
  writeJobFile,
} from "./harness.ts";

const e2e = { sanitizeOps: false, sanitizeResources: false };

const JOB = `
job "fwd" {
  datacenters = ["dc1"]
  group "g" {
    task "web" {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args = ["-c", "echo forwarded-hello; echo cfg > local/app.conf; while true; do sleep 1; done"]
      }
    }
  }
}
`;

Deno.test({
  name:
    "alloc logs, fs and exec against a server-only agent reach the client running the allocation",
  ...e2e,
  async fn() {
    const serverPorts = { http: freePort(), rpc: freePort(), serf: freePort() };
    const server = await startAgent({ dev: false, role: "server", ports: serverPorts });
    let client: TestAgent | null = null;
    const dir = await Deno.makeTempDir();
    try {
      client = await startAgent({
        dev: false,
        role: "client",
        servers: [`127.0.0.1:${serverPorts.rpc}`],
      });
      const run = await nomad(server.address, [
        "job",
        "run",
        "-detach",
        await writeJobFile(dir, "fwd.hcl", JOB),
      ]);
      strictEqual(run.code, 0, run.stderr);
      const alloc = await waitFor("running", async () => {
        const { body } = await getJson<AllocationListStub[]>(
          server.address,
          "/v1/job/fwd/allocations",
        );
        return body?.find((a) => a.ClientStatus === "running");
      }, 60_000);
      const logs = await waitFor("logs through the server", async () => {
        const result = await nomad(server.address, ["alloc", "logs", alloc.ID]);
        return result.stdout.includes("forwarded-hello") ? result : undefined;
      });
      strictEqual(logs.stdout, "forwarded-hello\n");
      const cat = await waitFor("file through the server", async () => {
        const result = await nomad(server.address, ["alloc", "fs", alloc.ID, "web/local/app.conf"]);
        return result.code === 0 ? result : undefined;
      });
      strictEqual(cat.stdout, "cfg\n");
      const ls = await nomad(server.address, ["alloc", "fs", alloc.ID, "web"]);
      strictEqual(ls.code, 0, ls.stderr);
      ok(ls.stdout.includes("local/"), ls.stdout);
      const exec = await nomad(server.address, ["alloc", "exec", "-t=false", alloc.ID, "/bin/sh"], {
        stdin: "echo via-server; exit 4\n",
      });
      deepStrictEqual([exec.code, exec.stdout], [4, "via-server\n"]);
      // The client agent also answers for its own allocation directly.
      const direct = await nomad(client.address, ["alloc", "fs", alloc.ID, "web/local/app.conf"]);
      strictEqual(direct.stdout, "cfg\n");
      // Unknown allocations are still Nomad's 404 on the server.
      const unknown = await fetch(`${server.address}/v1/client/fs/ls/no-such-alloc`);
      strictEqual(unknown.status, 404);
      await unknown.body?.cancel();
      // A forwarded request is never forwarded again.
      const marked = await fetch(`${server.address}/v1/client/fs/ls/${alloc.ID}`, {
        headers: { "X-Nomad-Client-Forwarded": "1" },
      });
      strictEqual(marked.status, 404);
      await marked.body?.cancel();
    } finally {
      await client?.stop();
      await server.stop();
      if (client !== null) killExecutors(client.dataDir);
      await Deno.remove(dir, { recursive: true });
    }
  },
});
