import { deepStrictEqual, ok, strictEqual } from "node:assert";
import { listenRpc, RpcPool } from "../rpc/mod.ts";
import { forwardOverRpc, serveForwarded } from "./forward.ts";

/** A stand-in for the server's HTTP app that echoes what reached it. */
async function echoApp(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.pathname === "/v1/job/missing") return new Response("job not found", { status: 404 });
  return Response.json({
    method: request.method,
    path: url.pathname,
    query: url.search,
    token: request.headers.get("X-Nomad-Token"),
    body: request.method === "GET" ? null : await request.text(),
  }, { headers: { "X-Nomad-Index": "42" } });
}

Deno.test("a forwarded request keeps method, path, query, token and body; the answer keeps status and headers", async () => {
  const listener = listenRpc(
    { hostname: "127.0.0.1", port: 0 },
    (_method, args, { signal }) => serveForwarded(args, echoApp, signal),
  );
  const pool = new RpcPool([`127.0.0.1:${listener.addr.port}`]);
  const forward = forwardOverRpc(pool);
  try {
    const put = await forward(
      new Request("http://client:4646/v1/jobs?namespace=prod", {
        method: "PUT",
        headers: { "X-Nomad-Token": "secret-token" },
        body: '{"Job":{}}',
      }),
    );
    strictEqual(put.status, 200);
    strictEqual(put.headers.get("X-Nomad-Index"), "42");
    deepStrictEqual(await put.json(), {
      method: "PUT",
      path: "/v1/jobs",
      query: "?namespace=prod",
      token: "secret-token",
      body: '{"Job":{}}',
    });
    const missing = await forward(new Request("http://client:4646/v1/job/missing"));
    strictEqual(missing.status, 404);
    strictEqual(await missing.text(), "job not found");
  } finally {
    pool.close();
    await listener.close();
  }
});

Deno.test("forwarding to an unreachable server answers 500 with the error; malformed forwards are refused", async () => {
  const dead = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (dead.addr as Deno.NetAddr).port;
  dead.close();
  const pool = new RpcPool([`127.0.0.1:${port}`]);
  const response = await forwardOverRpc(pool)(new Request("http://client:4646/v1/jobs"));
  strictEqual(response.status, 500);
  ok((await response.text()).startsWith("rpc error: rpc dial"));
  pool.close();
  const signal = new AbortController().signal;
  for (const bad of [null, { Method: "GET", Path: "v1/jobs", Headers: {}, Body: null }]) {
    const err = await serveForwarded(bad, echoApp, signal).then(() => null, (e) => e);
    strictEqual(err?.code, 400);
    strictEqual(err?.message, "HTTP.Request: malformed request");
  }
});
