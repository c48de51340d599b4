import { deepStrictEqual, throws } from "node:assert";
import { snappyDecode, snappyEncode } from "./snappy.ts";

Deno.test("snappy: encode then decode returns the input, across chunk sizes", () => {
  for (const size of [0, 1, 59, 60, 61, 255, 256, 70_000]) {
    const data = new Uint8Array(size).map((_, i) => (i * 7) & 0xff);
    deepStrictEqual(snappyDecode(snappyEncode(data)), data);
  }
});

Deno.test("snappy: decodes copies written by other encoders", () => {
  // "abcabcabcabc": literal "abc" then a 1-byte-offset copy of 9 bytes at offset 3.
  const block = new Uint8Array([12, 2 << 2, 97, 98, 99, 1 | ((9 - 4) << 2), 3]);
  deepStrictEqual(new TextDecoder().decode(snappyDecode(block)), "abcabcabcabc");
});

Deno.test("snappy: rejects corrupt blocks", () => {
  throws(() => snappyDecode(new Uint8Array([5, 0])), RangeError);
  throws(() => snappyDecode(new Uint8Array([4, 1 | (0 << 2), 9])), RangeError);
  throws(() => snappyDecode(new Uint8Array([0x80])), RangeError);
});
