/** Host volumes end to end: a client `host_volume`, a group `volume` and a task `volume_mount`. */

import { ok, strictEqual } from "node:assert";
import type { Allocation, AllocationListStub, Evaluation, Node } from "../../src/structs/mod.ts";
import { getJson, nomad, startAgent, waitFor, writeJobFile } from "./harness.ts";

const e2e = { sanitizeOps: false, sanitizeResources: false };

function job(name: string, source: string, script: string): string {
  return `
job "${name}" {
  type = "batch"
  group "g" {
    restart {
      attempts = 0
      mode     = "fail"
    }
    volume "data" {
      type      = "host"
      source    = "${source}"
      read_only = true
    }
    task "reader" {
      driver = "raw_exec"
      volume_mount {
        volume      = "data"
        destination = "/srv/data"
        read_only   = true
      }
      config {
        command = "/bin/sh"
        args    = ["-c", ${JSON.stringify(script)}]
      }
      resources {
        cpu    = 50
        memory = 32
      }
    }
  }
}
`;
}

Deno.test({
  name: "a task reads a read-only host volume; a job asking for a missing volume is not placed",
  ...e2e,
  async fn() {
    const hostDir = await Deno.makeTempDir({ prefix: "e2e-host-volume-" });
    await Deno.writeTextFile(`${hostDir}/greeting.txt`, "hello from the host volume\n");
    const agent = await startAgent({
      extraConfig:
        `client {\n  host_volume "shared" {\n    path = "${hostDir}"\n    read_only = true\n  }\n}`,
    });
    try {
      const { body: nodes } = await getJson<Node[]>(agent.address, "/v1/nodes");
      const { body: node } = await getJson<Node>(agent.address, `/v1/node/${nodes[0]!.ID}`);
      strictEqual(node.HostVolumes?.shared?.Path, hostDir);

      const path = await writeJobFile(
        agent.dataDir,
        "reader.nomad.hcl",
        job("reader", "shared", "cat srv/data/greeting.txt"),
      );
      const run = await nomad(agent.address, ["job", "run", "-detach", path]);
      strictEqual(run.code, 0, run.stderr + run.stdout);
      const stub = await waitFor("the reader to finish", async () => {
        const { body } = await getJson<AllocationListStub[]>(
          agent.address,
          "/v1/job/reader/allocations",
        );
        return body.find((a) => a.ClientStatus === "complete" || a.ClientStatus === "failed");
      }, 60_000);
      const { body: alloc } = await getJson<Allocation>(agent.address, `/v1/allocation/${stub.ID}`);
      strictEqual(alloc.ClientStatus, "complete", JSON.stringify(alloc.TaskStates));
      const logs = await fetch(
        `${agent.address}/v1/client/fs/logs/${stub.ID}?task=reader&type=stdout&plain=true`,
      );
      strictEqual(await logs.text(), "hello from the host volume\n");

      const missing = await writeJobFile(
        agent.dataDir,
        "lost.nomad.hcl",
        job("lost", "nowhere", "exit 0"),
      );
      const lost = await nomad(agent.address, ["job", "run", "-detach", missing]);
      strictEqual(lost.code, 0, lost.stderr + lost.stdout);
      const evaluation = await waitFor("the placement failure", async () => {
        const { body } = await getJson<Evaluation[]>(agent.address, "/v1/job/lost/evaluations");
        return body.find((e) => e.Status === "complete" && e.FailedTGAllocs !== null);
      }, 60_000);
      const metric = evaluation.FailedTGAllocs!["g"]!;
      strictEqual(
        metric.ConstraintFiltered?.["missing compatible host volumes"],
        1,
        JSON.stringify(metric),
      );
      const { body: allocs } = await getJson<AllocationListStub[]>(
        agent.address,
        "/v1/job/lost/allocations",
      );
      strictEqual(allocs.length, 0);
      const status = await nomad(agent.address, ["job", "status", "lost"]);
      ok(status.stdout.includes("missing compatible host volumes"), status.stdout);
    } finally {
      await agent.stop();
      await Deno.remove(hostDir, { recursive: true });
    }
  },
});
