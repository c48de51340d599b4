/**
 * `tail -n`-like helpers for task logs (Nomad's `LineLimitReader`): keep the
 * last N lines of what is read first, then pass the rest through.
 */

import type { StreamFrame } from "../../api/mod.ts";

/** Quiet time after which a followed tail prints what it has so far. */
export const TAIL_FLUSH_AFTER_MS = 1_000;

const NEWLINE = 0x0a;

/**
 * The last `lines` lines of `data`; a newline ending the data does not start
 * another line. All of `data` when it has fewer lines.
 *
 * @example
 * ```ts
 * import { lastLines } from "./log_tail.ts";
 * new TextDecoder().decode(lastLines(new TextEncoder().encode("a\nb\nc\n"), 2)); // "b\nc\n"
 * ```
 */
export function lastLines(data: Uint8Array, lines: number): Uint8Array {
  let found = 0;
  let lastIndex = data.length - 1;
  let i = data.length - 1;
  for (; found < lines && i >= 0; i--) {
    if (data[i] !== NEWLINE) continue;
    lastIndex = i;
    if (i !== data.length - 1) found++;
  }
  return found === lines ? data.subarray(lastIndex + 1) : data;
}

/**
 * Writes followed frames; with `lines` >= 0 it first collects up to
 * `searchLimit` bytes (or waits for {@linkcode TAIL_FLUSH_AFTER_MS} of quiet)
 * and prints only the last `lines` lines of that.
 */
export async function followTail(
  frames: AsyncIterable<StreamFrame>,
  options: { lines: number; searchLimit: number; signal: AbortSignal },
  write: (data: Uint8Array) => void,
): Promise<void> {
  const iterator = frames[Symbol.asyncIterator]();
  if (options.lines >= 0) {
    const done = await collectHead(iterator, options, write);
    if (done) return;
  }
  while (!options.signal.aborted) {
    const result = await iterator.next();
    if (result.done) return;
    write(result.value.Data);
  }
}

/** Buffers the head of the stream and writes its last lines; true when the stream ended. */
async function collectHead(
  iterator: AsyncIterator<StreamFrame>,
  options: { lines: number; searchLimit: number },
  write: (data: Uint8Array) => void,
): Promise<boolean> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const flush = () => write(lastLines(concat(chunks, total), options.lines));
  while (total < options.searchLimit) {
    const timer = quietTimer(TAIL_FLUSH_AFTER_MS);
    const next = iterator.next();
    const result = await Promise.race([next, timer.promise]);
    timer.cancel();
    if (result === "quiet") {
      flush();
      const pending = await next;
      if (pending.done) return true;
      write(pending.value.Data);
      return false;
    }
    if (result.done) {
      flush();
      return true;
    }
    chunks.push(result.value.Data);
    total += result.value.Data.length;
  }
  flush();
  return false;
}

function quietTimer(ms: number): { promise: Promise<"quiet">; cancel: () => void } {
  let id: ReturnType<typeof setTimeout> | undefined;
  const promise = new Promise<"quiet">((resolve) => {
    id = setTimeout(() => resolve("quiet"), ms);
  });
  return { promise, cancel: () => clearTimeout(id) };
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const all = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return all;
}
