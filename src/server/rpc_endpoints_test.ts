import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert";
import { dialRpc, listenRpc, type RpcConnection } from "../rpc/mod.ts";
import { mockNode } from "../scheduler/testing.ts";
import type { Allocation } from "../structs/mod.ts";
import { nodeRpcHandler } from "./rpc_endpoints.ts";
import type { Server } from "./server.ts";
import { startTestServer } from "./testing.ts";

/** A test server behind a real RPC listener, and a connection to it. */
async function withRpc(fn: (conn: RpcConnection, server: Server) => Promise<void>): Promise<void> {
  const server = startTestServer({ driverSchemas: { exec: { name: "exec", validate: () => [] } } });
  const listener = listenRpc({ hostname: "127.0.0.1", port: 0 }, nodeRpcHandler(server));
  const conn = await dialRpc(`127.0.0.1:${listener.addr.port}`);
  try {
    await fn(conn, server);
  } finally {
    conn.close();
    await listener.close();
    await server.shutdown();
  }
}

const job = {
  ID: "web",
  TaskGroups: [{
    Name: "g",
    Count: 2,
    Tasks: [{
      Name: "t",
      Driver: "exec",
      Config: { command: "/bin/true" },
      Resources: { CPU: 100, MemoryMB: 64 },
    }],
  }],
};

Deno.test("a client registers, heartbeats and is woken by its placements over RPC", async () => {
  await withRpc(async (conn, server) => {
    const node = mockNode({ ID: "00000000-0000-4000-8000-00000000aaaa" });
    const registered = await conn.call<{ HeartbeatTTL: number }>("Node.Register", { Node: node });
    ok(registered.HeartbeatTTL > 0);
    strictEqual(server.state.snapshot().nodeByID(node.ID)?.Status, "ready");
    const auth = { NodeID: node.ID, SecretID: node.SecretID };
    const beat = await conn.call<{ HeartbeatTTL: number }>("Node.UpdateStatus", auth);
    ok(beat.HeartbeatTTL > 0);
    const first = await conn.call<{ Allocs: Allocation[]; Index: number }>(
      "Node.GetClientAllocs",
      { ...auth, MinQueryIndex: 0 },
    );
    deepStrictEqual(first.Allocs, []);
    // A blocking query past the current index returns once the job is placed.
    const waiting = conn.call<{ Allocs: Allocation[]; Index: number }>(
      "Node.GetClientAllocs",
      { ...auth, MinQueryIndex: first.Index, MaxQueryTime: 30e9 },
    );
    await server.jobRegister({ Job: job });
    const placed = await waiting;
    strictEqual(placed.Allocs.length, 2);
    ok(placed.Index > first.Index);
    const update = {
      ID: placed.Allocs[0]!.ID,
      ClientStatus: "running",
      ClientDescription: "Tasks are running",
      TaskStates: {},
      ModifyTime: 1,
    };
    await conn.call("Node.UpdateAlloc", { ...auth, Alloc: [update] });
    strictEqual(server.state.snapshot().allocByID(update.ID)?.ClientStatus, "running");
  });
});

Deno.test("bad RPC arguments get clear errors and change nothing", async () => {
  await withRpc(async (conn, server) => {
    const node = mockNode({ ID: "00000000-0000-4000-8000-00000000bbbb" });
    await rejects(conn.call("Node.Register", { Node: { ...node, NodeResources: null } }), {
      code: 400,
      message: "Node.Register: invalid node: NodeResources is missing or malformed",
    });
    await rejects(conn.call("Node.Register", { Node: { ...node, Status: "down", ID: "" } }), {
      code: 400,
      message: 'Node.Register: invalid node: missing or invalid ID; invalid Status "down"',
    });
    await rejects(conn.call("Node.Register", "nonsense"), {
      code: 400,
      message: "Node.Register: arguments must be an object",
    });
    strictEqual(server.state.snapshot().nodes().length, 0);

    await conn.call("Node.Register", { Node: node });
    const other = mockNode({ ID: "00000000-0000-4000-8000-00000000cccc" });
    await conn.call("Node.Register", { Node: other });
    await rejects(
      conn.call("Node.GetClientAllocs", { NodeID: node.ID, SecretID: "wrong" }),
      { code: 403, message: "Permission denied" },
    );
    await rejects(
      conn.call("Node.UpdateStatus", {
        NodeID: "00000000-0000-4000-8000-000000000999",
        SecretID: "x",
      }),
      { code: 404, message: "node not found" },
    );
    await rejects(conn.call("Node.UpdateStatus", { NodeID: node.ID }), {
      code: 400,
      message: "Node.UpdateStatus: missing SecretID",
    });
    await rejects(
      conn.call("Node.GetClientAllocs", {
        NodeID: node.ID,
        SecretID: node.SecretID,
        MinQueryIndex: -1,
      }),
      { code: 400, message: "Node.GetClientAllocs: MinQueryIndex must be a non-negative integer" },
    );
    // A node may report only its own allocations.
    await server.jobRegister({
      Job: { ...job, TaskGroups: [{ ...job.TaskGroups[0]!, Count: 4 }] },
    });
    for (
      let i = 0;
      i < 200 && server.state.snapshot().allocsByJob("default", "web").length < 4;
      i++
    ) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const foreign = server.state.snapshot().allocsByNode(other.ID)[0]!;
    const update = {
      ID: foreign.ID,
      ClientStatus: "failed",
      ClientDescription: "",
      TaskStates: null,
      ModifyTime: 1,
    };
    await rejects(
      conn.call("Node.UpdateAlloc", { NodeID: node.ID, SecretID: node.SecretID, Alloc: [update] }),
      { code: 403, message: `Node.UpdateAlloc: allocation ${foreign.ID} is not on node` },
    );
    await rejects(
      conn.call("Node.UpdateAlloc", {
        NodeID: node.ID,
        SecretID: node.SecretID,
        Alloc: [{ ID: 7 }],
      }),
      { code: 400, message: "Node.UpdateAlloc: malformed allocation update" },
    );
    strictEqual(server.state.snapshot().allocByID(foreign.ID)?.ClientStatus, "pending");
    await rejects(conn.call("Node.Explode", {}), {
      code: 400,
      message: "rpc: can't find method Node.Explode",
    });
  });
});

Deno.test("a node reads variables over RPC and is woken when they change", async () => {
  await withRpc(async (conn, server) => {
    const node = mockNode({ ID: "00000000-0000-4000-8000-00000000dddd" });
    await conn.call("Node.Register", { Node: node });
    const auth = { NodeID: node.ID, SecretID: node.SecretID, Namespace: "default" };
    await server.variableApply("set", {
      Namespace: "default",
      Path: "nomad/jobs/web",
      Items: { a: "1" },
      ModifyIndex: 0,
    });
    const first = await conn.call<
      { Data: { Path: string; Items: Record<string, string> }[]; Index: number }
    >(
      "Variables.List",
      { ...auth, Prefix: "nomad/jobs/" },
    );
    deepStrictEqual(first.Data.map((v) => [v.Path, v.Items]), [["nomad/jobs/web", { a: "1" }]]);
    const waiting = conn.call<{ Data: { Items: Record<string, string> }[]; Index: number }>(
      "Variables.List",
      { ...auth, Prefix: "nomad/jobs/", MinQueryIndex: first.Index, MaxQueryTime: 30e9 },
    );
    await server.variableApply("set", {
      Namespace: "default",
      Path: "nomad/jobs/web",
      Items: { a: "2" },
      ModifyIndex: 0,
    });
    deepStrictEqual((await waiting).Data[0]!.Items, { a: "2" });
    await rejects(conn.call("Variables.List", { ...auth, SecretID: "wrong" }), { code: 403 });
    await rejects(conn.call("Variables.List", { NodeID: node.ID, SecretID: node.SecretID }), {
      code: 400,
      message: "Variables.List: missing Namespace",
    });
  });
});
