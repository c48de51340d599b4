/** Periodic launches and parameterized dispatch end to end on a real `nomad agent -dev`. */

import { ok, strictEqual } from "node:assert";
import type { AllocationListStub, JobListStub } from "../../src/structs/mod.ts";
import { getJson, nomad, startAgent, waitFor, writeJobFile } from "./harness.ts";

const e2e = { sanitizeOps: false, sanitizeResources: false };

// Seven fields: seconds first, so the job launches every two seconds.
const PERIODIC_JOB = `
job "tick" {
  type = "batch"
  periodic {
    cron             = "*/2 * * * * * *"
    prohibit_overlap = true
  }
  group "g" {
    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args    = ["-c", "echo periodic-ran"]
      }
      resources {
        cpu    = 50
        memory = 32
      }
    }
  }
}
`;

const PARAMETERIZED_JOB = `
job "encode" {
  type = "batch"
  parameterized {
    payload       = "required"
    meta_required = ["who"]
  }
  group "g" {
    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args    = ["-c", "cat \\"$NOMAD_TASK_DIR/input.txt\\"; echo; echo meta=$NOMAD_META_who"]
      }
      dispatch_payload {
        file = "input.txt"
      }
      resources {
        cpu    = 50
        memory = 32
      }
    }
  }
}
`;

async function children(address: string, prefix: string): Promise<JobListStub[]> {
  const { body } = await getJson<JobListStub[]>(
    address,
    `/v1/jobs?prefix=${encodeURIComponent(prefix)}`,
  );
  return body;
}

async function completeAlloc(address: string, jobID: string) {
  const { body } = await getJson<AllocationListStub[]>(
    address,
    `/v1/job/${encodeURIComponent(jobID)}/allocations`,
  );
  return body.find((a) => a.ClientStatus === "complete");
}

Deno.test({
  name: "a periodic job fires on its cron, its children complete, and force launches one more",
  ...e2e,
  async fn() {
    const agent = await startAgent();
    const dir = await Deno.makeTempDir();
    try {
      const path = await writeJobFile(dir, "tick.nomad.hcl", PERIODIC_JOB);
      const run = await nomad(agent.address, ["job", "run", path]);
      strictEqual(run.code, 0, run.stderr + run.stdout);
      const parent = await getJson<{ Status: string }>(agent.address, "/v1/job/tick");
      strictEqual(parent.body.Status, "running");
      const child = await waitFor("a launched child that completed", async () => {
        for (const job of await children(agent.address, "tick/periodic-")) {
          if (job.ParentID !== "tick") continue;
          const alloc = await completeAlloc(agent.address, job.ID);
          if (alloc !== undefined) return { job, alloc };
        }
        return undefined;
      }, 30_000);
      const logs = await nomad(agent.address, ["alloc", "logs", child.alloc.ID]);
      strictEqual(logs.code, 0, logs.stderr);
      strictEqual(logs.stdout, "periodic-ran\n");

      const status = await nomad(agent.address, ["job", "status", "tick"]);
      strictEqual(status.code, 0, status.stderr);
      ok(/Periodic\s+= true/.test(status.stdout), status.stdout);
      ok(/Next Periodic Launch = \S+ \(\d+s from now\)/.test(status.stdout), status.stdout);
      ok(status.stdout.includes("Previously Launched Jobs"), status.stdout);
      ok(status.stdout.includes(child.job.ID), status.stdout);

      const force = await nomad(agent.address, ["job", "periodic", "force", "-detach", "tick"]);
      strictEqual(force.code, 0, force.stderr);
      ok(force.stdout.startsWith("Force periodic successful\nEvaluation ID: "), force.stdout);
      const evalID = force.stdout.trim().split(": ")[1]!;
      const evaluation = await getJson<{ TriggeredBy: string; JobID: string }>(
        agent.address,
        `/v1/evaluation/${evalID}`,
      );
      strictEqual(evaluation.status, 200);
      strictEqual(evaluation.body.TriggeredBy, "periodic-job");
      ok(evaluation.body.JobID.startsWith("tick/periodic-"));

      const notPeriodic = await nomad(agent.address, ["job", "periodic", "force", "nope"]);
      strictEqual(notPeriodic.code, 1);
      ok(
        notPeriodic.stderr.includes(`No job(s) with prefix or ID "nope" found`),
        notPeriodic.stderr,
      );

      const stop = await nomad(agent.address, ["job", "stop", "-detach", "tick"]);
      strictEqual(stop.code, 0, stop.stderr);
      const stopped = await nomad(agent.address, ["job", "status", "tick"]);
      ok(stopped.stdout.includes("Next Periodic Launch = none (job stopped)"), stopped.stdout);
    } finally {
      await agent.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a dispatched parameterized raw_exec job receives its payload file and meta",
  ...e2e,
  async fn() {
    const agent = await startAgent();
    const dir = await Deno.makeTempDir();
    try {
      const path = await writeJobFile(dir, "encode.nomad.hcl", PARAMETERIZED_JOB);
      const run = await nomad(agent.address, ["job", "run", path]);
      strictEqual(run.code, 0, run.stderr + run.stdout);
      const parent = await getJson<{ Status: string }>(agent.address, "/v1/job/encode");
      strictEqual(parent.body.Status, "running");
      strictEqual(
        (await getJson<AllocationListStub[]>(agent.address, "/v1/job/encode/allocations")).body
          .length,
        0,
      );

      const missingMeta = await nomad(agent.address, ["job", "dispatch", "encode", "-"], {
        stdin: "x",
      });
      strictEqual(missingMeta.code, 1);
      ok(
        missingMeta.stderr.includes("Failed to dispatch job: ") &&
          missingMeta.stderr.includes("Dispatch did not provide required meta keys: [who]"),
        missingMeta.stderr,
      );
      const noPayload = await nomad(agent.address, ["job", "dispatch", "-meta", "who=x", "encode"]);
      strictEqual(noPayload.code, 1);
      ok(
        noPayload.stderr.includes("Payload is not provided but required by parameterized job"),
        noPayload.stderr,
      );
      const badMeta = await nomad(agent.address, ["job", "dispatch", "-meta", "who", "encode"]);
      strictEqual(badMeta.code, 1);
      ok(badMeta.stderr.includes("Error parsing meta value: who"), badMeta.stderr);

      const dispatch = await nomad(
        agent.address,
        ["job", "dispatch", "-meta", "who=world", "-idempotency-token", "t1", "encode", "-"],
        { stdin: "hello payload" },
      );
      strictEqual(dispatch.code, 0, dispatch.stderr + dispatch.stdout);
      const id = /Dispatched Job ID = (encode\/dispatch-\d+-[0-9a-f]{8})/.exec(dispatch.stdout)
        ?.[1];
      ok(id !== undefined, dispatch.stdout);
      ok(/Evaluation ID\s+= [0-9a-f]{8}\n/.test(dispatch.stdout), dispatch.stdout);
      ok(dispatch.stdout.includes("finished with status"), dispatch.stdout);

      const alloc = await waitFor(
        "complete dispatched allocation",
        () => completeAlloc(agent.address, id!),
      );
      const logs = await nomad(agent.address, ["alloc", "logs", alloc.ID]);
      strictEqual(logs.code, 0, logs.stderr);
      strictEqual(logs.stdout, "hello payload\nmeta=world\n");

      // The same idempotency token gives back the same child, with no new evaluation.
      const again = await nomad(
        agent.address,
        [
          "job",
          "dispatch",
          "-detach",
          "-meta",
          "who=world",
          "-idempotency-token",
          "t1",
          "encode",
          "-",
        ],
        { stdin: "hello payload" },
      );
      strictEqual(again.code, 0, again.stderr);
      strictEqual(again.stdout, `Dispatched Job ID = ${id}\n`);

      const status = await nomad(agent.address, ["job", "status", "encode"]);
      strictEqual(status.code, 0, status.stderr);
      ok(/Parameterized\s+= true/.test(status.stdout), status.stdout);
      ok(status.stdout.includes("Dispatched Jobs"), status.stdout);
      ok(status.stdout.includes(id!), status.stdout);
    } finally {
      await agent.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
