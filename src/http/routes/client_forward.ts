/**
 * Reaching an allocation's client from any agent: a `/v1/client/*` request for
 * an allocation this agent does not run is proxied to the HTTP address of the
 * node that runs it (from the servers' node record), WebSockets included. A
 * header marks proxied requests so that they are never proxied again.
 */

import type { Context, MiddlewareHandler, Next } from "hono";
import { CodedError } from "../../core/errors.ts";
import type { HttpBackend } from "../backend.ts";

/** Set on requests proxied to a node; such requests are answered locally or not at all. */
export const FORWARDED_HEADER = "X-Nomad-Client-Forwarded";

/** The allocation a `/v1/client/*` path is about, if any. */
export function allocIdOfClientPath(path: string): string | null {
  const fs = /^\/v1\/client\/fs\/[a-z]+\/([^/]+)$/.exec(path);
  if (fs !== null) return decodeURIComponent(fs[1]!);
  const allocation = /^\/v1\/client\/allocation\/([^/]+)\/[a-z]+$/.exec(path);
  if (allocation !== null) return decodeURIComponent(allocation[1]!);
  return null;
}

/** The `host:port` HTTP address of the node running `allocID`, from the server state. */
function nodeAddress(backend: HttpBackend, allocID: string): string | null {
  const snapshot = backend.state?.snapshot();
  const alloc = snapshot?.allocByID(allocID);
  if (snapshot === undefined || alloc === undefined) return null;
  const node = snapshot.nodeByID(alloc.NodeID);
  if (node === undefined || node.HTTPAddr === "") throw new CodedError(404, "Unknown node");
  return node.HTTPAddr;
}

/** Middleware proxying client requests for allocations that run elsewhere. */
export function clientForward(backend: HttpBackend): MiddlewareHandler {
  return async function clientForward(c: Context, next: Next) {
    const allocID = allocIdOfClientPath(c.req.path);
    if (allocID === null || c.req.header(FORWARDED_HEADER) !== undefined) return await next();
    // A server that does not know the allocation lets the route answer (404).
    if (backend.state !== null && backend.state.snapshot().allocByID(allocID) === undefined) {
      return await next();
    }
    if (backend.localAllocation(allocID) !== undefined) return await next();
    const address = nodeAddress(backend, allocID);
    if (address === null) {
      // A client-only agent asks its servers, which know where the allocation runs.
      const toServer = backend.state === null ? backend.forward : undefined;
      const websocket = c.req.header("upgrade")?.toLowerCase() === "websocket";
      if (toServer !== undefined && !websocket) return await toServer(c.req.raw);
      return await next();
    }
    const url = new URL(c.req.url);
    const target = `${url.protocol}//${address}${url.pathname}${url.search}`;
    if (c.req.header("upgrade")?.toLowerCase() === "websocket") return proxyWebSocket(c, target);
    return await proxyHttp(c, target);
  };
}

async function proxyHttp(c: Context, target: string): Promise<Response> {
  const headers = new Headers(c.req.raw.headers);
  headers.set(FORWARDED_HEADER, "1");
  headers.delete("host");
  const hasBody = c.req.method !== "GET" && c.req.method !== "HEAD";
  let response: Response;
  try {
    response = await fetch(target, {
      method: c.req.method,
      headers,
      ...(hasBody ? { body: await c.req.arrayBuffer() } : {}),
      signal: c.req.raw.signal,
    });
  } catch (error) {
    throw new CodedError(404, `No path to node: ${(error as Error).message}`);
  }
  return new Response(response.body, { status: response.status, headers: response.headers });
}

/** Bridges the caller's WebSocket to one opened on the node, message for message. */
function proxyWebSocket(c: Context, target: string): Response {
  const { socket, response } = Deno.upgradeWebSocket(c.req.raw);
  const upstream = new WebSocket(target.replace(/^http/, "ws"), {
    headers: { [FORWARDED_HEADER]: "1" },
  });
  const early: (string | ArrayBufferLike | Blob | ArrayBufferView)[] = [];
  const closeCode = (
    code: number,
  ) => (code === 1000 || (code >= 3000 && code <= 4999) || [1008, 1011].includes(code)
    ? code
    : 1000);
  socket.onmessage = (event) => {
    if (upstream.readyState === WebSocket.OPEN) upstream.send(event.data);
    else early.push(event.data);
  };
  upstream.onopen = () => {
    for (const message of early.splice(0)) upstream.send(message);
  };
  upstream.onmessage = (event) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(event.data);
  };
  upstream.onclose = (event) => {
    if (socket.readyState === WebSocket.OPEN) socket.close(closeCode(event.code), event.reason);
  };
  upstream.onerror = () => {
    if (socket.readyState === WebSocket.OPEN) socket.close(1011, "No path to node");
  };
  socket.onclose = () => {
    if (upstream.readyState === WebSocket.OPEN || upstream.readyState === WebSocket.CONNECTING) {
      upstream.close();
    }
  };
  return response;
}
