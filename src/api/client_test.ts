import assert from "node:assert/strict";
import { ApiError, ConnectionError, NomadClient } from "./mod.ts";

interface Seen {
  method: string;
  path: string;
  search: string;
  token: string | null;
  body: string;
}

async function withServer(
  handler: (request: Request, url: URL) => Response | Promise<Response>,
  fn: (address: string, seen: Seen[]) => Promise<void>,
): Promise<void> {
  const seen: Seen[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      const url = new URL(request.url);
      const body = await request.text();
      seen.push({
        method: request.method,
        path: url.pathname,
        search: url.search,
        token: request.headers.get("X-Nomad-Token"),
        body,
      });
      return await handler(request, url);
    },
  );
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, seen);
  } finally {
    await server.shutdown();
  }
}

function json(data: unknown, index = 7): Response {
  return new Response(JSON.stringify(data), {
    headers: { "X-Nomad-Index": String(index), "X-Nomad-KnownLeader": "true" },
  });
}

Deno.test("client: NOMAD_* environment sets address, region, namespace and token", async () => {
  await withServer(
    () => json([{ ID: "b", CreateIndex: 1 }, { ID: "a", CreateIndex: 2 }]),
    async (address, seen) => {
      const client = NomadClient.fromEnv({
        NOMAD_ADDR: address,
        NOMAD_REGION: "eu",
        NOMAD_NAMESPACE: "prod",
        NOMAD_TOKEN: "secret",
      });
      const result = await client.jobs.list();
      assert.deepEqual(result.data.map((j) => j.ID), ["a", "b"]);
      assert.equal(result.index, 7);
      assert.equal(result.knownLeader, true);
      assert.equal(seen[0]?.path, "/v1/jobs");
      assert.equal(seen[0]?.search, "?namespace=prod&region=eu");
      assert.equal(seen[0]?.token, "secret");
    },
  );
});

Deno.test("client: explicit settings override the environment; empty ones do not", () => {
  const client = NomadClient.fromEnv({ NOMAD_ADDR: "http://env:4646", NOMAD_TOKEN: "t" }, {
    address: "http://flag:4646/",
    token: "",
  });
  assert.equal(client.address, "http://flag:4646");
  assert.equal(client.config.token, "t");
  assert.equal(new NomadClient().address, "http://127.0.0.1:4646");
});

Deno.test("client: blocking queries send index and wait and return X-Nomad-Index", async () => {
  await withServer(() => json({ ID: "e1", Status: "complete" }, 42), async (address, seen) => {
    const client = new NomadClient({ address });
    const result = await client.evaluations.info("e1", { index: 41, waitMs: 5000 });
    assert.equal(result.index, 42);
    assert.equal(result.data.Status, "complete");
    assert.equal(seen[0]?.search, "?index=41&wait=5000ms");
  });
});

Deno.test("client: prefix searches use ?prefix=", async () => {
  await withServer(() => json([]), async (address, seen) => {
    await new NomadClient({ address }).allocations.prefixList("8ba8");
    assert.equal(seen[0]?.search, "?prefix=8ba8");
  });
});

Deno.test("client: register sends Job and Submission; deregister sends purge", async () => {
  await withServer(
    (request) =>
      json(
        request.method === "PUT"
          ? { EvalID: "e1", EvalCreateIndex: 3, JobModifyIndex: 3, Warnings: "" }
          : { EvalID: "e2" },
      ),
    async (address, seen) => {
      const client = new NomadClient({ address });
      const response = await client.jobs.register({ ID: "web" }, {
        submission: { Source: "job {}", Format: "hcl2", VariableFlags: { a: "1" } },
        enforceIndex: true,
        modifyIndex: 0,
      });
      assert.equal(response.data.EvalID, "e1");
      assert.deepEqual(JSON.parse(seen[0]?.body ?? ""), {
        Job: { ID: "web" },
        EnforceIndex: true,
        JobModifyIndex: 0,
        Submission: { Source: "job {}", Format: "hcl2", VariableFlags: { a: "1" } },
      });
      await client.jobs.deregister("a/b", { purge: true });
      assert.equal(seen[1]?.method, "DELETE");
      assert.equal(seen[1]?.path, "/v1/job/a%2Fb");
      assert.match(seen[1]?.search ?? "", /purge=true/);
    },
  );
});

Deno.test("client: non-200 responses become ApiError with Nomad's text", async () => {
  await withServer(() => new Response("job not found", { status: 404 }), async (address) => {
    await assert.rejects(
      () => new NomadClient({ address }).jobs.info("nope"),
      (error: unknown) =>
        error instanceof ApiError && error.statusCode === 404 &&
        error.message === "Unexpected response code: 404 (job not found)",
    );
  });
});

Deno.test("client: refused connections read like Go's dial errors", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const client = new NomadClient({ address: `http://127.0.0.1:${port}` });
  await assert.rejects(
    () => client.jobs.list(),
    (error: unknown) =>
      error instanceof ConnectionError &&
      error.message ===
        `Get "http://127.0.0.1:${port}/v1/jobs": dial tcp 127.0.0.1:${port}: connect: connection refused`,
  );
});

Deno.test("client: logs read plain bytes; followed logs decode frames and skip heartbeats", async () => {
  await withServer((_request, url) => {
    if (url.searchParams.get("plain") === "true") return new Response("line1\nline2\n");
    return new Response(`{}{"Offset":3,"Data":"${btoa("abc")}","File":"x"}{}`);
  }, async (address, seen) => {
    const client = new NomadClient({ address });
    const plain = await client.fs.logs("a1", { task: "web", type: "stderr" });
    assert.equal(new TextDecoder().decode(plain), "line1\nline2\n");
    assert.equal(seen[0]?.path, "/v1/client/fs/logs/a1");
    assert.equal(
      seen[0]?.search,
      "?follow=false&offset=0&origin=start&plain=true&task=web&type=stderr",
    );
    const frames = [];
    for await (
      const frame of client.fs.logsStream("a1", { task: "web", type: "stdout", follow: true })
    ) frames.push(frame);
    assert.equal(frames.length, 1);
    assert.equal(new TextDecoder().decode(frames[0]?.Data), "abc");
  });
});

Deno.test("client: agent members, self, health and status leader", async () => {
  await withServer((_r, url) => {
    switch (url.pathname) {
      case "/v1/agent/members":
        return json({ ServerName: "s1", ServerRegion: "global", ServerDC: "dc1", Members: [] });
      case "/v1/agent/self":
        return json({ config: {}, member: null, stats: { client: { node_id: "n1" } } });
      case "/v1/agent/health":
        return json({ server: { ok: true, message: "ok" } });
      default:
        return json("127.0.0.1:4647");
    }
  }, async (address, seen) => {
    const client = new NomadClient({ address });
    assert.equal((await client.agent.members()).ServerRegion, "global");
    assert.equal((await client.agent.self()).stats?.["client"]?.["node_id"], "n1");
    assert.equal((await client.agent.health()).server?.ok, true);
    assert.equal(await client.status.leader("global"), "127.0.0.1:4647");
    assert.equal(seen[3]?.search, "?region=global");
  });
});
