/** The web UI: `/` redirects to `/ui/`; `/ui/*` serves the embedded static app. */

import type { Hono } from "hono";
import type { HttpBackend } from "../backend.ts";

/** Registers the UI routes. */
export function uiRoutes(app: Hono, backend: HttpBackend): void {
  app.get("/", (c) => c.redirect("/ui/", 307));
  app.get("/ui", (c) => c.redirect("/ui/", 307));
  app.get("/ui/*", async (c) => {
    const path = c.req.path.slice("/ui/".length);
    // Unknown paths fall back to index.html so client-side routes reload correctly.
    const asset = await backend.uiAsset(path) ?? await backend.uiAsset("index.html");
    if (asset === undefined) return c.body(null, 404);
    return c.body(asset.body, 200, { "Content-Type": asset.contentType });
  });
}
