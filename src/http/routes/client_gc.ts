/** `PUT /v1/client/gc` and `/v1/client/allocation/:id/gc`: destroy finished allocations on this client. */

import type { Hono } from "hono";
import { CodedError } from "../../core/errors.ts";
import type { HttpBackend } from "../backend.ts";
import { json } from "../query.ts";

/** Registers the client garbage collection routes. */
export function clientGcRoutes(app: Hono, backend: HttpBackend): void {
  const collect = async (allocID?: string) => {
    if (backend.clientGc === undefined) {
      throw new CodedError(400, "No local Node and node_id not provided");
    }
    if (!(await backend.clientGc(allocID))) {
      throw new CodedError(404, `Unknown allocation "${allocID}"`);
    }
  };
  app.put("/v1/client/gc", async (c) => {
    await collect();
    return json(c, null);
  });
  for (const method of ["put", "get"] as const) {
    app[method]("/v1/client/allocation/:id/gc", async (c) => {
      await collect(c.req.param("id"));
      return json(c, null);
    });
  }
}
