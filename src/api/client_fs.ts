/** `/v1/client/fs/*` endpoints: task logs, plain or as a followed frame stream. */

import type { HttpCore } from "./http_core.ts";
import { isHeartbeat, readFrames } from "./stream_frames.ts";
import type { StreamFrame } from "./types.ts";

/** Which log of a task. */
export type LogType = "stdout" | "stderr";

/** Where an offset is measured from. */
export type Origin = "start" | "end";

/** Options of a log read. */
export interface LogOptions {
  task: string;
  type: LogType;
  origin?: Origin;
  /** Byte offset from `origin`. */
  offset?: number;
  signal?: AbortSignal;
}

/** Largest plain (non-followed) log read kept in memory. */
export const MAX_PLAIN_LOG_BYTES = 256 * 1024 * 1024;

/** Client filesystem endpoints (served by the node that runs the allocation). */
export class ClientFsApi {
  #core: HttpCore;

  /** Wraps the shared HTTP core. */
  constructor(core: HttpCore) {
    this.#core = core;
  }

  /** Reads a task log to its current end as raw bytes (`plain=true`). */
  async logs(allocId: string, options: LogOptions): Promise<Uint8Array> {
    const response = await this.#core.raw(logsPath(allocId), {
      params: logParams(options, { plain: true, follow: false }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.length > MAX_PLAIN_LOG_BYTES) {
      throw new RangeError(`Log too large to read at once: ${bytes.length} bytes`);
    }
    return bytes;
  }

  /**
   * Streams a task log as frames; with `follow` the stream stays open and
   * yields new output until `signal` aborts. Heartbeats are not yielded.
   */
  async *logsStream(
    allocId: string,
    options: LogOptions & { follow: boolean },
  ): AsyncGenerator<StreamFrame> {
    const response = await this.#core.raw(logsPath(allocId), {
      params: logParams(options, { plain: false, follow: options.follow }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (response.body === null) return;
    try {
      for await (const frame of readFrames(response.body)) {
        if (!isHeartbeat(frame)) yield frame;
      }
    } catch (error) {
      if (options.signal?.aborted) return;
      throw error;
    }
  }
}

/** A file or directory in an allocation directory (Nomad's `AllocFileInfo`). */
export interface AllocFileInfo {
  Name: string;
  IsDir: boolean;
  Size: number;
  FileMode: string;
  ModTime: string;
  ContentType?: string;
}

/** Largest `cat`/`readat` read kept in memory. */
export const MAX_FILE_READ_BYTES = 256 * 1024 * 1024;

function fsPath(op: string, allocId: string): string {
  return `/v1/client/fs/${op}/${encodeURIComponent(allocId)}`;
}

async function bytesOf(response: Response): Promise<Uint8Array> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > MAX_FILE_READ_BYTES) {
    throw new RangeError(`File too large to read at once: ${bytes.length} bytes`);
  }
  return bytes;
}

/** Allocation directory endpoints (`ls`, `stat`, `cat`, `readat`, `stream`). */
export class AllocFsApi {
  #core: HttpCore;

  /** Wraps the shared HTTP core. */
  constructor(core: HttpCore) {
    this.#core = core;
  }

  /** Lists a directory of the allocation (path relative to the alloc dir). */
  async list(allocId: string, path: string): Promise<AllocFileInfo[]> {
    const result = await this.#core.query<AllocFileInfo[] | null>(fsPath("ls", allocId), {
      params: { path },
    });
    return result.data ?? [];
  }

  /** Stats one path of the allocation. */
  async stat(allocId: string, path: string): Promise<AllocFileInfo> {
    return (await this.#core.query<AllocFileInfo>(fsPath("stat", allocId), { params: { path } }))
      .data;
  }

  /** Reads a whole file. */
  async cat(allocId: string, path: string): Promise<Uint8Array> {
    return await bytesOf(await this.#core.raw(fsPath("cat", allocId), { params: { path } }));
  }

  /** Reads `limit` bytes (all when 0) from `offset`. */
  async readAt(allocId: string, path: string, offset: number, limit = 0): Promise<Uint8Array> {
    const params = { path, offset: String(offset), limit: String(limit) };
    return await bytesOf(await this.#core.raw(fsPath("readat", allocId), { params }));
  }

  /** Streams a file as frames, following it until `signal` aborts; heartbeats are skipped. */
  async *stream(
    allocId: string,
    options: {
      path: string;
      origin?: Origin;
      offset?: number;
      follow?: boolean;
      signal?: AbortSignal;
    },
  ): AsyncGenerator<StreamFrame> {
    const response = await this.#core.raw(fsPath("stream", allocId), {
      params: {
        path: options.path,
        origin: options.origin ?? "start",
        offset: String(options.offset ?? 0),
        follow: String(options.follow ?? true),
      },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (response.body === null) return;
    try {
      for await (const frame of readFrames(response.body)) {
        if (!isHeartbeat(frame)) yield frame;
      }
    } catch (error) {
      if (options.signal?.aborted) return;
      throw error;
    }
  }
}

function logsPath(allocId: string): string {
  return `/v1/client/fs/logs/${encodeURIComponent(allocId)}`;
}

function logParams(
  options: LogOptions,
  mode: { plain: boolean; follow: boolean },
): Record<string, string> {
  const params: Record<string, string> = {
    task: options.task,
    type: options.type,
    origin: options.origin ?? "start",
    offset: String(options.offset ?? 0),
    follow: String(mode.follow),
  };
  if (mode.plain) params["plain"] = "true";
  return params;
}
