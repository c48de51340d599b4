/**
 * A zip reader: the central directory is read from the end of the file, and
 * each entry is stored (method 0) or deflated (method 8, through
 * `DecompressionStream("deflate-raw")`), checked against its CRC-32, and
 * written into a {@linkcode SafeDir}. Zip64 and encrypted entries are refused.
 */

import type { SafeDir } from "./safe_dir.ts";

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_MIN_BYTES = 22;
/** The end record sits within its size plus the longest comment (64 KiB) of the end. */
const EOCD_SEARCH_BYTES = EOCD_MIN_BYTES + 0xffff;
/** Largest central directory read into memory. */
const MAX_CENTRAL_DIRECTORY_BYTES = 64 * 1024 * 1024;
const READ_CHUNK_BYTES = 64 * 1024;

/** One central directory entry. */
export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
  /** Unix mode from the external attributes; 0 when the archive was not made on Unix. */
  unixMode: number;
}

async function readAt(
  file: Deno.FsFile,
  offset: number,
  length: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const out = new Uint8Array(length);
  await file.seek(offset, Deno.SeekMode.Start);
  let filled = 0;
  while (filled < length) {
    const n = await file.read(out.subarray(filled));
    if (n === null) throw new SyntaxError("zip: file is truncated");
    filled += n;
  }
  return out;
}

/** Reads the central directory of an open zip file. */
export async function zipEntries(file: Deno.FsFile): Promise<ZipEntry[]> {
  const size = (await file.stat()).size;
  const tailLength = Math.min(size, EOCD_SEARCH_BYTES);
  const tail = await readAt(file, size - tailLength, tailLength);
  const view = new DataView(tail.buffer);
  let end = -1;
  for (let i = tail.byteLength - EOCD_MIN_BYTES; i >= 0; i--) {
    if (view.getUint32(i, true) === EOCD_SIGNATURE) {
      end = i;
      break;
    }
  }
  if (end === -1) throw new SyntaxError("zip: not a valid zip file");
  const count = view.getUint16(end + 10, true);
  const cdSize = view.getUint32(end + 12, true);
  const cdOffset = view.getUint32(end + 16, true);
  if (count === 0xffff || cdOffset === 0xffffffff) {
    throw new RangeError("zip: zip64 archives are not supported");
  }
  if (cdSize > MAX_CENTRAL_DIRECTORY_BYTES) {
    throw new RangeError("zip: central directory too large");
  }
  const cd = await readAt(file, cdOffset, cdSize);
  const cdView = new DataView(cd.buffer);
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > cd.byteLength || cdView.getUint32(at, true) !== CENTRAL_SIGNATURE) {
      throw new SyntaxError("zip: corrupt central directory");
    }
    const nameLength = cdView.getUint16(at + 28, true);
    const extraLength = cdView.getUint16(at + 30, true);
    const commentLength = cdView.getUint16(at + 32, true);
    const madeBy = cdView.getUint16(at + 4, true) >> 8;
    const external = cdView.getUint32(at + 38, true);
    entries.push({
      flags: cdView.getUint16(at + 8, true),
      method: cdView.getUint16(at + 10, true),
      crc32: cdView.getUint32(at + 16, true),
      compressedSize: cdView.getUint32(at + 20, true),
      size: cdView.getUint32(at + 24, true),
      localHeaderOffset: cdView.getUint32(at + 42, true),
      name: new TextDecoder().decode(cd.subarray(at + 46, at + 46 + nameLength)),
      unixMode: madeBy === 3 ? external >>> 16 : 0,
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** Updates a running CRC-32 (start with 0). */
export function crc32(crc: number, bytes: Uint8Array): number {
  let c = ~crc >>> 0;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** The entry's raw (still compressed) bytes as a stream. */
async function rawData(
  file: Deno.FsFile,
  entry: ZipEntry,
): Promise<ReadableStream<Uint8Array<ArrayBuffer>>> {
  const local = await readAt(file, entry.localHeaderOffset, 30);
  const view = new DataView(local.buffer);
  if (view.getUint32(0, true) !== LOCAL_SIGNATURE) {
    throw new SyntaxError(`zip: bad local header for ${entry.name}`);
  }
  let offset = entry.localHeaderOffset + 30 + view.getUint16(26, true) + view.getUint16(28, true);
  let left = entry.compressedSize;
  return new ReadableStream({
    pull: async (controller) => {
      if (left === 0) return controller.close();
      const chunk = await readAt(file, offset, Math.min(left, READ_CHUNK_BYTES));
      offset += chunk.byteLength;
      left -= chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
}

/** The entry's content, checked against its size and CRC-32 as it streams. */
async function entryData(file: Deno.FsFile, entry: ZipEntry): Promise<ReadableStream<Uint8Array>> {
  if ((entry.flags & 1) !== 0) {
    throw new TypeError(`zip: encrypted entry ${entry.name} is not supported`);
  }
  const raw = await rawData(file, entry);
  let data: ReadableStream<Uint8Array>;
  if (entry.method === 0) data = raw;
  else if (entry.method === 8) data = raw.pipeThrough(new DecompressionStream("deflate-raw"));
  else {throw new TypeError(
      `zip: compression method ${entry.method} of ${entry.name} is not supported`,
    );}
  let crc = 0;
  let size = 0;
  return data.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        crc = crc32(crc, chunk);
        size += chunk.byteLength;
        if (size > entry.size) {
          controller.error(new SyntaxError(`zip: ${entry.name} is larger than recorded`));
        } else controller.enqueue(chunk);
      },
      flush(controller) {
        if (size !== entry.size || crc !== entry.crc32) {
          controller.error(new SyntaxError(`zip: checksum error in ${entry.name}`));
        }
      },
    }),
  );
}

async function contentText(file: Deno.FsFile, entry: ZipEntry): Promise<string> {
  return await new Response(await entryData(file, entry)).text();
}

/**
 * Unpacks the zip file at `path` into `dir`.
 *
 * @example
 * ```ts ignore
 * import { SafeDir } from "./safe_dir.ts";
 * import { unzip } from "./zip.ts";
 * await unzip("/tmp/a.zip", new SafeDir("/tmp/out"));
 * ```
 */
export async function unzip(path: string, dir: SafeDir): Promise<void> {
  using file = await Deno.open(path, { read: true });
  for (const entry of await zipEntries(file)) {
    const type = entry.unixMode & 0o170000;
    if (entry.name.endsWith("/") || type === 0o040000) {
      await dir.directory(entry.name, entry.unixMode & 0o777 || 0o755);
    } else if (type === 0o120000) {
      await dir.symlink(entry.name, await contentText(file, entry));
    } else {
      await dir.file(entry.name, await entryData(file, entry), entry.unixMode & 0o777 || 0o644);
    }
  }
}
