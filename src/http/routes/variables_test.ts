import { deepStrictEqual, ok, strictEqual } from "node:assert";
import { nullLogger } from "../../core/logger.ts";
import type { Variable } from "../../structs/mod.ts";
import { startTestServer } from "../../server/testing.ts";
import { createApp } from "../app.ts";
import type { HttpBackend } from "../backend.ts";

/** A real server behind the HTTP app with only the variable writes wired. */
async function withApp(
  fn: (
    request: (method: string, path: string, body?: unknown) => Promise<Response>,
  ) => Promise<void>,
) {
  const server = startTestServer();
  const used: Partial<HttpBackend> = {
    state: server.state,
    region: "global",
    variableApply: (op, variable) => server.variableApply(op, variable),
  };
  const backend = new Proxy(used, {
    get: (target, key) =>
      key in target ? target[key as keyof HttpBackend] : () => {
        throw new Error(`not in this test: ${String(key)}`);
      },
  }) as HttpBackend;
  const app = createApp(backend, nullLogger);
  try {
    await fn((method, path, body) =>
      Promise.resolve(app.request(path, {
        method,
        ...(body === undefined
          ? {}
          : { body: typeof body === "string" ? body : JSON.stringify(body) }),
      }))
    );
  } finally {
    await server.shutdown();
  }
}

Deno.test("variables are created, read, listed, updated with check-and-set and deleted", async () => {
  await withApp(async (request) => {
    const created = await request("PUT", "/v1/var/app/db", { Items: { user: "me", pass: "pw" } });
    strictEqual(created.status, 200);
    const v = await created.json() as Variable;
    deepStrictEqual(
      [v.Namespace, v.Path, v.Items, v.CreateIndex === v.ModifyIndex],
      ["default", "app/db", { user: "me", pass: "pw" }, true],
    );
    strictEqual(created.headers.get("X-Nomad-Index"), String(v.ModifyIndex));
    ok(v.CreateTime > 0 && v.CreateTime === v.ModifyTime);

    const read = await request("GET", "/v1/var/app/db");
    deepStrictEqual(await read.json(), v);
    await request("PUT", "/v1/var/app/cache", { Items: { size: "1" } });
    await request("PUT", "/v1/var/other", { Items: { k: "v" } });
    const list = await (await request("GET", "/v1/vars?prefix=app/")).json() as Variable[];
    deepStrictEqual(list.map((x) => x.Path), ["app/cache", "app/db"]);
    strictEqual("Items" in list[0]!, false, "the list carries metadata only");

    // A stale check-and-set index is refused with 409 and the current variable.
    const stale = await request("PUT", `/v1/var/app/db?cas=${v.ModifyIndex - 1}`, {
      Items: { user: "you" },
    });
    strictEqual(stale.status, 409);
    deepStrictEqual(await stale.json(), v);
    const fresh = await request("PUT", `/v1/var/app/db?cas=${v.ModifyIndex}`, {
      Items: { user: "you" },
    });
    strictEqual(fresh.status, 200);
    const updated = await fresh.json() as Variable;
    deepStrictEqual([updated.Items, updated.CreateIndex], [{ user: "you" }, v.CreateIndex]);
    ok(updated.ModifyIndex > v.ModifyIndex);
    // cas=0 creates only when absent.
    strictEqual((await request("PUT", "/v1/var/app/db?cas=0", { Items: { a: "b" } })).status, 409);
    strictEqual((await request("PUT", "/v1/var/app/new?cas=0", { Items: { a: "b" } })).status, 200);

    const badDelete = await request("DELETE", `/v1/var/app/db?cas=${v.ModifyIndex}`);
    strictEqual(badDelete.status, 409);
    const deleted = await request("DELETE", `/v1/var/app/db?cas=${updated.ModifyIndex}`);
    strictEqual(deleted.status, 204);
    const gone = await request("GET", "/v1/var/app/db");
    strictEqual(gone.status, 404);
    strictEqual(await gone.text(), "variable not found");
  });
});

Deno.test("bad variable writes get Nomad's 400s and store nothing", async () => {
  await withApp(async (request) => {
    const cases: [string, unknown, string][] = [
      ["/v1/var/x", {}, "variable missing required Items object"],
      ["/v1/var/x", { Items: {} }, "variable missing required Items object"],
      ["/v1/var/x", "{nope", "Failed to decode request body"],
      [
        "/v1/var/x",
        { Items: { n: 1 } },
        "json: cannot unmarshal number into Go struct field VariableDecrypted.Items of type string",
      ],
      [
        "/v1/var/x",
        { Items: ["a"] },
        "json: cannot unmarshal array into Go struct field VariableDecrypted.Items of type structs.VariableItems",
      ],
      ["/v1/var/bad%20path", { Items: { a: "b" } }, 'invalid path "bad path"'],
      ["/v1/var/nomad", { Items: { a: "b" } }, '"nomad" is a reserved top-level directory path'],
      ["/v1/var/nomad/secrets", { Items: { a: "b" } }, 'only paths at "nomad/jobs"'],
      ["/v1/var/x?cas=abc", { Items: { a: "b" } }, "can not parse cas"],
      [
        "/v1/var/x",
        { Items: { big: "x".repeat(70_000) } },
        "variables are limited to 64KiB in total size",
      ],
      ["/v1/var/", { Items: { a: "b" } }, "missing variable path"],
    ];
    for (const [path, body, text] of cases) {
      const res = await request("PUT", path, body);
      strictEqual(res.status, 400, path);
      ok((await res.text()).startsWith(text), `${path}: ${text}`);
    }
    strictEqual(
      (await request("PUT", "/v1/var/nomad/jobs/web", { Items: { a: "b" } })).status,
      200,
    );
    deepStrictEqual(
      (await (await request("GET", "/v1/vars")).json() as Variable[]).map((v) => v.Path),
      ["nomad/jobs/web"],
    );
  });
});
