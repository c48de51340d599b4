import assert from "node:assert/strict";
import { allocationListStub, emptyAllocationMetric } from "../../structs/mod.ts";
import {
  allocationFixture,
  evalFixture,
  jsonResponse,
  maskTimes,
  runNomad,
  textError,
  withFakeNomad,
} from "../testing.ts";
import { type JobspecModule, jobspecSource } from "./job_file.ts";

const EVAL_ID = "5d8b9d09-aaaa-bbbb-cccc-000000000001";

/** Parser stand-in: `syntax error` in the source fails like HCL; otherwise a fixed job. */
class FakeSyntaxError extends SyntaxError {}
const parseCalls: Parameters<JobspecModule["parseJob"]>[] = [];
const fakeJobspec: JobspecModule = {
  parseJob(source, options) {
    parseCalls.push([source, options]);
    if (source.includes("syntax error")) {
      throw new FakeSyntaxError(
        `${options.filename}:3:5: Invalid expression; Expected the start of an expression.`,
      );
    }
    return {
      ID: "example",
      Name: "example",
      Type: "service",
      TaskGroups: [{ Name: "cache", Count: 1 }],
    };
  },
  jobInitTemplate: (short) => (short ? 'job "example" {}\n' : '# Example\njob "example" {}\n'),
};

async function withJobFile(
  text: string,
  fn: (path: string) => Promise<void>,
  name = "example.nomad.hcl",
): Promise<void> {
  const dir = await Deno.makeTempDir();
  const previous = jobspecSource.load;
  jobspecSource.load = () => Promise.resolve(fakeJobspec);
  parseCalls.length = 0;
  try {
    await Deno.writeTextFile(`${dir}/${name}`, text);
    await fn(`${dir}/${name}`);
  } finally {
    jobspecSource.load = previous;
    await Deno.remove(dir, { recursive: true });
  }
}

const registered = { EvalID: EVAL_ID, EvalCreateIndex: 11, JobModifyIndex: 10, Warnings: "" };

Deno.test("job run -detach prints the evaluation ID and sends the submission", async () => {
  await withJobFile('job "example" {}\n', async (path) => {
    await withFakeNomad({ "PUT /v1/jobs": registered }, async (server) => {
      const { code, stdout, stderr } = await runNomad([
        "job",
        "run",
        "-detach",
        "-var",
        "image=redis",
        path,
      ], {
        env: { NOMAD_ADDR: server.address, NOMAD_VAR_region: "eu" },
      });
      assert.equal(stderr, "");
      assert.equal(code, 0);
      assert.equal(stdout, `Job registration successful\nEvaluation ID: ${EVAL_ID}\n`);
      const body = JSON.parse(server.requests[0]?.body ?? "{}");
      assert.equal(body.Job.ID, "example");
      assert.deepEqual(body.Submission, {
        Source: 'job "example" {}\n',
        Format: "hcl2",
        VariableFlags: { region: "eu", image: "redis" },
      });
      assert.equal(parseCalls[0]?.[1].filename, "example.nomad.hcl");
      assert.deepEqual(parseCalls[0]?.[1].variables, { image: "redis" });
    });
  });
});

Deno.test("job run monitors the evaluation until it completes (exit 0)", async () => {
  let evalCalls = 0;
  const routes = {
    "PUT /v1/jobs": registered,
    [`GET /v1/evaluation/${EVAL_ID}`]: (_request: Request, url: URL) => {
      evalCalls++;
      if (evalCalls === 1) return jsonResponse(evalFixture(), 13);
      assert.equal(url.searchParams.get("index"), "13", "second read is a blocking query");
      return jsonResponse(evalFixture({ Status: "complete", ModifyIndex: 15 }), 15);
    },
    [`GET /v1/evaluation/${EVAL_ID}/allocations`]: () =>
      jsonResponse(
        evalCalls === 1 ? [] : [allocationListStub(allocationFixture({ ClientStatus: "pending" }))],
        15,
      ),
  };
  await withJobFile('job "example" {}\n', async (path) => {
    await withFakeNomad(routes, async (server) => {
      const { code, stdout } = await runNomad(["run", path], {
        env: { NOMAD_ADDR: server.address },
      });
      assert.equal(code, 0);
      assert.equal(
        maskTimes(stdout),
        '==> <time>: Monitoring evaluation "5d8b9d09"\n' +
          '    <time>: Evaluation triggered by job "example"\n' +
          '    <time>: Allocation "8ba85cef" created: node "9b7f1fb1", group "cache"\n' +
          '    <time>: Evaluation status changed: "pending" -> "complete"\n' +
          '==> <time>: Evaluation "5d8b9d09" finished with status "complete"\n',
      );
    });
  });
});

Deno.test("job run exits 2 and explains placement failures", async () => {
  const metric = {
    ...emptyAllocationMetric(),
    NodesEvaluated: 1,
    NodesExhausted: 1,
    ConstraintFiltered: { "missing drivers": 1 },
    DimensionExhausted: { memory: 1 },
  };
  const failed = evalFixture({
    Status: "complete",
    FailedTGAllocs: { cache: metric },
    BlockedEval: "b1b2c3d4-0000",
  });
  const routes = {
    "PUT /v1/jobs": registered,
    [`GET /v1/evaluation/${EVAL_ID}`]: failed,
    [`GET /v1/evaluation/${EVAL_ID}/allocations`]: [],
  };
  await withJobFile('job "example" {}\n', async (path) => {
    await withFakeNomad(routes, async (server) => {
      const { code, stdout } = await runNomad(["job", "run", path], {
        env: { NOMAD_ADDR: server.address },
      });
      assert.equal(code, 2);
      assert.equal(
        maskTimes(stdout),
        '==> <time>: Monitoring evaluation "5d8b9d09"\n' +
          '    <time>: Evaluation triggered by job "example"\n' +
          '    <time>: Evaluation status changed: "pending" -> "complete"\n' +
          '==> <time>: Evaluation "5d8b9d09" finished with status "complete" but failed to place all allocations:\n' +
          '    <time>: Task Group "cache" (failed to place 1 allocation):\n' +
          '      * Constraint "missing drivers": 1 nodes excluded by filter\n' +
          "      * Resources exhausted on 1 nodes\n" +
          '      * Dimension "memory" exhausted on 1 nodes\n' +
          '    <time>: Evaluation "b1b2c3d4" waiting for additional capacity to place remainder\n',
      );
    });
  });
});

Deno.test("job run follows NextEval to the next evaluation", async () => {
  const next = "7e7e7e7e-0000-0000-0000-000000000002";
  const routes = {
    "PUT /v1/jobs": registered,
    [`GET /v1/evaluation/${EVAL_ID}`]: evalFixture({ Status: "complete", NextEval: next }),
    [`GET /v1/evaluation/${EVAL_ID}/allocations`]: [],
    [`GET /v1/evaluation/${next}`]: evalFixture({ ID: next, Status: "complete" }),
    [`GET /v1/evaluation/${next}/allocations`]: [],
  };
  await withJobFile("job {}", async (path) => {
    await withFakeNomad(routes, async (server) => {
      const { code, stdout } = await runNomad(["job", "run", path], {
        env: { NOMAD_ADDR: server.address },
      });
      assert.equal(code, 0);
      assert.match(maskTimes(stdout), /==> <time>: Monitoring evaluation "7e7e7e7e"\n/);
      assert.match(maskTimes(stdout), /Evaluation "7e7e7e7e" finished with status "complete"\n$/);
    });
  });
});

Deno.test("job run reports HCL errors with Nomad's wording (exit 1)", async () => {
  await withJobFile("job { syntax error }", async (path) => {
    const { code, stdout, stderr } = await runNomad(["job", "run", path], {
      env: { NOMAD_ADDR: "http://127.0.0.1:1" },
    });
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.equal(
      stderr,
      `Error getting job struct: Error parsing job file from ${path}:\n` +
        "example.nomad.hcl:3:5: Invalid expression; Expected the start of an expression.\n",
    );
  });
});

Deno.test("job run reports 400 responses as 'Error submitting job' (exit 1)", async () => {
  const routes = {
    "PUT /v1/jobs": () =>
      textError(400, "1 error occurred:\n\t* Task group cache has no tasks\n\n"),
  };
  await withJobFile("job {}", async (path) => {
    await withFakeNomad(routes, async (server) => {
      const { code, stderr } = await runNomad(["job", "run", path], {
        env: { NOMAD_ADDR: server.address },
      });
      assert.equal(code, 1);
      assert.equal(
        stderr,
        "Error submitting job: Unexpected response code: 400 (1 error occurred:\n\t* Task group cache has no tasks)\n",
      );
    });
  });
});

Deno.test("job run -check-index rejection prints the server's reason and 'Job not updated'", async () => {
  const reason = "Enforcing job modify index 5: job exists with conflicting job modify index: 7";
  const routes = { "PUT /v1/jobs": () => textError(500, reason) };
  await withJobFile("job {}", async (path) => {
    await withFakeNomad(routes, async (server) => {
      const { code, stderr } = await runNomad(["job", "run", "-check-index", "5", path], {
        env: { NOMAD_ADDR: server.address },
      });
      assert.equal(code, 1);
      assert.equal(stderr, `${reason}\nJob not updated\n`);
      const body = JSON.parse(server.requests[0]?.body ?? "{}");
      assert.equal(body.EnforceIndex, true);
      assert.equal(body.JobModifyIndex, 5);
    });
  });
});

Deno.test("job run -json submits API JSON with a json submission; stdin works with -", async () => {
  const source = JSON.stringify({ Job: { ID: "api-job", TaskGroups: [] } });
  await withFakeNomad({ "PUT /v1/jobs": registered }, async (server) => {
    const { code } = await runNomad(["job", "run", "-json", "-detach", "-"], {
      env: { NOMAD_ADDR: server.address },
      stdin: source,
    });
    assert.equal(code, 0);
    const body = JSON.parse(server.requests[0]?.body ?? "{}");
    assert.equal(body.Job.ID, "api-job");
    assert.deepEqual(body.Submission, { Source: source, Format: "json" });
  });
});

Deno.test("job run -output prints the request without submitting", async () => {
  await withJobFile("job {}", async (path) => {
    const { code, stdout } = await runNomad(["job", "run", "-output", path], {
      env: { NOMAD_ADDR: "http://127.0.0.1:1" },
    });
    assert.equal(code, 0);
    assert.equal(JSON.parse(stdout).Job.ID, "example");
    assert.ok(stdout.startsWith('{\n    "Job": {'));
  });
});

Deno.test("job run with a missing file explains what could not be read", async () => {
  const { code, stderr } = await runNomad(["job", "run", "/nonexistent/job.hcl"]);
  assert.equal(code, 1);
  assert.match(
    stderr,
    /^Error getting job struct: Error getting jobfile from "\/nonexistent\/job.hcl": /,
  );
});
