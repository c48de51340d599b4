/**
 * One error type and one handler for every HTTP failure: Nomad answers with a
 * status code and a plain-text body, never JSON and never a stack trace.
 */

import type { Context } from "hono";
import { CodedError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";

/** The Hono error handler: coded errors keep their status, anything else is a 500. */
export function errorHandler(logger: Logger) {
  return function errorHandler(err: Error, c: Context): Response {
    if (err instanceof CodedError) {
      return c.text(err.message, err.code as 400, { "Content-Type": "text/plain; charset=utf-8" });
    }
    logger.error("request failed", { method: c.req.method, path: c.req.path, error: String(err) });
    return c.text(err.message || "internal error", 500, {
      "Content-Type": "text/plain; charset=utf-8",
    });
  };
}

/** Shorthand for a 404 with Nomad's text (e.g. "job not found"). */
export function notFound(what: string): CodedError {
  return new CodedError(404, `${what} not found`);
}
