import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert";
import { nullLogger } from "../../core/logger.ts";
import { mockAlloc, mockJob, mockNode } from "../../scheduler/testing.ts";
import type { Server } from "../../server/mod.ts";
import { startTestServer } from "../../server/testing.ts";
import type { Allocation, ServiceRegistration } from "../../structs/mod.ts";
import { createApp } from "../app.ts";
import type { HttpBackend } from "../backend.ts";
import { chooseServices } from "./services.ts";

const node = mockNode();

function registration(alloc: Allocation, name: string, tags: string[]): ServiceRegistration {
  return {
    ID: `_nomad-task-${alloc.ID}-web-${name}-http`,
    ServiceName: name,
    Namespace: alloc.Namespace,
    NodeID: node.ID,
    Datacenter: "dc1",
    JobID: alloc.JobID,
    AllocID: alloc.ID,
    Tags: tags,
    Address: "127.0.0.1",
    Port: 20000,
    CreateIndex: 0,
    ModifyIndex: 0,
  };
}

/** A real server with a node and two running allocations (one in namespace "prod"). */
async function withApp(
  fn: (parts: {
    request: (method: string, path: string) => Promise<Response>;
    server: Server;
    allocs: Allocation[];
  }) => Promise<void>,
) {
  const server = startTestServer();
  const job = mockJob();
  const prodJob = { ...mockJob(), Namespace: "prod" };
  const allocs = [mockAlloc(job, node, { index: 0 }), mockAlloc(prodJob, node, { index: 0 })];
  await server.raft.apply({ Type: "NodeRegister", Node: node, UpdatedAt: 0, Evals: [] });
  await server.raft.apply({
    Type: "ApplyPlanResults",
    Job: job,
    AllocsUpdated: allocs,
    AllocsStopped: [],
    EvalID: "e",
  });
  const used: Partial<HttpBackend> = {
    state: server.state,
    region: "global",
    serviceRegistrationDelete: (namespace, id) => server.serviceRegistrationDelete(namespace, id),
    allocChecks: (id) => id === "a1" ? { c1: { ID: "c1", Status: "success" } } : undefined,
  };
  const backend = new Proxy(used, {
    get: (target, key) =>
      key in target ? target[key as keyof HttpBackend] : () => {
        throw new Error(`not in this test: ${String(key)}`);
      },
  }) as HttpBackend;
  const app = createApp(backend, nullLogger);
  try {
    await fn({
      request: (method, path) => Promise.resolve(app.request(path, { method })),
      server,
      allocs,
    });
  } finally {
    await server.shutdown();
  }
}

Deno.test("services are listed by namespace, read by name and deleted by ID", async () => {
  await withApp(async ({ request, server, allocs }) => {
    const [a1, a2] = allocs as [Allocation, Allocation];
    deepStrictEqual(await (await request("GET", "/v1/services")).json(), []);
    await server.serviceRegistrationUpsert(node.ID, [
      registration(a1, "web", ["b", "a"]),
      registration(a1, "db", []),
      registration(a2, "web", ["p"]),
    ]);
    const list = await request("GET", "/v1/services");
    strictEqual(list.status, 200);
    ok(Number(list.headers.get("X-Nomad-Index")) > 0);
    deepStrictEqual(await list.json(), [{
      Namespace: "default",
      Services: [{ ServiceName: "db", Tags: [] }, { ServiceName: "web", Tags: ["a", "b"] }],
    }]);
    deepStrictEqual(await (await request("GET", "/v1/services?namespace=*")).json(), [
      {
        Namespace: "default",
        Services: [{ ServiceName: "db", Tags: [] }, { ServiceName: "web", Tags: ["a", "b"] }],
      },
      { Namespace: "prod", Services: [{ ServiceName: "web", Tags: ["p"] }] },
    ]);
    deepStrictEqual(
      (await (await request("GET", "/v1/services?prefix=w")).json())[0].Services.length,
      1,
    );

    const web = await (await request("GET", "/v1/service/web")).json() as ServiceRegistration[];
    deepStrictEqual(web.map((r) => [r.AllocID, r.Address, r.Port, r.Tags]), [
      [a1.ID, "127.0.0.1", 20000, ["b", "a"]],
    ]);
    deepStrictEqual(Object.keys(web[0]!).sort(), [
      "Address",
      "AllocID",
      "CreateIndex",
      "Datacenter",
      "ID",
      "JobID",
      "ModifyIndex",
      "Namespace",
      "NodeID",
      "Port",
      "ServiceName",
      "Tags",
    ]);
    deepStrictEqual(await (await request("GET", "/v1/service/nope")).json(), []);
    deepStrictEqual(await (await request("GET", "/v1/client/allocation/a1/checks")).json(), {
      c1: { ID: "c1", Status: "success" },
    });

    const deleted = await request("DELETE", `/v1/service/web/${web[0]!.ID}`);
    strictEqual(deleted.status, 200);
    strictEqual(await deleted.text(), "");
    deepStrictEqual(await (await request("GET", "/v1/service/web")).json(), []);
    const again = await request("DELETE", `/v1/service/web/${web[0]!.ID}`);
    deepStrictEqual([again.status, await again.text()], [500, "service registration not found"]);
  });
});

Deno.test("bad service requests get Nomad's status codes and texts", async () => {
  await withApp(async ({ request }) => {
    const cases: [string, string, number, string][] = [
      ["POST", "/v1/services", 405, "Invalid method"],
      ["PUT", "/v1/service/web", 405, "Invalid method"],
      ["GET", "/v1/service/web/id", 405, "Invalid method"],
      ["GET", "/v1/service/", 400, "missing service name"],
      ["DELETE", "/v1/service/web/", 400, "missing service id"],
      ["GET", "/v1/service/a/b/c", 400, "invalid URI"],
      ["GET", "/v1/service/web?index=x", 400, "Invalid index"],
      [
        "GET",
        "/v1/service/web?choose=abc",
        400,
        "failed to choose services: Parameter for choose must be in form '<number>|<key>'",
      ],
      ["GET", "/v1/client/allocation/x/checks", 404, 'Unknown allocation "x"'],
    ];
    for (const [method, path, status, text] of cases) {
      const response = await request(method, path);
      deepStrictEqual([method, path, response.status, await response.text()], [
        method,
        path,
        status,
        text,
      ]);
    }
  });
});

Deno.test("a blocking service read returns when a registration arrives", async () => {
  await withApp(async ({ request, server, allocs }) => {
    const first = await request("GET", "/v1/service/web");
    const index = Number(first.headers.get("X-Nomad-Index"));
    const waiting = request("GET", `/v1/service/web?index=${index}&wait=30s`);
    await server.serviceRegistrationUpsert(node.ID, [registration(allocs[0]!, "web", [])]);
    const body = await (await waiting).json() as ServiceRegistration[];
    strictEqual(body.length, 1);
  });
});

Deno.test("upserts from a node are checked before they reach raft", async () => {
  await withApp(async ({ server, allocs }) => {
    const good = registration(allocs[0]!, "web", []);
    const before = server.state.index;
    await rejects(server.serviceRegistrationUpsert(node.ID, []), { code: 400 });
    await rejects(server.serviceRegistrationUpsert(node.ID, "nope"), { code: 400 });
    await rejects(
      server.serviceRegistrationUpsert(node.ID, [{ ...good, Address: "0.0.0.0" }]),
      { code: 400, message: /invalid service registration address/ },
    );
    await rejects(server.serviceRegistrationUpsert(node.ID, [{ ...good, Port: 70000 }]), {
      code: 400,
      message: /Port must be an integer/,
    });
    await rejects(server.serviceRegistrationUpsert(node.ID, [{ ...good, ServiceName: "" }]), {
      code: 400,
      message: /missing ServiceName/,
    });
    await rejects(server.serviceRegistrationUpsert("other-node", [good]), {
      code: 400,
      message: /is not the caller/,
    });
    strictEqual(server.state.index, before);
  });
});

Deno.test("choose picks a stable subset of instances", () => {
  const alloc = mockAlloc(mockJob(), node);
  const instances = [1, 2, 3, 4].map((n) => ({
    ...registration(alloc, "web", []),
    ID: `id-${n}`,
    Port: 20000 + n,
  }));
  const two = chooseServices(instances, "2|key");
  strictEqual(two.length, 2);
  deepStrictEqual(chooseServices([...instances].reverse(), "2|key"), two);
  strictEqual(chooseServices(instances, "9|key").length, 4);
});
