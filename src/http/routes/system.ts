/** `/v1/system/*`: forced garbage collection and job summary reconciliation. */

import type { Hono } from "hono";
import type { HttpBackend } from "../backend.ts";
import { requireState } from "../query.ts";

/** Registers `PUT /v1/system/gc` and `PUT /v1/system/reconcile/summaries`. */
export function systemRoutes(app: Hono, backend: HttpBackend): void {
  // Nomad answers both with an empty 200 once the work is committed (PUT only; others 405).
  app.put("/v1/system/gc", async (c) => {
    requireState(backend);
    await backend.systemGarbageCollect();
    return c.body(null, 200);
  });

  app.put("/v1/system/reconcile/summaries", async (c) => {
    requireState(backend);
    await backend.reconcileJobSummaries();
    return c.body(null, 200);
  });
}
