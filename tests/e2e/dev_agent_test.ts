/** `nomad agent -dev` end to end: API, node, batch and service jobs, logs, stop, restarts. */

import { deepStrictEqual, ok, strictEqual } from "node:assert";
import type { Allocation, AllocationListStub, Node, NodeListStub } from "../../src/structs/mod.ts";
import {
  fixture,
  getJson,
  nomad,
  processAlive,
  startAgent,
  waitFor,
  writeJobFile,
} from "./harness.ts";

const e2e = { sanitizeOps: false, sanitizeResources: false };

Deno.test({
  name: "agent -dev serves the API with one ready node that has the raw_exec driver",
  ...e2e,
  async fn() {
    const agent = await startAgent();
    try {
      const self = await getJson<
        { config: { Region: string }; stats: { client: { node_id: string } } }
      >(agent.address, "/v1/agent/self");
      strictEqual(self.status, 200);
      strictEqual(self.body.config.Region, "global");
      const nodes = await getJson<NodeListStub[]>(agent.address, "/v1/nodes");
      strictEqual(nodes.body.length, 1);
      strictEqual(nodes.body[0]!.Status, "ready");
      strictEqual(nodes.body[0]!.Drivers.raw_exec?.Healthy, true);
      strictEqual(nodes.body[0]!.ID, self.body.stats.client.node_id);
      const node = await getJson<Node>(agent.address, `/v1/node/${nodes.body[0]!.ID}`);
      strictEqual(node.body.Attributes["driver.raw_exec"], "1");
      ok(Number(node.body.Attributes["cpu.totalcompute"]) > 0);
      strictEqual("SecretID" in node.body, false, "the API never shows a node's secret");
      const members = await nomad(agent.address, ["server", "members"]);
      strictEqual(members.code, 0, members.stderr);
      ok(members.stdout.includes("alive"));
      strictEqual((await fetch(`${agent.address}/ui/`)).status, 200);
    } finally {
      await agent.stop();
    }
  },
});

Deno.test({
  name: "a batch raw_exec job completes and its output is in alloc logs",
  ...e2e,
  async fn() {
    const agent = await startAgent();
    try {
      const run = await nomad(agent.address, [
        "job",
        "run",
        fixture("jobspecs/batch_echo.nomad.hcl"),
      ]);
      strictEqual(run.code, 0, run.stderr + run.stdout);
      ok(run.stdout.includes('finished with status "complete"'), run.stdout);
      const alloc = await waitFor("complete allocation", async () => {
        const { body } = await getJson<AllocationListStub[]>(
          agent.address,
          "/v1/job/batch-echo/allocations",
        );
        return body.find((a) => a.ClientStatus === "complete");
      });
      const logs = await nomad(agent.address, ["alloc", "logs", alloc.ID.slice(0, 8)]);
      strictEqual(logs.code, 0, logs.stderr);
      strictEqual(logs.stdout, "hello from batch-echo\n");
      const status = await nomad(agent.address, ["job", "status", "batch-echo"]);
      strictEqual(status.code, 0, status.stderr);
      ok(/Status\s+= dead/.test(status.stdout), status.stdout);
      ok(
        new RegExp(`${alloc.ID.slice(0, 8)}\\s+\\S+\\s+echo\\s+0\\s+run\\s+complete`).test(
          status.stdout,
        ),
        status.stdout,
      );
    } finally {
      await agent.stop();
    }
  },
});

const SERVICE_JOB = `
job "web" {
  group "web" {
    count = 3
    network {
      port "http" {}
    }
    task "server" {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args    = ["-c", "echo pid=$$ port=$NOMAD_PORT_http; exec sleep 1000"]
      }
      resources {
        cpu    = 50
        memory = 32
      }
    }
  }
}
`;

async function taskOutput(address: string, allocID: string, task: string): Promise<string> {
  const res = await fetch(
    `${address}/v1/client/fs/logs/${allocID}?task=${task}&type=stdout&plain=true`,
  );
  return await res.text();
}

Deno.test({
  name: "a service job runs three allocations on distinct ports and job stop leaves no process",
  ...e2e,
  async fn() {
    const agent = await startAgent();
    try {
      const path = await writeJobFile(agent.dataDir, "web.nomad.hcl", SERVICE_JOB);
      const run = await nomad(agent.address, ["job", "run", path]);
      strictEqual(run.code, 0, run.stderr + run.stdout);
      const lines = await waitFor("three running tasks", async () => {
        const { body } = await getJson<AllocationListStub[]>(
          agent.address,
          "/v1/job/web/allocations",
        );
        if (body.length !== 3 || body.some((a) => a.ClientStatus !== "running")) return undefined;
        const outputs = await Promise.all(
          body.map((a) => taskOutput(agent.address, a.ID, "server")),
        );
        return outputs.every((o) => o.includes("port=")) ? outputs : undefined;
      });
      const parsed = lines.map((l) => /pid=(\d+) port=(\d+)/.exec(l)!);
      const ports = parsed.map((m) => Number(m[2]));
      strictEqual(new Set(ports).size, 3, `ports must be distinct: ${ports}`);
      ok(ports.every((p) => p >= 20000 && p <= 32000), `ports in the dynamic range: ${ports}`);
      const pids = parsed.map((m) => Number(m[1]));
      ok(pids.every(processAlive));
      const stop = await nomad(agent.address, ["job", "stop", "web"]);
      strictEqual(stop.code, 0, stop.stderr + stop.stdout);
      await waitFor(
        "task processes to exit",
        () => Promise.resolve(pids.some(processAlive) ? undefined : true),
      );
      const { body } = await getJson<AllocationListStub[]>(
        agent.address,
        "/v1/job/web/allocations",
      );
      deepStrictEqual(body.map((a) => a.DesiredStatus), ["stop", "stop", "stop"]);
    } finally {
      await agent.stop();
    }
  },
});

Deno.test({
  name: "a task that exits 1 is restarted per its restart policy and its events say so",
  ...e2e,
  async fn() {
    const agent = await startAgent();
    try {
      const job = `
job "flaky" {
  group "g" {
    restart {
      attempts = 2
      interval = "1m"
      delay    = "100ms"
      mode     = "fail"
    }
    reschedule {
      attempts  = 0
      unlimited = false
    }
    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args    = ["-c", "echo trying; exit 1"]
      }
    }
  }
}`;
      const run = await nomad(agent.address, [
        "job",
        "run",
        "-detach",
        await writeJobFile(agent.dataDir, "flaky.hcl", job),
      ]);
      strictEqual(run.code, 0, run.stderr);
      const alloc = await waitFor("failed allocation", async () => {
        const { body } = await getJson<AllocationListStub[]>(
          agent.address,
          "/v1/job/flaky/allocations",
        );
        const failed = body.find((a) => a.ClientStatus === "failed");
        return failed === undefined
          ? undefined
          : (await getJson<Allocation>(agent.address, `/v1/allocation/${failed.ID}`)).body;
      });
      const state = alloc.TaskStates!.t!;
      strictEqual(state.Restarts, 2);
      strictEqual(state.Failed, true);
      const types = state.Events!.map((e) => e.Type);
      const told = state.Events!.map((e) => `${e.Type}: ${e.DisplayMessage}`).join("\n");
      strictEqual(types.filter((t) => t === "Restarting").length, 2, told);
      strictEqual(types.filter((t) => t === "Terminated").length, 3, told);
      strictEqual(types.at(-1), "Not Restarting");
      const status = await nomad(agent.address, ["alloc", "status", alloc.ID.slice(0, 8)]);
      ok(
        status.stdout.includes('Exceeded allowed attempts 2 in interval 1m0s and mode is "fail"'),
        status.stdout,
      );
      ok(status.stdout.includes("Exit Code: 1"), status.stdout);
      strictEqual(await taskOutput(agent.address, alloc.ID, "t"), "trying\ntrying\ntrying\n");
    } finally {
      await agent.stop();
    }
  },
});

Deno.test({
  name: "a job that cannot be placed exits 2 and job status shows the placement failure",
  ...e2e,
  async fn() {
    const agent = await startAgent();
    try {
      const job = `
job "huge" {
  group "g" {
    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/sleep"
        args    = ["100"]
      }
      resources {
        memory = 900000000
      }
    }
  }
}`;
      const run = await nomad(agent.address, [
        "job",
        "run",
        await writeJobFile(agent.dataDir, "huge.hcl", job),
      ]);
      strictEqual(run.code, 2, run.stdout + run.stderr);
      ok(run.stdout.includes("failed to place all allocations"), run.stdout);
      ok(run.stdout.includes('Dimension "memory" exhausted on 1 nodes'), run.stdout);
      const status = await nomad(agent.address, ["job", "status", "huge"]);
      strictEqual(status.code, 0, status.stderr);
      ok(status.stdout.includes("Placement Failure"), status.stdout);
      ok(/Status\s+= pending/.test(status.stdout), status.stdout);
      ok(
        /g\s+1\s+0\s+0\s+0\s+0\s+0\s+0/.test(status.stdout),
        "one queued allocation in the summary",
      );
    } finally {
      await agent.stop();
    }
  },
});
