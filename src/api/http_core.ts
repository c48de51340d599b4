/**
 * Request machinery shared by every endpoint group: address, region,
 * namespace and token handling, query parameters, blocking-query metadata and
 * Nomad's error wording.
 */

import { ApiError, ConnectionError } from "./errors.ts";

/** Where Nomad listens when nothing else is configured. */
export const DEFAULT_ADDRESS = "http://127.0.0.1:4646";
/** Longest blocking wait the servers honour (Nomad's MaxBlockingRPCQueryTime). */
export const MAX_BLOCKING_WAIT_MS = 300_000;
/** Largest response body the client buffers before giving up. */
export const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** How to reach and authenticate to a Nomad agent. */
export interface ClientConfig {
  /** Base URL, e.g. `http://127.0.0.1:4646`. */
  address: string;
  /** Region to forward requests to; empty means the agent's own. */
  region: string;
  /** Namespace for namespaced requests; empty means `default` server-side. */
  namespace: string;
  /** ACL secret sent as `X-Nomad-Token`; empty sends none. */
  token: string;
  /** Fetch implementation (tests may inject one). */
  fetch: typeof fetch;
}

/** Options of a read; `index` with `waitMs` makes it a blocking query. */
export interface QueryOptions {
  namespace?: string;
  region?: string;
  prefix?: string;
  filter?: string;
  /** Return only after the data's index exceeds this (blocking query). */
  index?: number;
  /** Longest wait for a blocking query, in milliseconds. */
  waitMs?: number;
  allowStale?: boolean;
  params?: Record<string, string>;
  signal?: AbortSignal;
}

/** Options of a write. */
export interface WriteOptions {
  namespace?: string;
  region?: string;
  params?: Record<string, string>;
  signal?: AbortSignal;
}

/** A read's data with the index to pass to the next blocking query. */
export interface QueryResult<T> {
  data: T;
  /** `X-Nomad-Index` of the response (0 when absent). */
  index: number;
  /** `X-Nomad-KnownLeader`. */
  knownLeader: boolean;
  /** `X-Nomad-LastContact` in milliseconds. */
  lastContactMs: number;
  /** `X-Nomad-NextToken` for pagination ("" when done). */
  nextToken: string;
}

/** Reads the client settings from Nomad's environment variables. */
export function configFromEnv(env: Readonly<Record<string, string | undefined>>): ClientConfig {
  return {
    address: env["NOMAD_ADDR"] || DEFAULT_ADDRESS,
    region: env["NOMAD_REGION"] ?? "",
    namespace: env["NOMAD_NAMESPACE"] ?? "",
    token: env["NOMAD_TOKEN"] ?? "",
    fetch: globalThis.fetch.bind(globalThis),
  };
}

/** The low-level HTTP client; endpoint groups are built on top of it. */
export class HttpCore {
  /** Effective configuration (address normalised, no trailing slash). */
  readonly config: Readonly<ClientConfig>;

  /** Creates a client; omitted settings fall back to Nomad's defaults. */
  constructor(config: Partial<ClientConfig> = {}) {
    this.config = {
      address: normaliseAddress(config.address || DEFAULT_ADDRESS),
      region: config.region ?? "",
      namespace: config.namespace ?? "",
      token: config.token ?? "",
      fetch: config.fetch ?? globalThis.fetch.bind(globalThis),
    };
  }

  /** The agent address this client talks to. */
  get address(): string {
    return this.config.address;
  }

  /** GET `path` and decode the JSON body. */
  async query<T>(path: string, options: QueryOptions = {}): Promise<QueryResult<T>> {
    const response = await this.send(
      "GET",
      path,
      { params: queryParams(this.config, options) },
      options.signal,
    );
    const data = await readJson<T>(response);
    return { data, ...queryMeta(response.headers) };
  }

  /** Send a write (`PUT`, `POST` or `DELETE`) and decode the JSON body. */
  async write<T>(
    method: "PUT" | "POST" | "DELETE",
    path: string,
    body?: unknown,
    options: WriteOptions = {},
  ): Promise<QueryResult<T>> {
    const params = writeParams(this.config, options);
    const response = await this.send(method, path, { params, body }, options.signal);
    const data = await readJson<T>(response);
    return { data, ...queryMeta(response.headers) };
  }

  /** GET `path` and return the response unread (for streams and raw bytes). */
  async raw(path: string, options: QueryOptions = {}): Promise<Response> {
    return await this.send(
      "GET",
      path,
      { params: queryParams(this.config, options) },
      options.signal,
    );
  }

  /** Builds the full URL the way Go's `url.Values.Encode` orders parameters (sorted). */
  url(path: string, params: Record<string, string> = {}): string {
    const keys = Object.keys(params).sort();
    const search = keys.map((k) => `${encodeQuery(k)}=${encodeQuery(params[k] ?? "")}`).join("&");
    return `${this.config.address}${path}${search === "" ? "" : `?${search}`}`;
  }

  private async send(
    method: string,
    path: string,
    request: { params: Record<string, string>; body?: unknown },
    signal: AbortSignal | undefined,
  ): Promise<Response> {
    const url = this.url(path, request.params);
    const headers = new Headers();
    if (this.config.token !== "") headers.set("X-Nomad-Token", this.config.token);
    const init: RequestInit = { method, headers };
    if (request.body !== undefined) {
      headers.set("Content-Type", "application/json");
      init.body = JSON.stringify(request.body);
    }
    if (signal !== undefined) init.signal = signal;
    let response: Response;
    try {
      response = await this.config.fetch(url, init);
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ConnectionError(method, url, error);
    }
    if (response.status !== 200) throw new ApiError(response.status, await response.text());
    return response;
  }
}

function normaliseAddress(address: string): string {
  let result = address.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(result)) result = `http://${result}`;
  while (result.endsWith("/")) result = result.slice(0, -1);
  return result;
}

/** Go's QueryEscape: like encodeURIComponent but spaces become `+`. */
function encodeQuery(text: string): string {
  return encodeURIComponent(text).replace(/%20/g, "+").replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function queryParams(config: ClientConfig, options: QueryOptions): Record<string, string> {
  const params: Record<string, string> = { ...writeParams(config, options) };
  if (options.allowStale) params["stale"] = "";
  if (options.index !== undefined && options.index > 0) params["index"] = String(options.index);
  if (options.waitMs !== undefined && options.waitMs > 0) {
    params["wait"] = `${Math.min(options.waitMs, MAX_BLOCKING_WAIT_MS)}ms`;
  }
  if (options.prefix !== undefined && options.prefix !== "") params["prefix"] = options.prefix;
  if (options.filter !== undefined && options.filter !== "") params["filter"] = options.filter;
  return params;
}

function writeParams(config: ClientConfig, options: WriteOptions): Record<string, string> {
  const params: Record<string, string> = {};
  const region = options.region ?? config.region;
  const namespace = options.namespace ?? config.namespace;
  if (region !== "") params["region"] = region;
  if (namespace !== "") params["namespace"] = namespace;
  return { ...params, ...options.params };
}

function queryMeta(headers: Headers): Omit<QueryResult<unknown>, "data"> {
  return {
    index: Number(headers.get("X-Nomad-Index") ?? "0") || 0,
    knownLeader: headers.get("X-Nomad-KnownLeader") === "true",
    lastContactMs: Number(headers.get("X-Nomad-LastContact") ?? "0") || 0,
    nextToken: headers.get("X-Nomad-NextToken") ?? "",
  };
}

async function readJson<T>(response: Response): Promise<T> {
  const text = await response.text();
  if (text.length > MAX_RESPONSE_BYTES) {
    throw new RangeError(
      `Response body too large: ${text.length} bytes (limit ${MAX_RESPONSE_BYTES})`,
    );
  }
  if (text.trim() === "") return null as T;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new SyntaxError(`Failed to decode response: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
