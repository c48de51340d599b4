import assert from "node:assert/strict";
import { allocationListStub, emptyAllocationMetric, jobListStub } from "../../structs/mod.ts";
import { formatUnixNanoTime } from "../format.ts";
import {
  allocationFixture,
  evalFixture,
  jobFixture,
  runNomad,
  summaryFixture,
  textError,
  withFakeNomad,
} from "../testing.ts";

function jobRoutes(overrides: Record<string, unknown> = {}) {
  const job = jobFixture();
  return {
    "GET /v1/jobs": [jobListStub(job, summaryFixture())],
    "GET /v1/job/example": job,
    "GET /v1/job/example/summary": summaryFixture(),
    "GET /v1/job/example/allocations": [allocationListStub(allocationFixture())],
    "GET /v1/job/example/evaluations": [evalFixture({ Status: "complete" })],
    ...overrides,
  };
}

Deno.test("job status lists jobs in Nomad's table", async () => {
  const job = jobFixture();
  const batch = jobFixture({
    ID: "backup",
    Type: "batch",
    Priority: 70,
    Periodic: { Spec: "@daily" },
  });
  const routes = {
    "GET /v1/jobs": [
      jobListStub(job, null),
      jobListStub({ ...batch, Status: "dead", Stop: true }, null),
    ],
  };
  await withFakeNomad(routes, async (server) => {
    const { code, stdout, stderr } = await runNomad(["job", "status"], {
      env: { NOMAD_ADDR: server.address },
    });
    assert.equal(stderr, "");
    assert.equal(code, 0);
    const submit = formatUnixNanoTime(job.SubmitTime);
    assert.equal(
      stdout,
      "ID       Type            Priority  Status          Submit Date\n" +
        `backup   batch/periodic  70        dead (stopped)  ${submit}\n` +
        `example  service         50        running         ${submit}\n`,
    );
  });
});

Deno.test("job status with no jobs prints 'No running jobs'", async () => {
  await withFakeNomad({ "GET /v1/jobs": [] }, async (server) => {
    const { code, stdout } = await runNomad(["status"], { env: { NOMAD_ADDR: server.address } });
    assert.equal(code, 0);
    assert.equal(stdout, "No running jobs\n");
  });
});

Deno.test("-address overrides NOMAD_ADDR", async () => {
  await withFakeNomad({ "GET /v1/jobs": [] }, async (server) => {
    const { code, stdout } = await runNomad(["job", "status", "-address", server.address], {
      env: { NOMAD_ADDR: "http://127.0.0.1:1" },
    });
    assert.equal(code, 0);
    assert.equal(stdout, "No running jobs\n");
  });
});

Deno.test("job status <job> prints the header, summary and allocations", async () => {
  await withFakeNomad(jobRoutes(), async (server) => {
    const { code, stdout, stderr } = await runNomad(["job", "status", "example"], {
      env: { NOMAD_ADDR: server.address },
    });
    assert.equal(stderr, "");
    assert.equal(code, 0);
    const submit = formatUnixNanoTime(jobFixture().SubmitTime);
    assert.equal(
      stdout,
      "ID            = example\n" +
        "Name          = example\n" +
        `Submit Date   = ${submit}\n` +
        "Type          = service\n" +
        "Priority      = 50\n" +
        "Datacenters   = dc1\n" +
        "Namespace     = default\n" +
        "Node Pool     = default\n" +
        "Status        = running\n" +
        "Periodic      = false\n" +
        "Parameterized = false\n" +
        "\n" +
        "Summary\n" +
        "Task Group  Queued  Starting  Running  Failed  Complete  Lost  Unknown\n" +
        "cache       0       0         1        0       0         0     0\n" +
        "\n" +
        "Allocations\n" +
        "ID        Node ID   Task Group  Version  Desired  Status   Created   Modified\n" +
        "8ba85cef  9b7f1fb1  cache       0        run      running  1m3s ago  5s ago\n",
    );
    assert.equal(server.requests[0]?.search.get("prefix"), "example");
  });
});

Deno.test("job status shows placement failures of a blocked evaluation", async () => {
  const metric = {
    ...emptyAllocationMetric(),
    NodesEvaluated: 1,
    NodesExhausted: 1,
    ConstraintFiltered: { "missing drivers": 1 },
    DimensionExhausted: { memory: 1 },
  };
  const routes = jobRoutes({
    "GET /v1/job/example/allocations": [],
    "GET /v1/job/example/evaluations": [
      evalFixture({ ID: "b1", Status: "blocked", CreateIndex: 20 }),
      evalFixture({ Status: "complete", FailedTGAllocs: { cache: metric }, BlockedEval: "b1" }),
    ],
  });
  await withFakeNomad(routes, async (server) => {
    const { code, stdout } = await runNomad(["job", "status", "example"], {
      env: { NOMAD_ADDR: server.address },
    });
    assert.equal(code, 0);
    assert.ok(
      stdout.includes(
        "\nPlacement Failure\n" +
          'Task Group "cache":\n' +
          '  * Constraint "missing drivers": 1 nodes excluded by filter\n' +
          "  * Resources exhausted on 1 nodes\n" +
          '  * Dimension "memory" exhausted on 1 nodes\n' +
          "\nAllocations\nNo allocations placed\n",
      ),
      stdout,
    );
  });
});

Deno.test("job status -verbose -evals adds the evaluations table and full IDs", async () => {
  await withFakeNomad(jobRoutes(), async (server) => {
    const { code, stdout } = await runNomad(["job", "status", "-verbose", "example"], {
      env: { NOMAD_ADDR: server.address },
    });
    assert.equal(code, 0);
    assert.ok(
      stdout.includes(
        "Evaluations\nID                                    Priority  Triggered By  Status    Placement Failures\n" +
          "5d8b9d09-aaaa-bbbb-cccc-000000000001  50        job-register  complete  false\n",
      ),
      stdout,
    );
    assert.ok(stdout.includes("ID                                    Eval ID"));
  });
});

Deno.test("job status with an unknown job prints Nomad's error and exits 1", async () => {
  await withFakeNomad({ "GET /v1/jobs": [] }, async (server) => {
    const { code, stdout, stderr } = await runNomad(["job", "status", "nope"], {
      env: { NOMAD_ADDR: server.address },
    });
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.equal(stderr, 'No job(s) with prefix or ID "nope" found\n');
  });
});

Deno.test("an ambiguous job prefix lists the matches and exits 1", async () => {
  const a = jobFixture({ ID: "web-a" });
  const b = jobFixture({ ID: "web-b" });
  await withFakeNomad(
    { "GET /v1/jobs": [jobListStub(a, null), jobListStub(b, null)] },
    async (server) => {
      const { code, stderr } = await runNomad(["job", "status", "web"], {
        env: { NOMAD_ADDR: server.address },
      });
      assert.equal(code, 1);
      const submit = formatUnixNanoTime(a.SubmitTime);
      assert.equal(
        stderr,
        'Prefix "web" matched multiple jobs\n\n' +
          "ID     Type     Priority  Status   Submit Date\n" +
          `web-a  service  50        running  ${submit}\n` +
          `web-b  service  50        running  ${submit}\n`,
      );
    },
  );
});

Deno.test("an exact ID wins over longer IDs sharing the prefix", async () => {
  const routes = jobRoutes({
    "GET /v1/jobs": [
      jobListStub(jobFixture(), null),
      jobListStub(jobFixture({ ID: "example-2" }), null),
    ],
  });
  await withFakeNomad(routes, async (server) => {
    const { code, stdout } = await runNomad(["job", "status", "example"], {
      env: { NOMAD_ADDR: server.address },
    });
    assert.equal(code, 0);
    assert.ok(stdout.startsWith("ID            = example\n"));
  });
});

Deno.test("API errors and refused connections use Nomad's wording", async () => {
  await withFakeNomad(
    { "GET /v1/jobs": () => textError(403, "Permission denied") },
    async (server) => {
      const { code, stderr } = await runNomad(["job", "status"], {
        env: { NOMAD_ADDR: server.address },
      });
      assert.equal(code, 1);
      assert.equal(
        stderr,
        "Error querying jobs: Unexpected response code: 403 (Permission denied)\n",
      );
    },
  );
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const { code, stderr } = await runNomad(["job", "status"], {
    env: { NOMAD_ADDR: `http://127.0.0.1:${port}` },
  });
  assert.equal(code, 1);
  assert.equal(
    stderr,
    `Error querying jobs: Get "http://127.0.0.1:${port}/v1/jobs": dial tcp 127.0.0.1:${port}: connect: connection refused\n`,
  );
});

Deno.test("NOMAD_TOKEN and NOMAD_NAMESPACE reach the server", async () => {
  await withFakeNomad({ "GET /v1/jobs": [] }, async (server) => {
    await runNomad(["job", "status"], {
      env: { NOMAD_ADDR: server.address, NOMAD_TOKEN: "s3cret", NOMAD_NAMESPACE: "prod" },
    });
    assert.equal(server.requests[0]?.headers.get("X-Nomad-Token"), "s3cret");
    assert.equal(server.requests[0]?.search.get("namespace"), "prod");
  });
});

Deno.test("job status -json prints the summary, allocations and evaluations", async () => {
  await withFakeNomad(jobRoutes(), async (server) => {
    const { code, stdout } = await runNomad(["job", "status", "-json", "example"], {
      env: { NOMAD_ADDR: server.address },
    });
    assert.equal(code, 0);
    const parsed = JSON.parse(stdout) as Record<string, unknown>[];
    assert.equal(parsed.length, 1);
    assert.deepEqual(Object.keys(parsed[0] ?? {}), [
      "Summary",
      "Allocations",
      "LatestDeployment",
      "Evaluations",
    ]);
  });
});
