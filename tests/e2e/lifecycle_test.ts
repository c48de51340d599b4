/** Task lifecycle end to end: prestart, poststop, leader and sidecar tasks on a real -dev agent. */

import { ok, strictEqual } from "node:assert";
import type { Allocation, AllocationListStub, TaskEvent } from "../../src/structs/mod.ts";
import { getJson, nomad, startAgent, type TestAgent, waitFor, writeJobFile } from "./harness.ts";

const e2e = { sanitizeOps: false, sanitizeResources: false };

/** A raw_exec task running `sh -c script`, with extra HCL inside the task block. */
function task(name: string, script: string, extra = ""): string {
  return `
    task "${name}" {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args    = ["-c", ${JSON.stringify(script)}]
      }
      resources {
        cpu    = 50
        memory = 32
      }
      ${extra}
    }`;
}

function batchJob(name: string, tasks: string[]): string {
  return `
job "${name}" {
  type = "batch"
  group "g" {
    restart {
      attempts = 0
      mode     = "fail"
    }
    ${tasks.join("\n")}
  }
}
`;
}

/** Runs the job and returns its allocation once it is complete or failed. */
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

async function stdout(agent: TestAgent, allocID: string, taskName: string): Promise<string> {
  const res = await fetch(
    `${agent.address}/v1/client/fs/logs/${allocID}?task=${taskName}&type=stdout&plain=true`,
  );
  return await res.text();
}

function eventOf(alloc: Allocation, taskName: string, type: string): TaskEvent | undefined {
  return alloc.TaskStates?.[taskName]?.Events?.find((e) => e.Type === type);
}

Deno.test({
  name: "a prestart task writes a file that the main task reads",
  ...e2e,
  async fn() {
    const agent = await startAgent();
    try {
      const alloc = await runToEnd(
        agent,
        "prestart",
        batchJob("prestart", [
          task("main", "cat $NOMAD_ALLOC_DIR/data/message"),
          task(
            "init",
            "sleep 0.5; echo hello from init > $NOMAD_ALLOC_DIR/data/message",
            `lifecycle {\n        hook = "prestart"\n      }`,
          ),
        ]),
      );
      strictEqual(alloc.ClientStatus, "complete");
      strictEqual(await stdout(agent, alloc.ID, "main"), "hello from init\n");
      const initDone = Date.parse(alloc.TaskStates!["init"]!.FinishedAt!);
      const mainStart = Date.parse(alloc.TaskStates!["main"]!.StartedAt!);
      ok(mainStart >= initDone, "main started after init finished");
    } finally {
      await agent.stop();
    }
  },
});

Deno.test({
  name: "a poststop task runs after the main task of a batch job",
  ...e2e,
  async fn() {
    const agent = await startAgent();
    try {
      const alloc = await runToEnd(
        agent,
        "poststop",
        batchJob("poststop", [
          task(
            "cleanup",
            "cat $NOMAD_ALLOC_DIR/data/main-ran",
            `lifecycle {\n        hook = "poststop"\n      }`,
          ),
          task("main", "sleep 0.5; echo main ran > $NOMAD_ALLOC_DIR/data/main-ran"),
        ]),
      );
      strictEqual(alloc.ClientStatus, "complete");
      strictEqual(await stdout(agent, alloc.ID, "cleanup"), "main ran\n");
      const mainDone = Date.parse(alloc.TaskStates!["main"]!.FinishedAt!);
      const cleanupStart = Date.parse(alloc.TaskStates!["cleanup"]!.StartedAt!);
      ok(cleanupStart >= mainDone, "poststop started after main finished");
    } finally {
      await agent.stop();
    }
  },
});

Deno.test({
  name: "when the leader task exits its sibling is killed with Nomad's events",
  ...e2e,
  async fn() {
    const agent = await startAgent();
    try {
      const alloc = await runToEnd(
        agent,
        "leader",
        batchJob("leader", [
          task("sibling", "sleep 300"),
          task("leader", "sleep 0.5", "leader = true"),
        ]),
      );
      strictEqual(alloc.ClientStatus, "complete");
      const sibling = alloc.TaskStates!["sibling"]!;
      strictEqual(sibling.State, "dead");
      strictEqual(sibling.Failed, false);
      strictEqual(
        eventOf(alloc, "sibling", "Leader Task Dead")?.DisplayMessage,
        "Leader Task in Group dead",
      );
      strictEqual(
        eventOf(alloc, "sibling", "Killing")?.DisplayMessage,
        "Sent interrupt. Waiting 5s before force killing",
      );
      strictEqual(eventOf(alloc, "sibling", "Killed")?.DisplayMessage, "Task successfully killed");
      const status = await nomad(agent.address, ["alloc", "status", alloc.ID.slice(0, 8)]);
      strictEqual(status.code, 0, status.stderr);
      ok(status.stdout.includes("Leader Task in Group dead"), status.stdout);
    } finally {
      await agent.stop();
    }
  },
});

Deno.test({
  name: "a prestart sidecar runs beside the batch main task and is killed when it completes",
  ...e2e,
  async fn() {
    const agent = await startAgent();
    try {
      const alloc = await runToEnd(
        agent,
        "sidecar",
        batchJob("sidecar", [
          task(
            "proxy",
            "echo up > $NOMAD_ALLOC_DIR/data/proxy-up; sleep 300",
            `lifecycle {\n        hook    = "prestart"\n        sidecar = true\n      }`,
          ),
          task("main", "cat $NOMAD_ALLOC_DIR/data/proxy-up"),
        ]),
      );
      strictEqual(alloc.ClientStatus, "complete");
      strictEqual(await stdout(agent, alloc.ID, "main"), "up\n", "the sidecar ran first");
      strictEqual(
        eventOf(alloc, "proxy", "Main Tasks Dead")?.DisplayMessage,
        "Main tasks in the group died",
      );
      ok(eventOf(alloc, "proxy", "Killed") !== undefined);
      strictEqual(alloc.TaskStates!["proxy"]!.Failed, false);
    } finally {
      await agent.stop();
    }
  },
});
