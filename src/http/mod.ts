/** The HTTP API (Hono on Deno.serve). */
export * from "./app.ts";
export * from "./backend.ts";
export * from "./query.ts";
