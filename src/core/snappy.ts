/**
 * Snappy block format (what Nomad stores a dispatch payload in). The encoder
 * writes literal chunks only, which every snappy decoder accepts; the decoder
 * reads the whole format, copies included.
 */

/** Largest decoded payload the decoder accepts (Nomad's dispatch limit is far below). */
export const SNAPPY_MAX_DECODED_BYTES = 64 * 1024 * 1024;

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/**
 * Encodes `data` as a snappy block.
 *
 * @example
 * ```ts
 * import { snappyDecode, snappyEncode } from "./snappy.ts";
 * snappyDecode(snappyEncode(new Uint8Array([1, 2, 3]))); // Uint8Array [1, 2, 3]
 * ```
 */
export function snappyEncode(data: Uint8Array): Uint8Array {
  const out: number[] = varint(data.length);
  const chunk = 65536;
  for (let pos = 0; pos < data.length; pos += chunk) {
    const length = Math.min(chunk, data.length - pos);
    const n = length - 1;
    if (n < 60) out.push(n << 2);
    else if (n < 0x100) out.push(60 << 2, n);
    else out.push(61 << 2, n & 0xff, n >> 8);
    for (let i = 0; i < length; i++) out.push(data[pos + i]!);
  }
  return new Uint8Array(out);
}

/** Decodes a snappy block; throws `RangeError` on corrupt input. */
export function snappyDecode(block: Uint8Array): Uint8Array {
  let pos = 0;
  let length = 0;
  for (let shift = 0;; shift += 7) {
    if (pos >= block.length || shift > 28) throw new RangeError("snappy: corrupt input");
    const b = block[pos++]!;
    length += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  if (length > SNAPPY_MAX_DECODED_BYTES) {
    throw new RangeError(`snappy: decoded length ${length} is too large`);
  }
  const out = new Uint8Array(length);
  let o = 0;
  const need = (n: number) => {
    if (pos + n > block.length) throw new RangeError("snappy: corrupt input");
  };
  while (pos < block.length) {
    const tag = block[pos++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let n = tag >> 2;
      if (n >= 60) {
        const bytes = n - 59;
        need(bytes);
        n = 0;
        for (let i = 0; i < bytes; i++) n += block[pos++]! * 256 ** i;
      }
      n += 1;
      need(n);
      if (o + n > length) throw new RangeError("snappy: corrupt input");
      out.set(block.subarray(pos, pos + n), o);
      pos += n;
      o += n;
      continue;
    }
    let n: number;
    let offset: number;
    if (kind === 1) {
      need(1);
      n = ((tag >> 2) & 7) + 4;
      offset = ((tag >> 5) << 8) | block[pos++]!;
    } else if (kind === 2) {
      need(2);
      n = (tag >> 2) + 1;
      offset = block[pos]! | (block[pos + 1]! << 8);
      pos += 2;
    } else {
      need(4);
      n = (tag >> 2) + 1;
      offset = (block[pos]! | (block[pos + 1]! << 8) | (block[pos + 2]! << 16)) +
        block[pos + 3]! * 2 ** 24;
      pos += 4;
    }
    if (offset === 0 || offset > o || o + n > length) throw new RangeError("snappy: corrupt input");
    for (let i = 0; i < n; i++, o++) out[o] = out[o - offset]!;
  }
  if (o !== length) throw new RangeError("snappy: corrupt input");
  return out;
}
