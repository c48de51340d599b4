import { deepStrictEqual, strictEqual } from "node:assert";
import { DRIVER_CONFIG_SCHEMAS } from "../../../drivers/mod.ts";
import { nullLogger } from "../../core/logger.ts";
import { seededRng } from "../../core/rng.ts";
import { mockJob } from "../../scheduler/testing.ts";
import type { Server, ServerConfig } from "../../server/mod.ts";
import { createApp } from "../app.ts";
import type { HttpBackend } from "../backend.ts";
import { startTestServer } from "../../server/testing.ts";

const PATH = "/v1/operator/scheduler/configuration";

/** A real server behind the HTTP app; backend methods these tests do not use throw. */
async function withServer(
  fn: (t: {
    server: Server;
    request: (method: string, path: string, body?: unknown) => Promise<Response>;
  }) => Promise<void>,
  extra: Partial<ServerConfig> = {},
) {
  const server = startTestServer({
    driverSchemas: DRIVER_CONFIG_SCHEMAS,
    rng: seededRng(7),
    ...extra,
  });
  const used: Partial<HttpBackend> = {
    state: server.state,
    region: "global",
    jobRegister: (r) => server.jobRegister(r),
    schedulerSetConfiguration: (config, cas) => server.schedulerSetConfiguration(config, cas),
  };
  const backend = new Proxy(used, {
    get: (target, key) =>
      key in target ? target[key as keyof HttpBackend] : () => {
        throw new Error(`not in this test: ${String(key)}`);
      },
  }) as HttpBackend;
  const app = createApp(backend, nullLogger);
  const request = (method: string, path: string, body?: unknown) =>
    Promise.resolve(app.request(path, {
      method,
      ...(body === undefined
        ? {}
        : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    }));
  try {
    await fn({ server, request });
  } finally {
    await server.shutdown();
  }
}

Deno.test("a new cluster reports Nomad's default scheduler configuration", async () => {
  await withServer(async ({ request }) => {
    const res = await request("GET", PATH);
    strictEqual(res.status, 200);
    const body = await res.json();
    deepStrictEqual(Object.keys(body), ["SchedulerConfig", "Index", "LastContact", "KnownLeader"]);
    deepStrictEqual(body.SchedulerConfig, {
      SchedulerAlgorithm: "binpack",
      PreemptionConfig: {
        SystemSchedulerEnabled: true,
        SysBatchSchedulerEnabled: true,
        BatchSchedulerEnabled: false,
        ServiceSchedulerEnabled: false,
      },
      MemoryOversubscriptionEnabled: false,
      RejectJobRegistration: false,
      PauseEvalBroker: false,
      CreateIndex: 1,
      ModifyIndex: 1,
    });
    strictEqual(body.Index, 1);
    strictEqual(res.headers.get("X-Nomad-Index"), "1");
  });
});

Deno.test("the agent's default_scheduler_config seeds a new cluster", async () => {
  await withServer(({ server }) => {
    strictEqual(server.state.snapshot().schedulerAlgorithm(), "spread");
    strictEqual(server.broker.paused, true);
    return Promise.resolve();
  }, {
    defaultSchedulerConfig: {
      SchedulerAlgorithm: "spread",
      PreemptionConfig: {
        SystemSchedulerEnabled: true,
        SysBatchSchedulerEnabled: true,
        BatchSchedulerEnabled: false,
        ServiceSchedulerEnabled: false,
      },
      MemoryOversubscriptionEnabled: false,
      RejectJobRegistration: false,
      PauseEvalBroker: true,
      CreateIndex: 0,
      ModifyIndex: 0,
    },
  });
});

Deno.test("PUT sets the configuration and a stale ?cas= is not applied", async () => {
  await withServer(async ({ request, server }) => {
    const put = await request("PUT", PATH, {
      SchedulerAlgorithm: "spread",
      MemoryOversubscriptionEnabled: true,
    });
    strictEqual(put.status, 200);
    const written = await put.json();
    deepStrictEqual(written, { Updated: true, Index: 2 });
    strictEqual(put.headers.get("X-Nomad-Index"), "2");
    const snapshot = server.state.snapshot();
    strictEqual(snapshot.schedulerAlgorithm(), "spread");
    strictEqual(snapshot.memoryOversubscriptionEnabled(), true);
    // Fields left out of a write are false, as in Nomad (the body is the whole configuration).
    strictEqual(snapshot.schedulerConfig()?.PreemptionConfig.SystemSchedulerEnabled, false);
    strictEqual(snapshot.schedulerConfig()?.CreateIndex, 1);

    const stale = await request("POST", `${PATH}?cas=1`, { SchedulerAlgorithm: "binpack" });
    strictEqual(stale.status, 200);
    deepStrictEqual(await stale.json(), { Updated: false, Index: 3 });
    strictEqual(server.state.snapshot().schedulerAlgorithm(), "spread");

    const fresh = await request("POST", `${PATH}?cas=2`, { SchedulerAlgorithm: "binpack" });
    deepStrictEqual(await fresh.json(), { Updated: true, Index: 4 });
    const read = await (await request("GET", PATH)).json();
    strictEqual(read.SchedulerConfig.SchedulerAlgorithm, "binpack");
    strictEqual(read.SchedulerConfig.ModifyIndex, 4);
    strictEqual(read.Index, 4);
  });
});

Deno.test("scheduler configuration writes reject bad input with Nomad's 400s", async () => {
  await withServer(async ({ request, server }) => {
    const cases: [string, unknown, string][] = [
      [PATH, { SchedulerAlgorithm: "random" }, "invalid scheduler algorithm: random"],
      [PATH, "", "Error parsing scheduler config: Request body is empty"],
      [
        PATH,
        { PauseEvalBroker: "yes" },
        "Error parsing scheduler config: json: cannot unmarshal string into Go struct field SchedulerConfiguration.PauseEvalBroker of type bool",
      ],
      [
        PATH,
        { SchedulerAlgorithm: 1 },
        "Error parsing scheduler config: json: cannot unmarshal number into Go struct field SchedulerConfiguration.SchedulerAlgorithm of type api.SchedulerAlgorithm",
      ],
      [
        PATH,
        [],
        "Error parsing scheduler config: json: cannot unmarshal array into Go value of type api.SchedulerConfiguration",
      ],
      [
        `${PATH}?cas=x`,
        {},
        'Error parsing cas value: strconv.ParseUint: parsing "x": invalid syntax',
      ],
      [
        `${PATH}?cas=-1`,
        {},
        'Error parsing cas value: strconv.ParseUint: parsing "-1": invalid syntax',
      ],
    ];
    for (const [path, body, message] of cases) {
      const res = await request("PUT", path, body);
      strictEqual(res.status, 400, message);
      strictEqual(await res.text(), message);
    }
    const garbage = await request("PUT", PATH, "{nope");
    strictEqual(garbage.status, 400);
    strictEqual((await garbage.text()).startsWith("Error parsing scheduler config: "), true);
    const wrongMethod = await request("DELETE", PATH);
    strictEqual(wrongMethod.status, 405);
    // Nothing above was stored.
    strictEqual(server.state.snapshot().schedulerConfig()?.ModifyIndex, 1);
  });
});

Deno.test("RejectJobRegistration makes job register fail with Nomad's 403", async () => {
  await withServer(async ({ request }) => {
    await request("PUT", PATH, { RejectJobRegistration: true });
    const job = { ...mockJob({ ID: "web" }) };
    const rejected = await request("PUT", "/v1/jobs", { Job: job });
    strictEqual(rejected.status, 403);
    strictEqual(
      await rejected.text(),
      "Job registration, dispatch, and scale are disabled by the scheduler configuration",
    );
    await request("PUT", PATH, { RejectJobRegistration: false });
    const accepted = await request("PUT", "/v1/jobs", { Job: job });
    strictEqual(accepted.status, 200, await accepted.clone().text());
    strictEqual((await accepted.json()).Warnings, "");
  });
});

Deno.test("PauseEvalBroker holds evaluations until the broker is resumed", async () => {
  await withServer(async ({ request, server }) => {
    await request("PUT", PATH, { PauseEvalBroker: true });
    strictEqual(server.broker.paused, true);
    await request("PUT", PATH, { PauseEvalBroker: false });
    strictEqual(server.broker.paused, false);
  });
});

Deno.test("memory_max without oversubscription registers with Nomad's warning", async () => {
  await withServer(async ({ request }) => {
    const job = mockJob({
      ID: "web",
      TaskGroups: [{
        Name: "web",
        Tasks: [{
          Name: "app",
          Driver: "exec",
          Config: { command: "/bin/date" },
          Resources: { CPU: 100, MemoryMB: 128, MemoryMaxMB: 256 },
        }],
      }],
    });
    const res = await request("PUT", "/v1/jobs", { Job: job });
    strictEqual(res.status, 200);
    strictEqual(
      (await res.json()).Warnings,
      '1 warning:\n\n* Memory oversubscription is not enabled; Task "web.app" memory_max value will be ignored. Update the Scheduler Configuration to allow oversubscription.',
    );
    await request("PUT", PATH, { MemoryOversubscriptionEnabled: true });
    const again = await request("PUT", "/v1/jobs", { Job: job });
    strictEqual((await again.json()).Warnings, "");
  });
});
