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
import { clientGcRoutes } from "./routes/client_gc.ts";
import { variableRoutes } from "./routes/variables.ts";
import { serviceRoutes } from "./routes/services.ts";
import { statsRoutes } from "./routes/stats.ts";
import { clientFsRoutes } from "./routes/client_fs.ts";
import { clientExecRoutes } from "./routes/client_exec.ts";
import { clientForward } from "./routes/client_forward.ts";
import { clientLifecycleRoutes } from "./routes/client_lifecycle.ts";
import { deploymentRoutes } from "./routes/deployments.ts";
import { jobRoutes } from "./routes/jobs.ts";
import { nodeRoutes } from "./routes/nodes.ts";
import { systemRoutes } from "./routes/system.ts";
import { operatorRoutes, SCHEDULER_CONFIGURATION_PATH } from "./routes/operator.ts";
import { uiRoutes } from "./routes/ui.ts";

const KNOWN_PATHS = [
  "/v1/jobs",
  "/v1/jobs/parse",
  "/v1/validate/job",
  "/v1/job/*",
  "/v1/allocations",
  "/v1/allocation/*",
  "/v1/evaluations",
  "/v1/evaluation/*",
  "/v1/nodes",
  "/v1/node/*",
  "/v1/agent/*",
  "/v1/status/*",
  "/v1/regions",
  "/v1/client/fs/logs/*",
  "/v1/deployments",
  "/v1/deployment/*",
  "/v1/system/gc",
  "/v1/system/reconcile/summaries",
  SCHEDULER_CONFIGURATION_PATH,
  "/v1/vars",
  "/v1/var/*",
  "/v1/services",
  "/v1/service/*",
];

/** Paths a client-only agent serves itself: agent info, its client's endpoints, the UI. */
function answeredLocally(path: string): boolean {
  return path === "/" || path === "/ui" || path.startsWith("/ui/") ||
    path === "/v1/agent/self" || path === "/v1/agent/health" || path.startsWith("/v1/client/");
}

/** Builds the API app around an agent backend. */
export function createApp(backend: HttpBackend, logger: Logger): Hono {
  const app = new Hono();
  app.onError(errorHandler(logger));
  app.notFound((c) => c.body(null, 404));
  // Only an agent without a server (no state store) forwards.
  const forward = backend.state === null ? backend.forward : undefined;
  if (forward !== undefined) {
    // A client-only agent answers for itself and its allocations; servers answer the rest.
    app.use("*", async (c, next) => {
      if (answeredLocally(c.req.path)) return await next();
      return await forward(c.req.raw);
    });
  }
  jobRoutes(app, backend);
  allocationRoutes(app, backend);
  nodeRoutes(app, backend);
  deploymentRoutes(app, backend);
  systemRoutes(app, backend);
  operatorRoutes(app, backend);
  agentRoutes(app, backend);
  // Client requests for allocations running on another node are proxied there.
  app.use("/v1/client/*", clientForward(backend));
  clientFsRoutes(app, backend);
  clientExecRoutes(app, backend);
  clientLifecycleRoutes(app, backend);
  statsRoutes(app, backend);
  clientGcRoutes(app, backend);
  variableRoutes(app, backend);
  serviceRoutes(app, backend);
  uiRoutes(app, backend);
  // Known paths answer other methods with 405; unknown paths fall through to 404.
  for (const path of KNOWN_PATHS) app.all(path, (c) => c.text("Invalid method", 405));
  return app;
}
