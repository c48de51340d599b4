/** `GET /v1/client/stats` and `GET /v1/client/allocation/:id/stats`: resource usage of this agent's client. */

import type { Hono } from "hono";
import { CodedError } from "../../core/errors.ts";
import type { HttpBackend } from "../backend.ts";
import { json } from "../query.ts";

/** Registers the client stats routes. */
export function statsRoutes(app: Hono, backend: HttpBackend): void {
  app.get("/v1/client/stats", async (c) => {
    const stats = await backend.clientStats?.();
    if (stats === undefined) throw new CodedError(400, "No local Node and node_id not provided");
    return json(c, stats);
  });
  app.get("/v1/client/allocation/:id/stats", async (c) => {
    if (backend.clientStats === undefined) {
      throw new CodedError(400, "No local Node and node_id not provided");
    }
    const id = c.req.param("id");
    const stats = await backend.allocStats?.(id);
    if (stats === undefined) throw new CodedError(404, `Unknown allocation "${id}"`);
    return json(c, stats);
  });
}
