/** Client garbage collection of finished allocations: gc_max_allocs, `PUT /v1/client/gc`, one allocation. */

import { ok, strictEqual } from "node:assert";
import type { AllocationListStub } from "../../src/structs/mod.ts";
import { getJson, startAgent, waitFor } from "./harness.ts";

function job(id: string, type: "batch" | "service", args: string[]) {
  return {
    Job: {
      ID: id,
      Type: type,
      Datacenters: ["dc1"],
      TaskGroups: [{
        Name: "g",
        Tasks: [{
          Name: "t",
          Driver: "raw_exec",
          Config: { command: "/bin/sh", args },
          Resources: { CPU: 10, MemoryMB: 10 },
        }],
      }],
    },
  };
}

async function run(address: string, body: unknown): Promise<void> {
  const res = await fetch(`${address}/v1/jobs`, { method: "PUT", body: JSON.stringify(body) });
  strictEqual(res.status, 200, await res.text());
}

async function allocOf(address: string, id: string, status: string): Promise<AllocationListStub> {
  return await waitFor(`${id} ${status}`, async () => {
    const { body } = await getJson<AllocationListStub[]>(address, `/v1/job/${id}/allocations`);
    return body.find((a) => a.ClientStatus === status);
  }, 30_000);
}

/** True while the client still holds the allocation (its logs are served). */
async function held(address: string, allocID: string): Promise<boolean> {
  const res = await fetch(`${address}/v1/client/fs/logs/${allocID}?task=t&type=stdout&plain=true`);
  await res.body?.cancel();
  return res.status === 200;
}

Deno.test({
  name:
    "finished allocations are collected past gc_max_allocs and on request; running ones are not",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const agent = await startAgent({
      extraConfig: `client {\n  gc_max_allocs = 3\n  gc_interval = "500ms"\n}`,
    });
    try {
      await run(agent.address, job("sleeper", "service", ["-c", "sleep 300"]));
      const running = await allocOf(agent.address, "sleeper", "running");
      const done: AllocationListStub[] = [];
      for (const id of ["one", "two", "three"]) {
        await run(agent.address, job(id, "batch", ["-c", `echo ${id}`]));
        done.push(await allocOf(agent.address, id, "complete"));
      }
      // Four allocations against a limit of three: the oldest finished one goes.
      await waitFor(
        "oldest finished allocation collected",
        async () => (await held(agent.address, done[0]!.ID)) ? undefined : true,
      );
      ok(await held(agent.address, done[1]!.ID));
      ok(await held(agent.address, done[2]!.ID));
      // The servers still list it, finished; the client does not start it again.
      const kept = await getJson<AllocationListStub>(
        agent.address,
        `/v1/allocation/${done[0]!.ID}`,
      );
      strictEqual(kept.body.ClientStatus, "complete");

      const one = await fetch(`${agent.address}/v1/client/allocation/${done[1]!.ID}/gc`, {
        method: "PUT",
      });
      strictEqual(one.status, 200, await one.text());
      ok(!(await held(agent.address, done[1]!.ID)));
      const live = await fetch(`${agent.address}/v1/client/allocation/${running.ID}/gc`);
      strictEqual(live.status, 404);
      strictEqual(await live.text(), `Unknown allocation "${running.ID}"`);

      const all = await fetch(`${agent.address}/v1/client/gc`, { method: "PUT" });
      strictEqual(all.status, 200, await all.text());
      ok(!(await held(agent.address, done[2]!.ID)));
      ok(await held(agent.address, running.ID), "the running allocation stays");
    } finally {
      await agent.stop();
    }
  },
});
