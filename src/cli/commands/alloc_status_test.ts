import assert from "node:assert/strict";
import { type Allocation, allocationListStub, newTaskEvent } from "../../structs/mod.ts";
import { formatUnixNanoTime } from "../format.ts";
import { agoNs, allocationFixture, runNomad, TEST_NOW_MS, withFakeNomad } from "../testing.ts";

const ALLOC_ID = "8ba85cef-1111-2222-3333-444455556666";

function runningAlloc(): Allocation {
  const started = new Date(TEST_NOW_MS - 60_000).toISOString();
  return allocationFixture({
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
      Shared: {
        DiskMB: 300,
        Networks: [{
          Mode: "host",
          Device: "",
          CIDR: "",
          IP: "127.0.0.1",
          Hostname: "",
          MBits: 0,
          DNS: null,
          ReservedPorts: null,
          DynamicPorts: [{ Label: "db", Value: 25432, To: 6379, HostNetwork: "default" }],
        }],
        Ports: [{ Label: "db", Value: 25432, To: 6379, HostIP: "127.0.0.1" }],
      },
    },
    TaskStates: {
      redis: {
        State: "running",
        Failed: false,
        Restarts: 0,
        LastRestart: "0001-01-01T00:00:00Z",
        StartedAt: started,
        FinishedAt: null,
        Events: [
          newTaskEvent("Received", agoNs(62), { DisplayMessage: "Task received by client" }),
          newTaskEvent("Task Setup", agoNs(61), { Message: "Building Task Directory" }),
          newTaskEvent("Started", agoNs(60)),
        ],
      },
    },
  });
}

Deno.test("alloc status prints Nomad's layout with addresses, resources and events", async () => {
  const alloc = runningAlloc();
  const routes = {
    "GET /v1/allocations": [allocationListStub(alloc)],
    [`GET /v1/allocation/${ALLOC_ID}`]: alloc,
  };
  await withFakeNomad(routes, async (server) => {
    const { code, stdout, stderr } = await runNomad(["alloc", "status", "8ba85"], {
      env: { NOMAD_ADDR: server.address },
    });
    assert.equal(stderr, "");
    assert.equal(code, 0);
    assert.equal(
      server.requests[0]?.search.get("prefix"),
      "8ba8",
      "odd prefixes are trimmed to whole bytes",
    );
    const t = (seconds: number) => formatUnixNanoTime(agoNs(seconds));
    assert.equal(
      stdout,
      `ID                  = ${ALLOC_ID}\n` +
        "Eval ID             = 5d8b9d09\n" +
        "Name                = example.cache[0]\n" +
        "Node ID             = 9b7f1fb1\n" +
        "Node Name           = node-1\n" +
        "Job ID              = example\n" +
        "Job Version         = 0\n" +
        "Client Status       = running\n" +
        "Client Description  = Tasks are running\n" +
        "Desired Status      = run\n" +
        "Desired Description = <none>\n" +
        "Created             = 1m3s ago\n" +
        "Modified            = 5s ago\n" +
        "\n" +
        'Allocation Addresses (mode = "host"):\n' +
        "Label  Dynamic  Address\n" +
        "*db    yes      127.0.0.1:25432 -> 6379\n" +
        "\n" +
        'Task "redis" is "running"\n' +
        "Task Resources:\n" +
        "CPU      Memory   Disk     Addresses\n" +
        "500 MHz  256 MiB  300 MiB  \n" +
        "\n" +
        "Task Events:\n" +
        `Started At     = ${t(60)}\n` +
        "Finished At    = N/A\n" +
        "Total Restarts = 0\n" +
        "Last Restart   = N/A\n" +
        "\n" +
        "Recent Events:\n" +
        "Time                  Type        Description\n" +
        `${t(60)}  Started     Task started by client\n` +
        `${t(61)}  Task Setup  Building Task Directory\n` +
        `${t(62)}  Received    Task received by client\n`,
    );
  });
});

Deno.test("alloc status with several matches lists them (exit 0), unknown exits 1", async () => {
  const a = allocationFixture();
  const b = allocationFixture({ ID: "8ba85cef-9999-2222-3333-444455556666", CreateIndex: 30 });
  await withFakeNomad(
    { "GET /v1/allocations": [allocationListStub(a), allocationListStub(b)] },
    async (server) => {
      const { code, stdout } = await runNomad(["alloc", "status", "8ba85cef"], {
        env: { NOMAD_ADDR: server.address },
      });
      assert.equal(code, 0);
      assert.ok(stdout.startsWith("Prefix matched multiple allocations\n\nID        Node ID"));
    },
  );
  await withFakeNomad({ "GET /v1/allocations": [] }, async (server) => {
    const { code, stderr } = await runNomad(["alloc", "status", "ffff"], {
      env: { NOMAD_ADDR: server.address },
    });
    assert.equal(code, 1);
    assert.equal(stderr, 'No allocation(s) with prefix or id "ffff" found\n');
  });
  const { code, stderr } = await runNomad(["alloc", "status", "f"]);
  assert.equal(code, 1);
  assert.equal(stderr, "Identifier must contain at least two characters.\n");
});

Deno.test("alloc status -short shows the task table", async () => {
  const alloc = runningAlloc();
  const routes = {
    "GET /v1/allocations": [allocationListStub(alloc)],
    [`GET /v1/allocation/${ALLOC_ID}`]: alloc,
  };
  await withFakeNomad(routes, async (server) => {
    const { code, stdout } = await runNomad(["alloc", "status", "-short", "8ba85cef"], {
      env: { NOMAD_ADDR: server.address },
    });
    assert.equal(code, 0);
    assert.ok(
      stdout.endsWith(
        "\nTasks\nName   State    Last Event  Time                  Lifecycle\n" +
          `redis  running  Started     ${formatUnixNanoTime(agoNs(60))}  main\n`,
      ),
      stdout,
    );
  });
});

Deno.test("alloc status -t formats the allocation, or every allocation without an ID", async () => {
  const alloc = runningAlloc();
  const routes = {
    "GET /v1/allocations": [allocationListStub(alloc)],
    [`GET /v1/allocation/${ALLOC_ID}`]: alloc,
  };
  await withFakeNomad(routes, async (server) => {
    const env = { NOMAD_ADDR: server.address };
    const one = await runNomad(
      ["alloc", "status", "-t", "{{ .ID }} {{ .TaskStates.redis.State }}", "8ba85cef"],
      { env },
    );
    assert.equal(one.stderr, "");
    assert.equal(one.stdout, `${ALLOC_ID} running\n`);
    const all = await runNomad(["alloc", "status", "-t", "{{ range . }}{{ .ID }}{{ end }}"], {
      env,
    });
    assert.equal(all.stdout, `${ALLOC_ID}\n`);
    const bad = await runNomad(["alloc", "status", "-t", "{{ .ID", "8ba85cef"], { env });
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, "Error formatting the data: template: :1: unclosed action\n");
  });
});
