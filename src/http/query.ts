/**
 * Query handling shared by routes: Nomad's common parameters, blocking queries
 * with watch sets, response metadata headers, JSON encoding with `?pretty`.
 */

import type { Context } from "hono";
import {
  BLOCKING_JITTER_FRACTION,
  DEFAULT_BLOCKING_QUERY_MS,
  MAX_BLOCKING_QUERY_MS,
  MAX_REQUEST_BODY_BYTES,
} from "../core/bounds.ts";
import { parseDuration } from "../core/clock.ts";
import { CodedError } from "../core/errors.ts";
import type { StateSnapshot, StateStore, TableName } from "../state/mod.ts";
import type { HttpBackend } from "./backend.ts";

/** Blocking parameters of a request. */
export interface BlockingParams {
  minIndex: number;
  waitMs: number;
}

/** Parses `index` and `wait`, with Nomad's 400 messages. */
export function blockingParams(c: Context): BlockingParams {
  const indexText = c.req.query("index");
  const waitText = c.req.query("wait");
  let minIndex = 0;
  if (indexText !== undefined && indexText !== "") {
    minIndex = Number(indexText);
    if (!Number.isInteger(minIndex) || minIndex < 0) throw new CodedError(400, "Invalid index");
  }
  let waitMs = DEFAULT_BLOCKING_QUERY_MS;
  if (waitText !== undefined && waitText !== "") {
    const ns = parseDuration(waitText);
    if (ns === undefined || ns < 0) throw new CodedError(400, "Invalid wait time");
    waitMs = Math.min(ns / 1e6, MAX_BLOCKING_QUERY_MS);
  }
  return { minIndex, waitMs };
}

/** The request's namespace (`default` when not given). */
export function namespaceParam(c: Context): string {
  return c.req.query("namespace") || "default";
}

/** True when a boolean query flag is present and not "false". */
export function flag(c: Context, name: string): boolean {
  const value = c.req.query(name);
  return value !== undefined && value !== "false" && value !== "0";
}

/** Sets Nomad's query metadata headers. */
export function setQueryMeta(c: Context, index: number): void {
  c.header("X-Nomad-Index", String(Math.max(1, index)));
  c.header("X-Nomad-KnownLeader", "true");
  c.header("X-Nomad-LastContact", "0");
}

/** JSON response, 4-space indented with `?pretty`. */
export function json(c: Context, value: unknown, status = 200): Response {
  const pretty = c.req.query("pretty") !== undefined;
  const body = pretty ? JSON.stringify(value, null, 4) + "\n" : JSON.stringify(value);
  return c.body(body, status as 200, { "Content-Type": "application/json" });
}

/**
 * Runs `query` against snapshots until its index passes `index` or the wait ends.
 * Nomad adds up to wait/16 jitter so many waiters do not return together.
 */
export async function blockingQuery<T>(
  c: Context,
  options: {
    state: StateStore;
    tables: readonly TableName[];
    query: (snapshot: StateSnapshot) => { value: T; index: number };
  },
): Promise<T> {
  const { minIndex, waitMs } = blockingParams(c);
  const jitterMs = Math.random() * (waitMs / BLOCKING_JITTER_FRACTION);
  // The wait ends at its deadline; a client that hangs up early only leaves a
  // waiter behind until then (bounded by MAX_BLOCKING_QUERY_MS).
  const signal = AbortSignal.timeout(Math.max(1, waitMs + jitterMs));
  for (;;) {
    const result = options.query(options.state.snapshot());
    if (minIndex === 0 || result.index > minIndex || signal.aborted) {
      setQueryMeta(c, result.index);
      return result.value;
    }
    await options.state.waitForChange(options.tables, signal);
  }
}

/** Reads and parses a JSON request body with Go-like error messages. */
export async function readJsonBody(c: Context): Promise<unknown> {
  const length = Number(c.req.header("Content-Length") ?? "0");
  if (length > MAX_REQUEST_BODY_BYTES) throw new CodedError(413, "Request body too large");
  const text = await c.req.text();
  if (text.length > MAX_REQUEST_BODY_BYTES) throw new CodedError(413, "Request body too large");
  if (text.trim() === "") throw new CodedError(400, "Request body is empty");
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CodedError(400, `Failed to decode request body: ${(err as Error).message}`);
  }
}

/** The server's state store, or Nomad's 501 on an agent that is not a server. */
export function requireState(backend: HttpBackend): StateStore {
  if (backend.state === null) throw new CodedError(501, "not a server");
  return backend.state;
}
