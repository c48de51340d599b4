/**
 * A streaming tar reader (POSIX ustar, GNU long names, pax `path`/`linkpath`/`size`)
 * that unpacks into a {@linkcode SafeDir}.
 */

import type { SafeDir } from "./safe_dir.ts";

const BLOCK = 512;
/** Longest GNU long-name or pax record accepted, in bytes. */
const MAX_TAR_META_BYTES = 1024 * 1024;

/** Reads exact byte counts from a stream. */
class ByteReader {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #buffer: Uint8Array = new Uint8Array(0);

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  /** Up to `max` bytes; empty at the end of the stream. */
  async some(max: number): Promise<Uint8Array> {
    if (this.#buffer.byteLength === 0) {
      const { value, done } = await this.#reader.read();
      if (done) return new Uint8Array(0);
      this.#buffer = value;
    }
    const out = this.#buffer.subarray(0, max);
    this.#buffer = this.#buffer.subarray(out.byteLength);
    return out;
  }

  /** Exactly `n` bytes, or null at a clean end of stream. */
  async exact(n: number): Promise<Uint8Array | null> {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = await this.some(n - filled);
      if (chunk.byteLength === 0) {
        if (filled === 0) return null;
        throw new SyntaxError("tar archive is truncated");
      }
      out.set(chunk, filled);
      filled += chunk.byteLength;
    }
    return out;
  }

  /** Streams the next `n` bytes. */
  take(n: number): ReadableStream<Uint8Array> {
    let left = n;
    return new ReadableStream({
      pull: async (controller) => {
        if (left === 0) return controller.close();
        const chunk = await this.some(Math.min(left, 64 * 1024));
        if (chunk.byteLength === 0) {
          return controller.error(new SyntaxError("tar archive is truncated"));
        }
        left -= chunk.byteLength;
        controller.enqueue(chunk.slice());
      },
    });
  }

  /** Skips `n` bytes. */
  async skip(n: number): Promise<void> {
    for await (const _ of this.take(n)) { /* drain */ }
  }

  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}

const decoder = new TextDecoder();

function text(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return decoder.decode(end === -1 ? bytes : bytes.subarray(0, end));
}

/** An octal field, or GNU base-256 when the high bit is set. */
function numeric(bytes: Uint8Array): number {
  if ((bytes[0]! & 0x80) !== 0) {
    let value = bytes[0]! & 0x7f;
    for (const b of bytes.subarray(1)) value = value * 256 + b;
    return value;
  }
  const s = text(bytes).trim();
  if (s === "") return 0;
  if (!/^[0-7]+$/.test(s)) throw new SyntaxError(`invalid tar header: bad number "${s}"`);
  return parseInt(s, 8);
}

/** One parsed header block. */
interface Header {
  name: string;
  mode: number;
  size: number;
  type: string;
  linkname: string;
}

function parseHeader(block: Uint8Array): Header {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  if (sum !== numeric(block.subarray(148, 156))) {
    throw new SyntaxError("invalid tar header: checksum mismatch");
  }
  const name = text(block.subarray(0, 100));
  const ustar = text(block.subarray(257, 262)) === "ustar";
  const prefix = ustar ? text(block.subarray(345, 500)) : "";
  return {
    name: prefix === "" ? name : `${prefix}/${name}`,
    mode: numeric(block.subarray(100, 108)),
    size: numeric(block.subarray(124, 136)),
    type: String.fromCharCode(block[156]!),
    linkname: text(block.subarray(157, 257)),
  };
}

/** Pax records: `"<len> key=value\n"` repeated. */
function parsePax(bytes: Uint8Array): Record<string, string> {
  const records: Record<string, string> = {};
  const all = decoder.decode(bytes);
  let i = 0;
  while (i < all.length) {
    const space = all.indexOf(" ", i);
    const length = parseInt(all.slice(i, space), 10);
    if (space === -1 || !(length > 0)) break;
    const record = all.slice(space + 1, i + length - 1);
    const eq = record.indexOf("=");
    if (eq > 0) records[record.slice(0, eq)] = record.slice(eq + 1);
    i += length;
  }
  return records;
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

async function readMeta(reader: ByteReader, size: number): Promise<Uint8Array> {
  if (size > MAX_TAR_META_BYTES) {
    throw new RangeError(`tar metadata entry too large: ${size} bytes`);
  }
  const data = await reader.exact(size) ?? new Uint8Array(0);
  await reader.skip(padding(size));
  return data;
}

/**
 * Unpacks a tar stream into `dir`. Device, FIFO and other special entries are skipped.
 *
 * @example
 * ```ts ignore
 * import { SafeDir } from "./safe_dir.ts";
 * import { untar } from "./tar.ts";
 * await untar((await Deno.open("a.tar")).readable, new SafeDir("/tmp/out"));
 * ```
 */
export async function untar(stream: ReadableStream<Uint8Array>, dir: SafeDir): Promise<void> {
  const reader = new ByteReader(stream);
  let longName: string | null = null;
  let longLink: string | null = null;
  let pax: Record<string, string> = {};
  try {
    for (;;) {
      const block = await reader.exact(BLOCK);
      if (block === null || block.every((b) => b === 0)) return;
      const header = parseHeader(block);
      if (header.type === "L") {
        longName = text(await readMeta(reader, header.size));
        continue;
      }
      if (header.type === "K") {
        longLink = text(await readMeta(reader, header.size));
        continue;
      }
      if (header.type === "x") {
        pax = parsePax(await readMeta(reader, header.size));
        continue;
      }
      if (header.type === "g") {
        await readMeta(reader, header.size);
        continue;
      }
      const name = pax.path ?? longName ?? header.name;
      const link = pax.linkpath ?? longLink ?? header.linkname;
      const size = pax.size !== undefined ? Number(pax.size) : header.size;
      longName = longLink = null;
      pax = {};
      await writeEntry(reader, dir, { ...header, name, linkname: link, size });
      await reader.skip(padding(size));
    }
  } finally {
    await reader.cancel();
  }
}

async function writeEntry(reader: ByteReader, dir: SafeDir, entry: Header): Promise<void> {
  switch (entry.type) {
    case "0":
    case "\0":
    case "7":
      return await dir.file(entry.name, reader.take(entry.size), entry.mode);
    case "5":
      await dir.directory(entry.name, entry.mode || 0o755);
      return await reader.skip(entry.size);
    case "2":
      await dir.symlink(entry.name, entry.linkname);
      return await reader.skip(entry.size);
    case "1":
      await dir.link(entry.name, entry.linkname);
      return await reader.skip(entry.size);
    default:
      // Character/block devices, FIFOs and unknown types are not unpacked.
      return await reader.skip(entry.size);
  }
}
