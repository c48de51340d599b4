import { deepStrictEqual, ok, strictEqual } from "node:assert";
import { nullLogger } from "../../core/logger.ts";
import { seededRng } from "../../core/rng.ts";
import { mockAlloc, mockJob, mockNode } from "../../scheduler/testing.ts";
import type { Server } from "../../server/mod.ts";
import type { Node } from "../../structs/mod.ts";
import { createApp } from "../app.ts";
import type { HttpBackend } from "../backend.ts";
import { startTestServer } from "../../server/testing.ts";

/** A real server behind the HTTP app; backend methods these tests do not use throw. */
async function setup(
  fn: (t: {
    server: Server;
    request: (method: string, path: string, body?: unknown) => Promise<Response>;
    node: Node;
  }) => Promise<void>,
) {
  const server = startTestServer({ driverSchemas: {}, rng: seededRng(7) });
  const used: Partial<HttpBackend> = {
    state: server.state,
    region: "global",
    nodeUpdateDrain: (r) => server.nodeUpdateDrain(r),
    nodeUpdateEligibility: (r) => server.nodeUpdateEligibility(r),
    systemGarbageCollect: () => server.systemGarbageCollect(),
    reconcileJobSummaries: () => server.reconcileJobSummaries(),
  };
  const backend = new Proxy(used, {
    get: (target, key) =>
      key in target ? target[key as keyof HttpBackend] : () => {
        throw new Error(`not in this test: ${String(key)}`);
      },
  }) as HttpBackend;
  const app = createApp(backend, nullLogger);
  const node = { ...mockNode({ ID: "11111111-2222-3333-4444-555555555555" }), SecretID: "s" };
  await server.nodeRegister(node);
  // A running batch allocation keeps a drain open until its deadline (batch work is left to finish).
  const job = mockJob({ ID: "batch", Type: "batch" });
  await server.raft.apply({ Type: "JobRegister", Job: job, Eval: null, SubmitTime: 1 });
  await server.raft.apply({
    Type: "ApplyPlanResults",
    Job: job,
    AllocsUpdated: [mockAlloc(job, node)],
    AllocsStopped: [],
    EvalID: "e",
  });
  const request = (method: string, path: string, body?: unknown) =>
    Promise.resolve(app.request(path, {
      method,
      ...(body === undefined
        ? {}
        : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    }));
  try {
    await fn({ server, request, node });
  } finally {
    await server.shutdown();
  }
}

async function expectError(res: Response, status: number, text: string): Promise<void> {
  strictEqual(await res.text(), text);
  strictEqual(res.status, status);
}

Deno.test("eligibility rejects unknown nodes, bad values, bad JSON and enabling a draining node", async () => {
  await setup(async ({ request, node }) => {
    const path = `/v1/node/${node.ID}/eligibility`;
    await expectError(
      await request("PUT", "/v1/node/00000000-0000-0000-0000-000000000000/eligibility", {
        Eligibility: "eligible",
      }),
      500,
      "node not found",
    );
    await expectError(
      await request("PUT", path, { Eligibility: "maybe" }),
      500,
      'invalid scheduling eligibility "maybe"',
    );
    await expectError(await request("PUT", path, {}), 500, 'invalid scheduling eligibility ""');
    await expectError(
      await request("PUT", path, { Eligibility: 1 }),
      400,
      "json: cannot unmarshal number into Go struct field NodeUpdateEligibilityRequest.Eligibility of type string",
    );
    await expectError(await request("PUT", path), 400, "EOF");
    strictEqual((await request("PUT", path, "{nope")).status, 400);
    strictEqual((await request("GET", path)).status, 405);
    strictEqual((await request("DELETE", path)).status, 405);
    await request("PUT", `/v1/node/${node.ID}/drain`, { DrainSpec: { Deadline: 3600e9 } });
    await expectError(
      await request("POST", path, { Eligibility: "eligible" }),
      500,
      "can not set node's scheduling eligibility to eligible while it is draining",
    );
  });
});

Deno.test("eligibility toggles the node, records events, and is a no-op when unchanged", async () => {
  await setup(async ({ request, node, server }) => {
    const path = `/v1/node/${node.ID}/eligibility`;
    const noop = await request("PUT", path, { Eligibility: "eligible" });
    deepStrictEqual(await noop.json(), {
      NodeModifyIndex: 0,
      EvalIDs: null,
      EvalCreateIndex: 0,
      Index: 0,
    });
    const off = await request("PUT", path, { Eligibility: "ineligible" });
    strictEqual(off.status, 200);
    const offBody = await off.json();
    ok(offBody.Index > 0);
    strictEqual(off.headers.get("X-Nomad-Index"), String(offBody.Index));
    const stored = server.state.snapshot().nodeByID(node.ID)!;
    strictEqual(stored.SchedulingEligibility, "ineligible");
    strictEqual(stored.Events?.at(-1)?.Message, "Node marked as ineligible for scheduling");
    const on = await request("POST", path, { NodeID: node.ID, Eligibility: "eligible" });
    strictEqual(on.status, 200);
    strictEqual(server.state.snapshot().nodeByID(node.ID)!.SchedulingEligibility, "eligible");
  });
});

Deno.test("drain rejects unknown nodes and mistyped fields with Go's decoder errors", async () => {
  await setup(async ({ request, node }) => {
    const path = `/v1/node/${node.ID}/drain`;
    await expectError(
      await request("PUT", "/v1/node/00000000-0000-0000-0000-000000000000/drain", {
        DrainSpec: { Deadline: 1 },
      }),
      500,
      "node not found",
    );
    await expectError(
      await request("PUT", path, { DrainSpec: { Deadline: "1h" } }),
      400,
      "json: cannot unmarshal string into Go struct field NodeUpdateDrainRequest.DrainSpec.Deadline of type time.Duration",
    );
    await expectError(
      await request("PUT", path, { DrainSpec: { Deadline: 1.5 } }),
      400,
      "json: cannot unmarshal number into Go struct field NodeUpdateDrainRequest.DrainSpec.Deadline of type time.Duration",
    );
    await expectError(
      await request("PUT", path, { DrainSpec: [] }),
      400,
      "json: cannot unmarshal array into Go struct field NodeUpdateDrainRequest.DrainSpec of type object",
    );
    await expectError(
      await request("PUT", path, { MarkEligible: "yes" }),
      400,
      "json: cannot unmarshal string into Go struct field NodeUpdateDrainRequest.MarkEligible of type bool",
    );
    await expectError(
      await request("PUT", path, { Meta: { a: 1 } }),
      400,
      "json: cannot unmarshal number into Go struct field NodeUpdateDrainRequest.Meta.a of type string",
    );
    await expectError(await request("PUT", path), 400, "EOF");
    strictEqual((await request("GET", path)).status, 405);
  });
});

Deno.test("drain sets a strategy with a force deadline; cancelling marks the node eligible", async () => {
  await setup(async ({ request, node, server }) => {
    const path = `/v1/node/${node.ID}/drain`;
    const before = Date.now();
    const set = await request("PUT", path, {
      DrainSpec: { Deadline: 3600e9, IgnoreSystemJobs: true },
      Meta: { message: "maintenance" },
    });
    strictEqual(set.status, 200);
    const setBody = await set.json();
    strictEqual(setBody.NodeModifyIndex, setBody.Index);
    strictEqual(setBody.EvalIDs, null);
    const draining = server.state.snapshot().nodeByID(node.ID)!;
    strictEqual(draining.SchedulingEligibility, "ineligible");
    strictEqual(draining.DrainStrategy?.IgnoreSystemJobs, true);
    const deadlineMs = Date.parse(draining.DrainStrategy!.ForceDeadline);
    ok(deadlineMs >= before + 3600_000 && deadlineMs <= Date.now() + 3600_000);
    deepStrictEqual(draining.LastDrain?.Meta, { message: "maintenance" });
    strictEqual(draining.Events?.at(-1)?.Subsystem, "Drain");
    // No deadline: zero time; force: zero time too (the drainer reads Deadline < 0 as now).
    await request("PUT", path, { DrainSpec: { Deadline: 0 } });
    const updated = server.state.snapshot().nodeByID(node.ID)!;
    strictEqual(updated.DrainStrategy?.ForceDeadline, "0001-01-01T00:00:00Z");
    strictEqual(updated.DrainStrategy?.StartedAt, draining.DrainStrategy!.StartedAt);
    strictEqual(updated.Events?.at(-1)?.Message, "Node drain strategy updated");
    const cancel = await request("PUT", path, { DrainSpec: null, MarkEligible: true });
    strictEqual(cancel.status, 200);
    const cancelled = server.state.snapshot().nodeByID(node.ID)!;
    strictEqual(cancelled.DrainStrategy, null);
    strictEqual(cancelled.SchedulingEligibility, "eligible");
    strictEqual(cancelled.LastDrain?.Status, "canceled");
    strictEqual(cancelled.Events?.at(-1)?.Message, "Node drain disabled");
  });
});

Deno.test("system gc and reconcile summaries answer PUT with an empty 200 and other methods 405", async () => {
  await setup(async ({ request }) => {
    const gc = await request("PUT", "/v1/system/gc");
    strictEqual(gc.status, 200);
    strictEqual(await gc.text(), "");
    strictEqual((await request("GET", "/v1/system/gc")).status, 405);
    strictEqual((await request("POST", "/v1/system/gc")).status, 405);
    const summaries = await request("PUT", "/v1/system/reconcile/summaries");
    strictEqual(summaries.status, 200);
    strictEqual((await request("GET", "/v1/system/reconcile/summaries")).status, 405);
  });
});
