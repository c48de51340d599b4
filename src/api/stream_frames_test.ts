import assert from "node:assert/strict";
import { isHeartbeat, readFrames, StreamFrameDecoder } from "./stream_frames.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const b64 = (s: string) => btoa(s);

Deno.test("stream frames: concatenated objects without separators decode in order", () => {
  const input = `{"Offset":5,"Data":"${
    b64("hello")
  }","File":"alloc/logs/web.stdout.0"}{}{"Offset":11,"Data":"${b64(" world")}"}`;
  const frames = new StreamFrameDecoder().push(input);
  assert.equal(frames.length, 3);
  assert.equal(text(frames[0]!.Data), "hello");
  assert.equal(frames[0]!.File, "alloc/logs/web.stdout.0");
  assert.ok(isHeartbeat(frames[1]!));
  assert.equal(frames[2]!.Offset, 11);
});

Deno.test("stream frames: objects split across chunks and braces inside strings", () => {
  const decoder = new StreamFrameDecoder();
  const whole = `{"File":"a}{b\\"c","Data":"${b64("x")}"}\n{"FileEvent":"file truncated"}`;
  const frames = [];
  for (const ch of whole) frames.push(...decoder.push(ch));
  assert.equal(frames.length, 2);
  assert.equal(frames[0]!.File, 'a}{b"c');
  assert.equal(frames[1]!.FileEvent, "file truncated");
  assert.ok(decoder.idle);
});

Deno.test("stream frames: garbage between frames is a SyntaxError", () => {
  assert.throws(() => new StreamFrameDecoder().push("{}x{}"), SyntaxError);
});

Deno.test("stream frames: readFrames decodes a byte stream", async () => {
  const encoded = new TextEncoder().encode(`{"Data":"${b64("a")}"}{"Data":"${b64("b")}"}`);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoded.subarray(0, 7));
      controller.enqueue(encoded.subarray(7));
      controller.close();
    },
  });
  const seen: string[] = [];
  for await (const frame of readFrames(body)) seen.push(text(frame.Data));
  assert.deepEqual(seen, ["a", "b"]);
});
