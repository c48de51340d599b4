/**
 * Framing for the RPC port: after a one-byte protocol preamble, each message
 * is a 4-byte big-endian length followed by that many bytes of msgpack.
 */

import { decode, encode } from "./msgpack.ts";

/** The preamble byte that selects multiplexed msgpack RPC (room for TLS and others later). */
export const PROTOCOL_RPC = 0x01;

/** Frames larger than this close the connection (a bounded reader). */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** Message kinds. */
export const REQUEST = 0;
export const RESPONSE = 1;
export const CANCEL = 2;

/** A request: `[REQUEST, id, method, args]`. */
export type RequestMessage = [typeof REQUEST, number, string, unknown];
/** A response: `[RESPONSE, id, error, result]`, where `error` is null on success. */
export type ResponseMessage = [
  typeof RESPONSE,
  number,
  { Code: number; Message: string } | null,
  unknown,
];
/** Cancels the request with this id: `[CANCEL, id]`. */
export type CancelMessage = [typeof CANCEL, number];
/** Any message on the wire. */
export type Message = RequestMessage | ResponseMessage | CancelMessage;

/** Encodes one message as a length-prefixed frame. */
export function encodeFrame(message: Message): Uint8Array {
  const body = encode(message);
  if (body.length > MAX_FRAME_BYTES) {
    throw new RangeError(`rpc message of ${body.length} bytes exceeds ${MAX_FRAME_BYTES}`);
  }
  const frame = new Uint8Array(4 + body.length);
  new DataView(frame.buffer).setUint32(0, body.length);
  frame.set(body, 4);
  return frame;
}

/** Checks the shape of a decoded message; throws on anything else. */
function asMessage(value: unknown): Message {
  if (!Array.isArray(value) || typeof value[1] !== "number") {
    throw new TypeError("malformed rpc message");
  }
  const kind = value[0];
  if (kind === REQUEST && value.length === 4 && typeof value[2] === "string") {
    return value as RequestMessage;
  }
  if (kind === RESPONSE && value.length === 4) return value as ResponseMessage;
  if (kind === CANCEL && value.length === 2) return value as CancelMessage;
  throw new TypeError("malformed rpc message");
}

/** Splits a byte stream into messages; keeps at most one partial frame buffered. */
export class FrameDecoder {
  #buffer: Uint8Array = new Uint8Array(0);

  /** Adds bytes and returns every complete message; throws on a bad or oversized frame. */
  push(chunk: Uint8Array): Message[] {
    this.#buffer = this.#buffer.length === 0 ? chunk : concat(this.#buffer, chunk);
    const messages: Message[] = [];
    let offset = 0;
    while (this.#buffer.length - offset >= 4) {
      const view = new DataView(this.#buffer.buffer, this.#buffer.byteOffset + offset, 4);
      const length = view.getUint32(0);
      if (length > MAX_FRAME_BYTES) {
        throw new RangeError(`rpc frame of ${length} bytes exceeds ${MAX_FRAME_BYTES}`);
      }
      if (this.#buffer.length - offset - 4 < length) break;
      const body = this.#buffer.subarray(offset + 4, offset + 4 + length);
      messages.push(asMessage(decode(body)));
      offset += 4 + length;
    }
    this.#buffer = this.#buffer.subarray(offset);
    if (this.#buffer.length === 0) this.#buffer = new Uint8Array(0);
    return messages;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
