import { strictEqual } from "node:assert";
import { createHash } from "node:crypto";
import { md5Hex } from "./md5.ts";

Deno.test("md5 matches RFC 1321's test suite", () => {
  const cases: [string, string][] = [
    ["", "d41d8cd98f00b204e9800998ecf8427e"],
    ["a", "0cc175b9c0f1b6a831c399e269772661"],
    ["abc", "900150983cd24fb0d6963f7d28e17f72"],
    ["message digest", "f96b697d7cb7938d525a2f31aaf161d0"],
    ["abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"],
    [
      "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
      "57edf4a22be3c955ac49da2e2107b67a",
    ],
  ];
  for (const [input, digest] of cases) strictEqual(md5Hex(input), digest, input);
});

Deno.test("md5 of concatenated parts equals node:crypto's for lengths around block edges", () => {
  for (let n = 0; n < 200; n++) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff);
    const expected = createHash("md5").update("x").update(bytes).update("é").digest("hex");
    strictEqual(md5Hex("x", bytes, "é"), expected, `length ${n}`);
  }
});
