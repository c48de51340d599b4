/**
 * Hash and crypto functions: md5, sha1, sha256, sha512, uuidv5, rsadecrypt,
 * and uuidv4 / bcrypt, which take their randomness from the caller.
 */

import { constants, createHash, privateDecrypt } from "node:crypto";
import type { HclFunction } from "../evaluator.ts";
import { defineFunction } from "./args.ts";
import { bcryptHash } from "./bcrypt.ts";

/** Returns `length` random bytes; injected so that this module stays deterministic. */
export type RandomBytes = (length: number) => Uint8Array;

const UTF8 = new TextEncoder();
const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

function digest(algorithm: string, data: Uint8Array | string): Uint8Array {
  return new Uint8Array(createHash(algorithm).update(data).digest());
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function formatUuid(bytes: Uint8Array): string {
  const h = hex(bytes);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${
    h.slice(20, 32)
  }`;
}

/** RFC 4122 namespaces by the names uuidv5 accepts. */
const NAMESPACES: Readonly<Record<string, string>> = {
  dns: "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
  url: "6ba7b811-9dad-11d1-80b4-00c04fd430c8",
  oid: "6ba7b812-9dad-11d1-80b4-00c04fd430c8",
  x500: "6ba7b814-9dad-11d1-80b4-00c04fd430c8",
};

function parseUuid(text: string): Uint8Array {
  const compact = text.replace(/^urn:uuid:/i, "").replace(/^\{(.*)\}$/, "$1");
  if (!/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(compact)) {
    const reason = compact.length === 36 || compact.length === 32
      ? "invalid UUID format"
      : `invalid UUID length: ${text.length}`;
    throw new RangeError(`uuidv5() doesn't support namespace ${text} (${reason})`);
  }
  const h = compact.replaceAll("-", "");
  return Uint8Array.from({ length: 16 }, (_v, i) => parseInt(h.slice(i * 2, i * 2 + 2), 16));
}

/** A name-based UUID (version 5, SHA-1). */
export function uuidV5(namespace: string, name: string): string {
  const ns = parseUuid(NAMESPACES[namespace] ?? namespace);
  const nameBytes = UTF8.encode(name);
  const input = new Uint8Array(ns.length + nameBytes.length);
  input.set(ns);
  input.set(nameBytes, ns.length);
  const bytes = digest("sha1", input).slice(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return formatUuid(bytes);
}

/** A random UUID (version 4) from `random`. */
export function uuidV4(random: RandomBytes): string {
  const bytes = random(16).slice(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return formatUuid(bytes);
}

function rsadecrypt(ciphertext: string, key: string): string {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(ciphertext)) {
    throw new RangeError("failed to decode input: cipher text must be base64-encoded");
  }
  if (!key.includes("-----BEGIN")) throw new RangeError("failed to parse key: no key found");
  let plain: Uint8Array;
  try {
    plain = new Uint8Array(
      privateDecrypt(
        { key, padding: constants.RSA_PKCS1_PADDING },
        Uint8Array.from(atob(ciphertext), (c) => c.charCodeAt(0)),
      ),
    );
  } catch (error) {
    throw new RangeError(`failed to decrypt: ${error instanceof Error ? error.message : error}`);
  }
  return STRICT_UTF8.decode(plain);
}

/** The deterministic hash and crypto functions, by name. */
export const CRYPTO_FUNCTIONS: Readonly<Record<string, HclFunction>> = {
  md5: defineFunction(
    "md5",
    { params: ["str"] },
    (a) => hex(digest("md5", UTF8.encode(a.string(0)))),
  ),
  rsadecrypt: defineFunction(
    "rsadecrypt",
    { params: ["ciphertext", "privatekey"] },
    (a) => rsadecrypt(a.string(0), a.string(1)),
  ),
  sha1: defineFunction(
    "sha1",
    { params: ["str"] },
    (a) => hex(digest("sha1", UTF8.encode(a.string(0)))),
  ),
  sha256: defineFunction(
    "sha256",
    { params: ["str"] },
    (a) => hex(digest("sha256", UTF8.encode(a.string(0)))),
  ),
  sha512: defineFunction(
    "sha512",
    { params: ["str"] },
    (a) => hex(digest("sha512", UTF8.encode(a.string(0)))),
  ),
  uuidv5: defineFunction(
    "uuidv5",
    { params: ["namespace", "name"] },
    (a) => uuidV5(a.string(0), a.string(1)),
  ),
};

/** bcrypt's cost when none (or one below the minimum) is given, as Go's library does. */
const BCRYPT_DEFAULT_COST = 10;
const BCRYPT_MIN_COST = 4;
const BCRYPT_MAX_COST = 31;

/** uuidv4 and bcrypt, which draw random bytes from `random` (undefined: they fail clearly). */
export function randomFunctions(random: RandomBytes | undefined): Record<string, HclFunction> {
  const source = (name: string): RandomBytes => {
    if (random === undefined) {
      throw new RangeError(
        `${name} needs a source of randomness, which this host does not provide`,
      );
    }
    return random;
  };
  return {
    bcrypt: defineFunction("bcrypt", { params: ["str"], variadic: "cost" }, (a) => {
      if (a.length > 2) throw a.error(2, "too many arguments");
      let cost = a.length > 1 ? a.integer(1) : BCRYPT_DEFAULT_COST;
      if (cost < BCRYPT_MIN_COST) cost = BCRYPT_DEFAULT_COST;
      if (cost > BCRYPT_MAX_COST) {
        throw new RangeError(
          `error occured generating password crypto/bcrypt: cost ${cost} is outside allowed inclusive range ${BCRYPT_MIN_COST}..${BCRYPT_MAX_COST}`,
        );
      }
      return bcryptHash(UTF8.encode(a.string(0)), cost, source("bcrypt")(16));
    }),
    uuidv4: defineFunction("uuidv4", { params: [] }, () => uuidV4(source("uuidv4"))),
  };
}
