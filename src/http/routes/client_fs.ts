/**
 * `GET /v1/client/fs/{logs,ls,stat,cat,readat,stream}/:alloc`: task logs and
 * the allocation directory of an allocation this agent's client runs, with
 * Nomad's parameters, StreamFrames and error texts.
 */

import type { Context, Hono } from "hono";
import { CodedError } from "../../core/errors.ts";
import type { AllocFs, HttpBackend, LocalAllocation, LogChunk } from "../backend.ts";
import { json } from "../query.ts";
import { type FramePart, streamBody } from "./client_stream.ts";

interface LogRequest {
  local: LocalAllocation;
  task: string;
  type: "stdout" | "stderr";
  origin: "start" | "end";
  offset: number;
  follow: boolean;
  plain: boolean;
}

/** Go's strconv.ParseBool, as Nomad parses `follow` and `plain`. */
function parseBool(c: Context, name: string, fallback: boolean, code: number): boolean {
  const text = c.req.query(name);
  if (text === undefined || text === "") return fallback;
  if (["1", "t", "T", "TRUE", "true", "True"].includes(text)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(text)) return false;
  throw new CodedError(
    code,
    `failed to parse ${name} field to boolean: strconv.ParseBool: parsing ${
      JSON.stringify(text)
    }: invalid syntax`,
  );
}

/** Go's strconv.ParseInt for `offset`/`limit`; empty gives `fallback` (null: required). */
function parseInteger(c: Context, name: string, fallback: number | null, code: number): number {
  const text = c.req.query(name) ?? "";
  if (text === "" && fallback !== null) return fallback;
  if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new CodedError(
      code,
      `error parsing ${name}: strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`,
    );
  }
  return Number(text);
}

function parseOrigin(c: Context): "start" | "end" {
  const origin = c.req.query("origin") || "start";
  if (origin !== "start" && origin !== "end") {
    throw new CodedError(400, "origin must be start or end");
  }
  return origin;
}

function localAllocation(c: Context, backend: HttpBackend): LocalAllocation {
  const allocID = c.req.param("alloc") ?? "";
  if (allocID === "") throw new CodedError(400, "must provide a valid alloc id");
  const local = backend.localAllocation(allocID);
  if (local === undefined) throw new CodedError(404, `Unknown allocation "${allocID}"`);
  return local;
}

function parseLogRequest(c: Context, backend: HttpBackend): LogRequest {
  const task = c.req.query("task") ?? "";
  if (task === "") throw new CodedError(400, "must provide task name");
  const follow = parseBool(c, "follow", false, 400);
  const plain = parseBool(c, "plain", false, 400);
  const type = c.req.query("type") ?? "";
  if (type !== "stdout" && type !== "stderr") {
    throw new CodedError(400, "must provide log type (stdout/stderr)");
  }
  const offset = parseInteger(c, "offset", 0, 400);
  const origin = parseOrigin(c);
  const local = localAllocation(c, backend);
  if (!local.taskNames.includes(task)) {
    throw new CodedError(400, `unknown task name ${JSON.stringify(task)}`);
  }
  const state = local.taskStates?.()[task];
  if (state !== undefined && state.StartedAt === null) {
    throw new CodedError(404, `task ${JSON.stringify(task)} not started yet. No logs available`);
  }
  return { local, task, type, origin, offset: Math.max(0, offset), follow, plain };
}

async function* logParts(chunks: AsyncGenerator<LogChunk>): AsyncGenerator<FramePart> {
  for await (const chunk of chunks) {
    yield chunk === null ? null : {
      file: chunk.file,
      offset: chunk.offset + chunk.data.length,
      data: chunk.data,
      event: "",
    };
  }
}

function fsOf(local: LocalAllocation): AllocFs {
  if (local.fs === undefined) throw new CodedError(500, "allocation directory is not available");
  return local.fs;
}

/** The `kind` of an expected fs failure (see {@linkcode AllocFs}), if it is one. */
function fsErrorKind(error: unknown): string | undefined {
  const kind = (error as { kind?: unknown } | null)?.kind;
  return typeof kind === "string" ? kind : undefined;
}

/** Nomad's status codes: ls/stat answer 404 for a missing path, 500 otherwise. */
function listingError(error: unknown): unknown {
  const kind = fsErrorKind(error);
  if (kind === undefined) return error;
  return new CodedError(kind === "not_found" ? 404 : 500, (error as Error).message);
}

/** Nomad's status codes for reads: failing to open the file is a 400, reading it a 500. */
function readError(error: unknown): unknown {
  const kind = fsErrorKind(error);
  if (kind === undefined) return error;
  return new CodedError(
    kind === "prohibited" || kind === "io" ? 500 : 400,
    (error as Error).message,
  );
}

function requirePath(c: Context): string {
  const path = c.req.query("path") ?? "";
  if (path === "") throw new CodedError(400, "must provide a file name");
  return path;
}

/** Streams a file of the allocation as frames or plain bytes. */
async function fileStream(
  c: Context,
  backend: HttpBackend,
  options: {
    path: string;
    offset: number;
    origin: "start" | "end";
    limit: number;
    follow: boolean;
    plain: boolean;
  },
): Promise<Response> {
  const fs = fsOf(localAllocation(c, backend));
  const file = await fs.open(options.path).catch((e) => Promise.reject(readError(e)));
  let offset = options.offset;
  if (options.origin === "end") offset = Math.max(0, file.size - offset);
  const abort = new AbortController();
  const chunks = fs.stream(file.hostPath, {
    offset,
    limit: options.limit,
    follow: options.follow,
    signal: abort.signal,
  });
  async function* parts(): AsyncGenerator<FramePart> {
    for await (const chunk of chunks) {
      yield chunk === null ? null : { ...chunk, file: options.path };
    }
  }
  return await streamBody(c, parts(), { plain: options.plain, abort });
}

/** Registers the client filesystem routes. */
export function clientFsRoutes(app: Hono, backend: HttpBackend): void {
  app.get("/v1/client/fs/logs/:alloc", async (c) => {
    const request = parseLogRequest(c, backend);
    const abort = new AbortController();
    const chunks = request.local.logs({
      task: request.task,
      type: request.type,
      origin: request.origin,
      offset: request.offset,
      follow: request.follow,
      signal: abort.signal,
    });
    return await streamBody(c, logParts(chunks), { plain: request.plain, abort });
  });

  app.get("/v1/client/fs/ls/:alloc", async (c) => {
    const fs = fsOf(localAllocation(c, backend));
    const files = await fs.list(c.req.query("path") || "/").catch((e) =>
      Promise.reject(listingError(e))
    );
    return json(c, files);
  });

  app.get("/v1/client/fs/stat/:alloc", async (c) => {
    const path = requirePath(c);
    const fs = fsOf(localAllocation(c, backend));
    const info = await fs.stat(path).catch((e) => Promise.reject(listingError(e)));
    return json(c, info);
  });

  app.get("/v1/client/fs/cat/:alloc", async (c) => {
    const path = requirePath(c);
    return await fileStream(c, backend, {
      path,
      offset: 0,
      origin: "start",
      limit: 0,
      follow: false,
      plain: true,
    });
  });

  app.get("/v1/client/fs/readat/:alloc", async (c) => {
    const path = requirePath(c);
    const offset = parseInteger(c, "offset", null, 500);
    const limit = parseInteger(c, "limit", 0, 500);
    return await fileStream(c, backend, {
      path,
      offset: Math.max(0, offset),
      origin: "start",
      limit: Math.max(0, limit),
      follow: false,
      plain: true,
    });
  });

  app.get("/v1/client/fs/stream/:alloc", async (c) => {
    const path = requirePath(c);
    const follow = parseBool(c, "follow", true, 500);
    const offset = parseInteger(c, "offset", 0, 500);
    const origin = parseOrigin(c);
    return await fileStream(c, backend, {
      path,
      offset: Math.max(0, offset),
      origin,
      limit: 0,
      follow,
      plain: false,
    });
  });
}
