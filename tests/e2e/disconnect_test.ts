/**
 * Disconnected clients end to end: one real agent (server, HTTP API, its own
 * client) plus one extra in-process client whose link to the server the test
 * partitions and heals (`ExtraClient.partition()` / `heal()`), while that
 * client keeps running its tasks.
 */

import { ok, strictEqual } from "node:assert";
import type { Agent } from "../../src/agent/agent.ts";
import type { Allocation, Evaluation, Node } from "../../src/structs/mod.ts";
import { startCluster, stopCluster } from "./cluster.ts";
import { getJson, waitFor } from "./harness.ts";

const e2e = { sanitizeOps: false, sanitizeResources: false };

// 3 s: long enough that a busy CI machine does not make a healthy node miss one.
const start = () => startCluster("nomad-e2e-disconnect-", "3s");

function disconnectJob(id: string, disconnect: Record<string, unknown>) {
  return {
    Job: {
      ID: id,
      Type: "service",
      Datacenters: ["dc1"],
      TaskGroups: [{
        Name: "g",
        Count: 1,
        Disconnect: disconnect,
        // Replacements of disconnected allocations wait for the reschedule delay
        // (Nomad's NextRescheduleTimeByTime from the disconnect); keep it short.
        ReschedulePolicy: { Delay: 1e9, DelayFunction: "constant", Unlimited: true },
        Tasks: [{
          Name: "t",
          Driver: "raw_exec",
          Config: { command: "/bin/sleep", args: ["300"] },
          Resources: { CPU: 20, MemoryMB: 16 },
        }],
      }],
    },
  };
}

async function put(address: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${address}${path}`, { method: "PUT", body: JSON.stringify(body) });
  await res.body?.cancel();
  strictEqual(res.status, 200, `PUT ${path}`);
}

async function jobAllocs(address: string, id: string): Promise<Allocation[]> {
  return (await getJson<Allocation[]>(address, `/v1/job/${id}/allocations`)).body;
}

function nodeStatus(address: string, nodeID: string, status: string): Promise<Node> {
  return waitFor(`node ${nodeID} ${status}`, async () => {
    const node = (await getJson<Node>(address, `/v1/node/${nodeID}`)).body;
    return node.Status === status ? node : undefined;
  }, 60_000);
}

/** Places the job's one allocation on the extra client's node and waits until it runs. */
async function placeOnExtra(
  cluster: { agent: Agent; address: string },
  id: string,
  disconnect: Record<string, unknown>,
): Promise<Allocation> {
  const { agent, address } = cluster;
  const a = agent.client!.node.ID;
  const b = agent.extraClients[0]!.client.node.ID;
  await put(address, `/v1/node/${a}/eligibility`, { Eligibility: "ineligible" });
  await put(address, "/v1/jobs", disconnectJob(id, disconnect));
  const original = await waitFor(`${id} running on B`, async () => {
    const running = (await jobAllocs(address, id)).filter((x) => x.ClientStatus === "running");
    return running.length === 1 && running[0]!.NodeID === b ? running[0] : undefined;
  }, 60_000);
  await put(address, `/v1/node/${a}/eligibility`, { Eligibility: "eligible" });
  return original;
}

Deno.test({
  name:
    "a partitioned client's node is disconnected, its allocation unknown and replaced; on heal one of the pair is stopped",
  ...e2e,
  async fn() {
    const cluster = await start();
    const { agent, address } = cluster;
    try {
      const a = agent.client!.node.ID;
      const extra = agent.extraClients[0]!;
      const b = extra.client.node.ID;
      const original = await placeOnExtra(cluster, "dc", { LostAfter: 3600e9, Replace: true });

      extra.partition();
      await nodeStatus(address, b, "disconnected");
      const replacement = await waitFor(
        "original unknown and a replacement running on A",
        async () => {
          const allocs = await jobAllocs(address, "dc");
          const old = allocs.find((x) => x.ID === original.ID);
          const next = allocs.find((x) =>
            x.ID !== original.ID && x.NodeID === a && x.ClientStatus === "running"
          );
          return old?.ClientStatus === "unknown" && next !== undefined ? next : undefined;
        },
        60_000,
      );
      const full = (await getJson<Allocation>(address, `/v1/allocation/${replacement.ID}`)).body;
      strictEqual(full.PreviousAllocation, original.ID);
      // The partitioned client still runs its task.
      const states = extra.client.allocRunner(original.ID)?.taskStates() ?? {};
      strictEqual(states["t"]?.State, "running");

      extra.heal();
      await nodeStatus(address, b, "ready");
      const settled = await waitFor("exactly one running allocation after reconnect", async () => {
        const allocs = await jobAllocs(address, "dc");
        const old = allocs.find((x) => x.ID === original.ID);
        const running = allocs.filter((x) => x.DesiredStatus === "run" && !terminal(x));
        // The original reported running again (reconnected) and one of the pair stopped.
        const reconnected = old !== undefined && old.ClientStatus !== "unknown";
        return reconnected && running.length === 1 ? { allocs, running } : undefined;
      }, 60_000).catch(async (err) => {
        await dumpJob(address, "dc");
        throw err;
      });
      const winner = settled.running[0]!;
      ok([original.ID, replacement.ID].includes(winner.ID), winner.ID);
      const loser = settled.allocs.find((x) =>
        [original.ID, replacement.ID].includes(x.ID) && x.ID !== winner.ID
      )!;
      strictEqual(loser.DesiredStatus, "stop");
      // The winner keeps running: no further placement follows the reconnect.
      await waitFor("the loser stops on its client", async () => {
        const alloc = (await getJson<Allocation>(address, `/v1/allocation/${loser.ID}`)).body;
        return alloc.ClientStatus === "complete" ? true : undefined;
      }, 60_000);
      const final = await jobAllocs(address, "dc");
      strictEqual(final.filter((x) => x.DesiredStatus === "run").length, 1);
      strictEqual(final.length, 2);
    } finally {
      await stopCluster(cluster);
    }
  },
});

/** Prints the job's allocations and evaluations, to diagnose a failed wait. */
async function dumpJob(address: string, id: string): Promise<void> {
  for (const a of await jobAllocs(address, id)) {
    console.log("alloc", a.ID, a.NodeID, a.DesiredStatus, a.ClientStatus, a.CreateIndex);
  }
  const evals = (await getJson<Evaluation[]>(address, `/v1/job/${id}/evaluations`)).body;
  for (const e of evals) console.log("eval", e.ID, e.TriggeredBy, e.Status, e.CreateIndex);
}

function terminal(alloc: Allocation): boolean {
  return ["complete", "failed", "lost"].includes(alloc.ClientStatus);
}

Deno.test({
  name: "a client cut off from the servers past stop_on_client_after stops the allocation itself",
  ...e2e,
  async fn() {
    const cluster = await start();
    const { agent, address } = cluster;
    try {
      const extra = agent.extraClients[0]!;
      const b = extra.client.node.ID;
      const original = await placeOnExtra(cluster, "soca", { StopOnClientAfter: 2e9 });
      const runner = extra.client.allocRunner(original.ID)!;
      strictEqual(runner.taskStates()["t"]?.State, "running");

      extra.partition();
      // The client stops the task on its own while it still cannot reach the servers.
      await waitFor("the partitioned client stops its task", () => {
        const state = runner.taskStates()["t"];
        return Promise.resolve(state?.State === "dead" ? state : undefined);
      }, 60_000);
      strictEqual(runner.taskStates()["t"]?.Failed, false);
      await nodeStatus(address, b, "down");

      extra.heal();
      await nodeStatus(address, b, "ready");
      await waitFor("the stopped allocation reported terminal", async () => {
        const alloc = (await getJson<Allocation>(address, `/v1/allocation/${original.ID}`)).body;
        return alloc.DesiredStatus === "stop" && terminal(alloc) ? alloc : undefined;
      }, 60_000);
      await waitFor("one running allocation", async () => {
        const running = (await jobAllocs(address, "soca")).filter((x) =>
          x.DesiredStatus === "run" && x.ClientStatus === "running"
        );
        return running.length === 1 && running[0]!.ID !== original.ID ? true : undefined;
      }, 60_000);
    } finally {
      await stopCluster(cluster);
    }
  },
});
