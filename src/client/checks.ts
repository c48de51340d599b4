/**
 * Service checks run by the client for `provider = "nomad"` services: one
 * attempt of an http, tcp or script check, with Nomad's outputs, and the
 * `check_restart` rule that decides when failing checks restart a task.
 */

import { NOMAD_VERSION } from "../core/version.ts";

/** Nomad's check statuses (`GET /v1/client/allocation/:id/checks`). */
export type CheckStatus = "success" | "failure" | "pending";

/** The outcome of one check attempt. */
export interface CheckOutcome {
  status: "success" | "failure";
  output: string;
  /** HTTP checks: the response status. */
  statusCode?: number;
  /** Script checks that exit 1 (Consul's "warning"); `check_restart` may ignore them. */
  warning?: boolean;
}

/** Nomad keeps at most 3 KiB of a check's output. */
export const CHECK_OUTPUT_LIMIT_BYTES = 3 * 1024;
/** A check without a timeout (only possible through the API) still ends. */
export const DEFAULT_CHECK_TIMEOUT_MS = 10_000;

/** What an http check requests. */
export interface HttpCheckQuery {
  protocol: string;
  address: string;
  port: number;
  path: string;
  method: string;
  headers: Record<string, string[]> | null;
  body: string;
  timeoutMs: number;
}

/** Joins a host and port as Go's net.JoinHostPort does (IPv6 in brackets). */
export function joinHostPort(address: string, port: number): string {
  const host = address.includes(":") ? `[${address}]` : address;
  return port > 0 ? `${host}:${port}` : host;
}

function limitText(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes.subarray(0, CHECK_OUTPUT_LIMIT_BYTES));
}

function message(error: unknown): string {
  if (error instanceof DOMException && error.name === "TimeoutError") {
    return "context deadline exceeded";
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * One http check: 200 is "nomad: http ok"; any other status below 400 passes
 * and 400 and up fail, with the body (first 3 KiB) as output, as Nomad's checker.
 *
 * @example
 * ```ts
 * import { httpCheck } from "./checks.ts";
 * const outcome = await httpCheck({ protocol: "http", address: "127.0.0.1", port: 1, path: "/", method: "GET", headers: null, body: "", timeoutMs: 100 });
 * outcome.status; // "failure"
 * ```
 */
export async function httpCheck(query: HttpCheckQuery): Promise<CheckOutcome> {
  const protocol = query.protocol || "http";
  const path = query.path.startsWith("/") || query.path === "" ? query.path : `/${query.path}`;
  const url = `${protocol}://${joinHostPort(query.address, query.port)}${path}`;
  const headers = new Headers({ "User-Agent": `Nomad/${NOMAD_VERSION}` });
  for (const [name, values] of Object.entries(query.headers ?? {})) {
    headers.delete(name);
    for (const value of values) headers.append(name, value);
  }
  const method = (query.method || "GET").toUpperCase();
  try {
    const response = await fetch(url, {
      method,
      headers,
      ...(query.body !== "" && method !== "GET" && method !== "HEAD" ? { body: query.body } : {}),
      signal: AbortSignal.timeout(query.timeoutMs || DEFAULT_CHECK_TIMEOUT_MS),
    });
    const body = new Uint8Array(await response.arrayBuffer());
    if (response.status === 200) {
      return { status: "success", output: "nomad: http ok", statusCode: 200 };
    }
    return {
      status: response.status < 400 ? "success" : "failure",
      output: limitText(body),
      statusCode: response.status,
    };
  } catch (error) {
    return { status: "failure", output: `nomad: ${message(error)}` };
  }
}

/** One tcp check: passes when a connection opens within the timeout ("nomad: tcp ok"). */
export async function tcpCheck(
  query: { address: string; port: number; timeoutMs: number },
): Promise<CheckOutcome> {
  const timeout = AbortSignal.timeout(query.timeoutMs || DEFAULT_CHECK_TIMEOUT_MS);
  try {
    const connecting = Deno.connect({ hostname: query.address, port: query.port });
    const timedOut = new Promise<never>((_, reject) =>
      timeout.addEventListener("abort", () => reject(timeout.reason), { once: true })
    );
    const conn = await Promise.race([connecting, timedOut]).catch((error) => {
      // A connection that opens after the timeout is closed, not leaked.
      void connecting.then((late) => late.close()).catch(() => {});
      throw error;
    });
    conn.close();
    return { status: "success", output: "nomad: tcp ok" };
  } catch (error) {
    const address = joinHostPort(query.address, query.port);
    return { status: "failure", output: `dial tcp ${address}: ${message(error)}` };
  }
}

/** Runs a command inside the task (the driver's exec). */
export type CheckExec = (
  command: string[],
  options: { timeoutMs: number },
) => Promise<{ stdout: Uint8Array; stderr: Uint8Array; exitCode: number }>;

/**
 * One script check: exit 0 passes, exit 1 is a warning and anything else
 * fails (Consul's script check rules); the output is stdout then stderr.
 */
export async function scriptCheck(
  query: { command: string; args: readonly string[]; timeoutMs: number; exec: CheckExec },
): Promise<CheckOutcome> {
  try {
    const result = await query.exec([query.command, ...query.args], {
      timeoutMs: query.timeoutMs || DEFAULT_CHECK_TIMEOUT_MS,
    });
    const output = limitText(new Uint8Array([...result.stdout, ...result.stderr]));
    if (result.exitCode === 0) return { status: "success", output };
    return { status: "failure", output, ...(result.exitCode === 1 ? { warning: true } : {}) };
  } catch (error) {
    return { status: "failure", output: message(error) };
  }
}

/** `check_restart` bookkeeping of one check. */
export interface CheckRestartState {
  /** When the check first failed in the current run of failures (null: healthy). */
  unhealthySinceNs: number | null;
}

/**
 * Whether a check's latest outcome restarts its task (pure; Nomad's check
 * watcher): failures during `grace` after the task's last start do not count;
 * a warning counts only without `ignore_warnings`; the task restarts once the
 * check has been failing for `(limit - 1) * interval`, i.e. after `limit`
 * consecutive failed runs.
 *
 * @example
 * ```ts
 * import { checkRestartUpdate } from "./checks.ts";
 * const policy = { limit: 1, graceNs: 0, intervalNs: 1e9, ignoreWarnings: false };
 * checkRestartUpdate({ unhealthySinceNs: null }, { outcome: { status: "failure", output: "" }, policy, lastStartNs: 0, nowNs: 5e9 }).restart; // true
 * ```
 */
export function checkRestartUpdate(
  state: CheckRestartState,
  input: {
    outcome: CheckOutcome;
    policy: { limit: number; graceNs: number; intervalNs: number; ignoreWarnings: boolean };
    lastStartNs: number;
    nowNs: number;
  },
): { state: CheckRestartState; restart: boolean } {
  const { outcome, policy, nowNs } = input;
  const failing = outcome.status === "failure" &&
    !(outcome.warning === true && policy.ignoreWarnings);
  if (!failing || policy.limit <= 0 || nowNs < input.lastStartNs + policy.graceNs) {
    return { state: { unhealthySinceNs: null }, restart: false };
  }
  const since = state.unhealthySinceNs ?? nowNs;
  const restartAtNs = since + policy.intervalNs * (policy.limit - 1);
  if (nowNs >= restartAtNs) return { state: { unhealthySinceNs: null }, restart: true };
  return { state: { unhealthySinceNs: since }, restart: false };
}
