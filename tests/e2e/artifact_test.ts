/** Artifacts end to end: a -dev agent downloads from a loopback HTTP server before the task starts. */

import { ok, strictEqual } from "node:assert";
import { createHash } from "node:crypto";
import { gzip, serveArtifacts, tarArchive } from "../../src/client/artifact/testing.ts";
import type { Allocation, AllocationListStub } from "../../src/structs/mod.ts";
import { getJson, nomad, startAgent, type TestAgent, waitFor, writeJobFile } from "./harness.ts";

const e2e = { sanitizeOps: false, sanitizeResources: false };

function job(name: string, source: string, checksum: string): string {
  return `
job "${name}" {
  type = "batch"
  group "g" {
    restart {
      attempts = 0
      mode     = "fail"
    }
    task "web" {
      driver = "raw_exec"
      artifact {
        source = "${source}"
        options {
          checksum = "${checksum}"
        }
      }
      config {
        command = "/bin/sh"
        args    = ["-c", "cat local/site/index.html"]
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

async function runToEnd(agent: TestAgent, name: string, hcl: string): Promise<Allocation> {
  const path = await writeJobFile(agent.dataDir, `${name}.nomad.hcl`, hcl);
  const run = await nomad(agent.address, ["job", "run", "-detach", path]);
  strictEqual(run.code, 0, run.stderr + run.stdout);
  const stub = await waitFor(`${name} to finish`, async () => {
    const { body } = await getJson<AllocationListStub[]>(
      agent.address,
      `/v1/job/${name}/allocations`,
    );
    return body.find((a) => a.ClientStatus === "complete" || a.ClientStatus === "failed");
  }, 60_000);
  return (await getJson<Allocation>(agent.address, `/v1/allocation/${stub.ID}`)).body;
}

Deno.test({
  name:
    "a task's tar.gz artifact is verified and unpacked before it starts; a bad checksum fails the task",
  ...e2e,
  async fn() {
    const archive = await gzip(
      tarArchive([{ name: "site/index.html", content: "<h1>artifact</h1>\n" }]),
    );
    const server = serveArtifacts({ "/site.tar.gz": archive });
    const agent = await startAgent();
    try {
      const good = `sha256:${createHash("sha256").update(archive).digest("hex")}`;
      const alloc = await runToEnd(
        agent,
        "artifact-ok",
        job("artifact-ok", `${server.url}/site.tar.gz`, good),
      );
      strictEqual(alloc.ClientStatus, "complete", JSON.stringify(alloc.TaskStates));
      const types = alloc.TaskStates!.web!.Events!.map((e) => e.Type);
      ok(types.indexOf("Downloading Artifacts") < types.indexOf("Started"), types.join(","));
      const logs = await fetch(
        `${agent.address}/v1/client/fs/logs/${alloc.ID}?task=web&type=stdout&plain=true`,
      );
      strictEqual(await logs.text(), "<h1>artifact</h1>\n");

      const bad = `sha256:${"0".repeat(64)}`;
      const failed = await runToEnd(
        agent,
        "artifact-bad",
        job("artifact-bad", `${server.url}/site.tar.gz`, bad),
      );
      strictEqual(failed.ClientStatus, "failed");
      const event = failed.TaskStates!.web!.Events!.find((e) =>
        e.Type === "Failed Artifact Download"
      );
      ok(event !== undefined, JSON.stringify(failed.TaskStates));
      ok(
        event.DisplayMessage.startsWith(
          `failed to download artifact "${server.url}/site.tar.gz": Checksums did not match`,
        ),
      );
      const status = await nomad(agent.address, ["alloc", "status", failed.ID]);
      ok(status.stdout.includes("Failed Artifact Download"), status.stdout);
    } finally {
      await agent.stop();
      await server.close();
    }
  },
});
