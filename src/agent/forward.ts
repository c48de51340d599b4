/**
 * HTTP requests a client-only agent cannot answer travel to a server over
 * RPC (`HTTP.Request`), where the server's own HTTP app answers them: the
 * request keeps its method, path, headers (so ACL tokens apply) and body.
 */

import { CodedError } from "../core/errors.ts";
import type { RpcPool } from "../rpc/mod.ts";

/** Blocking queries may wait up to 10 minutes (plus Nomad's jitter); calls outlast them. */
const FORWARD_TIMEOUT_MS = 11 * 60_000;
/** Requests larger than this are refused before forwarding. */
const MAX_FORWARD_BODY_BYTES = 16 * 1024 * 1024;

interface ForwardedRequest {
  Method: string;
  Path: string;
  Headers: Record<string, string>;
  Body: Uint8Array | null;
}

interface ForwardedResponse {
  Status: number;
  Headers: Record<string, string>;
  Body: Uint8Array;
}

/** Hop-by-hop headers that must not cross the forward. */
const HOP_HEADERS = new Set(["connection", "keep-alive", "transfer-encoding", "content-length"]);

function headerRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of headers) if (!HOP_HEADERS.has(key)) out[key] = value;
  return out;
}

/** Sends `request` to a server through `pool`; a server that cannot be reached gives a 500. */
export function forwardOverRpc(pool: RpcPool): (request: Request) => Promise<Response> {
  return async (request) => {
    const url = new URL(request.url);
    const body = request.body === null ? null : new Uint8Array(await request.arrayBuffer());
    if (body !== null && body.length > MAX_FORWARD_BODY_BYTES) {
      return new Response("Request body too large", { status: 413 });
    }
    const forwarded: ForwardedRequest = {
      Method: request.method,
      Path: url.pathname + url.search,
      Headers: headerRecord(request.headers),
      Body: body,
    };
    try {
      const response = await pool.call<ForwardedResponse>("HTTP.Request", forwarded, {
        signal: request.signal,
        timeoutMs: FORWARD_TIMEOUT_MS,
      });
      return new Response(
        response.Status === 204 ? null : response.Body as Uint8Array<ArrayBuffer>,
        {
          status: response.Status,
          headers: response.Headers,
        },
      );
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return new Response(`rpc error: ${message}`, {
        status: 500,
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
    }
  };
}

/** Answers forwarded requests with the server's own HTTP app. */
export async function serveForwarded(
  args: unknown,
  fetch: (request: Request) => Response | Promise<Response>,
  signal: AbortSignal,
): Promise<ForwardedResponse> {
  const a = args as Partial<ForwardedRequest> | null;
  if (
    typeof a !== "object" || a === null || typeof a.Method !== "string" ||
    typeof a.Path !== "string" || !a.Path.startsWith("/") || typeof a.Headers !== "object" ||
    a.Headers === null || !(a.Body === null || a.Body instanceof Uint8Array)
  ) {
    throw new CodedError(400, "HTTP.Request: malformed request");
  }
  const hasBody = a.Body !== null && a.Method !== "GET" && a.Method !== "HEAD";
  const response = await fetch(
    new Request(`http://forwarded${a.Path}`, {
      method: a.Method,
      headers: a.Headers as Record<string, string>,
      ...(hasBody ? { body: a.Body as Uint8Array<ArrayBuffer> } : {}),
      signal,
    }),
  );
  return {
    Status: response.status,
    Headers: headerRecord(response.headers),
    Body: new Uint8Array(await response.arrayBuffer()),
  };
}
