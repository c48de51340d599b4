/** `GET /v1/client/stats` and `GET /v1/client/allocation/:id/stats` on a real agent. */

import { ok, strictEqual } from "node:assert";
import type { AllocationListStub } from "../../src/structs/mod.ts";
import { getJson, startAgent, waitFor } from "./harness.ts";

Deno.test({
  name: "client stats report host memory and CPUs, and a running task's memory",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const agent = await startAgent();
    try {
      const host = await getJson<{
        Memory: { Total: number; Used: number };
        CPU: { CPU: string; Total: number }[];
        Uptime: number;
        AllocDirStats: { Size: number } | null;
      }>(agent.address, "/v1/client/stats");
      strictEqual(host.status, 200);
      ok(host.body.Memory.Total > host.body.Memory.Used && host.body.Memory.Used > 0);
      strictEqual(host.body.CPU.length, navigator.hardwareConcurrency);
      ok(host.body.Uptime > 0);
      ok((host.body.AllocDirStats?.Size ?? 0) > 0);

      const job = {
        Job: {
          ID: "stats",
          Datacenters: ["dc1"],
          TaskGroups: [{
            Name: "g",
            Tasks: [{
              Name: "t",
              Driver: "raw_exec",
              Config: { command: "/bin/sleep", args: ["300"] },
              Resources: { CPU: 20, MemoryMB: 16 },
            }],
          }],
        },
      };
      const res = await fetch(`${agent.address}/v1/jobs`, {
        method: "PUT",
        body: JSON.stringify(job),
      });
      await res.body?.cancel();
      const alloc = await waitFor("running", async () => {
        const { body } = await getJson<AllocationListStub[]>(
          agent.address,
          "/v1/job/stats/allocations",
        );
        return body.find((a) => a.ClientStatus === "running");
      });
      const stats = await waitFor("task stats", async () => {
        const r = await getJson<{
          ResourceUsage: { MemoryStats: { RSS: number } };
          Tasks: Record<string, { ResourceUsage: { MemoryStats: { RSS: number } } }>;
        }>(agent.address, `/v1/client/allocation/${alloc.ID}/stats`);
        return r.status === 200 && r.body.Tasks["t"] !== undefined ? r.body : undefined;
      });
      ok(stats.Tasks["t"]!.ResourceUsage.MemoryStats.RSS > 0);
      strictEqual(
        stats.ResourceUsage.MemoryStats.RSS,
        stats.Tasks["t"]!.ResourceUsage.MemoryStats.RSS,
      );

      const missing = await fetch(`${agent.address}/v1/client/allocation/nope/stats`);
      strictEqual(missing.status, 404);
      strictEqual(await missing.text(), 'Unknown allocation "nope"');
    } finally {
      await agent.stop();
    }
  },
});
