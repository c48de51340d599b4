/**
 * Reading task logs across rotated files (`<task>.<stdout|stderr>.N`) for the
 * logs API, as whole text or as a followed stream of Nomad StreamFrames.
 */

import { STREAM_FRAME_BYTES } from "../core/bounds.ts";
import { CodedError } from "../core/errors.ts";

/** How often a followed log is polled for new bytes. */
export const LOG_POLL_MS = 100;
/** Heartbeat frame interval on idle followed streams (Nomad: 1 s... kept cheap). */
export const LOG_HEARTBEAT_MS = 1_000;

/** One rotated log file. */
export interface LogFile {
  index: number;
  path: string;
  /** Path relative to the allocation directory, as Nomad reports it. */
  name: string;
  size: number;
}

/** Rotated files of one task stream, oldest first. */
export async function listLogFiles(logDir: string, task: string, type: string): Promise<LogFile[]> {
  const prefix = `${task}.${type}.`;
  const files: LogFile[] = [];
  try {
    for await (const entry of Deno.readDir(logDir)) {
      if (!entry.isFile || !entry.name.startsWith(prefix)) continue;
      const index = Number(entry.name.slice(prefix.length));
      if (!Number.isInteger(index)) continue;
      const path = `${logDir}/${entry.name}`;
      const size = (await Deno.stat(path)).size;
      files.push({ index, path, name: `alloc/logs/${entry.name}`, size });
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return files.sort((a, b) => a.index - b.index);
}

async function readRange(path: string, start: number, length: number): Promise<Uint8Array> {
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

/** A position in the rotated stream: file index and byte offset inside it. */
export interface LogPosition {
  fileIndex: number;
  offset: number;
}

/** Where reading starts: `origin` start/end and a byte `offset` from it, over all files. */
export function startPosition(
  files: readonly LogFile[],
  origin: "start" | "end",
  offset: number,
): LogPosition {
  if (files.length === 0) return { fileIndex: 0, offset: 0 };
  if (origin === "start") {
    let rest = offset;
    for (const file of files) {
      if (rest < file.size) return { fileIndex: file.index, offset: rest };
      rest -= file.size;
    }
    const last = files[files.length - 1]!;
    return { fileIndex: last.index, offset: last.size };
  }
  let rest = offset;
  for (let i = files.length - 1; i >= 0; i--) {
    const file = files[i]!;
    if (rest <= file.size) return { fileIndex: file.index, offset: file.size - rest };
    rest -= file.size;
  }
  return { fileIndex: files[0]!.index, offset: 0 };
}

/** Reads every byte after `from`, in chunks of at most {@linkcode STREAM_FRAME_BYTES}. */
export async function* readFrom(
  files: readonly LogFile[],
  from: LogPosition,
): AsyncGenerator<{ file: LogFile; offset: number; data: Uint8Array }> {
  for (const file of files) {
    if (file.index < from.fileIndex) continue;
    let offset = file.index === from.fileIndex ? from.offset : 0;
    while (offset < file.size) {
      const data = await readRange(
        file.path,
        offset,
        Math.min(STREAM_FRAME_BYTES, file.size - offset),
      );
      if (data.length === 0) break;
      yield { file, offset, data };
      offset += data.length;
    }
  }
}

/**
 * Follows a task stream: yields new chunks as the task writes them and moves on
 * to the next rotated file. Ends when `signal` aborts or `done()` is true and
 * nothing more is left.
 */
export async function* followLogs(
  options: {
    logDir: string;
    task: string;
    type: string;
    origin: "start" | "end";
    offset: number;
    signal: AbortSignal;
    done: () => boolean;
  },
): AsyncGenerator<{ file: LogFile; offset: number; data: Uint8Array } | null> {
  let files = await listLogFiles(options.logDir, options.task, options.type);
  let position = startPosition(files, options.origin, options.offset);
  let idleMs = 0;
  while (!options.signal.aborted) {
    let progressed = false;
    for await (const chunk of readFrom(files, position)) {
      yield chunk;
      position = { fileIndex: chunk.file.index, offset: chunk.offset + chunk.data.length };
      progressed = true;
    }
    if (!progressed && options.done()) return;
    if (progressed) idleMs = 0;
    else if ((idleMs += LOG_POLL_MS) >= LOG_HEARTBEAT_MS) {
      idleMs = 0;
      yield null;
    }
    await new Promise((r) => setTimeout(r, LOG_POLL_MS));
    files = await listLogFiles(options.logDir, options.task, options.type);
    const first = files[0];
    if (first !== undefined && first.index > position.fileIndex) {
      position = { fileIndex: first.index, offset: 0 };
    }
  }
}

/** A task's log chunks for the logs API: everything after the start position, then new output if following. */
export async function* taskLogs(
  options: {
    logDir: string;
    task: string;
    type: string;
    origin: "start" | "end";
    offset: number;
    follow: boolean;
    signal: AbortSignal;
    done: () => boolean;
  },
): AsyncGenerator<{ file: string; offset: number; data: Uint8Array } | null> {
  const toChunk = (c: { file: LogFile; offset: number; data: Uint8Array }) => ({
    file: c.file.name,
    offset: c.offset,
    data: c.data,
  });
  const files = await listLogFiles(options.logDir, options.task, options.type);
  if (files.length === 0) {
    throw new CodedError(
      404,
      `log entry for task ${JSON.stringify(options.task)} and log type ${
        JSON.stringify(options.type)
      } not found`,
    );
  }
  if (options.follow) {
    for await (const chunk of followLogs(options)) yield chunk === null ? null : toChunk(chunk);
    return;
  }
  for await (const chunk of readFrom(files, startPosition(files, options.origin, options.offset))) {
    yield toChunk(chunk);
  }
}
