import { deepStrictEqual, throws } from "node:assert";
import { decode, encode } from "./msgpack.ts";
import { seededRng } from "../core/rng.ts";

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");

Deno.test("values encode to the bytes the MessagePack spec gives", () => {
  const cases: [unknown, string][] = [
    [null, "c0"],
    [false, "c2"],
    [true, "c3"],
    [0, "00"],
    [127, "7f"],
    [128, "cc80"],
    [256, "cd0100"],
    [65536, "ce00010000"],
    [2 ** 32, "cf0000000100000000"],
    [-1, "ff"],
    [-32, "e0"],
    [-33, "d0df"],
    [-129, "d1ff7f"],
    [-32769, "d2ffff7fff"],
    [-(2 ** 31) - 1, "d3ffffffff7fffffff"],
    [1.5, "cb3ff8000000000000"],
    ["", "a0"],
    ["a", "a161"],
    ["é", "a2c3a9"],
    ["x".repeat(32), "d920" + "78".repeat(32)],
    [new Uint8Array([1, 2]), "c4020102"],
    [[1, [2]], "920191" + "02"],
    [{ a: 1 }, "81a16101"],
    [{ a: undefined, b: null }, "81a162c0"],
  ];
  for (const [value, bytes] of cases) {
    deepStrictEqual(hex(encode(value)), bytes, JSON.stringify(value));
    if (!(typeof value === "object" && value !== null && "a" in value && value.a === undefined)) {
      deepStrictEqual(decode(encode(value)), value);
    }
  }
  // float32 and 16/32-bit containers decode too.
  deepStrictEqual(decode(new Uint8Array([0xca, 0x3f, 0xc0, 0, 0])), 1.5);
  deepStrictEqual(decode(new Uint8Array([0xdc, 0, 1, 0x05])), [5]);
  deepStrictEqual(decode(new Uint8Array([0xde, 0, 1, 0xa1, 0x6b, 0xc3])), { k: true });
});

function randomValue(next: () => number, depth: number): unknown {
  const pick = Math.floor(next() * (depth > 3 ? 6 : 8));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return next() < 0.5;
    case 2: {
      const scale = [1, 200, 70_000, 5e9, 2 ** 52][Math.floor(next() * 5)]!;
      return Math.floor((next() - 0.5) * 2 * scale);
    }
    case 3:
      return (next() - 0.5) * 1e6;
    case 4:
      return Array.from(
        { length: Math.floor(next() * 300) },
        () => String.fromCharCode(Math.floor(next() * 0x3000)),
      ).join("");
    case 5:
      return new Uint8Array(Array.from({ length: Math.floor(next() * 300) }, () => next() * 256));
    case 6:
      return Array.from({ length: Math.floor(next() * 20) }, () => randomValue(next, depth + 1));
    default: {
      const out: Record<string, unknown> = {};
      for (let i = Math.floor(next() * 20); i > 0; i--) {
        out[`k${Math.floor(next() * 1e6)}`] = randomValue(next, depth + 1);
      }
      return out;
    }
  }
}

Deno.test("random values survive a round trip; every truncation is refused", () => {
  const seed = Number(Deno.env.get("MSGPACK_SEED") ?? Date.now() % 100_000);
  const rng = seededRng(seed);
  const next = () => rng.next();
  for (let i = 0; i < 500; i++) {
    const value = randomValue(next, 0);
    const bytes = encode(value);
    deepStrictEqual(decode(bytes), value, `MSGPACK_SEED=${seed} case ${i}`);
    if (i % 25 === 0) {
      for (let cut = 0; cut < bytes.length; cut += Math.max(1, Math.floor(bytes.length / 50))) {
        throws(() => decode(bytes.subarray(0, cut)), `MSGPACK_SEED=${seed} cut ${cut}`);
      }
    }
  }
});

Deno.test("malformed input is refused with a clear error", () => {
  throws(() => decode(new Uint8Array([0xc1])), /unsupported type 0xc1/);
  throws(() => decode(new Uint8Array([0xc0, 0xc0])), /trailing bytes/);
  throws(() => decode(new Uint8Array([0xdd, 0xff, 0xff, 0xff, 0xff])), /unexpected end/);
  throws(() => decode(new Uint8Array([0xa1, 0xff])), TypeError); // invalid UTF-8
  throws(() => decode(new Uint8Array([0x81, 0xc0, 0xc0])), /map keys/);
  throws(() => encode({ f: () => 1 }), /cannot encode a function/);
  const deep = new Uint8Array(600).fill(0x91);
  throws(() => decode(deep), /nested too deeply/);
  const proto = decode(encode({ ["__proto__"]: { polluted: true } })) as Record<string, unknown>;
  deepStrictEqual(({} as Record<string, unknown>).polluted, undefined);
  deepStrictEqual(Object.keys(proto), ["__proto__"]);
});
