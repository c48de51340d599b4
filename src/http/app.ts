/**
 * The HTTP API: a Hono app with one route module per resource and one error
 * handler. Served by `Deno.serve`; tests call `app.request()` without a socket.
 */

import { Hono } from "hono";
import type { Logger } from "../core/logger.ts";
import type { HttpBackend } from "./backend.ts";
import { errorHandler } from "./errors.ts";
import { agentRoutes } from "./routes/agent.ts";
import { allocationRoutes } from "./routes/allocations.ts";
import { clientFsRoutes } from "./routes/client_fs.ts";
import { jobRoutes } from "./routes/jobs.ts";
import { nodeRoutes } from "./routes/nodes.ts";
import { uiRoutes } from "./routes/ui.ts";

/** Builds the API app around an agent backend. */
export function createApp(backend: HttpBackend, logger: Logger): Hono {
  const app = new Hono();
  app.onError(errorHandler(logger));
  app.notFound((c) => c.body(null, 404));
  jobRoutes(app, backend);
  allocationRoutes(app, backend);
  nodeRoutes(app, backend);
  agentRoutes(app, backend);
  clientFsRoutes(app, backend);
  uiRoutes(app, backend);
  app.all("/v1/*", (c) => c.text("Invalid method", 405));
  return app;
}
