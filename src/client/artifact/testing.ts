/**
 * Test helpers: tiny tar and zip writers (so tests can build archives with
 * hostile entries, such as `../evil` names and escaping symlinks) and a
 * loopback HTTP server that serves them.
 */

import { crc32 } from "./zip.ts";

/** One entry to write into a test archive. */
export interface TestEntry {
  name: string;
  /** File content; absent for directories and symlinks. */
  content?: string;
  type?: "file" | "dir" | "symlink";
  /** Symlink target. */
  target?: string;
  mode?: number;
}

const encoder = new TextEncoder();

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, "0") + "\0";
}

/** A ustar archive of `entries`. */
export function tarArchive(entries: readonly TestEntry[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const entry of entries) {
    const data = encoder.encode(entry.content ?? "");
    const header = new Uint8Array(512);
    const put = (offset: number, text: string) => header.set(encoder.encode(text), offset);
    const type = entry.type ?? "file";
    put(0, entry.name);
    put(100, octal(entry.mode ?? (type === "dir" ? 0o755 : 0o644), 8));
    put(108, octal(0, 8));
    put(116, octal(0, 8));
    put(124, octal(type === "file" ? data.byteLength : 0, 12));
    put(136, octal(0, 12));
    put(156, type === "dir" ? "5" : type === "symlink" ? "2" : "0");
    put(157, entry.target ?? "");
    put(257, "ustar\x0000");
    put(148, "        ");
    const sum = header.reduce((a, b) => a + b, 0);
    put(148, octal(sum, 7) + " ");
    blocks.push(header);
    if (type === "file") {
      const padded = new Uint8Array(Math.ceil(data.byteLength / 512) * 512);
      padded.set(data);
      blocks.push(padded);
    }
  }
  blocks.push(new Uint8Array(1024));
  return concat(blocks);
}

/** Gzip-compresses `data`. */
export async function gzip(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function deflateRaw(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/** A zip archive of `entries` (files deflated, Unix modes in the external attributes). */
export async function zipArchive(entries: readonly TestEntry[]): Promise<Uint8Array> {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const type = entry.type ?? "file";
    const name = encoder.encode(
      type === "dir" && !entry.name.endsWith("/") ? `${entry.name}/` : entry.name,
    );
    const raw = encoder.encode(type === "symlink" ? entry.target ?? "" : entry.content ?? "");
    const method = type === "file" ? 8 : 0;
    const data = method === 8 ? await deflateRaw(raw) : raw;
    const crc = crc32(0, raw);
    const kind = type === "dir" ? 0o040000 : type === "symlink" ? 0o120000 : 0o100000;
    const mode = kind | (entry.mode ?? (type === "dir" ? 0o755 : 0o644));
    const local = new Uint8Array(30 + name.byteLength);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, method, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, data.byteLength, true);
    lv.setUint32(22, raw.byteLength, true);
    lv.setUint16(26, name.byteLength, true);
    local.set(name, 30);
    const central = new Uint8Array(46 + name.byteLength);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, (3 << 8) | 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(10, method, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, data.byteLength, true);
    cv.setUint32(24, raw.byteLength, true);
    cv.setUint16(28, name.byteLength, true);
    cv.setUint32(38, (mode << 16) >>> 0, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local, data);
    centrals.push(central);
    offset += local.byteLength + data.byteLength;
  }
  const cd = concat(centrals);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cd.byteLength, true);
  ev.setUint32(16, offset, true);
  return concat([...locals, cd, end]);
}

/** A loopback HTTP server serving fixed paths; others get 404. */
export interface ArtifactServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Request paths seen, in order, with their headers. */
  requests: { path: string; headers: Headers }[];
  close(): Promise<void>;
}

/** Serves `files` (path → bytes or text) on 127.0.0.1 with a free port. */
export function serveArtifacts(files: Record<string, Uint8Array | string>): ArtifactServer {
  const requests: ArtifactServer["requests"] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    requests.push({ path, headers: req.headers });
    const body = files[path];
    if (body === undefined) return new Response("not found", { status: 404 });
    return new Response(typeof body === "string" ? body : body as Uint8Array<ArrayBuffer>);
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    close: () => server.shutdown(),
  };
}
