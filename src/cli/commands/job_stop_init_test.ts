import assert from "node:assert/strict";
import { jobListStub } from "../../structs/mod.ts";
import { evalFixture, jobFixture, maskTimes, runNomad, withFakeNomad } from "../testing.ts";
import { jobspecSource } from "./job_file.ts";

const EVAL_ID = "aaaabbbb-0000-0000-0000-000000000009";

function stopRoutes() {
  const job = jobFixture();
  return {
    "GET /v1/jobs": [jobListStub(job, null)],
    "DELETE /v1/job/example": { EvalID: EVAL_ID, EvalCreateIndex: 20, JobModifyIndex: 20 },
    [`GET /v1/evaluation/${EVAL_ID}`]: evalFixture({
      ID: EVAL_ID,
      TriggeredBy: "job-deregister",
      Status: "complete",
    }),
    [`GET /v1/evaluation/${EVAL_ID}/allocations`]: [],
  };
}

Deno.test("job stop -detach prints only the evaluation ID; -purge is sent", async () => {
  await withFakeNomad(stopRoutes(), async (server) => {
    const { code, stdout } = await runNomad(["job", "stop", "-detach", "-purge", "example"], {
      env: { NOMAD_ADDR: server.address },
    });
    assert.equal(code, 0);
    assert.equal(stdout, `${EVAL_ID}\n`);
    const request = server.requests.find((r) => r.method === "DELETE");
    assert.equal(request?.search.get("purge"), "true");
  });
});

Deno.test("stop monitors the deregistration evaluation (exit 0)", async () => {
  await withFakeNomad(stopRoutes(), async (server) => {
    const { code, stdout } = await runNomad(["stop", "example"], {
      env: { NOMAD_ADDR: server.address },
    });
    assert.equal(code, 0);
    assert.equal(
      maskTimes(stdout),
      '==> <time>: Monitoring evaluation "aaaabbbb"\n' +
        '    <time>: Evaluation triggered by job "example"\n' +
        '    <time>: Evaluation status changed: "pending" -> "complete"\n' +
        '==> <time>: Evaluation "aaaabbbb" finished with status "complete"\n',
    );
  });
});

Deno.test("job stop asks before stopping a prefix match and cancels on no answer", async () => {
  await withFakeNomad(stopRoutes(), async (server) => {
    const { code, stdout } = await runNomad(["job", "stop", "exa"], {
      env: { NOMAD_ADDR: server.address },
    });
    assert.equal(code, 0);
    assert.equal(
      stdout,
      'Are you sure you want to stop job "example"? [y/N] Cancelling job stop\n',
    );
    assert.ok(!server.requests.some((r) => r.method === "DELETE"));
  });
  await withFakeNomad(stopRoutes(), async (server) => {
    const { code } = await runNomad(["job", "stop", "-detach", "exa"], {
      env: { NOMAD_ADDR: server.address },
      lines: ["y"],
    });
    assert.equal(code, 0);
    assert.ok(server.requests.some((r) => r.method === "DELETE"));
  });
});

Deno.test("job stop of an unknown job exits 1", async () => {
  await withFakeNomad({ "GET /v1/jobs": [] }, async (server) => {
    const { code, stderr } = await runNomad(["job", "stop", "-yes", "nope"], {
      env: { NOMAD_ADDR: server.address },
    });
    assert.equal(code, 1);
    assert.equal(stderr, 'No job(s) with prefix or ID "nope" found\n');
  });
});

Deno.test("job init writes the example file once and refuses to overwrite it", async () => {
  const dir = await Deno.makeTempDir();
  const previous = jobspecSource.load;
  jobspecSource.load = () =>
    Promise.resolve({
      parseJob: () => ({}),
      jobInitTemplate: (short: boolean) => (short ? "short\n" : "long\n"),
    });
  try {
    const path = `${dir}/example.nomad.hcl`;
    const first = await runNomad(["job", "init", "-short", path]);
    assert.equal(first.code, 0);
    assert.equal(first.stdout, `Example job file written to ${path}\n`);
    assert.equal(await Deno.readTextFile(path), "short\n");
    const second = await runNomad(["init", path]);
    assert.equal(second.code, 1);
    assert.equal(second.stderr, `Job '${path}' already exists\n`);
  } finally {
    jobspecSource.load = previous;
    await Deno.remove(dir, { recursive: true });
  }
});
