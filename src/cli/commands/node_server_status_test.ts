import assert from "node:assert/strict";
import { jobListStub, nodeListStub } from "../../structs/mod.ts";
import {
  allocationFixture,
  jobFixture,
  jsonResponse,
  nodeFixture,
  runNomad,
  summaryFixture,
  withFakeNomad,
} from "../testing.ts";

const NODE_ID = "9b7f1fb1-aaaa-bbbb-cccc-ddddeeeeffff";

Deno.test("node status lists nodes in Nomad's table", async () => {
  const nodes = [
    nodeListStub(nodeFixture()),
    nodeListStub(
      nodeFixture({
        ID: "0c1d2e3f-0000",
        Name: "node-2",
        NodeClass: "gpu",
        Status: "down",
        CreateIndex: 9,
      }),
    ),
  ];
  await withFakeNomad({ "GET /v1/nodes": nodes }, async (server) => {
    const { code, stdout } = await runNomad(["node", "status"], {
      env: { NOMAD_ADDR: server.address },
    });
    assert.equal(code, 0);
    assert.equal(
      stdout,
      "ID        Node Pool  DC   Name    Class   Drain  Eligibility  Status\n" +
        "9b7f1fb1  default    dc1  node-1  <none>  false  eligible     ready\n" +
        "0c1d2e3f  default    dc1  node-2  gpu     false  eligible     down\n",
    );
  });
  await withFakeNomad({ "GET /v1/nodes": [] }, async (server) => {
    const { stdout } = await runNomad(["node", "status"], { env: { NOMAD_ADDR: server.address } });
    assert.equal(stdout, "No nodes registered\n");
  });
});

Deno.test("node status <node> shows details, allocated resources and allocations", async () => {
  const node = nodeFixture({
    Drivers: {
      docker: {
        Attributes: null,
        Detected: true,
        Healthy: true,
        HealthDescription: "Healthy",
        UpdateTime: "",
      },
      exec: {
        Attributes: null,
        Detected: true,
        Healthy: false,
        HealthDescription: "no cgroups",
        UpdateTime: "",
      },
      qemu: {
        Attributes: null,
        Detected: false,
        Healthy: false,
        HealthDescription: "",
        UpdateTime: "",
      },
    },
  });
  const alloc = allocationFixture({
    AllocatedResources: {
      Tasks: {
        redis: {
          Cpu: { CpuShares: 500, ReservedCores: null },
          Memory: { MemoryMB: 256, MemoryMaxMB: 0 },
          Networks: null,
          Devices: null,
        },
      },
      TaskLifecycles: null,
      Shared: { DiskMB: 300, Networks: null, Ports: null },
    },
  });
  const routes = {
    "GET /v1/nodes": [nodeListStub(node)],
    [`GET /v1/node/${NODE_ID}`]: node,
    [`GET /v1/node/${NODE_ID}/allocations`]: [alloc],
  };
  await withFakeNomad(routes, async (server) => {
    const { code, stdout, stderr } = await runNomad(["node", "status", "9b7f"], {
      env: { NOMAD_ADDR: server.address },
    });
    assert.equal(stderr, "");
    assert.equal(code, 0);
    assert.equal(
      stdout,
      `ID              = ${NODE_ID}\n` +
        "Name            = node-1\n" +
        "Node Pool       = default\n" +
        "Class           = <none>\n" +
        "DC              = dc1\n" +
        "Drain           = false\n" +
        "Eligibility     = eligible\n" +
        "Status          = ready\n" +
        "CSI Controllers = <none>\n" +
        "CSI Drivers     = <none>\n" +
        "Host Volumes    = <none>\n" +
        "Host Networks   = <none>\n" +
        "CSI Volumes     = <none>\n" +
        "Driver Status   = docker,exec (unhealthy)\n" +
        "\n" +
        "Node Events\n" +
        "Time  Subsystem  Message\n" +
        "\n" +
        "Allocated Resources\n" +
        "CPU           Memory           Disk\n" +
        "500/4000 MHz  256 MiB/8.0 GiB  300 MiB/10 GiB\n" +
        "\n" +
        "Allocations\n" +
        "ID        Node ID   Task Group  Version  Desired  Status   Created   Modified\n" +
        "8ba85cef  9b7f1fb1  cache       0        run      running  1m3s ago  5s ago\n",
    );
  });
});

Deno.test("node status with an unknown prefix exits 1", async () => {
  await withFakeNomad({ "GET /v1/nodes": [] }, async (server) => {
    const { code, stderr } = await runNomad(["node", "status", "abcd"], {
      env: { NOMAD_ADDR: server.address },
    });
    assert.equal(code, 1);
    assert.equal(stderr, 'No node(s) with prefix "abcd" found\n');
  });
});

Deno.test("server members marks the leader by region", async () => {
  const member = (name: string, addr: string) => ({
    Name: `${name}.global`,
    Addr: addr,
    Port: 4648,
    Status: "alive",
    Tags: {
      region: "global",
      dc: "dc1",
      build: "0.1.0",
      raft_vsn: "3",
      port: "4647",
      role: "nomad",
    },
  });
  const routes = {
    "GET /v1/agent/members": {
      ServerName: "b",
      ServerRegion: "global",
      ServerDC: "dc1",
      Members: [member("b", "10.0.0.2"), member("a", "10.0.0.1")],
    },
    "GET /v1/status/leader": () => jsonResponse("10.0.0.2:4647"),
  };
  await withFakeNomad(routes, async (server) => {
    const { code, stdout } = await runNomad(["server", "members"], {
      env: { NOMAD_ADDR: server.address },
    });
    assert.equal(code, 0);
    assert.equal(
      stdout,
      "Name      Address   Port  Status  Leader  Raft Version  Build  Datacenter  Region\n" +
        "a.global  10.0.0.1  4648  alive   false   3             0.1.0  dc1         global\n" +
        "b.global  10.0.0.2  4648  alive   true    3             0.1.0  dc1         global\n",
    );
    assert.equal(
      server.requests.find((r) => r.path === "/v1/status/leader")?.search.get("region"),
      "global",
    );
  });
});

Deno.test("status <prefix> finds the kind of object without /v1/search", async () => {
  const job = jobFixture();
  const routes = {
    "GET /v1/jobs": (_r: Request, url: URL) =>
      jsonResponse(
        url.searchParams.get("prefix") === "9b7f" ? [] : [jobListStub(job, summaryFixture())],
      ),
    "GET /v1/allocations": [],
    "GET /v1/evaluations": [],
    "GET /v1/nodes": [nodeListStub(nodeFixture())],
    [`GET /v1/node/${NODE_ID}`]: nodeFixture(),
    [`GET /v1/node/${NODE_ID}/allocations`]: [],
  };
  await withFakeNomad(routes, async (server) => {
    const { code, stdout } = await runNomad(["status", "9b7f"], {
      env: { NOMAD_ADDR: server.address },
    });
    assert.equal(code, 0);
    assert.ok(stdout.startsWith(`ID              = ${NODE_ID}\n`), stdout);
  });
});

Deno.test("status <job> uses /v1/search when available", async () => {
  const job = jobFixture();
  const routes = {
    "PUT /v1/search": {
      Matches: { jobs: ["example"], allocs: [], nodes: [], evals: [] },
      Truncations: {},
    },
    "GET /v1/jobs": [jobListStub(job, summaryFixture())],
    "GET /v1/job/example": job,
    "GET /v1/job/example/summary": summaryFixture(),
    "GET /v1/job/example/allocations": [],
    "GET /v1/job/example/evaluations": [],
  };
  await withFakeNomad(routes, async (server) => {
    const { code, stdout } = await runNomad(["status", "exa"], {
      env: { NOMAD_ADDR: server.address },
    });
    assert.equal(code, 0);
    assert.ok(stdout.startsWith("ID            = example\n"));
    assert.deepEqual(JSON.parse(server.requests[0]?.body ?? "{}"), {
      Prefix: "exa",
      Context: "all",
    });
  });
});
