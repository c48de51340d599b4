import assert from "node:assert/strict";
import { seededRng } from "../core/rng.ts";
import { mockNode } from "../scheduler/testing.ts";
import type { Node } from "../structs/mod.ts";
import type { Server } from "./server.ts";
import { startTestServer } from "./testing.ts";

function startServer(): Server {
  return startTestServer({ rng: seededRng(3) });
}

function node(id: string, overrides: Partial<Node> = {}): Node {
  return { ...mockNode({ ID: id, ...overrides }), SecretID: `secret-${id}` };
}

const SYSTEM_JOB = {
  ID: "agent",
  Type: "system",
  Datacenters: ["dc1"],
  TaskGroups: [{
    Name: "agent",
    Tasks: [{
      Name: "agent",
      Driver: "raw_exec",
      Config: { command: "/bin/sleep" },
      Resources: { CPU: 100, MemoryMB: 64 },
    }],
  }],
};

async function waitFor(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function systemAllocNodes(server: Server): string[] {
  return server.state.snapshot().allocsByJob("default", "agent")
    .filter((a) => a.DesiredStatus === "run").map((a) => a.NodeID).sort();
}

function evalsOf(server: Server) {
  return server.state.snapshot().evalsByJob("default", "agent");
}

Deno.test("a node that registers after a system job gets its allocation", async () => {
  const server = startServer();
  try {
    await server.nodeRegister(node("node-1"));
    await server.jobRegister({ Job: SYSTEM_JOB });
    await waitFor(() => systemAllocNodes(server).length === 1, "first allocation");
    await server.nodeRegister(node("node-2"));
    await waitFor(() => systemAllocNodes(server).length === 2, "allocation on the new node");
    assert.deepEqual(systemAllocNodes(server), ["node-1", "node-2"]);
    const update = evalsOf(server).find((e) => e.TriggeredBy === "node-update");
    assert.equal(update?.NodeID, "node-2");
    assert.equal(update?.Type, "system");
  } finally {
    await server.shutdown();
  }
});

Deno.test("nodes outside the job's datacenters and plain re-registers create no evaluations", async () => {
  const server = startServer();
  try {
    await server.jobRegister({ Job: SYSTEM_JOB });
    await waitFor(() => evalsOf(server).every((e) => e.Status === "complete"), "register eval");
    const before = evalsOf(server).length;
    await server.nodeRegister(node("far", { Datacenter: "dc9" }));
    const near = node("near");
    await server.nodeRegister(near);
    assert.equal(evalsOf(server).length, before + 1, "only the node in dc1 triggers an eval");
    await waitFor(() => systemAllocNodes(server).length === 1, "allocation on dc1 node");
    await server.nodeRegister(near);
    assert.equal(evalsOf(server).length, before + 1, "re-register without changes");
    await server.nodeRegister({ ...near, Meta: { rack: "r9" } });
    assert.equal(evalsOf(server).length, before + 2, "changed meta re-evaluates");
  } finally {
    await server.shutdown();
  }
});

Deno.test("a failed system allocation does not create an alloc-failure evaluation", async () => {
  const server = startServer();
  try {
    await server.nodeRegister(node("node-1"));
    await server.jobRegister({ Job: SYSTEM_JOB });
    await waitFor(() => systemAllocNodes(server).length === 1, "allocation");
    const alloc = server.state.snapshot().allocsByJob("default", "agent")[0]!;
    await server.updateAllocs([{
      ID: alloc.ID,
      ClientStatus: "failed",
      ClientDescription: "",
      TaskStates: null,
      ModifyTime: Date.now() * 1e6,
    }]);
    assert.ok(evalsOf(server).every((e) => e.TriggeredBy !== "alloc-failure"));
  } finally {
    await server.shutdown();
  }
});
