/**
 * One multiplexed RPC connection: either side may send requests; responses
 * match requests by id, so many calls (including long blocking queries) share
 * one TCP connection. Incoming requests run concurrently up to a bound, past
 * which the connection stops reading (backpressure).
 */

import { CodedError } from "../core/errors.ts";
import {
  CANCEL,
  encodeFrame,
  FrameDecoder,
  type Message,
  REQUEST,
  RESPONSE,
  type ResponseMessage,
} from "./frame.ts";

/** Serves one incoming request. Throw a CodedError to send its code with the message. */
export type RpcHandler = (
  method: string,
  args: unknown,
  context: { signal: AbortSignal; remote: string },
) => Promise<unknown>;

/** A failed call: the remote handler's error (with its code) or a transport failure. */
export class RpcError extends CodedError {
  override name = "RpcError";
  /** True when the connection failed (nothing is known about the remote side's work). */
  readonly transport: boolean;

  constructor(code: number, message: string, transport = false) {
    super(code, message);
    this.transport = transport;
  }
}

/** Options for one call. */
export interface CallOptions {
  /** Aborting cancels the call here and tells the remote side. */
  signal?: AbortSignal;
  /** Fails the call with a transport error after this long (default 30 s). */
  timeoutMs?: number;
}

/** Incoming requests served at once per connection before reading pauses. */
const MAX_CONCURRENT_REQUESTS = 256;
const DEFAULT_TIMEOUT_MS = 30_000;

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

/** A duplex byte stream (a Deno.Conn, or a TLS connection later). */
export interface ByteStream {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
  close(): void;
}

/** A multiplexed RPC connection over a byte stream whose preamble was already exchanged. */
export class RpcConnection {
  readonly remote: string;
  readonly #stream: ByteStream;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #handler: RpcHandler | null;
  readonly #pending = new Map<number, Pending>();
  readonly #serving = new Map<number, AbortController>();
  #nextId = 1;
  #writeChain: Promise<void> = Promise.resolve();
  #slotFreed: (() => void) | null = null;
  #closed = false;
  readonly #done: Promise<void>;

  constructor(stream: ByteStream, options: { remote: string; handler?: RpcHandler }) {
    this.#stream = stream;
    this.remote = options.remote;
    this.#handler = options.handler ?? null;
    this.#writer = stream.writable.getWriter();
    this.#done = this.#readLoop();
  }

  /** True once the connection failed or was closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Resolves when the connection has closed. */
  get done(): Promise<void> {
    return this.#done;
  }

  /** Calls `method` on the remote side. */
  call<T = unknown>(method: string, args: unknown, options: CallOptions = {}): Promise<T> {
    if (this.#closed) {
      return Promise.reject(new RpcError(503, `rpc connection to ${this.remote} closed`, true));
    }
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const cleanup = () => {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        this.#pending.delete(id);
      };
      const timer = setTimeout(() => {
        cleanup();
        this.#send([CANCEL, id]);
        reject(new RpcError(504, `rpc ${method} to ${this.remote} timed out`, true));
      }, timeoutMs);
      const onAbort = () => {
        cleanup();
        this.#send([CANCEL, id]);
        reject(options.signal!.reason ?? new DOMException("aborted", "AbortError"));
      };
      if (options.signal?.aborted) {
        clearTimeout(timer);
        reject(options.signal.reason ?? new DOMException("aborted", "AbortError"));
        return;
      }
      options.signal?.addEventListener("abort", onAbort, { once: true });
      this.#pending.set(id, {
        resolve: (value) => {
          cleanup();
          resolve(value as T);
        },
        reject: (err) => {
          cleanup();
          reject(err);
        },
      });
      this.#send([REQUEST, id, method, args]);
    });
  }

  /** Closes the connection; calls in flight fail with a transport error. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const [, pending] of this.#pending) {
      pending.reject(new RpcError(503, `rpc connection to ${this.remote} closed`, true));
    }
    this.#pending.clear();
    for (const [, controller] of this.#serving) controller.abort();
    this.#serving.clear();
    this.#slotFreed?.();
    try {
      this.#stream.close();
    } catch {
      // already closed
    }
  }

  #send(message: Message): void {
    if (this.#closed) return;
    let frame: Uint8Array;
    try {
      frame = encodeFrame(message);
    } catch (err) {
      // Only a response can be too large here: report it in place of the result.
      if (message[0] !== RESPONSE) throw err;
      frame = encodeFrame([RESPONSE, message[1], { Code: 500, Message: String(err) }, null]);
    }
    this.#writeChain = this.#writeChain
      .then(() => this.#writer.write(frame))
      .catch(() => this.close());
  }

  async #readLoop(): Promise<void> {
    const decoder = new FrameDecoder();
    const reader = this.#stream.readable.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || this.#closed) break;
        for (const message of decoder.push(value)) {
          await this.#receive(message);
          if (this.#closed) break;
        }
      }
    } catch {
      // A reset connection or a malformed frame ends the connection.
    } finally {
      reader.releaseLock();
      this.close();
    }
  }

  async #receive(message: Message): Promise<void> {
    if (message[0] === RESPONSE) return this.#settle(message);
    if (message[0] === CANCEL) {
      this.#serving.get(message[1])?.abort();
      return;
    }
    const [, id, method, args] = message;
    if (this.#handler === null) {
      this.#send([RESPONSE, id, { Code: 501, Message: "rpc: this side serves no methods" }, null]);
      return;
    }
    while (this.#serving.size >= MAX_CONCURRENT_REQUESTS && !this.#closed) {
      await new Promise<void>((r) => this.#slotFreed = r);
    }
    const controller = new AbortController();
    this.#serving.set(id, controller);
    void this.#serve(id, method, args, controller);
  }

  async #serve(id: number, method: string, args: unknown, controller: AbortController) {
    let response: ResponseMessage;
    try {
      const result = await this.#handler!(method, args, {
        signal: controller.signal,
        remote: this.remote,
      });
      response = [RESPONSE, id, null, result];
    } catch (err) {
      const code = err instanceof CodedError ? err.code : 500;
      const text = err instanceof Error ? err.message : String(err);
      response = [RESPONSE, id, { Code: code, Message: text }, null];
    }
    this.#serving.delete(id);
    const freed = this.#slotFreed;
    this.#slotFreed = null;
    freed?.();
    if (!controller.signal.aborted) this.#send(response);
  }

  #settle(message: ResponseMessage): void {
    const [, id, error, result] = message;
    const pending = this.#pending.get(id);
    if (pending === undefined) return; // cancelled or timed out
    if (error === null) pending.resolve(result);
    else pending.reject(new RpcError(error.Code, error.Message));
  }
}
