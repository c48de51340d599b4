/**
 * Version constraints for the `version` and `semver` constraint operands,
 * following the behaviour of hashicorp/go-version: comma-separated clauses
 * (`>= 1.2, < 2.0`), operators `= != > < >= <= ~>`, numeric segments padded to
 * three, pre-releases ordered below releases.
 */

/** A parsed version. */
export interface ParsedVersion {
  /** Numeric segments, padded with zeros to at least three. */
  segments: readonly number[];
  /** How many segments the text actually specified. */
  specified: number;
  /** Pre-release label without the leading dash ("" when none). */
  prerelease: string;
}

/** Which rules to use: go-version's (`version`) or strict semver ordering (`semver`). */
export type VersionMode = "version" | "semver";

const VERSION_RE =
  /^v?(\d+(?:\.\d+)*)(?:-?([0-9A-Za-z~-]+(?:\.[0-9A-Za-z~-]+)*))?(?:\+([0-9A-Za-z~-]+(?:\.[0-9A-Za-z~-]+)*))?$/;
const CLAUSE_RE = /^(=|!=|>=|=>|<=|=<|>|<|~>)?\s*(\S+)$/;
const MIN_SEGMENTS = 3;

/**
 * Parses a version ("1.2", "v1.2.3-beta.1+meta"); `undefined` when invalid.
 *
 * @example
 * ```ts
 * import { parseVersion } from "./version_constraint.ts";
 * parseVersion("1.2")?.segments; // [1, 2, 0]
 * ```
 */
export function parseVersion(text: string): ParsedVersion | undefined {
  const m = VERSION_RE.exec(text.trim());
  if (!m || m[1] === undefined) return undefined;
  const parts = m[1].split(".").map(Number);
  if (parts.some((n) => !Number.isSafeInteger(n))) return undefined;
  const specified = parts.length;
  while (parts.length < MIN_SEGMENTS) parts.push(0);
  return { segments: parts, specified, prerelease: m[2] ?? "" };
}

function comparePrereleasePart(a: string, b: string): number {
  const aNum = /^\d+$/.test(a);
  const bNum = /^\d+$/.test(b);
  if (aNum && bNum) return Math.sign(Number(a) - Number(b));
  if (aNum) return -1;
  if (bNum) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function comparePrerelease(a: string, b: string): number {
  if (a === b) return 0;
  if (a === "") return 1;
  if (b === "") return -1;
  const ap = a.split(".");
  const bp = b.split(".");
  for (let i = 0; i < Math.max(ap.length, bp.length); i++) {
    const x = ap[i];
    const y = bp[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const c = comparePrereleasePart(x, y);
    if (c !== 0) return c;
  }
  return 0;
}

/**
 * Compares two versions: -1, 0 or 1.
 *
 * @example
 * ```ts
 * import { compareVersions, parseVersion } from "./version_constraint.ts";
 * compareVersions(parseVersion("1.10")!, parseVersion("1.9")!); // 1
 * ```
 */
export function compareVersions(a: ParsedVersion, b: ParsedVersion): number {
  const n = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const d = (a.segments[i] ?? 0) - (b.segments[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return comparePrerelease(a.prerelease, b.prerelease);
}

function sameSegments(a: ParsedVersion, b: ParsedVersion): boolean {
  const n = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) if ((a.segments[i] ?? 0) !== (b.segments[i] ?? 0)) return false;
  return true;
}

// go-version: a pre-release version only satisfies ordering clauses that name a
// pre-release of the same release; a clause without pre-release never matches one.
function prereleaseCompatible(v: ParsedVersion, c: ParsedVersion, mode: VersionMode): boolean {
  if (mode === "semver") return true;
  if (v.prerelease !== "" && c.prerelease !== "") return sameSegments(v, c);
  return v.prerelease === "";
}

function pessimistic(v: ParsedVersion, c: ParsedVersion, mode: VersionMode): boolean {
  if (!prereleaseCompatible(v, c, mode)) return false;
  if (c.prerelease !== "" && v.prerelease === "") return false;
  if (compareVersions(v, c) < 0) return false;
  for (let i = 0; i < c.specified - 1; i++) {
    if (v.segments[i] !== c.segments[i]) return false;
  }
  const last = c.specified - 1;
  return (v.segments[last] ?? 0) >= (c.segments[last] ?? 0);
}

function checkClause(
  v: ParsedVersion,
  operator: string,
  c: ParsedVersion,
  mode: VersionMode,
): boolean {
  const cmp = compareVersions(v, c);
  switch (operator) {
    case "=":
      return cmp === 0;
    case "!=":
      return cmp !== 0;
    case ">":
      return prereleaseCompatible(v, c, mode) && cmp > 0;
    case "<":
      return prereleaseCompatible(v, c, mode) && cmp < 0;
    case ">=":
    case "=>":
      return prereleaseCompatible(v, c, mode) && cmp >= 0;
    case "<=":
    case "=<":
      return prereleaseCompatible(v, c, mode) && cmp <= 0;
    case "~>":
      return pessimistic(v, c, mode);
    default:
      return false;
  }
}

/**
 * True when `versionText` satisfies every clause of `constraintText`. An
 * unparsable version or constraint never matches, as in Nomad.
 *
 * @example
 * ```ts
 * import { checkVersionConstraint } from "./version_constraint.ts";
 * checkVersionConstraint("1.4.2", ">= 1.2, < 2.0", "version"); // true
 * checkVersionConstraint("1.4.2", "~> 1.3.0", "version"); // false
 * ```
 */
export function checkVersionConstraint(
  versionText: string,
  constraintText: string,
  mode: VersionMode,
): boolean {
  const version = parseVersion(versionText);
  if (version === undefined) return false;
  const clauses = constraintText.split(",").map((c) => c.trim());
  if (clauses.length === 0 || clauses.some((c) => c === "")) return false;
  for (const clause of clauses) {
    const m = CLAUSE_RE.exec(clause);
    if (!m || m[2] === undefined) return false;
    const target = parseVersion(m[2]);
    if (target === undefined) return false;
    if (!checkClause(version, m[1] ?? "=", target, mode)) return false;
  }
  return true;
}
