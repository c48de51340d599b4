/** Node routes. */

import type { Hono } from "hono";
import { nodeForApi, nodeListStub } from "../../structs/mod.ts";
import type { HttpBackend } from "../backend.ts";
import { notFound } from "../errors.ts";
import { blockingQuery, flag, json, requireState } from "../query.ts";

/** Registers `/v1/nodes`, `/v1/node/:id`, `/v1/node/:id/allocations`. */
export function nodeRoutes(app: Hono, backend: HttpBackend): void {
  app.get("/v1/nodes", async (c) => {
    const state = requireState(backend);
    const prefix = c.req.query("prefix") ?? "";
    const options = { attributes: flag(c, "os"), resources: flag(c, "resources") };
    const stubs = await blockingQuery(c, {
      state,
      tables: ["nodes"],
      query: (s) => ({
        value: s.nodes().filter((n) => n.ID.startsWith(prefix)).map((n) =>
          nodeListStub(n, options)
        ),
        index: s.tableIndex("nodes"),
      }),
    });
    return json(c, stubs);
  });

  app.get("/v1/node/:id/allocations", async (c) => {
    const state = requireState(backend);
    const id = c.req.param("id");
    const allocs = await blockingQuery(c, {
      state,
      tables: ["allocs"],
      query: (s) => ({ value: [...s.allocsByNode(id)], index: s.tableIndex("allocs") }),
    });
    return json(c, allocs);
  });

  app.get("/v1/node/:id", async (c) => {
    const state = requireState(backend);
    const id = c.req.param("id");
    const node = await blockingQuery(c, {
      state,
      tables: ["nodes"],
      query: (s) => {
        // Nomad accepts an ID prefix here when it is unique.
        const exact = s.nodeByID(id);
        const matches = exact !== undefined
          ? [exact]
          : s.nodes().filter((n) => n.ID.startsWith(id));
        const value = matches.length === 1 ? matches[0] : undefined;
        return { value, index: value?.ModifyIndex ?? s.tableIndex("nodes") };
      },
    });
    if (node === undefined) throw notFound("node");
    return json(c, nodeForApi(node));
  });
}
