/**
 * `GET /v1/client/allocation/:id/exec` (WebSocket): `nomad alloc exec`, with
 * Nomad's message framing. Client → agent: `{"stdin":{"data":b64,"close":bool}}`,
 * `{"tty_size":{"height":h,"width":w}}`, `{}` heartbeats. Agent → client:
 * `{"stdout":{"data":b64}}`, `{"stderr":...}`, `{"stdout":{"close":true}}`, and
 * last `{"exited":true,"result":{"exit_code":N}}`. Refusals close the socket with
 * 1008 (or 1011 for internal errors) and Nomad's text as the reason.
 */

import type { Context, Hono } from "hono";
import type { ExecSession } from "../../../drivers/driver.ts";
import { decodeBase64, encodeBase64 } from "../../core/base64.ts";
import { CodedError } from "../../core/errors.ts";
import type { HttpBackend } from "../backend.ts";

/** Client messages queued while the session starts; more is a protocol abuse. */
export const MAX_PENDING_EXEC_MESSAGES = 1024;
/** Largest client message accepted (Nomad's CLI sends stdin in small chunks). */
export const MAX_EXEC_MESSAGE_CHARS = 1024 * 1024;
/** WebSocket close code for refused requests (gorilla's ClosePolicyViolation). */
export const WS_POLICY_VIOLATION = 1008;
/** WebSocket close code for internal errors. */
export const WS_INTERNAL_ERROR = 1011;

interface ExecRequest {
  allocID: string;
  task: string;
  command: string[];
  tty: boolean;
  handshake: boolean;
}

function parseRequest(c: Context): ExecRequest {
  const commandText = c.req.query("command") ?? "";
  let command: unknown;
  try {
    command = JSON.parse(commandText);
  } catch (error) {
    throw new CodedError(500, `failed to marshal command into json: ${(error as Error).message}`);
  }
  if (!Array.isArray(command) || command.some((a) => typeof a !== "string")) {
    throw new CodedError(500, "failed to marshal command into json: not an array of strings");
  }
  const boolParam = (name: string) => {
    const text = c.req.query(name) ?? "";
    if (text === "") return false;
    if (["1", "t", "T", "true", "TRUE", "True"].includes(text)) return true;
    if (["0", "f", "F", "false", "FALSE", "False"].includes(text)) return false;
    throw new CodedError(500, `${name} value is not a boolean: invalid syntax`);
  };
  return {
    allocID: c.req.param("id") ?? "",
    task: c.req.query("task") ?? "",
    command: command as string[],
    tty: boolParam("tty"),
    handshake: boolParam("ws_handshake"),
  };
}

/** Registers the exec WebSocket route. */
export function clientExecRoutes(app: Hono, backend: HttpBackend): void {
  app.get("/v1/client/allocation/:id/exec", (c) => {
    const request = parseRequest(c);
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new CodedError(
        400,
        "failed to upgrade connection: websocket: the client is not using the websocket protocol",
      );
    }
    const { socket, response } = Deno.upgradeWebSocket(c.req.raw);
    serveExec(socket, request, backend);
    return response;
  });
}

type Message = Record<string, unknown>;

/** Runs one exec session over an accepted socket. */
function serveExec(socket: WebSocket, request: ExecRequest, backend: HttpBackend): void {
  const pending: Message[] = [];
  let deliver: ((message: Message) => void) | null = null;
  let session: ExecSession | null = null;
  const refuse = (code: number, reason: string) => {
    if (socket.readyState === WebSocket.OPEN) socket.close(code, reason.slice(0, 120));
  };
  socket.onmessage = (event) => {
    if (typeof event.data !== "string" || event.data.length > MAX_EXEC_MESSAGE_CHARS) {
      return refuse(WS_POLICY_VIOLATION, "exec message too large or not text");
    }
    let message: Message;
    try {
      message = JSON.parse(event.data) as Message;
    } catch {
      return refuse(WS_POLICY_VIOLATION, "exec message is not JSON");
    }
    if (deliver !== null) return deliver(message);
    if (pending.length >= MAX_PENDING_EXEC_MESSAGES) {
      return refuse(WS_POLICY_VIOLATION, "too many exec messages before the session started");
    }
    pending.push(message);
  };
  socket.onclose = () => session?.kill();
  socket.onopen = async () => {
    try {
      if (request.handshake) await handshake(pending, () => pending.shift());
      session = await startSession(request, backend);
    } catch (error) {
      const code = error instanceof CodedError && error.code !== 500
        ? WS_POLICY_VIOLATION
        : WS_INTERNAL_ERROR;
      return refuse(code, (error as Error).message);
    }
    const running = session;
    deliver = (message) => void handleInput(running, message);
    for (const message of pending.splice(0)) deliver(message);
    await relay(socket, running);
  };
}

/** Reads the UI's `{"version":1,"auth_token":...}` message (tokens are not checked yet). */
async function handshake(pending: Message[], take: () => Message | undefined): Promise<void> {
  for (let i = 0; i < 100 && pending.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const message = take();
  if (message?.["version"] !== 1) {
    throw new CodedError(400, `unexpected handshake value: ${String(message?.["version"])}`);
  }
}

async function startSession(request: ExecRequest, backend: HttpBackend): Promise<ExecSession> {
  if (request.allocID === "") throw new CodedError(400, "must provide a valid alloc id");
  const local = backend.localAllocation(request.allocID);
  if (local === undefined) {
    throw new CodedError(404, `Unknown allocation "${request.allocID}"`);
  }
  if (request.task === "") throw new CodedError(400, "must provide task name");
  if (request.command.length === 0) throw new CodedError(400, "command is not present");
  if (local.exec === undefined) throw new CodedError(500, "exec is not available on this agent");
  try {
    return await local.exec({ task: request.task, command: request.command, tty: request.tty });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new CodedError(typeof code === "number" ? code : 500, (error as Error).message);
  }
}

async function handleInput(session: ExecSession, message: Message): Promise<void> {
  const stdin = message["stdin"] as { data?: unknown; close?: unknown } | undefined;
  if (stdin !== undefined && stdin !== null) {
    if (typeof stdin.data === "string" && stdin.data !== "") {
      await session.write(decodeBase64(stdin.data));
    }
    if (stdin.close === true) await session.closeStdin();
  }
  const size = message["tty_size"] as { height?: unknown; width?: unknown } | undefined;
  if (size !== undefined && size !== null) {
    await session.resize({ height: Number(size.height), width: Number(size.width) });
  }
}

/** Sends the command's output, then its exit code, then closes the socket normally. */
async function relay(socket: WebSocket, session: ExecSession): Promise<void> {
  const send = (message: Message) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  };
  const pump = async (name: "stdout" | "stderr", stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) send({ [name]: { data: encodeBase64(chunk) } });
    send({ [name]: { close: true } });
  };
  await Promise.all([pump("stdout", session.stdout), pump("stderr", session.stderr)]);
  const exitCode = await session.exited;
  send({ exited: true, result: { exit_code: exitCode } });
  if (socket.readyState === WebSocket.OPEN) socket.close(1000, "");
}
