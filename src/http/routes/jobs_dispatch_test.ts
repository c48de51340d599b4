import { deepStrictEqual, strictEqual } from "node:assert";
import { CodedError } from "../../core/errors.ts";
import { nullLogger } from "../../core/logger.ts";
import { StateStore } from "../../state/mod.ts";
import type { JobDispatchRequest } from "../../structs/mod.ts";
import { createApp } from "../app.ts";
import type { HttpBackend } from "../backend.ts";

/** An app whose backend records dispatch and force calls (the rest is unused here). */
function setup() {
  const dispatched: JobDispatchRequest[] = [];
  const forced: string[] = [];
  const backend = {
    state: new StateStore(),
    region: "global",
    jobDispatch(request: JobDispatchRequest) {
      dispatched.push(request);
      if (request.JobID === "plain") {
        return Promise.reject(
          new CodedError(500, `Specified job "plain" is not a parameterized job`),
        );
      }
      return Promise.resolve({
        DispatchedJobID: `${request.JobID}/dispatch-1-abcdef01`,
        EvalID: "e",
        EvalCreateIndex: 9,
        JobCreateIndex: 8,
        Index: 9,
      });
    },
    periodicForce(namespace: string, id: string) {
      forced.push(`${namespace}/${id}`);
      return Promise.resolve({ EvalID: "e", EvalCreateIndex: 4, Index: 4 });
    },
  } as unknown as HttpBackend;
  return { app: createApp(backend, nullLogger), dispatched, forced };
}

const put = (body: unknown) => ({ method: "PUT", body: JSON.stringify(body) });

Deno.test("dispatch route decodes the payload and takes the query's idempotency token", async () => {
  const { app, dispatched } = setup();
  const res = await app.request(
    "/v1/job/encode/dispatch?idempotency_token=tok&namespace=ops",
    put({ Payload: btoa("hi"), Meta: { who: "me" }, IdempotencyToken: "body" }),
  );
  strictEqual(res.status, 200);
  strictEqual(res.headers.get("X-Nomad-Index"), "9");
  deepStrictEqual(Object.keys(await res.json()), [
    "DispatchedJobID",
    "EvalID",
    "EvalCreateIndex",
    "JobCreateIndex",
    "Index",
  ]);
  const request = dispatched[0]!;
  strictEqual(request.JobID, "encode");
  strictEqual(request.Namespace, "ops");
  strictEqual(new TextDecoder().decode(request.Payload), "hi");
  deepStrictEqual(request.Meta, { who: "me" });
  strictEqual(request.IdempotencyToken, "tok");
});

Deno.test("dispatch route works for IDs containing a slash", async () => {
  const { app, dispatched } = setup();
  const res = await app.request(`/v1/job/${encodeURIComponent("a/b")}/dispatch`, put({}));
  strictEqual(res.status, 200);
  strictEqual(dispatched[0]?.JobID, "a/b");
  strictEqual(dispatched[0]?.Payload.length, 0);
});

Deno.test("dispatch route rejects bad bodies with 400 and passes server errors through", async () => {
  const { app, dispatched } = setup();
  const cases: [unknown, string][] = [
    [[1], "Request body must be a JSON object"],
    [{ JobID: "other" }, "Job ID does not match"],
    [{ Payload: 5 }, "Payload must be a base64 string"],
    [{ Payload: "%%%" }, "illegal base64 data in Payload"],
    [{ Meta: { a: 1 } }, "Meta must be an object of strings"],
    [{ Meta: "a=b" }, "Meta must be an object of strings"],
  ];
  for (const [body, message] of cases) {
    const res = await app.request("/v1/job/encode/dispatch", put(body));
    strictEqual(res.status, 400, JSON.stringify(body));
    strictEqual(await res.text(), message);
  }
  strictEqual(dispatched.length, 0);
  const refused = await app.request("/v1/job/plain/dispatch", put({}));
  strictEqual(refused.status, 500);
  strictEqual(await refused.text(), `Specified job "plain" is not a parameterized job`);
});

Deno.test("periodic force route launches the job named before /periodic/force", async () => {
  const { app, forced } = setup();
  const res = await app.request("/v1/job/nightly/periodic/force", { method: "PUT" });
  strictEqual(res.status, 200);
  deepStrictEqual(await res.json(), { EvalID: "e", EvalCreateIndex: 4, Index: 4 });
  const post = await app.request(
    `/v1/job/${encodeURIComponent("team/nightly")}/periodic/force`,
    { method: "POST" },
  );
  strictEqual(post.status, 200);
  deepStrictEqual(forced, ["default/nightly", "default/team/nightly"]);
});
