/** `GET /v1/client/fs/logs/:alloc`: task logs as plain text or Nomad StreamFrames, optionally followed. */

import type { Context, Hono } from "hono";
import { encodeBase64 } from "../../core/base64.ts";
import { CodedError } from "../../core/errors.ts";
import type { HttpBackend, LocalAllocation, LogChunk } from "../backend.ts";
import { flag } from "../query.ts";

interface LogRequest {
  local: LocalAllocation;
  task: string;
  type: "stdout" | "stderr";
  origin: "start" | "end";
  offset: number;
  follow: boolean;
  plain: boolean;
}

function parseLogRequest(c: Context, backend: HttpBackend): LogRequest {
  const allocID = c.req.param("alloc") ?? "";
  const task = c.req.query("task") ?? "";
  const type = c.req.query("type") ?? "";
  const origin = c.req.query("origin") || "start";
  if (task === "") throw new CodedError(400, "must provide task name");
  if (type !== "stdout" && type !== "stderr") {
    throw new CodedError(400, "must provide log type (stdout/stderr)");
  }
  if (origin !== "start" && origin !== "end") {
    throw new CodedError(400, "origin must be start or end");
  }
  const offset = Number(c.req.query("offset") || "0");
  if (!Number.isInteger(offset) || offset < 0) {
    throw new CodedError(400, "offset must be a non-negative integer");
  }
  const local = backend.localAllocation(allocID);
  if (local === undefined) throw new CodedError(404, `Unknown allocation "${allocID}"`);
  if (!local.taskNames.includes(task)) throw new CodedError(400, `unknown task name "${task}"`);
  return { local, task, type, origin, offset, follow: flag(c, "follow"), plain: flag(c, "plain") };
}

function frame(chunk: LogChunk): string {
  if (chunk === null) return "{}";
  return JSON.stringify({
    Offset: chunk.offset + chunk.data.length,
    Data: encodeBase64(chunk.data),
    File: chunk.file,
  });
}

/** Registers the client filesystem routes. */
export function clientFsRoutes(app: Hono, backend: HttpBackend): void {
  app.get("/v1/client/fs/logs/:alloc", (c) => {
    const request = parseLogRequest(c, backend);
    const abort = new AbortController();
    const signal = abort.signal;
    const encoder = new TextEncoder();
    const iterator = request.local.logs({
      task: request.task,
      type: request.type,
      origin: request.origin,
      offset: request.offset,
      follow: request.follow,
      signal,
    });
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await iterator.next();
        if (next.done) return controller.close();
        const chunk = next.value;
        if (request.plain) {
          if (chunk !== null) controller.enqueue(chunk.data);
        } else controller.enqueue(encoder.encode(frame(chunk)));
      },
      async cancel() {
        abort.abort();
        await iterator.return(undefined);
      },
    });
    const contentType = request.plain ? "text/plain; charset=utf-8" : "application/json";
    return c.body(stream, 200, { "Content-Type": contentType });
  });
}
