import assert from "node:assert/strict";
import { LineTooLongError, LineWriter, readLines } from "./line_io.ts";

function readerOf(chunks: string[]) {
  const encoder = new TextEncoder();
  const queue = chunks.map((c) => encoder.encode(c));
  return {
    read(buffer: Uint8Array): Promise<number | null> {
      const next = queue.shift();
      if (next === undefined) return Promise.resolve(null);
      buffer.set(next);
      return Promise.resolve(next.length);
    },
  };
}

Deno.test("readLines joins lines split across reads and splits several in one read", async () => {
  const lines = await Array.fromAsync(readLines(readerOf(['{"a":', '1}\n{"b"', ":2}\n\n"]), 100));
  assert.deepEqual(lines, ['{"a":1}', '{"b":2}', ""]);
});

Deno.test("readLines rejects a line longer than the limit", async () => {
  await assert.rejects(
    Array.fromAsync(readLines(readerOf(["0123456789", "abc\n"]), 12)),
    LineTooLongError,
  );
});

Deno.test("LineWriter writes whole lines even when the writer takes a few bytes at a time", async () => {
  const written: number[] = [];
  const writer = new LineWriter({
    write(data: Uint8Array): Promise<number> {
      const n = Math.min(3, data.length);
      written.push(...data.subarray(0, n));
      return Promise.resolve(n);
    },
  });
  await Promise.all([writer.writeLine("hello"), writer.writeLine("world")]);
  assert.equal(new TextDecoder().decode(new Uint8Array(written)), "hello\nworld\n");
});
