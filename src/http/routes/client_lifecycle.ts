/**
 * Allocation lifecycle routes: `PUT|POST /v1/client/allocation/:id/signal`
 * (`{Task, Signal}`), `/v1/client/allocation/:id/restart` (`{TaskName, AllTasks}`)
 * on the client running the allocation, and the server's
 * `PUT|POST /v1/allocation/:id/stop` (`?no_shutdown_delay=`).
 */

import type { Context, Hono } from "hono";
import { MAX_REQUEST_BODY_BYTES } from "../../core/bounds.ts";
import { CodedError } from "../../core/errors.ts";
import type { HttpBackend, LocalAllocation } from "../backend.ts";
import { json } from "../query.ts";

/** A JSON object body, where an empty body means `{}` (as Nomad's decoder allows). */
async function objectBody(c: Context, failure: string): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.length > MAX_REQUEST_BODY_BYTES) throw new CodedError(413, "Request body too large");
  if (text.trim() === "") return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new CodedError(400, `${failure}: ${(error as Error).message}`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new CodedError(400, `${failure}: body must be a JSON object`);
  }
  return body as Record<string, unknown>;
}

function stringField(body: Record<string, unknown>, name: string, failure: string): string {
  const value = body[name] ?? "";
  if (typeof value !== "string") throw new CodedError(400, `${failure}: ${name} must be a string`);
  return value;
}

function local(c: Context, backend: HttpBackend): LocalAllocation {
  const id = c.req.param("id") ?? "";
  const allocation = backend.localAllocation(id);
  if (allocation === undefined) throw new CodedError(404, `Unknown allocation "${id}"`);
  return allocation;
}

/** Runs a client action, giving its failure Nomad's status (500 unless it carries one). */
async function act(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (error instanceof CodedError) throw error;
    const code = (error as { code?: unknown }).code;
    throw new CodedError(typeof code === "number" ? code : 500, (error as Error).message);
  }
}

/** Registers the signal, restart and stop routes. */
export function clientLifecycleRoutes(app: Hono, backend: HttpBackend): void {
  for (const method of ["put", "post"] as const) {
    app[method]("/v1/client/allocation/:id/signal", async (c) => {
      const failure = "Failed to decode body";
      const body = await objectBody(c, failure);
      const task = stringField(body, "Task", failure);
      const signal = stringField(body, "Signal", failure);
      const allocation = local(c, backend);
      await act(() => allocation.signal!(task, signal));
      return json(c, { Index: 0 });
    });
    app[method]("/v1/allocation/:id/stop", async (c) => {
      if (backend.allocStop === undefined) throw new CodedError(501, "not a server");
      const text = c.req.query("no_shutdown_delay") ?? "";
      if (!["", "true", "false", "1", "0"].includes(text)) {
        throw new CodedError(500, `no_shutdown_delay value is not a boolean: invalid syntax`);
      }
      const result = await backend.allocStop(c.req.param("id"), {
        noShutdownDelay: text === "true" || text === "1",
      });
      if (result === undefined) throw new CodedError(404, "allocation not found");
      c.header("X-Nomad-Index", String(result.Index));
      return json(c, result);
    });
  }
  for (const method of ["put", "post", "get"] as const) {
    app[method]("/v1/client/allocation/:id/restart", async (c) => {
      const failure = "Failed to decode body";
      const body = method === "get" ? {} : await objectBody(c, failure);
      const task = stringField(body, "TaskName", failure);
      const allTasks = body["AllTasks"] ?? false;
      if (typeof allTasks !== "boolean") {
        throw new CodedError(400, `${failure}: AllTasks must be a boolean`);
      }
      const allocation = local(c, backend);
      await act(() => allocation.restart!(task, allTasks));
      return json(c, { Index: 0 });
    });
  }
}
