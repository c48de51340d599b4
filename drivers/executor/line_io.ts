/** Newline-delimited framing for the executor socket, with a bound on line length. */

/** Anything with a Deno-style `read`. */
export interface ByteReader {
  /** Reads into `buffer`; null at end of stream. */
  read(buffer: Uint8Array): Promise<number | null>;
}

/** Anything with a Deno-style `write` that may write only part of the buffer. */
export interface ByteWriter {
  /** Writes some of `data`, returning how many bytes were written. */
  write(data: Uint8Array): Promise<number>;
}

/** Raised when a peer sends a line longer than the limit. */
export class LineTooLongError extends RangeError {
  override name = "LineTooLongError";
}

const NEWLINE = 0x0a;
const READ_CHUNK_BYTES = 64 * 1024;

/**
 * Yields lines (without the newline) from `reader` until end of stream.
 * Throws {@linkcode LineTooLongError} when a line passes `maxLineBytes`.
 *
 * @example
 * ```ts ignore
 * for await (const line of readLines(conn, 1024)) console.log(line);
 * ```
 */
export async function* readLines(
  reader: ByteReader,
  maxLineBytes: number,
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const chunk = new Uint8Array(READ_CHUNK_BYTES);
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  for (;;) {
    const n = await reader.read(chunk);
    if (n === null) return;
    let start = 0;
    for (let i = 0; i < n; i++) {
      if (chunk[i] !== NEWLINE) continue;
      const tail = chunk.subarray(start, i);
      if (pendingBytes + tail.length > maxLineBytes) {
        throw new LineTooLongError(`line longer than ${maxLineBytes} bytes`);
      }
      yield decoder.decode(concat([...pending, tail], pendingBytes + tail.length));
      pending = [];
      pendingBytes = 0;
      start = i + 1;
    }
    if (start < n) {
      const rest = chunk.slice(start, n);
      pendingBytes += rest.length;
      if (pendingBytes > maxLineBytes) {
        throw new LineTooLongError(`line longer than ${maxLineBytes} bytes`);
      }
      pending.push(rest);
    }
  }
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Writes all of `data`, looping over partial writes. */
export async function writeAll(writer: ByteWriter, data: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    offset += await writer.write(data.subarray(offset));
  }
}

/**
 * Serializes writes of whole lines to one writer, so concurrent answers never interleave.
 */
export class LineWriter {
  #writer: ByteWriter;
  #tail: Promise<void> = Promise.resolve();
  #encoder = new TextEncoder();

  /** @param writer the connection to write to */
  constructor(writer: ByteWriter) {
    this.#writer = writer;
  }

  /** Queues `line` plus a newline; resolves when written, rejects on a write error. */
  writeLine(line: string): Promise<void> {
    const data = this.#encoder.encode(line + "\n");
    const next = this.#tail.then(() => writeAll(this.#writer, data));
    // A failed write must not poison the queue for later callers; they see their own error.
    this.#tail = next.catch(() => {});
    return next;
  }
}
