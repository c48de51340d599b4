/**
 * Writes one task output stream to `<dir>/<task>.<stream>.<N>` with Nomad's rotation:
 * continue in the highest existing index, move to N+1 when a file reaches its size
 * limit, and delete the oldest files beyond `maxFiles`.
 */
import { assert } from "../../src/core/mod.ts";
import { writeAll } from "./line_io.ts";

/** Which output stream a rotator writes. */
export type LogStream = "stdout" | "stderr";

/** Options of {@linkcode LogRotator.open}. */
export interface LogRotatorOptions {
  directory: string;
  /** Task name; the file prefix. */
  name: string;
  stream: LogStream;
  maxFiles: number;
  maxFileSizeBytes: number;
}

/** Writes a stream into size-bounded, numbered files. Not safe for concurrent `write` calls. */
export class LogRotator {
  readonly #options: LogRotatorOptions;
  #file: Deno.FsFile;
  #index: number;
  #sizeBytes: number;
  #closed = false;

  private constructor(options: LogRotatorOptions, file: Deno.FsFile, index: number, size: number) {
    this.#options = options;
    this.#file = file;
    this.#index = index;
    this.#sizeBytes = size;
  }

  /**
   * Opens the stream's current file, creating the directory if needed.
   *
   * @example
   * ```ts ignore
   * const out = await LogRotator.open({
   *   directory: "/tmp/logs", name: "web", stream: "stdout", maxFiles: 10,
   *   maxFileSizeBytes: 10 * 1024 * 1024,
   * });
   * await out.write(new TextEncoder().encode("hello\n"));
   * out.close();
   * ```
   */
  static async open(options: LogRotatorOptions): Promise<LogRotator> {
    assert(options.maxFiles >= 1, "maxFiles must be at least 1");
    assert(options.maxFileSizeBytes >= 1, "maxFileSizeBytes must be at least 1");
    await Deno.mkdir(options.directory, { recursive: true });
    const indices = await listIndices(options);
    const index = indices.length === 0 ? 0 : Math.max(...indices);
    const path = filePath(options, index);
    const file = await Deno.open(path, { create: true, append: true });
    const size = (await file.stat()).size;
    const rotator = new LogRotator(options, file, index, size);
    await rotator.#purge();
    return rotator;
  }

  /** Index of the file currently written. */
  get index(): number {
    return this.#index;
  }

  /** Appends `data`, splitting it across files so none passes the size limit. */
  async write(data: Uint8Array): Promise<void> {
    assert(!this.#closed, "write on a closed log rotator");
    let rest = data;
    while (rest.length > 0) {
      if (this.#sizeBytes >= this.#options.maxFileSizeBytes) await this.#rotate();
      const room = this.#options.maxFileSizeBytes - this.#sizeBytes;
      const piece = rest.subarray(0, room);
      await writeAll(this.#file, piece);
      this.#sizeBytes += piece.length;
      rest = rest.subarray(piece.length);
    }
  }

  /** Closes the current file; idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#file.close();
  }

  async #rotate(): Promise<void> {
    this.#file.close();
    this.#index += 1;
    this.#file = await Deno.open(filePath(this.#options, this.#index), {
      create: true,
      write: true,
      truncate: true,
    });
    this.#sizeBytes = 0;
    await this.#purge();
  }

  async #purge(): Promise<void> {
    const oldestKept = this.#index - this.#options.maxFiles + 1;
    for (const index of await listIndices(this.#options)) {
      if (index >= oldestKept) continue;
      await Deno.remove(filePath(this.#options, index)).catch((error) => {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      });
    }
  }
}

function filePath(options: LogRotatorOptions, index: number): string {
  return `${options.directory}/${options.name}.${options.stream}.${index}`;
}

/** Indices of the stream's existing files. */
async function listIndices(options: LogRotatorOptions): Promise<number[]> {
  const prefix = `${options.name}.${options.stream}.`;
  const indices: number[] = [];
  for await (const entry of Deno.readDir(options.directory)) {
    if (!entry.isFile || !entry.name.startsWith(prefix)) continue;
    const suffix = entry.name.slice(prefix.length);
    if (/^\d{1,15}$/.test(suffix)) indices.push(Number(suffix));
  }
  return indices;
}
