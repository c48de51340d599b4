/** IP network functions: cidrhost, cidrnetmask, cidrsubnet, cidrsubnets (IPv4 and IPv6). */

import type { HclFunction } from "../evaluator.ts";
import { defineFunction } from "./args.ts";

/** A parsed prefix: the masked network address as a number of `bits` bits, and its length. */
interface Prefix {
  readonly address: bigint;
  readonly length: number;
  readonly bits: 32 | 128;
}

function parseIPv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    return undefined;
  }
  return parts.reduce((n, p) => (n << 8n) | BigInt(p), 0n);
}

function parseIPv6(text: string): bigint | undefined {
  let head = text;
  let tail4: bigint | undefined;
  const lastColon = text.lastIndexOf(":");
  if (text.slice(lastColon + 1).includes(".")) {
    tail4 = parseIPv4(text.slice(lastColon + 1));
    if (tail4 === undefined) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  const fill = 8 - left.length - right.length;
  if ((halves.length === 2 && fill < 1) || (halves.length === 1 && fill !== 0)) return undefined;
  const all = [...left, ...Array<string>(halves.length === 2 ? fill : 0).fill("0"), ...right];
  if (all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  let n = all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
  if (tail4 !== undefined) n = (n & ~0xffffffffn) | tail4;
  return n;
}

function parsePrefix(text: string): Prefix {
  const slash = text.indexOf("/");
  const addressText = text.slice(0, slash);
  const lengthText = text.slice(slash + 1);
  const bad = () => new RangeError(`invalid CIDR expression: invalid CIDR address: ${text}`);
  if (slash < 0 || !/^\d{1,3}$/.test(lengthText)) throw bad();
  const v4 = parseIPv4(addressText);
  const bits = v4 === undefined ? 128 : 32;
  const address = v4 ?? parseIPv6(addressText);
  const length = Number(lengthText);
  if (address === undefined || length > bits) throw bad();
  const hostBits = BigInt(bits - length);
  return { address: (address >> hostBits) << hostBits, length, bits };
}

function formatIPv4(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((n >> shift) & 0xffn)).join(".");
}

/** RFC 5952 text, as Go prints IPv6 addresses: the longest run of two or more zero groups is `::`. */
function formatIPv6(n: bigint): string {
  const groups = Array.from(
    { length: 8 },
    (_v, i) => Number((n >> BigInt(112 - 16 * i)) & 0xffffn),
  );
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

function formatAddress(n: bigint, bits: 32 | 128): string {
  return bits === 32 ? formatIPv4(n) : formatIPv6(n);
}

function cidrhost(prefixText: string, hostnum: number): string {
  const prefix = parsePrefix(prefixText);
  const hostBits = BigInt(prefix.bits - prefix.length);
  const size = 1n << hostBits;
  let host = BigInt(hostnum);
  if (host < 0n) host += size;
  if (host < 0n || host >= size) {
    throw new RangeError(
      `prefix of ${prefix.length} does not accommodate a host numbered ${hostnum}`,
    );
  }
  return formatAddress(prefix.address | host, prefix.bits);
}

function cidrnetmask(prefixText: string): string {
  const prefix = parsePrefix(prefixText);
  const all = (1n << BigInt(prefix.bits)) - 1n;
  const mask = all ^ ((1n << BigInt(prefix.bits - prefix.length)) - 1n);
  return formatAddress(mask, prefix.bits);
}

function subnet(prefix: Prefix, newbits: number, netnum: bigint): Prefix {
  const length = prefix.length + newbits;
  if (length > prefix.bits) {
    throw new RangeError(
      `insufficient address space to extend prefix of ${prefix.length} by ${newbits}`,
    );
  }
  if (netnum < 0n || netnum >= 1n << BigInt(newbits)) {
    throw new RangeError(
      `prefix extension of ${newbits} does not accommodate a subnet numbered ${netnum}`,
    );
  }
  return { ...prefix, address: prefix.address | (netnum << BigInt(prefix.bits - length)), length };
}

function formatPrefix(p: Prefix): string {
  return `${formatAddress(p.address, p.bits)}/${p.length}`;
}

/** `cidrsubnets`: consecutive, aligned subnets of the given sizes. */
function cidrsubnets(
  prefixText: string,
  newbits: readonly number[],
  error: (i: number, m: string) => Error,
): string[] {
  const base = parsePrefix(prefixText);
  const end = base.address + (1n << BigInt(base.bits - base.length));
  let next = base.address;
  const out: string[] = [];
  newbits.forEach((bits, i) => {
    const length = base.length + bits;
    if (bits < 1 || length > base.bits) {
      throw error(
        i,
        `would extend prefix to ${length} bits, which is too long for an IPv${
          base.bits === 32 ? 4 : 6
        } address`,
      );
    }
    const size = 1n << BigInt(base.bits - length);
    const start = ((next + size - 1n) / size) * size;
    if (start + size > end) {
      const previous = out[out.length - 1] ?? formatPrefix(base);
      throw error(
        i,
        `not enough remaining address space for a subnet with a prefix of ${length} bits after ${previous}`,
      );
    }
    out.push(formatPrefix({ ...base, address: start, length }));
    next = start + size;
  });
  return out;
}

/** The IP network functions, by name. */
export const NETWORK_FUNCTIONS: Readonly<Record<string, HclFunction>> = {
  cidrhost: defineFunction(
    "cidrhost",
    { params: ["prefix", "hostnum"] },
    (a) => cidrhost(a.string(0), a.integer(1)),
  ),
  cidrnetmask: defineFunction(
    "cidrnetmask",
    { params: ["prefix"] },
    (a) => cidrnetmask(a.string(0)),
  ),
  cidrsubnet: defineFunction(
    "cidrsubnet",
    { params: ["prefix", "newbits", "netnum"] },
    (a) => formatPrefix(subnet(parsePrefix(a.string(0)), a.integer(1), BigInt(a.integer(2)))),
  ),
  cidrsubnets: defineFunction(
    "cidrsubnets",
    { params: ["prefix"], variadic: "newbits" },
    (a) =>
      cidrsubnets(
        a.string(0),
        a.values.slice(1).map((_v, i) => a.integer(i + 1)),
        (i, message) => a.error(i + 1, message),
      ),
  ),
};
