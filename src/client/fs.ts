/**
 * The allocation filesystem API (`/v1/client/fs/{ls,stat,cat,readat,stream}`):
 * paths are relative to the allocation directory and may not leave it, not
 * even through a symlink; task secrets are never read.
 */

import { STREAM_FRAME_BYTES } from "../core/bounds.ts";

/** How often a followed file is polled for new bytes. */
export const FILE_POLL_MS = 100;
/** Idle time after which a followed stream sends a heartbeat frame (Nomad: 1 s). */
export const FILE_HEARTBEAT_MS = 1_000;
/** Bytes sniffed to guess a file's content type (as Go's http.DetectContentType). */
export const SNIFF_BYTES = 512;
/** Nomad's FileEvent when a followed file shrinks. */
export const TRUNCATE_EVENT = "file truncated";
/** Nomad's FileEvent when a followed file disappears. */
export const DELETE_EVENT = "file deleted";

/** A file or directory as Nomad's `AllocFileInfo`. */
export interface AllocFileInfo {
  Name: string;
  IsDir: boolean;
  Size: number;
  FileMode: string;
  ModTime: string;
  ContentType?: string;
}

/** Why a filesystem request failed; the route maps it to Nomad's status code. */
export type AllocFsErrorKind = "escape" | "not_found" | "prohibited" | "is_dir" | "io";

/** An expected failure of an allocation filesystem request, with Nomad's text. */
export class AllocFsError extends Error {
  override name = "AllocFsError";
  /** The class of failure. */
  readonly kind: AllocFsErrorKind;

  /** @param kind class of failure; `message` is Nomad's text */
  constructor(kind: AllocFsErrorKind, message: string, options?: ErrorOptions) {
    super(message, options);
    this.kind = kind;
  }
}

/** The allocation directory an allocation's files live in, and its tasks' secret dirs. */
export interface AllocFsRoot {
  root: string;
  taskNames: readonly string[];
}

/** Joins `path` onto `root` lexically; null when `..` would climb above `root`. */
export function joinInside(root: string, path: string): string | null {
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(part);
  }
  return parts.length === 0 ? root : `${root}/${parts.join("/")}`;
}

/**
 * The host path for `path` inside the allocation directory. Refuses paths that
 * escape it lexically or through symlinks ("Path escapes the alloc directory").
 */
export async function resolveAllocPath(fs: AllocFsRoot, path: string): Promise<string> {
  const joined = joinInside(fs.root, path);
  if (joined === null) throw new AllocFsError("escape", "Path escapes the alloc directory");
  const realRoot = await Deno.realPath(fs.root).catch(() => fs.root);
  const real = await Deno.realPath(joined).catch(() => null);
  if (real !== null && real !== realRoot && !real.startsWith(`${realRoot}/`)) {
    throw new AllocFsError("escape", "Path escapes the alloc directory");
  }
  return joined;
}

function notFound(op: string, hostPath: string, error: unknown): AllocFsError {
  if (error instanceof Deno.errors.NotFound) {
    return new AllocFsError("not_found", `${op} ${hostPath}: no such file or directory`);
  }
  if (error instanceof Deno.errors.NotADirectory) {
    return new AllocFsError("not_found", `${op} ${hostPath}: not a directory`);
  }
  return new AllocFsError("io", `${op} ${hostPath}: ${(error as Error).message}`, {
    cause: error,
  });
}

/** Go's `FileMode.String()` for the types the alloc dir holds: `drwxr-xr-x`, `-rw-r--r--`, `Lrwxrwxrwx`. */
export function goFileMode(
  info: Pick<Deno.FileInfo, "isDirectory" | "isSymlink" | "mode">,
): string {
  const mode = info.mode ?? 0;
  let type = "-";
  if (info.isDirectory) type = "d";
  else if (info.isSymlink) type = "L";
  const letters = "rwxrwxrwx";
  let perms = "";
  for (let i = 0; i < 9; i++) perms += mode & (1 << (8 - i)) ? letters[i] : "-";
  return type + perms;
}

function fileInfo(name: string, info: Deno.FileInfo): AllocFileInfo {
  return {
    Name: name,
    IsDir: info.isDirectory,
    Size: info.size,
    FileMode: goFileMode(info),
    ModTime: (info.mtime ?? new Date(0)).toISOString(),
  };
}

/** `ls`: the entries of a directory, sorted by name (as Go's os.ReadDir). */
export async function listAllocDir(fs: AllocFsRoot, path: string): Promise<AllocFileInfo[]> {
  const dir = await resolveAllocPath(fs, path);
  const entries: AllocFileInfo[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      const info = await Deno.lstat(`${dir}/${entry.name}`);
      entries.push(fileInfo(entry.name, info));
    }
  } catch (error) {
    throw notFound("open", dir, error);
  }
  return entries.sort((a, b) => a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0);
}

/** `stat`: one file's info, with its content type. */
export async function statAllocPath(fs: AllocFsRoot, path: string): Promise<AllocFileInfo> {
  const target = await resolveAllocPath(fs, path);
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(target);
  } catch (error) {
    throw notFound("stat", target, error);
  }
  const name = target === fs.root ? fs.root.split("/").pop() ?? "" : target.split("/").pop()!;
  return { ...fileInfo(name, info), ContentType: await contentType(target, info) };
}

async function contentType(path: string, info: Deno.FileInfo): Promise<string> {
  if (path.endsWith(".json")) return "application/json";
  if (info.isDirectory) return "application/octet-stream";
  const head = await readRange(path, 0, SNIFF_BYTES).catch(() => null);
  return head === null ? "application/octet-stream" : detectContentType(head);
}

/**
 * A small part of Go's `http.DetectContentType`: common binary signatures, then
 * text when the bytes hold no control bytes Go treats as binary.
 */
export function detectContentType(head: Uint8Array): string {
  const starts = (sig: number[]) => sig.every((b, i) => head[i] === b);
  if (starts([0x1f, 0x8b, 0x08])) return "application/x-gzip";
  if (starts([0x50, 0x4b, 0x03, 0x04])) return "application/zip";
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (starts([0x25, 0x50, 0x44, 0x46, 0x2d])) return "application/pdf";
  if (starts([0x7f, 0x45, 0x4c, 0x46])) return "application/octet-stream";
  for (const b of head) {
    if (b <= 0x08 || b === 0x0b || (b >= 0x0e && b <= 0x1a) || (b >= 0x1c && b <= 0x1f)) {
      return "application/octet-stream";
    }
  }
  return "text/plain; charset=utf-8";
}

/** Refuses reads inside a task's `secrets` directory (Nomad's "Reading secret file prohibited"). */
function checkReadable(fs: AllocFsRoot, target: string, path: string): void {
  for (const task of fs.taskNames) {
    const secrets = `${fs.root}/${task}/secrets`;
    if (target === secrets || target.toLowerCase().startsWith(`${secrets.toLowerCase()}/`)) {
      throw new AllocFsError("prohibited", `Reading secret file prohibited: ${path}`);
    }
  }
}

/** A file to read: its host path and current size; refuses directories and secrets. */
export async function openAllocFile(
  fs: AllocFsRoot,
  path: string,
): Promise<{ hostPath: string; size: number }> {
  const info = await statAllocPath(fs, path);
  if (info.IsDir) throw new AllocFsError("is_dir", `file ${JSON.stringify(path)} is a directory`);
  const hostPath = await resolveAllocPath(fs, path);
  checkReadable(fs, hostPath, path);
  return { hostPath, size: info.Size };
}

/** Reads up to `length` bytes at `start` (fewer at the end of the file). */
export async function readRange(path: string, start: number, length: number): Promise<Uint8Array> {
  const file = await Deno.open(path, { read: true });
  try {
    await file.seek(start, Deno.SeekMode.Start);
    const out = new Uint8Array(length);
    let read = 0;
    while (read < length) {
      const n = await file.read(out.subarray(read));
      if (n === null) break;
      read += n;
    }
    return out.subarray(0, read);
  } finally {
    file.close();
  }
}

/** One piece of a file stream: bytes read at `offset`, or a file event; `null` is a heartbeat. */
export type FileChunk = { offset: number; data: Uint8Array; event: string } | null;

/** Options of {@linkcode streamAllocFile}. */
export interface FileStreamOptions {
  /** Byte offset to start at. */
  offset: number;
  /** Stop after this many bytes (0 = no limit). */
  limit: number;
  follow: boolean;
  signal: AbortSignal;
}

/**
 * Reads a file from `offset`; with `follow`, waits for more bytes, reports
 * truncation (and starts over at 0) and deletion (and ends), and yields a
 * heartbeat after {@linkcode FILE_HEARTBEAT_MS} without news.
 */
export async function* streamAllocFile(
  hostPath: string,
  options: FileStreamOptions,
): AsyncGenerator<FileChunk> {
  let offset = options.offset;
  let left = options.limit > 0 ? options.limit : Number.POSITIVE_INFINITY;
  let idleMs = 0;
  let event = "";
  while (!options.signal.aborted && left > 0) {
    const size = await Deno.stat(hostPath).then((s) => s.size).catch(() => null);
    if (size === null) {
      if (options.follow) yield { offset, data: new Uint8Array(), event: DELETE_EVENT };
      return;
    }
    if (size < offset) {
      offset = 0;
      event = TRUNCATE_EVENT;
    }
    if (size > offset) {
      const data = await readRange(
        hostPath,
        offset,
        Math.min(STREAM_FRAME_BYTES, size - offset, left),
      );
      offset += data.length;
      left -= data.length;
      yield { offset, data, event };
      event = "";
      idleMs = 0;
      continue;
    }
    if (!options.follow) return;
    if (event !== "") {
      yield { offset, data: new Uint8Array(), event };
      event = "";
    }
    if ((idleMs += FILE_POLL_MS) >= FILE_HEARTBEAT_MS) {
      idleMs = 0;
      yield null;
    }
    await new Promise((r) => setTimeout(r, FILE_POLL_MS));
  }
}

/** The filesystem API of one allocation, as the HTTP routes call it. */
export function allocFs(fs: AllocFsRoot): {
  list(path: string): Promise<AllocFileInfo[]>;
  stat(path: string): Promise<AllocFileInfo>;
  open(path: string): Promise<{ hostPath: string; size: number }>;
  stream(hostPath: string, options: FileStreamOptions): AsyncGenerator<FileChunk>;
} {
  return {
    list: (path) => listAllocDir(fs, path),
    stat: (path) => statAllocPath(fs, path),
    open: (path) => openAllocFile(fs, path),
    stream: (hostPath, options) => streamAllocFile(hostPath, options),
  };
}
