/**
 * bcrypt (`$2a$`) over Blowfish. Blowfish's initial P-array and S-boxes are
 * the hexadecimal digits of pi's fraction, so they are computed once (a
 * Machin-formula sum in BigInt) instead of being pasted in as 1042 constants.
 */

/** Words in the P-array and the four S-boxes. */
const P_WORDS = 18;
const S_WORDS = 4 * 256;
const MAGIC = new TextEncoder().encode("OrpheanBeholderScryDoubt");
const ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** bcrypt reads at most this many password bytes (including the trailing NUL). */
const MAX_KEY_BYTES = 72;

let piWords: Uint32Array | undefined;

/** The first `count` 32-bit words of pi's fractional part in binary. */
function piFraction(count: number): Uint32Array {
  const bits = BigInt(count * 32);
  const guard = 64n;
  const one = 1n << (bits + guard);
  const arctanInverse = (x: bigint): bigint => {
    let power = one / x;
    let sum = power;
    const x2 = x * x;
    for (let n = 1n, negative = true;; n++, negative = !negative) {
      power /= x2;
      const term = power / (2n * n + 1n);
      if (term === 0n) return sum;
      sum += negative ? -term : term;
    }
  };
  const pi = 16n * arctanInverse(5n) - 4n * arctanInverse(239n);
  const fraction = (pi >> guard) & ((1n << bits) - 1n);
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    out[i] = Number((fraction >> (bits - BigInt(32 * (i + 1)))) & 0xffffffffn);
  }
  return out;
}

interface BlowfishState {
  readonly p: Uint32Array;
  readonly s: Uint32Array;
}

function initialState(): BlowfishState {
  piWords ??= piFraction(P_WORDS + S_WORDS);
  return { p: piWords.slice(0, P_WORDS), s: piWords.slice(P_WORDS) };
}

function f(s: Uint32Array, x: number): number {
  const a = s[x >>> 24]!;
  const b = s[256 + ((x >>> 16) & 0xff)]!;
  const c = s[512 + ((x >>> 8) & 0xff)]!;
  const d = s[768 + (x & 0xff)]!;
  return ((((a + b) >>> 0) ^ c) + d) >>> 0;
}

/** Enciphers the block in `lr` in place. */
function encipher(state: BlowfishState, lr: Uint32Array): void {
  const { p, s } = state;
  let l = lr[0]! ^ p[0]!;
  let r = lr[1]!;
  for (let i = 1; i <= 16; i += 2) {
    r ^= f(s, l) ^ p[i]!;
    l ^= f(s, r) ^ p[i + 1]!;
  }
  lr[0] = (r ^ p[17]!) >>> 0;
  lr[1] = l >>> 0;
}

/** Reads 32-bit big-endian words from `data`, wrapping around. */
function wordStream(data: Uint8Array): () => number {
  let pos = 0;
  return () => {
    let word = 0;
    for (let i = 0; i < 4; i++) {
      word = ((word << 8) | data[pos]!) >>> 0;
      pos = (pos + 1) % data.length;
    }
    return word;
  };
}

/** Blowfish's key schedule, with bcrypt's salt mixed in when given. */
function expandKey(state: BlowfishState, key: Uint8Array, salt: Uint8Array | undefined): void {
  const keyWord = wordStream(key);
  for (let i = 0; i < P_WORDS; i++) state.p[i] = (state.p[i]! ^ keyWord()) >>> 0;
  const saltWord = salt === undefined ? () => 0 : wordStream(salt);
  const lr = new Uint32Array(2);
  const fill = (target: Uint32Array) => {
    for (let i = 0; i < target.length; i += 2) {
      lr[0] = lr[0]! ^ saltWord();
      lr[1] = lr[1]! ^ saltWord();
      encipher(state, lr);
      target[i] = lr[0]!;
      target[i + 1] = lr[1]!;
    }
  };
  fill(state.p);
  fill(state.s);
}

/** bcrypt's own base64: its alphabet, no padding. */
function encode(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i]!;
    const b1 = bytes[i + 1] ?? 0;
    const b2 = bytes[i + 2] ?? 0;
    out += ALPHABET[b0 >> 2]! + ALPHABET[((b0 & 3) << 4) | (b1 >> 4)]!;
    if (i + 1 < bytes.length) out += ALPHABET[((b1 & 0xf) << 2) | (b2 >> 6)]!;
    if (i + 2 < bytes.length) out += ALPHABET[b2 & 0x3f]!;
  }
  return out;
}

/**
 * Hashes `password` with a 16-byte `salt` at `cost` (4..31) into a `$2a$` string.
 *
 * @example
 * ```ts
 * import { bcryptHash } from "./bcrypt.ts";
 * bcryptHash(new TextEncoder().encode("hello"), 4, new Uint8Array(16)).slice(0, 7); // "$2a$04$"
 * ```
 */
export function bcryptHash(password: Uint8Array, cost: number, salt: Uint8Array): string {
  if (password.length > MAX_KEY_BYTES) {
    throw new RangeError(
      "error occured generating password bcrypt: password length exceeds 72 bytes",
    );
  }
  const key = new Uint8Array(Math.min(password.length + 1, MAX_KEY_BYTES));
  key.set(password.subarray(0, key.length - 1));
  const state = initialState();
  expandKey(state, key, salt);
  for (let round = 0; round < 2 ** cost; round++) {
    expandKey(state, key, undefined);
    expandKey(state, salt, undefined);
  }
  const words = new Uint32Array(6);
  const view = new DataView(MAGIC.buffer, MAGIC.byteOffset, MAGIC.byteLength);
  for (let i = 0; i < 6; i++) words[i] = view.getUint32(i * 4);
  const lr = new Uint32Array(2);
  for (let block = 0; block < 6; block += 2) {
    lr[0] = words[block]!;
    lr[1] = words[block + 1]!;
    for (let i = 0; i < 64; i++) encipher(state, lr);
    words[block] = lr[0]!;
    words[block + 1] = lr[1]!;
  }
  const out = new Uint8Array(24);
  const outView = new DataView(out.buffer);
  for (let i = 0; i < 6; i++) outView.setUint32(i * 4, words[i]!);
  const costText = String(cost).padStart(2, "0");
  return `$2a$${costText}$${encode(salt.subarray(0, 16))}${encode(out.subarray(0, 23))}`;
}
