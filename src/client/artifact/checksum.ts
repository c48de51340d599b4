/**
 * Artifact checksums as go-getter takes them: `type:hex` with type md5, sha1,
 * sha256 or sha512, a bare hex value whose length names the type, or
 * `file:<url>` naming a checksum file (`<hex>  <name>` lines).
 */

/** Hash types an artifact checksum may use. */
export const CHECKSUM_TYPES = ["md5", "sha1", "sha256", "sha512"] as const;
/** One of {@linkcode CHECKSUM_TYPES}. */
export type ChecksumType = typeof CHECKSUM_TYPES[number];

/** Hex length of each hash type. */
const HEX_LENGTH: Record<ChecksumType, number> = { md5: 32, sha1: 40, sha256: 64, sha512: 128 };
/** Largest checksum file read, in bytes. */
export const MAX_CHECKSUM_FILE_BYTES = 1024 * 1024;

/** A parsed checksum. */
export type Checksum =
  | { type: ChecksumType; hex: string }
  | { type: "file"; url: string };

function typeOfLength(hex: string): ChecksumType | undefined {
  return CHECKSUM_TYPES.find((t) => HEX_LENGTH[t] === hex.length);
}

/**
 * Parses a checksum option; throws a TypeError naming the value when it is invalid.
 *
 * @example
 * ```ts
 * import { parseChecksum } from "./checksum.ts";
 * parseChecksum("sha256:" + "ab".repeat(32)); // { type: "sha256", hex: "abab..." }
 * ```
 */
export function parseChecksum(value: string): Checksum {
  const colon = value.indexOf(":");
  if (colon === -1) {
    const hex = value.toLowerCase();
    const type = typeOfLength(hex);
    if (type === undefined || !/^[0-9a-f]+$/.test(hex)) {
      throw new TypeError(
        `invalid checksum: type not specified and cannot be guessed from "${value}"`,
      );
    }
    return { type, hex };
  }
  const type = value.slice(0, colon);
  const rest = value.slice(colon + 1);
  if (type === "file") return { type: "file", url: rest };
  if (!(CHECKSUM_TYPES as readonly string[]).includes(type)) {
    throw new TypeError(
      `unsupported checksum type: "${type}" (want one of ${CHECKSUM_TYPES.join(", ")})`,
    );
  }
  const hex = rest.toLowerCase();
  if (!/^[0-9a-f]*$/.test(hex) || hex.length !== HEX_LENGTH[type as ChecksumType]) {
    throw new TypeError(`invalid checksum: "${rest}" is not a ${type} hex digest`);
  }
  return { type: type as ChecksumType, hex };
}

/**
 * Picks the digest for `fileName` from a checksum file: GNU lines
 * (`<hex>  <name>`, `<hex> *<name>`), BSD lines (`SHA256 (<name>) = <hex>`),
 * or a file holding a single digest.
 */
export function checksumFromFile(
  content: string,
  fileName: string,
): { type: ChecksumType; hex: string } {
  const lines = content.split("\n").map((l) => l.trim()).filter((l) =>
    l !== "" && !l.startsWith("#")
  );
  for (const line of lines) {
    const bsd = /^(\w+) \((.+)\) = ([0-9a-fA-F]+)$/.exec(line);
    const gnu = /^([0-9a-fA-F]+)\s+\*?(.+)$/.exec(line);
    const [name, hex] = bsd !== null
      ? [bsd[2]!, bsd[3]!]
      : gnu !== null
      ? [gnu[2]!, gnu[1]!]
      : ["", ""];
    if (name === fileName || name.endsWith(`/${fileName}`) || name === `./${fileName}`) {
      return parseChecksum(hex) as { type: ChecksumType; hex: string };
    }
  }
  if (lines.length === 1 && /^[0-9a-fA-F]+$/.test(lines[0]!)) {
    return parseChecksum(lines[0]!) as { type: ChecksumType; hex: string };
  }
  throw new TypeError(`checksum file has no checksum for "${fileName}"`);
}

/** Hashes a file with `type`, as lowercase hex. */
export async function hashFile(path: string, type: ChecksumType): Promise<string> {
  // Loaded on first use: node:crypto costs the agent memory, and only checksummed artifacts need it.
  const { createHash } = await import("node:crypto");
  const hash = createHash(type);
  // The readable stream closes the file when it ends or is cancelled.
  const file = await Deno.open(path, { read: true });
  for await (const chunk of file.readable) hash.update(chunk);
  return hash.digest("hex");
}

/** Throws go-getter's mismatch message when the file's digest differs. */
export async function verifyChecksum(
  path: string,
  displayName: string,
  expected: { type: ChecksumType; hex: string },
): Promise<void> {
  const actual = await hashFile(path, expected.type);
  if (actual !== expected.hex) {
    throw new Error(
      `Checksums did not match for ${displayName}.\nExpected: ${expected.hex}\nGot: ${actual}\n${expected.type}`,
    );
  }
}
