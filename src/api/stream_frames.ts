/**
 * Decoder for Nomad's file/log streams: JSON `StreamFrame` objects written
 * back to back (no separator is required), with `{}` as a heartbeat. Chunks
 * may split an object anywhere, so objects are found by tracking brace depth
 * outside of strings.
 */

import type { StreamFrame } from "./types.ts";

/** Largest single encoded frame accepted (Nomad frames hold at most 64 KiB of data). */
export const MAX_ENCODED_FRAME_CHARS = 4 * 1024 * 1024;

/** Incremental decoder; feed text with {@linkcode push}, get whole frames back. */
export class StreamFrameDecoder {
  #buffer = "";
  #depth = 0;
  #inString = false;
  #escaped = false;
  #scanned = 0;
  #start = -1;

  /**
   * Adds text and returns the frames completed by it (heartbeats included, with
   * empty data).
   *
   * @example
   * ```ts
   * import { StreamFrameDecoder } from "./stream_frames.ts";
   * const frames = new StreamFrameDecoder().push('{"Data":"aGk=","Offset":2}{}');
   * frames.length; // 2
   * ```
   */
  push(text: string): StreamFrame[] {
    this.#buffer += text;
    const frames: StreamFrame[] = [];
    for (; this.#scanned < this.#buffer.length; this.#scanned++) {
      const end = this.#step(this.#buffer.charCodeAt(this.#scanned), this.#scanned);
      if (end < 0) continue;
      frames.push(decodeFrame(this.#buffer.slice(this.#start, end + 1)));
      this.#buffer = this.#buffer.slice(end + 1);
      this.#scanned = -1;
      this.#start = -1;
    }
    if (this.#start < 0 && this.#buffer.trim() === "") this.#resetBuffer();
    if (this.#buffer.length > MAX_ENCODED_FRAME_CHARS) {
      throw new RangeError(
        `Stream frame exceeds ${MAX_ENCODED_FRAME_CHARS} characters without closing`,
      );
    }
    return frames;
  }

  /** True when no partial frame is buffered. */
  get idle(): boolean {
    return this.#start < 0;
  }

  /** Advances the scanner by one character; returns its index when it closes a frame. */
  #step(code: number, index: number): number {
    if (this.#inString) {
      if (this.#escaped) this.#escaped = false;
      else if (code === 0x5c) this.#escaped = true;
      else if (code === 0x22) this.#inString = false;
      return -1;
    }
    if (code === 0x22) this.#inString = true;
    else if (code === 0x7b) {
      if (this.#depth === 0) this.#start = index;
      this.#depth++;
    } else if (code === 0x7d) {
      this.#depth--;
      if (this.#depth === 0) return index;
      if (this.#depth < 0) throw new SyntaxError("Unbalanced '}' in stream");
    } else if (this.#depth === 0 && !isJsonSpace(code)) {
      throw new SyntaxError(
        `Unexpected character ${JSON.stringify(String.fromCharCode(code))} between stream frames`,
      );
    }
    return -1;
  }

  #resetBuffer(): void {
    this.#buffer = "";
    this.#scanned = 0;
  }
}

function isJsonSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/** Decodes one frame object; unknown fields are ignored, missing ones zeroed. */
export function decodeFrame(json: string): StreamFrame {
  const raw = JSON.parse(json) as Record<string, unknown>;
  const data = typeof raw["Data"] === "string" ? base64Decode(raw["Data"]) : new Uint8Array();
  return {
    Offset: typeof raw["Offset"] === "number" ? raw["Offset"] : 0,
    Data: data,
    File: typeof raw["File"] === "string" ? raw["File"] : "",
    FileEvent: typeof raw["FileEvent"] === "string" ? raw["FileEvent"] : "",
  };
}

/** True for the empty heartbeat frame. */
export function isHeartbeat(frame: StreamFrame): boolean {
  return frame.Data.length === 0 && frame.File === "" && frame.FileEvent === "" &&
    frame.Offset === 0;
}

/** Standard base64 to bytes. */
export function base64Decode(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Reads a response body of concatenated frames and yields each frame as it
 * completes. Heartbeats are yielded too; callers skip them with
 * {@linkcode isHeartbeat}.
 */
export async function* readFrames(body: ReadableStream<Uint8Array>): AsyncGenerator<StreamFrame> {
  const decoder = new StreamFrameDecoder();
  const text = new TextDecoder();
  const reader = body.getReader();
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      yield* decoder.push(text.decode(value, { stream: true }));
    }
    yield* decoder.push(text.decode());
  } finally {
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
