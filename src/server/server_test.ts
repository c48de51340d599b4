import { ok, rejects, strictEqual } from "node:assert";
import type { DriverConfigSchema } from "../../drivers/driver.ts";
import { mockNode } from "../scheduler/testing.ts";
import type { Node } from "../structs/mod.ts";
import type { Server } from "./server.ts";
import { startTestServer } from "./testing.ts";

const rawExec: DriverConfigSchema = {
  name: "raw_exec",
  validate: (
    config,
  ) => (typeof config.command === "string" ? [] : ['Missing required argument "command"']),
};

function startServer(): Server {
  return startTestServer({
    driverSchemas: { raw_exec: rawExec, docker: { name: "docker", validate: () => [] } },
  });
}

function node(overrides: Partial<Node> = {}): Node {
  const base = mockNode(overrides);
  return {
    ...base,
    SecretID: "secret",
    Drivers: {
      raw_exec: {
        Attributes: null,
        Detected: true,
        Healthy: true,
        HealthDescription: "",
        UpdateTime: "",
      },
    },
    Attributes: { ...base.Attributes, "driver.raw_exec": "1" },
    ...overrides,
  };
}

function jobInput(count: number, memoryMB = 100) {
  return {
    ID: "web",
    TaskGroups: [{
      Name: "g",
      Count: count,
      Networks: [{ DynamicPorts: [{ Label: "http" }] }],
      Tasks: [{
        Name: "t",
        Driver: "raw_exec",
        Config: { command: "/bin/sleep" },
        Resources: { CPU: 100, MemoryMB: memoryMB },
      }],
    }],
  };
}

async function settle(server: Server, predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 5));
  }
  strictEqual(server.broker.stats().unacked >= 0, true);
}

Deno.test("a registered job is placed on a ready node with distinct dynamic ports", async () => {
  const server = startServer();
  try {
    await server.nodeRegister(node({ ID: "node-1" }));
    const response = await server.jobRegister({ Job: jobInput(3) });
    ok(response.EvalID !== "");
    await settle(server, () => server.state.snapshot().allocsByJob("default", "web").length === 3);
    const snap = server.state.snapshot();
    const ports = snap.allocsByJob("default", "web").map((a) =>
      a.AllocatedResources!.Shared.Ports![0]!.Value
    );
    strictEqual(new Set(ports).size, 3);
    await settle(
      server,
      () => server.state.snapshot().evalByID(response.EvalID)?.Status === "complete",
    );
    strictEqual(server.state.snapshot().jobByID("default", "web")!.Status, "running");
  } finally {
    await server.shutdown();
  }
});

Deno.test("a job that does not fit leaves a blocked eval that runs again when capacity appears", async () => {
  const server = startServer();
  try {
    await server.nodeRegister(node({ ID: "small" }));
    const huge = 10_000_000;
    const response = await server.jobRegister({ Job: jobInput(1, huge) });
    await settle(
      server,
      () => server.state.snapshot().evalByID(response.EvalID)?.Status === "complete",
    );
    const evaluation = server.state.snapshot().evalByID(response.EvalID)!;
    ok(evaluation.FailedTGAllocs?.g !== undefined, "failed allocs recorded");
    ok(evaluation.BlockedEval !== "");
    strictEqual(server.state.snapshot().evalByID(evaluation.BlockedEval)!.Status, "blocked");
    strictEqual(server.state.snapshot().jobByID("default", "web")!.Status, "pending");
    const big = node({ ID: "big" });
    await server.nodeRegister({
      ...big,
      NodeResources: { ...big.NodeResources, Memory: { MemoryMB: huge * 2 } },
    });
    await settle(server, () => server.state.snapshot().allocsByJob("default", "web").length === 1);
    strictEqual(server.state.snapshot().allocsByJob("default", "web")[0]!.NodeID, "big");
  } finally {
    await server.shutdown();
  }
});

Deno.test("invalid jobs are rejected with every problem and nothing is stored", async () => {
  const server = startServer();
  try {
    const bad = jobInput(-1);
    bad.TaskGroups[0]!.Tasks[0]!.Driver = "dockr";
    await rejects(server.jobRegister({ Job: bad }), (err: Error) => {
      ok(err.message.includes("count can't be negative"), err.message);
      ok(err.message.includes('unknown driver "dockr"'), err.message);
      return true;
    });
    const noCommand = jobInput(1);
    noCommand.TaskGroups[0]!.Tasks[0]!.Config = {} as { command: string };
    await rejects(server.jobRegister({ Job: noCommand }), /Missing required argument "command"/);
    strictEqual(server.state.snapshot().jobs("*").length, 0);
  } finally {
    await server.shutdown();
  }
});

Deno.test("stopping a job stops its allocations and failed allocations trigger an evaluation", async () => {
  const server = startServer();
  try {
    await server.nodeRegister(node({ ID: "n" }));
    await server.jobRegister({ Job: jobInput(2) });
    await settle(server, () => server.state.snapshot().allocsByJob("default", "web").length === 2);
    const [first] = server.state.snapshot().allocsByJob("default", "web");
    await server.updateAllocs([{
      ID: first!.ID,
      ClientStatus: "failed",
      ClientDescription: "Failed tasks",
      TaskStates: {},
      ModifyTime: 1,
    }]);
    ok(
      server.state.snapshot().evalsByJob("default", "web").some((e) =>
        e.TriggeredBy === "alloc-failure"
      ),
    );
    await server.jobDeregister("default", "web", { purge: false });
    await settle(
      server,
      () =>
        server.state.snapshot().allocsByJob("default", "web").filter((a) =>
          a.ClientStatus !== "failed"
        )
          .every((a) => a.DesiredStatus === "stop"),
    );
    strictEqual(server.state.snapshot().jobByID("default", "web")!.Stop, true);
  } finally {
    await server.shutdown();
  }
});

Deno.test("a node marked down may not update its allocations until it heartbeats again", async () => {
  const server = startTestServer({
    driverSchemas: { raw_exec: rawExec },
    heartbeat: { minTtlMs: 50, graceMs: 0, maxHeartbeatsPerSecond: 50 },
  });
  try {
    await server.nodeRegister(node({ ID: "n" }));
    await server.jobRegister({ Job: jobInput(1) });
    await settle(server, () => server.state.snapshot().allocsByJob("default", "web").length === 1);
    const [alloc] = server.state.snapshot().allocsByJob("default", "web");
    await settle(server, () => server.state.snapshot().nodeByID("n")!.Status === "down");
    const update = {
      ID: alloc!.ID,
      ClientStatus: "running" as const,
      ClientDescription: "Tasks are running",
      TaskStates: {},
      ModifyTime: 1,
    };
    await rejects(
      server.updateAllocs([update]),
      /node n is not allowed to update allocs while in status down/,
    );
    await server.nodeHeartbeat("n", "secret");
    strictEqual(server.state.snapshot().nodeByID("n")!.Status, "ready");
    await server.updateAllocs([update]);
  } finally {
    await server.shutdown();
  }
});
