import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert";
import { decodeBase64 } from "../core/base64.ts";
import { snappyDecode } from "../core/snappy.ts";
import type { JobDispatchRequest } from "../structs/mod.ts";
import { canonicalizeJob, type Job } from "../structs/mod.ts";
import {
  deriveDispatchChild,
  DISPATCH_PAYLOAD_SIZE_LIMIT,
  dispatchedID,
  dispatchRequestError,
} from "./dispatch.ts";
import type { Server } from "./server.ts";
import { startTestServer } from "./testing.ts";

function parameterized(config: Record<string, unknown> = {}, extra = {}): Job {
  return canonicalizeJob({
    ID: "encode",
    Type: "batch",
    ParameterizedJob: config,
    Meta: { owner: "ops" },
    TaskGroups: [{
      Name: "g",
      Tasks: [{ Name: "t", Driver: "raw_exec", Config: { command: "cat" } }],
    }],
    ...extra,
  });
}

function request(overrides: Partial<JobDispatchRequest> = {}): JobDispatchRequest {
  return {
    Namespace: "default",
    JobID: "encode",
    Payload: new Uint8Array(),
    Meta: {},
    IdempotencyToken: "",
    IdPrefixTemplate: "",
    ...overrides,
  };
}

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("dispatch: every bad request gets Nomad's message", () => {
  const required = parameterized({
    Payload: "required",
    MetaRequired: ["file"],
    MetaOptional: ["level"],
  });
  strictEqual(
    dispatchRequestError(request({ Meta: { file: "a" } }), required),
    "Payload is not provided but required by parameterized job",
  );
  const forbidden = parameterized({ Payload: "forbidden" });
  strictEqual(
    dispatchRequestError(request({ Payload: bytes("x") }), forbidden),
    "Payload provided but forbidden by parameterized job",
  );
  const optional = parameterized({ MetaRequired: ["file"], MetaOptional: ["level"] });
  strictEqual(
    dispatchRequestError(
      request({ Payload: new Uint8Array(DISPATCH_PAYLOAD_SIZE_LIMIT + 1), Meta: { file: "a" } }),
      optional,
    ),
    `Payload exceeds maximum size; ${
      DISPATCH_PAYLOAD_SIZE_LIMIT + 1
    } > ${DISPATCH_PAYLOAD_SIZE_LIMIT}`,
  );
  strictEqual(
    dispatchRequestError(request({ Meta: { file: "a", color: "red" } }), optional),
    "Dispatch request included unpermitted metadata keys: [color]",
  );
  strictEqual(
    dispatchRequestError(request({ Meta: { level: "1" } }), optional),
    "Dispatch did not provide required meta keys: [file]",
  );
  strictEqual(
    dispatchRequestError(
      request({
        Payload: new Uint8Array(DISPATCH_PAYLOAD_SIZE_LIMIT),
        Meta: { file: "a", level: "2" },
      }),
      optional,
    ),
    null,
  );
});

Deno.test("dispatch: the child merges meta, compresses the payload and is named like Nomad's", () => {
  const parent = parameterized({ MetaOptional: ["level"] });
  const child = deriveDispatchChild(parent, {
    request: request({ Payload: bytes("hello"), Meta: { level: "3" }, IdempotencyToken: "tok" }),
    nowMs: 1_700_000_000_123,
    uuid: "abcdef0123456789",
  });
  strictEqual(child.ID, "encode/dispatch-1700000000-abcdef01");
  strictEqual(child.Name, child.ID);
  strictEqual(child.ParentID, "encode");
  strictEqual(child.Dispatched, true);
  strictEqual(child.DispatchIdempotencyToken, "tok");
  deepStrictEqual(child.Meta, { owner: "ops", level: "3" });
  strictEqual(new TextDecoder().decode(snappyDecode(decodeBase64(child.Payload!))), "hello");
  strictEqual(
    dispatchedID("p", { idPrefixTemplate: "nightly", nowMs: 5_000, uuid: "12345678-aaaa" }),
    "p/dispatch-nightly-5-12345678",
  );
});

function startServer(): Server {
  let n = 0;
  return startTestServer({
    // Dispatched job IDs use an ID's first 8 characters, so those must differ.
    newId: () => `${String(++n).padStart(8, "0")}-0000-0000-0000-000000000000`,
  });
}

async function withServer(fn: (server: Server) => Promise<void>): Promise<void> {
  const server = startServer();
  try {
    await fn(server);
  } finally {
    await server.shutdown();
  }
}

Deno.test("dispatch: a parameterized job registers without an evaluation and runs as a parent", async () => {
  await withServer(async (server) => {
    const response = await server.jobRegister({ Job: parameterized() });
    strictEqual(response.EvalID, "");
    const job = server.state.snapshot().jobByID("default", "encode")!;
    strictEqual(job.Status, "running");
    strictEqual(server.state.snapshot().evalsByJob("default", "encode").length, 0);
  });
});

Deno.test("dispatch: the server stores the child with an evaluation and counts it as a child", async () => {
  await withServer(async (server) => {
    await server.jobRegister({ Job: parameterized({ MetaRequired: ["file"] }) });
    const response = await server.jobDispatch(
      request({ Payload: bytes("in"), Meta: { file: "x" } }),
    );
    ok(response.DispatchedJobID.startsWith("encode/dispatch-"));
    ok(response.EvalID !== "");
    strictEqual(response.EvalCreateIndex, response.JobCreateIndex);
    strictEqual(response.Index, response.JobCreateIndex);
    const snapshot = server.state.snapshot();
    const child = snapshot.jobByID("default", response.DispatchedJobID)!;
    strictEqual(child.Dispatched, true);
    strictEqual(child.Meta?.file, "x");
    strictEqual(child.Status, "pending");
    strictEqual(snapshot.evalByID(response.EvalID)?.TriggeredBy, "job-register");
    deepStrictEqual(snapshot.jobSummary("default", "encode")?.Children, {
      Pending: 1,
      Running: 0,
      Dead: 0,
    });
  });
});

Deno.test("dispatch: an idempotency token returns the existing child instead of a new one", async () => {
  await withServer(async (server) => {
    await server.jobRegister({ Job: parameterized() });
    const first = await server.jobDispatch(request({ IdempotencyToken: "once" }));
    const again = await server.jobDispatch(request({ IdempotencyToken: "once" }));
    strictEqual(again.DispatchedJobID, first.DispatchedJobID);
    strictEqual(again.EvalID, "");
    strictEqual(again.JobCreateIndex, first.JobCreateIndex);
    const other = await server.jobDispatch(request({ IdempotencyToken: "twice" }));
    ok(other.DispatchedJobID !== first.DispatchedJobID);
    strictEqual(server.state.snapshot().childJobs("default", "encode").length, 2);
  });
});

Deno.test("dispatch: unknown, non-parameterized and stopped jobs are refused", async () => {
  await withServer(async (server) => {
    await rejects(server.jobDispatch(request()), {
      code: 500,
      message: "parameterized job not found",
    });
    await rejects(server.jobDispatch(request({ JobID: "" })), {
      message: "missing parameterized job ID",
    });
    await server.jobRegister({
      Job: {
        ID: "plain",
        Type: "batch",
        TaskGroups: [{ Name: "g", Tasks: [{ Name: "t", Driver: "raw_exec" }] }],
      },
    });
    await rejects(server.jobDispatch(request({ JobID: "plain" })), {
      message: `Specified job "plain" is not a parameterized job`,
    });
    await server.jobRegister({ Job: parameterized({ Payload: "forbidden" }) });
    await rejects(server.jobDispatch(request({ Payload: bytes("x") })), {
      code: 500,
      message: "Payload provided but forbidden by parameterized job",
    });
    await server.jobDeregister("default", "encode", { purge: false });
    await rejects(server.jobDispatch(request()), { message: `Specified job "encode" is stopped` });
    strictEqual(server.state.snapshot().childJobs("default", "encode").length, 0);
  });
});

Deno.test("periodic force: launches a child now and refuses non-periodic jobs", async () => {
  await withServer(async (server) => {
    await server.jobRegister({
      Job: {
        ID: "nightly",
        Type: "batch",
        Periodic: { Spec: "0 0 1 1 *" },
        TaskGroups: [{ Name: "g", Tasks: [{ Name: "t", Driver: "raw_exec" }] }],
      },
    });
    const response = await server.periodicForce("default", "nightly");
    const snapshot = server.state.snapshot();
    const evaluation = snapshot.evalByID(response.EvalID)!;
    strictEqual(evaluation.TriggeredBy, "periodic-job");
    ok(evaluation.JobID.startsWith("nightly/periodic-"));
    strictEqual(snapshot.jobByID("default", evaluation.JobID)?.ParentID, "nightly");
    strictEqual(response.EvalCreateIndex, response.Index);
    await rejects(server.periodicForce("default", "nope"), {
      code: 500,
      message: `job "nope" not found`,
    });
    await server.jobRegister({
      Job: {
        ID: "plain",
        Type: "batch",
        TaskGroups: [{ Name: "g", Tasks: [{ Name: "t", Driver: "raw_exec" }] }],
      },
    });
    await rejects(server.periodicForce("default", "plain"), {
      message: "can't force launch non-periodic job",
    });
    await server.jobDeregister("default", "nightly", { purge: false });
    await rejects(server.periodicForce("default", "nightly"), {
      message:
        `force launch for job "nightly" failed: can't force run non-tracked job "nightly" (default)`,
    });
  });
});
