import { deepStrictEqual, ok, strictEqual } from "node:assert";
import { CodedError } from "../core/errors.ts";
import { nullLogger } from "../core/logger.ts";
import { Fsm } from "../fsm/mod.ts";
import { StateStore } from "../state/mod.ts";
import { canonicalizeJob, type JobRegisterRequest } from "../structs/mod.ts";
import { createApp } from "./app.ts";
import type { HttpBackend } from "./backend.ts";

function setup() {
  const state = new StateStore();
  const fsm = new Fsm(state);
  let index = 0;
  const registered: JobRegisterRequest[] = [];
  const seed = (id: string) =>
    fsm.apply(++index, {
      Type: "JobRegister",
      Job: canonicalizeJob({
        ID: id,
        TaskGroups: [{ Name: "g", Tasks: [{ Name: "t", Driver: "raw_exec" }] }],
      }),
      Eval: null,
      SubmitTime: 1,
    });
  const backend: HttpBackend = {
    state,
    region: "global",
    jobRegister(request) {
      registered.push(request);
      if ((request.Job as { ID?: string }).ID === "bad") {
        return Promise.reject(new CodedError(400, "1 error occurred"));
      }
      return Promise.resolve({
        EvalID: "e",
        EvalCreateIndex: 1,
        JobModifyIndex: 1,
        Warnings: "",
        Index: 7,
        LastContact: 0,
        KnownLeader: true,
      });
    },
    jobPlan: () => Promise.reject(new CodedError(500, "not in this test")),
    jobRevert: () => Promise.reject(new CodedError(500, "not in this test")),
    jobScale: () => Promise.reject(new CodedError(500, "not in this test")),
    jobDispatch: () => Promise.reject(new CodedError(500, "not in this test")),
    periodicForce: () => Promise.reject(new CodedError(500, "not in this test")),
    jobValidate: (job) => ({
      DriverConfigValidated: true,
      ValidationErrors: (job as { ID?: string }).ID === "bad" ? ["bad job"] : null,
      Error: "",
      Warnings: "",
    }),
    jobDeregister: () => Promise.reject(new CodedError(404, "job not found")),
    nodeUpdateDrain: () => Promise.reject(new CodedError(500, "not in this test")),
    nodeUpdateEligibility: () => Promise.reject(new CodedError(500, "not in this test")),
    systemGarbageCollect: () => Promise.resolve({ Index: 1 }),
    reconcileJobSummaries: () => Promise.resolve({ Index: 1 }),
    schedulerSetConfiguration: () => Promise.reject(new CodedError(500, "not in this test")),
    variableApply: () => Promise.reject(new CodedError(500, "not in this test")),
    deploymentPromote: () => Promise.reject(new CodedError(500, "not in this test")),
    deploymentFail: () => Promise.reject(new CodedError(500, "not in this test")),
    deploymentPause: () => Promise.reject(new CodedError(500, "not in this test")),
    deploymentSetAllocHealth: () => Promise.reject(new CodedError(500, "not in this test")),
    agentSelf: () => ({}),
    agentMembers: () => ({}),
    health: () => ({ server: { ok: true, message: "ok" } }),
    leader: () => "127.0.0.1:4647",
    peers: () => ["127.0.0.1:4647"],
    localAllocation: () => undefined,
    uiAsset: (path) =>
      Promise.resolve(
        path === "index.html"
          ? { body: new TextEncoder().encode("<html>"), contentType: "text/html" }
          : undefined,
      ),
  };
  return { app: createApp(backend, nullLogger), seed, registered };
}

Deno.test("lists are JSON arrays with Nomad's query headers, pretty-printed on request", async () => {
  const { app, seed } = setup();
  seed("web");
  const res = await app.request("/v1/jobs?pretty");
  strictEqual(res.status, 200);
  strictEqual(res.headers.get("Content-Type"), "application/json");
  strictEqual(res.headers.get("X-Nomad-Index"), "1");
  strictEqual(res.headers.get("X-Nomad-KnownLeader"), "true");
  const text = await res.text();
  ok(text.startsWith('[\n    {\n        "ID": "web"'), text.slice(0, 60));
  const empty = await app.request("/v1/allocations");
  deepStrictEqual(await empty.json(), []);
});

Deno.test("errors are plain text with Nomad's status codes", async () => {
  const { app } = setup();
  const missing = await app.request("/v1/job/nope");
  strictEqual(missing.status, 404);
  strictEqual(missing.headers.get("Content-Type"), "text/plain; charset=utf-8");
  strictEqual(await missing.text(), "job not found");
  const unknownPath = await app.request("/v1/nonsense");
  strictEqual(unknownPath.status, 404);
  const wrongMethod = await app.request("/v1/jobs", { method: "PATCH" });
  strictEqual(wrongMethod.status, 405);
  strictEqual(await wrongMethod.text(), "Invalid method");
  const notApi = await app.request("/elsewhere");
  strictEqual(notApi.status, 404);
  strictEqual(await notApi.text(), "");
  const badIndex = await app.request("/v1/jobs?index=abc");
  strictEqual(badIndex.status, 400);
  strictEqual(await badIndex.text(), "Invalid index");
  const rejected = await app.request("/v1/jobs", {
    method: "PUT",
    body: JSON.stringify({ Job: { ID: "bad" } }),
  });
  strictEqual(rejected.status, 400);
  strictEqual(await rejected.text(), "1 error occurred");
});

Deno.test("job writes check their body", async () => {
  const { app, registered } = setup();
  const garbage = await app.request("/v1/jobs", { method: "POST", body: "nope" });
  strictEqual(garbage.status, 400);
  ok((await garbage.text()).startsWith("Failed to decode request body"));
  const noJob = await app.request("/v1/jobs", { method: "PUT", body: "{}" });
  strictEqual(await noJob.text(), "Job must be specified");
  const mismatch = await app.request("/v1/job/a", {
    method: "PUT",
    body: JSON.stringify({ Job: { ID: "b" } }),
  });
  strictEqual(mismatch.status, 400);
  strictEqual(await mismatch.text(), "Job ID does not match name");
  const ok200 = await app.request("/v1/jobs?namespace=prod", {
    method: "PUT",
    body: JSON.stringify({ job: { id: "x" } }),
  });
  strictEqual(ok200.status, 200);
  strictEqual(ok200.headers.get("X-Nomad-Index"), "7");
  strictEqual(
    (registered.at(-1)!.Job as { Namespace: string }).Namespace,
    "prod",
    "?namespace= fills in the job's namespace",
  );
});

Deno.test("job IDs may contain slashes", async () => {
  const { app, seed } = setup();
  seed("batch/dispatch-1");
  const job = await app.request("/v1/job/batch%2Fdispatch-1");
  strictEqual(job.status, 200);
  strictEqual((await job.json()).ID, "batch/dispatch-1");
  const summary = await app.request("/v1/job/batch%2Fdispatch-1/summary");
  strictEqual(summary.status, 200);
  strictEqual((await summary.json()).JobID, "batch/dispatch-1");
});

Deno.test("the UI is served under /ui and / redirects there", async () => {
  const { app } = setup();
  const root = await app.request("/");
  strictEqual(root.status, 307);
  strictEqual(root.headers.get("Location"), "/ui/");
  const page = await app.request("/ui/jobs/example");
  strictEqual(page.status, 200);
  strictEqual(await page.text(), "<html>");
});

Deno.test("the logs endpoint validates its parameters", async () => {
  const { app } = setup();
  strictEqual(await (await app.request("/v1/client/fs/logs/a")).text(), "must provide task name");
  strictEqual(
    await (await app.request("/v1/client/fs/logs/a?task=t")).text(),
    "must provide log type (stdout/stderr)",
  );
  strictEqual(
    await (await app.request("/v1/client/fs/logs/a?task=t&type=stdout&origin=middle")).text(),
    "origin must be start or end",
  );
  const unknown = await app.request("/v1/client/fs/logs/a?task=t&type=stdout");
  strictEqual(unknown.status, 404);
});

Deno.test("agent health is 200 when healthy and status shows the leader", async () => {
  const { app } = setup();
  const health = await app.request("/v1/agent/health");
  strictEqual(health.status, 200);
  deepStrictEqual(await health.json(), { server: { ok: true, message: "ok" } });
  strictEqual(await (await app.request("/v1/status/leader")).json(), "127.0.0.1:4647");
});
