/**
 * The client side of `nomad alloc exec`: a WebSocket to
 * `/v1/client/allocation/:id/exec` carrying Nomad's JSON messages.
 */

import type { HttpCore } from "./http_core.ts";

/** How often an idle session sends a `{}` heartbeat (Nomad's CLI: 10 s). */
export const EXEC_HEARTBEAT_MS = 10_000;

/** A terminal size sent as `tty_size`. */
export interface TerminalSize {
  height: number;
  width: number;
}

/** Options of {@linkcode execAllocation}. */
export interface ExecOptions {
  task: string;
  command: string[];
  tty: boolean;
  /** Bytes for the command's stdin; null sends an immediate stdin close. */
  stdin: ReadableStream<Uint8Array> | null;
  stdout: (data: Uint8Array) => void;
  stderr: (data: Uint8Array) => void;
  /** Terminal sizes to send (the first right away). */
  sizes?: AsyncIterable<TerminalSize>;
  signal?: AbortSignal;
}

/** The session failed: the agent closed the socket with `reason`. */
export class ExecError extends Error {
  override name = "ExecError";
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Runs a command in an allocation's task and resolves with its exit code. */
export function execAllocation(
  core: HttpCore,
  allocId: string,
  options: ExecOptions,
): Promise<number> {
  const url = core.url(`/v1/client/allocation/${encodeURIComponent(allocId)}/exec`, {
    task: options.task,
    command: JSON.stringify(options.command),
    tty: String(options.tty),
  }).replace(/^http/, "ws");
  const headers: Record<string, string> = {};
  if (core.config.token !== "") headers["X-Nomad-Token"] = core.config.token;
  const socket = new WebSocket(url, { headers });
  const result = Promise.withResolvers<number>();
  let exitCode: number | null = null;
  const send = (message: unknown) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  };
  const heartbeat = setInterval(() => send({}), EXEC_HEARTBEAT_MS);
  const abort = () => socket.close(1000, "");
  options.signal?.addEventListener("abort", abort, { once: true });
  socket.onopen = () => {
    void pumpSizes(options.sizes, send);
    void pumpStdin(options.stdin, send);
  };
  socket.onmessage = (event) => {
    const message = JSON.parse(String(event.data)) as Record<string, Record<string, unknown>>;
    const out = message["stdout"]?.["data"];
    if (typeof out === "string") options.stdout(fromBase64(out));
    const err = message["stderr"]?.["data"];
    if (typeof err === "string") options.stderr(fromBase64(err));
    if ((message as Record<string, unknown>)["exited"] === true) {
      const code = message["result"]?.["exit_code"];
      exitCode = typeof code === "number" ? code : 0;
    }
  };
  socket.onerror = () => {};
  socket.onclose = (event) => {
    clearInterval(heartbeat);
    options.signal?.removeEventListener("abort", abort);
    if (exitCode !== null) return result.resolve(exitCode);
    if (options.signal?.aborted) return result.reject(new ExecError("Connection closed"));
    result.reject(
      new ExecError(event.reason || `connection to the agent closed (code ${event.code})`),
    );
  };
  return result.promise;
}

async function pumpStdin(
  stdin: ReadableStream<Uint8Array> | null,
  send: (message: unknown) => void,
): Promise<void> {
  if (stdin !== null) {
    try {
      for await (const chunk of stdin) send({ stdin: { data: toBase64(chunk) } });
    } catch {
      // stdin failed: close it for the command as at its end
    }
  }
  send({ stdin: { close: true } });
}

async function pumpSizes(
  sizes: AsyncIterable<TerminalSize> | undefined,
  send: (message: unknown) => void,
): Promise<void> {
  if (sizes === undefined) return;
  for await (const size of sizes) send({ tty_size: { height: size.height, width: size.width } });
}
