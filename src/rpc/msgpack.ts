/**
 * A small MessagePack codec (https://msgpack.org/): nil, booleans, integers,
 * float64, strings, binary (Uint8Array), arrays and maps with string keys.
 * Own code rather than a package: the npm codec costs ~7 MB of agent memory.
 * `undefined` object fields are left out, as in JSON.
 */

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

/** A growable output buffer. */
class Writer {
  bytes = new Uint8Array(256);
  view = new DataView(this.bytes.buffer);
  length = 0;

  ensure(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.bytes[this.length++] = v;
  }

  u8u8(tag: number, v: number): void {
    this.ensure(2);
    this.bytes[this.length++] = tag;
    this.bytes[this.length++] = v;
  }

  u16(tag: number, v: number): void {
    this.ensure(3);
    this.bytes[this.length] = tag;
    this.view.setUint16(this.length + 1, v);
    this.length += 3;
  }

  u32(tag: number, v: number): void {
    this.ensure(5);
    this.bytes[this.length] = tag;
    this.view.setUint32(this.length + 1, v);
    this.length += 5;
  }

  raw(data: Uint8Array): void {
    this.ensure(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
  }
}

function writeInteger(w: Writer, v: number): void {
  if (v >= 0) {
    if (v < 0x80) w.u8(v);
    else if (v < 0x100) w.u8u8(0xcc, v);
    else if (v < 0x10000) w.u16(0xcd, v);
    else if (v < 0x100000000) w.u32(0xce, v);
    else {
      w.ensure(9);
      w.bytes[w.length] = 0xcf;
      w.view.setBigUint64(w.length + 1, BigInt(v));
      w.length += 9;
    }
  } else if (v >= -0x20) w.u8(v & 0xff);
  else if (v >= -0x80) w.u8u8(0xd0, v & 0xff);
  else if (v >= -0x8000) w.u16(0xd1, v & 0xffff);
  else if (v >= -0x80000000) w.u32(0xd2, v >>> 0);
  else {
    w.ensure(9);
    w.bytes[w.length] = 0xd3;
    w.view.setBigInt64(w.length + 1, BigInt(v));
    w.length += 9;
  }
}

function writeLength(w: Writer, n: number, fix: number, fixMax: number, t16: number): void {
  if (n < fixMax) w.u8(fix | n);
  else if (n < 0x10000) w.u16(t16, n);
  else w.u32(t16 + 1, n);
}

function writeValue(w: Writer, v: unknown, depth: number): void {
  if (depth > 512) throw new RangeError("msgpack: value nested too deeply");
  if (v === null || v === undefined) return w.u8(0xc0);
  switch (typeof v) {
    case "boolean":
      return w.u8(v ? 0xc3 : 0xc2);
    case "number":
      if (Number.isSafeInteger(v)) return writeInteger(w, v);
      w.ensure(9);
      w.bytes[w.length] = 0xcb;
      w.view.setFloat64(w.length + 1, v);
      w.length += 9;
      return;
    case "string": {
      const data = (v.length < 64 ? ascii(v) : null) ?? utf8.encode(v);
      if (data.length < 32) w.u8(0xa0 | data.length);
      else if (data.length < 0x100) w.u8u8(0xd9, data.length);
      else if (data.length < 0x10000) w.u16(0xda, data.length);
      else w.u32(0xdb, data.length);
      return w.raw(data);
    }
    case "object": {
      if (v instanceof Uint8Array) {
        if (v.length < 0x100) w.u8u8(0xc4, v.length);
        else if (v.length < 0x10000) w.u16(0xc5, v.length);
        else w.u32(0xc6, v.length);
        return w.raw(v);
      }
      if (Array.isArray(v)) {
        writeLength(w, v.length, 0x90, 16, 0xdc);
        for (const item of v) writeValue(w, item, depth + 1);
        return;
      }
      const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) =>
        x !== undefined
      );
      writeLength(w, entries.length, 0x80, 16, 0xde);
      for (const [key, item] of entries) {
        writeValue(w, key, depth + 1);
        writeValue(w, item, depth + 1);
      }
      return;
    }
    default:
      throw new TypeError(`msgpack: cannot encode a ${typeof v}`);
  }
}

/** A short ASCII string's bytes without the encoder; null when it has other characters. */
function ascii(s: string): Uint8Array | null {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return null;
    out[i] = c;
  }
  return out;
}

/** Encodes a value. */
export function encode(value: unknown): Uint8Array {
  const w = new Writer();
  writeValue(w, value, 0);
  return w.bytes.slice(0, w.length);
}

/** Reads values from a byte array; every read checks bounds. */
class Reader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  pos = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  need(n: number): number {
    const at = this.pos;
    if (at + n > this.bytes.length) throw new RangeError("msgpack: unexpected end of data");
    this.pos += n;
    return at;
  }

  value(depth: number): unknown {
    if (depth > 512) throw new RangeError("msgpack: value nested too deeply");
    const tag = this.bytes[this.need(1)]!;
    if (tag < 0x80) return tag;
    if (tag >= 0xe0) return tag - 0x100;
    if (tag >= 0xa0 && tag < 0xc0) return this.str(tag & 0x1f);
    if (tag >= 0x90 && tag < 0xa0) return this.array(tag & 0x0f, depth);
    if (tag >= 0x80 && tag < 0x90) return this.map(tag & 0x0f, depth);
    const v = this.view;
    switch (tag) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return this.bin(v.getUint8(this.need(1)));
      case 0xc5:
        return this.bin(v.getUint16(this.need(2)));
      case 0xc6:
        return this.bin(v.getUint32(this.need(4)));
      case 0xca:
        return v.getFloat32(this.need(4));
      case 0xcb:
        return v.getFloat64(this.need(8));
      case 0xcc:
        return v.getUint8(this.need(1));
      case 0xcd:
        return v.getUint16(this.need(2));
      case 0xce:
        return v.getUint32(this.need(4));
      case 0xcf:
        return Number(v.getBigUint64(this.need(8)));
      case 0xd0:
        return v.getInt8(this.need(1));
      case 0xd1:
        return v.getInt16(this.need(2));
      case 0xd2:
        return v.getInt32(this.need(4));
      case 0xd3:
        return Number(v.getBigInt64(this.need(8)));
      case 0xd9:
        return this.str(v.getUint8(this.need(1)));
      case 0xda:
        return this.str(v.getUint16(this.need(2)));
      case 0xdb:
        return this.str(v.getUint32(this.need(4)));
      case 0xdc:
        return this.array(v.getUint16(this.need(2)), depth);
      case 0xdd:
        return this.array(v.getUint32(this.need(4)), depth);
      case 0xde:
        return this.map(v.getUint16(this.need(2)), depth);
      case 0xdf:
        return this.map(v.getUint32(this.need(4)), depth);
      default:
        throw new TypeError(`msgpack: unsupported type 0x${tag.toString(16)}`);
    }
  }

  str(n: number): string {
    const at = this.need(n);
    return utf8Decoder.decode(this.bytes.subarray(at, at + n));
  }

  bin(n: number): Uint8Array {
    const at = this.need(n);
    return this.bytes.slice(at, at + n);
  }

  array(n: number, depth: number): unknown[] {
    // Each element takes at least one byte: a huge claimed length fails fast.
    if (n > this.bytes.length - this.pos) throw new RangeError("msgpack: unexpected end of data");
    const out = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.value(depth + 1);
    return out;
  }

  map(n: number, depth: number): Record<string, unknown> {
    if (n * 2 > this.bytes.length - this.pos) {
      throw new RangeError("msgpack: unexpected end of data");
    }
    const out: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const key = this.value(depth + 1);
      if (typeof key !== "string" && typeof key !== "number") {
        throw new TypeError("msgpack: map keys must be strings or numbers");
      }
      const value = this.value(depth + 1);
      if (key === "__proto__") {
        Object.defineProperty(out, key, { value, enumerable: true, writable: true });
      } else out[key] = value;
    }
    return out;
  }
}

/** Decodes exactly one value; trailing bytes, truncation or unknown types throw. */
export function decode(bytes: Uint8Array): unknown {
  const reader = new Reader(bytes);
  const value = reader.value(0);
  if (reader.pos !== bytes.length) throw new RangeError("msgpack: trailing bytes");
  return value;
}
