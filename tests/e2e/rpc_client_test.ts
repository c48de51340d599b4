/**
 * A server-only agent and a client-only agent as separate processes: the
 * client registers, heartbeats, receives allocations and reports their status
 * over RPC (port 4647); the client agent's HTTP API forwards what it cannot
 * answer itself to the server; a restarted server is found again.
 */

import { ok, strictEqual } from "node:assert";
import type { AllocationListStub, NodeListStub } from "../../src/structs/mod.ts";
import {
  fixture,
  freePort,
  getJson,
  killExecutors,
  nomad,
  startAgent,
  type TestAgent,
  waitFor,
} from "./harness.ts";

const e2e = { sanitizeOps: false, sanitizeResources: false };

async function completeAlloc(address: string, job: string): Promise<AllocationListStub> {
  return await waitFor(`${job} complete`, async () => {
    const { body } = await getJson<AllocationListStub[]>(address, `/v1/job/${job}/allocations`);
    return body.find((a) => a.ClientStatus === "complete");
  }, 60_000);
}

Deno.test({
  name: "a client-only agent runs jobs from a server-only agent over RPC",
  ...e2e,
  async fn() {
    const serverPorts = { http: freePort(), rpc: freePort(), serf: freePort() };
    let server: TestAgent = await startAgent({ dev: false, role: "server", ports: serverPorts });
    const serverDir = server.dataDir;
    let client: TestAgent | null = null;
    try {
      client = await startAgent({
        dev: false,
        role: "client",
        servers: [`127.0.0.1:${serverPorts.rpc}`],
      });
      // The server sees the client's node, registered over RPC.
      const nodes = (await getJson<NodeListStub[]>(server.address, "/v1/nodes")).body;
      strictEqual(nodes.length, 1);
      strictEqual(nodes[0]!.Status, "ready");
      strictEqual(nodes[0]!.Drivers.raw_exec?.Healthy, true);

      // Submitted through the client agent's HTTP API (forwarded to the server).
      const run = await nomad(client.address, [
        "job",
        "run",
        fixture("jobspecs/batch_echo.nomad.hcl"),
      ]);
      strictEqual(run.code, 0, run.stderr + run.stdout);
      const alloc = await completeAlloc(server.address, "batch-echo");
      strictEqual(alloc.NodeID, nodes[0]!.ID);
      // Logs come from the client agent, which runs the allocation.
      const logs = await nomad(client.address, ["alloc", "logs", alloc.ID]);
      strictEqual(logs.code, 0, logs.stderr);
      strictEqual(logs.stdout, "hello from batch-echo\n");

      // Bad input through the forward gets the server's plain-text error and status.
      const bad = await fetch(`${client.address}/v1/jobs`, { method: "PUT", body: "{not json" });
      strictEqual(bad.status, 400);
      ok((await bad.text()).startsWith("Failed to decode request body"));
      const missing = await fetch(`${client.address}/v1/job/nope`);
      strictEqual(missing.status, 404);
      strictEqual(await missing.text(), "job not found");
      strictEqual((await getJson<unknown>(client.address, "/v1/agent/self")).status, 200);

      // The server crashes and comes back on the same data dir and ports.
      await server.kill();
      server = await startAgent({
        dev: false,
        role: "server",
        ports: serverPorts,
        dataDir: serverDir,
      });
      // Through the client agent again: a changed job places a new allocation on the client.
      const job = await (await fetch(`${client.address}/v1/job/batch-echo`)).json();
      job.Meta = { run: "2" };
      const res = await fetch(`${client.address}/v1/jobs`, {
        method: "PUT",
        body: JSON.stringify({ Job: job }),
      });
      strictEqual(res.status, 200, await res.text());
      await waitFor("a second complete allocation", async () => {
        const { body } = await getJson<AllocationListStub[]>(
          server.address,
          "/v1/job/batch-echo/allocations",
        );
        return body.filter((a) => a.ClientStatus === "complete").length >= 2 ? true : undefined;
      }, 60_000);
      const node = (await getJson<NodeListStub[]>(server.address, "/v1/nodes")).body[0]!;
      strictEqual(node.Status, "ready");
    } finally {
      await client?.stop();
      await server.stop();
      if (client !== null) killExecutors(client.dataDir);
      killExecutors(serverDir);
    }
  },
});

Deno.test({
  name: "a client-only agent without servers refuses to start with a clear error",
  ...e2e,
  async fn() {
    const failed = await startAgent({ dev: false, role: "client" }).then(
      () => "started",
      (err: Error) => err.message,
    );
    ok(failed.includes("client has no servers"), failed);
  },
});
