/**
 * Multi-node behaviour: a node drain that migrates allocations to another
 * client, and a client killed so its allocations are lost and replaced.
 *
 * There is no RPC listener yet (clustering issue), so a client-only agent
 * cannot join a server. These tests run one real agent in this process —
 * server, HTTP API and its own client — plus one extra in-process client
 * (`AgentTestOptions.extraClients`): a full Client with its own node ID,
 * data dirs and executor, whose link to the server the test can cut. The CLI
 * runs as real subprocesses against the agent's HTTP address.
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert";
import type { Allocation, Evaluation, Node } from "../../src/structs/mod.ts";
import { startCluster, stopCluster } from "./cluster.ts";
import { getJson, nomad, waitFor } from "./harness.ts";

const e2e = { sanitizeOps: false, sanitizeResources: false };

const start = () => startCluster("nomad-e2e-drain-", "1s");

function serviceJob(id: string, count: number) {
  return {
    Job: {
      ID: id,
      Type: "service",
      Datacenters: ["dc1"],
      TaskGroups: [{
        Name: "g",
        Count: count,
        Migrate: { MaxParallel: 1, MinHealthyTime: 1e9, HealthyDeadline: 60e9 },
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

async function put(address: string, path: string, body: unknown): Promise<Response> {
  const res = await fetch(`${address}${path}`, { method: "PUT", body: JSON.stringify(body) });
  await res.body?.cancel();
  strictEqual(res.status, 200, `PUT ${path}`);
  return res;
}

async function jobAllocs(address: string, id: string): Promise<Allocation[]> {
  return (await getJson<Allocation[]>(address, `/v1/job/${id}/allocations`)).body;
}

/** PreviousAllocation of each allocation (list stubs do not carry it). */
async function previous(address: string, allocs: readonly Allocation[]): Promise<Set<string>> {
  const full = await Promise.all(
    allocs.map(async (x) => (await getJson<Allocation>(address, `/v1/allocation/${x.ID}`)).body),
  );
  return new Set(full.map((x) => x.PreviousAllocation));
}

/** Waits until the job has `count` running allocations, all on `nodeID`. */
function runningOn(address: string, id: string, nodeID: string, count: number) {
  return waitFor(`${count} running allocations of ${id} on ${nodeID}`, async () => {
    const allocs = (await jobAllocs(address, id)).filter((a) =>
      a.DesiredStatus === "run" && a.ClientStatus === "running"
    );
    return allocs.length === count && allocs.every((a) => a.NodeID === nodeID) ? allocs : undefined;
  }, 60_000);
}

Deno.test({
  name:
    "a node drain migrates service allocations to another client and leaves the node ineligible",
  ...e2e,
  async fn() {
    const cluster = await start();
    const { agent, address } = cluster;
    try {
      const a = agent.client!.node.ID;
      const b = agent.extraClients[0]!.client.node.ID;
      // Put both allocations on A: B is ineligible while the job is placed.
      const off = await nomad(address, ["node", "eligibility", "-disable", b]);
      strictEqual(off.code, 0, off.stderr);
      strictEqual(
        off.stdout,
        `Node "${b}" scheduling eligibility set: ineligible for scheduling\n`,
      );
      await put(address, "/v1/jobs", serviceJob("web", 2));
      const before = await runningOn(address, "web", a, 2);
      const on = await nomad(address, ["node", "eligibility", "-enable", b]);
      strictEqual(on.code, 0, on.stderr);

      const drain = await nomad(address, [
        "node",
        "drain",
        "-enable",
        "-yes",
        "-deadline",
        "5m",
        a,
      ]);
      strictEqual(drain.code, 0, drain.stderr);
      ok(drain.stdout.includes(`Node "${a}" drain strategy set`), drain.stdout);
      ok(drain.stdout.includes("marked for migration"), drain.stdout);
      ok(drain.stdout.includes(`Drain complete for node ${a}`), drain.stdout);
      ok(drain.stdout.includes(`All allocations on node "${a}" have stopped`), drain.stdout);

      const after = await runningOn(address, "web", b, 2);
      deepStrictEqual(await previous(address, after), new Set(before.map((x) => x.ID)));
      // max_parallel = 1: the drainer marked one allocation per batch, one evaluation each.
      const evals = (await getJson<Evaluation[]>(address, "/v1/job/web/evaluations")).body;
      strictEqual(evals.filter((e) => e.TriggeredBy === "node-drain").length, 2);
      for (const old of before) {
        const alloc = (await getJson<Allocation>(address, `/v1/allocation/${old.ID}`)).body;
        strictEqual(alloc.DesiredStatus, "stop");
        strictEqual(alloc.DesiredTransition.Migrate, true);
        strictEqual(alloc.ClientStatus, "complete");
      }
      const node = (await getJson<Node>(address, `/v1/node/${a}`)).body;
      strictEqual(node.DrainStrategy, null);
      strictEqual(node.SchedulingEligibility, "ineligible");
      strictEqual(node.LastDrain?.Status, "complete");
      const messages = (node.Events ?? []).map((e) => e.Message);
      ok(messages.includes("Node drain strategy set"), messages.join(", "));
      strictEqual(messages.at(-1), "Node drain complete");

      // A second drain on a node without work completes at once; -detach prints and returns.
      const again = await nomad(address, ["node", "drain", "-enable", "-detach", "-yes", a]);
      strictEqual(again.stdout, `Node "${a}" drain strategy set\n`);
      await waitFor("empty drain to complete", async () => {
        const n = (await getJson<Node>(address, `/v1/node/${a}`)).body;
        return n.DrainStrategy === null ? true : undefined;
      });
      const bad = await nomad(address, ["node", "drain", "-enable", "-deadline", "-1m", a]);
      strictEqual(bad.code, 1);
      strictEqual(bad.stderr, "A positive drain duration must be given\n");
      const missing = await nomad(address, ["node", "eligibility", "-enable", "ffff"]);
      strictEqual(missing.code, 1);
      strictEqual(missing.stderr, `No node(s) with prefix or id "ffff" found\n`);
    } finally {
      await stopCluster(cluster);
    }
  },
});

Deno.test({
  name: "a killed client's allocations are marked lost and replaced on the other node",
  ...e2e,
  async fn() {
    const cluster = await start();
    const { agent, address } = cluster;
    try {
      const a = agent.client!.node.ID;
      const extra = agent.extraClients[0]!;
      const b = extra.client.node.ID;
      await put(address, `/v1/node/${a}/eligibility`, { Eligibility: "ineligible" });
      await put(address, "/v1/jobs", serviceJob("lost", 2));
      const before = await runningOn(address, "lost", b, 2);
      await put(address, `/v1/node/${a}/eligibility`, { Eligibility: "eligible" });

      await extra.kill();
      // After the TTL (1-2 s) plus 1 s grace the server marks B down.
      await waitFor("node B down", async () => {
        const n = (await getJson<Node>(address, `/v1/node/${b}`)).body;
        return n.Status === "down" ? n : undefined;
      }, 60_000);
      const after = await runningOn(address, "lost", a, 2);
      deepStrictEqual(await previous(address, after), new Set(before.map((x) => x.ID)));
      for (const old of before) {
        const alloc = (await getJson<Allocation>(address, `/v1/allocation/${old.ID}`)).body;
        strictEqual(alloc.ClientStatus, "lost");
        strictEqual(alloc.DesiredStatus, "stop");
        strictEqual(alloc.DesiredDescription, "alloc is lost since its node is down");
      }
      const gc = await nomad(address, ["system", "gc"]);
      strictEqual(gc.code, 0, gc.stderr);
      strictEqual(gc.stdout, "");
    } finally {
      await stopCluster(cluster);
    }
  },
});
