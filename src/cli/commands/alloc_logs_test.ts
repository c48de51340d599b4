import assert from "node:assert/strict";
import { allocationListStub } from "../../structs/mod.ts";
import { allocationFixture, jobFixture, runNomad, withFakeNomad } from "../testing.ts";

const ALLOC_ID = "8ba85cef-1111-2222-3333-444455556666";
const LOGS = `GET /v1/client/fs/logs/${ALLOC_ID}`;

function frame(text: string, offset = 0): string {
  return JSON.stringify({ Offset: offset, Data: btoa(text), File: "alloc/logs/redis.stdout.0" });
}

function routes(extra: Record<string, unknown> = {}, alloc = allocationFixture()) {
  return {
    "GET /v1/allocations": [allocationListStub(alloc)],
    [`GET /v1/allocation/${ALLOC_ID}`]: alloc,
    ...extra,
  };
}

Deno.test("alloc logs prints the task's stdout; the task may be omitted for one-task groups", async () => {
  const logs = (_r: Request, url: URL) =>
    new Response(`${url.searchParams.get("type")} line 1\nline 2\n`);
  await withFakeNomad(routes({ [LOGS]: logs }), async (server) => {
    const { code, stdout } = await runNomad(["alloc", "logs", "8ba85cef"], {
      env: { NOMAD_ADDR: server.address },
    });
    assert.equal(code, 0);
    assert.equal(stdout, "stdout line 1\nline 2\n");
    const request = server.requests.find((r) => r.path.startsWith("/v1/client/fs/logs/"));
    assert.equal(request?.search.get("task"), "redis");
    assert.equal(request?.search.get("plain"), "true");
    const err = await runNomad(["logs", "-stderr", "8ba85cef", "redis"], {
      env: { NOMAD_ADDR: server.address },
    });
    assert.equal(err.stdout, "stderr line 1\nline 2\n");
  });
});

Deno.test("alloc logs asks for the task when the group has several", async () => {
  const job = jobFixture({
    TaskGroups: [{
      Name: "cache",
      Tasks: [{ Name: "redis", Driver: "docker" }, { Name: "sidecar", Driver: "docker" }],
    }],
  });
  await withFakeNomad(routes({}, allocationFixture({ Job: job })), async (server) => {
    const { code, stderr } = await runNomad(["alloc", "logs", "8ba85cef"], {
      env: { NOMAD_ADDR: server.address },
    });
    assert.equal(code, 1);
    assert.equal(
      stderr,
      'Failed to validate task: Allocation "8ba85cef" is running the following tasks:\n  * redis\n  * sidecar\n\nPlease specify the task.\n',
    );
  });
});

Deno.test("alloc logs -tail -n keeps the last lines from an offset at the end", async () => {
  const logs = () => new Response("one\ntwo\nthree\nfour\n");
  await withFakeNomad(routes({ [LOGS]: logs }), async (server) => {
    const { code, stdout } = await runNomad(["alloc", "logs", "-tail", "-n", "2", "8ba85cef"], {
      env: { NOMAD_ADDR: server.address },
    });
    assert.equal(code, 0);
    assert.equal(stdout, "three\nfour\n");
    const request = server.requests.find((r) => r.path.startsWith("/v1/client/fs/logs/"));
    assert.equal(request?.search.get("origin"), "end");
    assert.equal(request?.search.get("offset"), "240");
  });
});

Deno.test("alloc logs -f -stdout follows framed output until the stream ends", async () => {
  const logs = () => new Response(`{}${frame("hello ", 6)}{}${frame("world\n", 12)}`);
  await withFakeNomad(routes({ [LOGS]: logs }), async (server) => {
    const { code, stdout } = await runNomad(["alloc", "logs", "-f", "-stdout", "8ba85cef"], {
      env: { NOMAD_ADDR: server.address },
    });
    assert.equal(code, 0);
    assert.equal(stdout, "hello world\n");
    const request = server.requests.find((r) => r.path.startsWith("/v1/client/fs/logs/"));
    assert.equal(request?.search.get("follow"), "true");
    assert.equal(request?.search.get("plain"), null);
  });
});

Deno.test("alloc logs -f alone follows stdout and stderr until interrupted", async () => {
  const open = (text: string) =>
    new Response(
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(frame(text)));
        },
      }),
    );
  const logs = (_request: Request, url: URL) =>
    open(url.searchParams.get("type") === "stderr" ? "to stderr\n" : "to stdout\n");
  await withFakeNomad(routes({ [LOGS]: logs }), async (server) => {
    const interrupt = new AbortController();
    const running = runNomad(["alloc", "logs", "-f", "8ba85cef"], {
      env: { NOMAD_ADDR: server.address },
      signal: interrupt.signal,
    });
    while (server.requests.filter((r) => r.path.startsWith("/v1/client/fs/logs/")).length < 2) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    interrupt.abort();
    const { code, stdout, stderr } = await running;
    assert.equal(code, 0);
    assert.equal(stdout, "to stdout\n");
    assert.equal(stderr, "to stderr\n");
    const origins = server.requests.filter((r) => r.path.startsWith("/v1/client/fs/logs/"))
      .map((r) => `${r.search.get("type")}:${r.search.get("origin")}:${r.search.get("offset")}`)
      .sort();
    assert.deepEqual(origins, ["stderr:end:1", "stdout:end:1"]);
  });
});

Deno.test("alloc logs needs an allocation ID", async () => {
  const { code, stderr } = await runNomad(["alloc", "logs"]);
  assert.equal(code, 1);
  assert.equal(
    stderr,
    "An allocation ID is required\nFor additional help try 'nomad alloc logs -help'\n",
  );
});
