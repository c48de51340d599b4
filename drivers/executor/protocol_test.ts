import assert from "node:assert/strict";
import { decodeResponse, ExecutorError, parseStartRequest, parseStopRequest } from "./protocol.ts";

const logs = { directory: "/tmp/logs", name: "web", maxFiles: 10, maxFileSizeBytes: 1024 };

Deno.test("parseStartRequest fills defaults and checks every field", () => {
  const request = parseStartRequest({ id: "a/web", command: "sleep", cwd: "/tmp", logs });
  assert.deepEqual(request, {
    id: "a/web",
    command: "sleep",
    args: [],
    env: {},
    cwd: "/tmp",
    user: "",
    logs,
    oomScoreAdj: null,
  });
  const bad = (params: unknown, message: RegExp) =>
    assert.throws(
      () => parseStartRequest(params),
      (e: unknown) =>
        e instanceof ExecutorError && e.kind === "invalid_argument" && message.test(e.message),
    );
  bad({ id: "x", command: "a", cwd: "rel", logs }, /"cwd" must be an absolute path/);
  bad({ id: "x", command: "a", cwd: "/", logs, args: [1] }, /"args" must be a list of strings/);
  bad({ id: "x", command: "a", cwd: "/", logs, env: { A: 1 } }, /"env.A" must be a string/);
  bad({ id: "x", command: "a", cwd: "/", logs: { ...logs, name: "a/b" } }, /"logs.name"/);
  bad({ id: "x", command: "a", cwd: "/", logs: { ...logs, maxFiles: 0 } }, /"maxFiles"/);
});

Deno.test("parseStopRequest defaults to SIGINT and the given timeout", () => {
  assert.deepEqual(parseStopRequest({ id: "a" }, 5000), {
    id: "a",
    signal: "SIGINT",
    timeoutMs: 5000,
  });
});

Deno.test("decodeResponse tells results from errors", () => {
  assert.deepEqual(decodeResponse('{"id":1,"result":null}'), { id: 1, result: null });
  assert.deepEqual(decodeResponse('{"id":2,"error":"no","kind":"not_found"}'), {
    id: 2,
    error: "no",
    kind: "not_found",
  });
  assert.throws(() => decodeResponse("{"), ExecutorError);
});
