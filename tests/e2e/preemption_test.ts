/** Preemption against a real dev agent: a high-priority service job evicts a low-priority one. */

import { ok, strictEqual } from "node:assert";
import { getJson, nomad, startAgent, waitFor, writeJobFile } from "./harness.ts";

const e2e = { sanitizeOps: false, sanitizeResources: false };

function jobText(name: string, options: { priority: number; memoryMB: number }): string {
  return `job "${name}" {
  type     = "service"
  priority = ${options.priority}
  group "g" {
    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/sleep"
        args    = ["300"]
      }
      resources {
        cpu    = 50
        memory = ${options.memoryMB}
      }
    }
  }
}
`;
}

interface NodeStub {
  ID: string;
}
interface NodeDetail {
  NodeResources: { Memory: { MemoryMB: number } };
  ReservedResources: { Memory: { MemoryMB: number } };
}
interface AllocStub {
  ID: string;
  JobID: string;
  DesiredStatus: string;
  ClientStatus: string;
  DesiredDescription: string;
  PreemptedByAllocation: string;
  PreemptedAllocations: string[] | null;
}

async function jobAllocs(address: string, job: string): Promise<AllocStub[]> {
  return (await getJson<AllocStub[]>(address, `/v1/job/${job}/allocations`)).body ?? [];
}

Deno.test({
  name: "a high-priority service job preempts a low-priority allocation once enabled",
  ...e2e,
  async fn() {
    const agent = await startAgent();
    try {
      const node = await waitFor("a ready node", async () => {
        const nodes = (await getJson<NodeStub[]>(agent.address, "/v1/nodes")).body ?? [];
        return nodes[0];
      });
      const detail = (await getJson<NodeDetail>(agent.address, `/v1/node/${node.ID}`)).body;
      const availableMB = detail.NodeResources.Memory.MemoryMB -
        detail.ReservedResources.Memory.MemoryMB;
      const lowMB = Math.floor(availableMB * 0.8);
      const highMB = Math.floor(availableMB * 0.4);

      const lowFile = await writeJobFile(
        agent.dataDir,
        "low.hcl",
        jobText("low", { priority: 20, memoryMB: lowMB }),
      );
      const lowRun = await nomad(agent.address, ["job", "run", "-detach", lowFile]);
      strictEqual(lowRun.code, 0, lowRun.stderr);
      const low = await waitFor("the low-priority allocation to run", async () => {
        const allocs = await jobAllocs(agent.address, "low");
        return allocs.find((a) => a.ClientStatus === "running");
      }, 60_000);

      const enable = await nomad(agent.address, [
        "operator",
        "scheduler",
        "set-config",
        "-preempt-service-scheduler=true",
      ]);
      strictEqual(enable.code, 0, enable.stderr);

      const highFile = await writeJobFile(
        agent.dataDir,
        "high.hcl",
        jobText("high", { priority: 80, memoryMB: highMB }),
      );
      const plan = await nomad(agent.address, ["job", "plan", highFile]);
      ok(plan.stdout.includes("Preemptions:"), plan.stdout);
      ok(plan.stdout.includes(low.ID), plan.stdout);

      const highRun = await nomad(agent.address, ["job", "run", "-detach", highFile]);
      strictEqual(highRun.code, 0, highRun.stderr);
      const high = await waitFor("the high-priority allocation to run", async () => {
        const allocs = await jobAllocs(agent.address, "high");
        return allocs.find((a) => a.ClientStatus === "running");
      }, 60_000);
      strictEqual(high.PreemptedAllocations?.[0], low.ID);

      const evicted = await waitFor("the low-priority allocation to be evicted", async () => {
        const allocs = await jobAllocs(agent.address, "low");
        const found = allocs.find((a) => a.ID === low.ID);
        return found?.DesiredStatus === "evict" && found.ClientStatus !== "running"
          ? found
          : undefined;
      }, 60_000);
      strictEqual(evicted.PreemptedByAllocation, high.ID);

      const status = await nomad(agent.address, ["alloc", "status", low.ID]);
      strictEqual(status.code, 0, status.stderr);
      ok(/Desired Status\s+= evict/.test(status.stdout), status.stdout);
      ok(
        status.stdout.includes(`Preempted by alloc ID ${high.ID}`),
        status.stdout,
      );

      // The preempted job was re-evaluated and is waiting for room (blocked).
      await waitFor("a preemption evaluation for the low-priority job", async () => {
        const evals = (await getJson<{ TriggeredBy: string }[]>(
          agent.address,
          "/v1/job/low/evaluations",
        )).body ?? [];
        return evals.find((e) => e.TriggeredBy === "preemption");
      });

      await nomad(agent.address, ["job", "stop", "-purge", "-detach", "high"]);
      await nomad(agent.address, ["job", "stop", "-purge", "-detach", "low"]);
    } finally {
      await agent.stop();
    }
  },
});
