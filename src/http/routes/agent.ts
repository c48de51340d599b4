/** Agent, status and region routes. */

import type { Hono } from "hono";
import type { HttpBackend } from "../backend.ts";
import { json, setQueryMeta } from "../query.ts";

/** Registers `/v1/agent/{self,members,health}`, `/v1/status/{leader,peers}`, `/v1/regions`. */
export function agentRoutes(app: Hono, backend: HttpBackend): void {
  app.get("/v1/agent/self", (c) => json(c, backend.agentSelf()));
  app.get("/v1/agent/members", (c) => json(c, backend.agentMembers()));
  app.get("/v1/agent/health", (c) => {
    const wanted = c.req.queries("type") ?? [];
    const health = backend.health();
    const body: Record<string, unknown> = {};
    for (const part of ["client", "server"] as const) {
      if (wanted.length > 0 && !wanted.includes(part)) continue;
      const value = health[part];
      if (value !== undefined) body[part] = value;
    }
    const ok = Object.values(body).every((v) => (v as { ok: boolean }).ok);
    return json(c, body, ok ? 200 : 500);
  });
  app.get("/v1/status/leader", (c) => {
    setQueryMeta(c, backend.state?.index ?? 0);
    return json(c, backend.leader());
  });
  app.get("/v1/status/peers", (c) => {
    setQueryMeta(c, backend.state?.index ?? 0);
    return json(c, backend.peers());
  });
  app.get("/v1/regions", (c) => json(c, [backend.region]));
}
