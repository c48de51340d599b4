/**
 * Errors of the HTTP client, worded as Nomad's Go client words them so that
 * users and scripts that match on these strings keep working.
 */

/**
 * A response with a status other than 200. The message is Nomad's
 * `Unexpected response code: 404 (job not found)` form.
 *
 * @example
 * ```ts
 * import { ApiError } from "./errors.ts";
 * new ApiError(404, "job not found").message; // "Unexpected response code: 404 (job not found)"
 * ```
 */
export class ApiError extends Error {
  override name = "ApiError";
  /** HTTP status code of the response. */
  readonly statusCode: number;
  /** Response body with surrounding whitespace removed (Nomad sends plain text). */
  readonly body: string;

  /** Builds the error from a status code and the raw body text. */
  constructor(statusCode: number, body: string) {
    const trimmed = body.trim();
    super(unexpectedResponseMessage(statusCode, trimmed));
    this.statusCode = statusCode;
    this.body = trimmed;
  }
}

function unexpectedResponseMessage(statusCode: number, body: string): string {
  let text = "Unexpected response code";
  if (body !== "" || statusCode !== 0) text += ": ";
  if (statusCode !== 0) text += String(statusCode) + (body !== "" ? " " : "");
  if (body !== "") text += `(${body})`;
  return text;
}

/**
 * The request never got a response (refused, unresolvable host, reset). The
 * message mirrors Go's `*url.Error`: `Get "http://127.0.0.1:4646/v1/jobs": dial
 * tcp 127.0.0.1:4646: connect: connection refused`.
 */
export class ConnectionError extends Error {
  override name = "ConnectionError";
  /** The URL that was requested. */
  readonly url: string;

  /** Wraps the low-level failure `cause` of a `method` request to `url`. */
  constructor(method: string, url: string, cause: unknown) {
    super(`${goMethodName(method)} ${JSON.stringify(url)}: ${describeNetworkFailure(url, cause)}`, {
      cause,
    });
    this.url = url;
  }
}

/** Go's url.Error names the operation "Get", "Put", "Delete", ... */
function goMethodName(method: string): string {
  const lower = method.toLowerCase();
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}

/** The `host:port` Go's dialer reports for a URL. */
export function dialAddress(url: string): string {
  const parsed = new URL(url);
  let host = parsed.hostname;
  if (host === "localhost") host = "127.0.0.1";
  const port = parsed.port !== "" ? parsed.port : parsed.protocol === "https:" ? "443" : "80";
  return `${host}:${port}`;
}

/** Translates a Deno fetch failure into the words of Go's net package. */
export function describeNetworkFailure(url: string, cause: unknown): string {
  const text = errorChain(cause);
  const address = dialAddress(url);
  if (/connection refused/i.test(text)) return `dial tcp ${address}: connect: connection refused`;
  if (/dns error|failed to lookup|name or service not known|no such host/i.test(text)) {
    return `dial tcp: lookup ${new URL(url).hostname}: no such host`;
  }
  if (/connection reset/i.test(text)) return `read tcp ${address}: read: connection reset by peer`;
  if (/timed out/i.test(text)) return `dial tcp ${address}: i/o timeout`;
  if (/unexpected eof|connection closed/i.test(text)) return "EOF";
  return text;
}

function errorChain(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    parts.push(current instanceof Error ? current.message : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(": ");
}
