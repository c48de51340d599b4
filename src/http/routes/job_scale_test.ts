import { deepStrictEqual, strictEqual } from "node:assert";
import { nullLogger } from "../../core/logger.ts";
import { seededRng } from "../../core/rng.ts";
import { mockAlloc, mockNode } from "../../scheduler/testing.ts";
import type { Server } from "../../server/mod.ts";
import { canonicalizeJob } from "../../structs/mod.ts";
import { createApp } from "../app.ts";
import type { HttpBackend } from "../backend.ts";
import { startTestServer } from "../../server/testing.ts";

type Request = (method: string, path: string, body?: unknown) => Promise<Response>;

/** A real server (no schedulers) behind the HTTP app. */
async function setup(fn: (t: { server: Server; request: Request }) => Promise<void>) {
  const server = startTestServer({ numSchedulers: 0, rng: seededRng(3) });
  const used: Partial<HttpBackend> = {
    state: server.state,
    region: "global",
    jobScale: (ns, id, r) => server.jobScale(ns, id, r),
    jobDeregister: (ns, id, o) => server.jobDeregister(ns, id, o),
  };
  const backend = new Proxy(used, {
    get: (target, key) =>
      key in target ? target[key as keyof HttpBackend] : () => {
        throw new Error(`not in this test: ${String(key)}`);
      },
  }) as HttpBackend;
  const app = createApp(backend, nullLogger);
  const request: Request = (method, path, body) =>
    Promise.resolve(app.request(path, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }));
  try {
    await fn({ server, request });
  } finally {
    await server.shutdown();
  }
}

function scaledJob(extra: Record<string, unknown> = {}) {
  return canonicalizeJob({
    ID: "web",
    Datacenters: ["dc1"],
    TaskGroups: [{
      Name: "g",
      Count: 2,
      Scaling: { Min: 1, Max: 3 },
      Tasks: [{ Name: "t", Driver: "raw_exec", Config: { command: "sleep" } }],
    }],
    ...extra,
  });
}

async function scale(request: Request, count: number) {
  const res = await request("POST", "/v1/job/web/scale", {
    Count: count,
    Target: { Group: "g" },
  });
  return { status: res.status, text: await res.text() };
}

Deno.test("job scale refuses counts outside the group's scaling policy with Nomad's texts", async () => {
  await setup(async ({ server, request }) => {
    await server.raft.apply({ Type: "JobRegister", Job: scaledJob(), Eval: null, SubmitTime: 1 });
    deepStrictEqual(await scale(request, 0), {
      status: 400,
      text: "group count was less than scaling policy minimum: 0 < 1",
    });
    deepStrictEqual(await scale(request, 4), {
      status: 400,
      text: "group count was greater than scaling policy maximum: 4 > 3",
    });
    strictEqual(server.state.snapshot().jobByID("default", "web")?.TaskGroups[0]?.Count, 2);
    const ok = await scale(request, 3);
    strictEqual(ok.status, 200, ok.text);
    strictEqual(server.state.snapshot().jobByID("default", "web")?.TaskGroups[0]?.Count, 3);
  });
});

Deno.test("GET /v1/job/:id/scale reports desired, placed, running and health per group", async () => {
  await setup(async ({ server, request }) => {
    const job = scaledJob();
    await server.raft.apply({ Type: "JobRegister", Job: job, Eval: null, SubmitTime: 1 });
    const stored = server.state.snapshot().jobByID("default", "web")!;
    const node = mockNode({ ID: "n1" });
    const running = { ...mockAlloc(stored, node), ID: "a1", ClientStatus: "running" as const };
    const healthy = {
      ...mockAlloc(stored, node),
      ID: "a2",
      ClientStatus: "running" as const,
      DeploymentID: "d",
      DeploymentStatus: { Healthy: true, Timestamp: "", Canary: false, ModifyIndex: 0 },
    };
    const canary = {
      ...mockAlloc(stored, node),
      ID: "a3",
      DeploymentStatus: { Healthy: null, Timestamp: "", Canary: true, ModifyIndex: 0 },
    };
    const stopped = { ...mockAlloc(stored, node), ID: "a4", DesiredStatus: "stop" as const };
    await server.raft.apply({
      Type: "ApplyPlanResults",
      Job: stored,
      AllocsUpdated: [running, healthy, canary, stopped],
      AllocsStopped: [],
      EvalID: "e",
    });
    await server.raft.apply({
      Type: "AllocClientUpdate",
      Allocs: ["a1", "a2"].map((ID) => ({
        ID,
        ClientStatus: "running" as const,
        ClientDescription: "",
        TaskStates: {},
        ModifyTime: 1,
      })),
      Evals: [],
    });
    const res = await request("GET", "/v1/job/web/scale");
    strictEqual(res.status, 200);
    const now = server.state.snapshot().jobByID("default", "web")!;
    deepStrictEqual(await res.json(), {
      JobID: "web",
      Namespace: "default",
      JobCreateIndex: now.CreateIndex,
      JobModifyIndex: now.ModifyIndex,
      JobStopped: false,
      TaskGroups: {
        g: { Desired: 2, Placed: 2, Running: 2, Healthy: 1, Unhealthy: 0, Events: null },
      },
    });
    const missing = await request("GET", "/v1/job/nope/scale");
    strictEqual(missing.status, 404);
    strictEqual(await missing.text(), "job not found");
  });
});

Deno.test("stopping a periodic or parameterized parent creates no evaluation", async () => {
  await setup(async ({ server, request }) => {
    const periodic = canonicalizeJob({
      ...scaledJob(),
      ID: "cron",
      Type: "batch",
      Periodic: { Spec: "* * * * *" },
    });
    const parameterized = canonicalizeJob({
      ...scaledJob(),
      ID: "param",
      Type: "batch",
      ParameterizedJob: {},
    });
    for (const job of [periodic, parameterized, scaledJob()]) {
      await server.raft.apply({ Type: "JobRegister", Job: job, Eval: null, SubmitTime: 1 });
    }
    for (const id of ["cron", "param"]) {
      const res = await request("DELETE", `/v1/job/${id}`);
      strictEqual(res.status, 200);
      const body = await res.json();
      strictEqual(body.EvalID, "");
      strictEqual(body.EvalCreateIndex, 0);
      strictEqual(server.state.snapshot().jobByID("default", id)?.Stop, true);
      strictEqual(server.state.snapshot().evalsByJob("default", id).length, 0);
    }
    // An ordinary job still gets its job-deregister evaluation.
    const res = await request("DELETE", "/v1/job/web");
    const body = await res.json();
    strictEqual(server.state.snapshot().evalByID(body.EvalID)?.TriggeredBy, "job-deregister");
  });
});
