/**
 * Output helpers that reproduce Nomad's CLI layout: `columnize` tables
 * (`|`-separated input, two-space glue), `Key = Value` blocks, ISO-8601 times
 * and relative ages such as `1m3s ago`.
 */

import { formatDuration } from "../core/clock.ts";

/** Settings of {@linkcode columnize}; the defaults are ryanuber/columnize's. */
export interface ColumnizeConfig {
  /** Input column separator. */
  delim?: string;
  /** Text placed between output columns. */
  glue?: string;
  /** Text placed before every line. */
  prefix?: string;
  /** Replacement for empty cells ("" leaves them empty). */
  empty?: string;
  /** Keep the whitespace around cells. */
  noTrim?: boolean;
}

/**
 * Aligns `|`-separated lines into columns. Every column but the last is padded
 * to its widest cell; the last is not padded.
 *
 * @example
 * ```ts
 * import { columnize } from "./format.ts";
 * columnize(["ID|Status", "web|running"]); // "ID   Status\nweb  running"
 * ```
 */
export function columnize(lines: readonly string[], config: ColumnizeConfig = {}): string {
  const conf = { delim: "|", glue: "  ", prefix: "", empty: "", noTrim: false, ...config };
  const rows = lines.map((line) => cells(line, conf));
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, textWidth(cell));
    });
  }
  const out = rows.map((row) =>
    conf.prefix +
    row.map((cell, i) => i === row.length - 1 ? cell : pad(cell, widths[i] ?? 0) + conf.glue)
      .join("")
  );
  return out.join("\n");
}

function cells(line: string, conf: Required<ColumnizeConfig>): string[] {
  return line.split(conf.delim).map((field) => {
    const value = conf.noTrim ? field : field.trim();
    return value === "" && conf.empty !== "" ? conf.empty : value;
  });
}

function textWidth(text: string): number {
  return Array.from(text).length;
}

function pad(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - textWidth(text)));
}

/** A table with `<none>` for empty cells, as Nomad's `formatList` prints. */
export function formatList(lines: readonly string[]): string {
  return columnize(lines, { empty: "<none>" });
}

/** A table that leaves empty cells blank (Nomad's `formatListWithSpaces`). */
export function formatListWithSpaces(lines: readonly string[]): string {
  return columnize(lines);
}

/**
 * `Key|Value` lines as an aligned `Key = Value` block.
 *
 * @example
 * ```ts
 * import { formatKV } from "./format.ts";
 * formatKV(["ID|web", "Submit Date|"]); // "ID          = web\nSubmit Date = <none>"
 * ```
 */
export function formatKV(lines: readonly string[]): string {
  return columnize(lines, { glue: " = ", empty: "<none>" });
}

/** The first `length` characters of `text` (Nomad's `limit`). */
export function limit(text: string, length: number): string {
  return text.length < length ? text : text.slice(0, length);
}

/** Characters of an ID Nomad shows by default. */
export const SHORT_ID_LENGTH = 8;
/** Characters of a full UUID. */
export const FULL_ID_LENGTH = 36;

/**
 * A time as `2006-01-02T15:04:05Z07:00` in the local zone ("" for times at or
 * before the Unix epoch, which Nomad leaves blank).
 *
 * @example
 * ```ts
 * import { formatTime } from "./format.ts";
 * formatTime(Date.UTC(2023, 0, 4, 15, 10, 12), 0); // "2023-01-04T15:10:12Z"
 * ```
 */
export function formatTime(epochMs: number, offsetMinutes?: number): string {
  if (!Number.isFinite(epochMs) || Math.floor(epochMs / 1000) < 1) return "";
  const offset = offsetMinutes ?? -new Date(epochMs).getTimezoneOffset();
  const shifted = new Date(epochMs + offset * 60_000);
  const date = `${shifted.getUTCFullYear()}-${two(shifted.getUTCMonth() + 1)}-${
    two(shifted.getUTCDate())
  }`;
  const time = `${two(shifted.getUTCHours())}:${two(shifted.getUTCMinutes())}:${
    two(shifted.getUTCSeconds())
  }`;
  return `${date}T${time}${zoneSuffix(offset)}`;
}

function zoneSuffix(offsetMinutes: number): string {
  if (offsetMinutes === 0) return "Z";
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  return `${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}

function two(n: number): string {
  return String(n).padStart(2, "0");
}

/** {@linkcode formatTime} for Nomad's nanosecond timestamps. */
export function formatUnixNanoTime(ns: number, offsetMinutes?: number): string {
  return formatTime(Math.floor(ns / 1e6), offsetMinutes);
}

/** Milliseconds of an RFC 3339 time string; 0 for Go's zero time, null or garbage. */
export function parseApiTime(text: string | null | undefined): number {
  if (text === null || text === undefined || text === "" || text.startsWith("0001-01-01")) return 0;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? 0 : ms;
}

/**
 * Human age between two times with the two most significant units, like
 * Nomad's `prettyTimeDiff`: `5s ago`, `1m3s ago`, `1h13m ago`, `2d from now`.
 * Units: s, m, h, d (24h), mo (30d), y (12mo). A zero `firstMs` gives "".
 *
 * @example
 * ```ts
 * import { prettyTimeDiff } from "./format.ts";
 * prettyTimeDiff(0 + 1000, 64_000); // "1m3s ago"
 * ```
 */
export function prettyTimeDiff(firstMs: number, secondMs: number): string {
  if (firstMs === 0) return "";
  const first = Math.round(firstMs / 1000);
  const second = Math.round(secondMs / 1000);
  const suffix = second >= first ? "ago" : "from now";
  let rest = Math.abs(second - first);
  const parts: string[] = [];
  const units: [number, string][] = [[60, "s"], [60, "m"], [24, "h"], [30, "d"], [12, "mo"]];
  for (const [size, unit] of units) {
    const value = rest % size;
    if (value > 0) parts.push(`${value}${unit}`);
    rest = Math.floor(rest / size);
    if (rest === 0) break;
  }
  if (rest > 0) parts.push(`${rest}y`);
  const top = parts.reverse().slice(0, 2).join("");
  return `${top === "" ? "0s" : top} ${suffix}`;
}

/** Bytes in IEC units like go-humanize's `IBytes`: `256 MiB`, `1.9 MiB`, `512 B`. */
export function humanizeIBytes(bytes: number): string {
  if (bytes < 10) return `${bytes} B`;
  const sizes = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  const exponent = Math.floor(Math.log(bytes) / Math.log(1024));
  const suffix = sizes[exponent] ?? "B";
  const value = Math.floor((bytes / Math.pow(1024, exponent)) * 10 + 0.5) / 10;
  return value < 10 ? `${value.toFixed(1)} ${suffix}` : `${value.toFixed(0)} ${suffix}`;
}

export { quote } from "../core/go_quote.ts";

/** Go's `time.Duration.String()` for nanoseconds (`1m30s`, `38.474µs`). */
export function formatGoDuration(ns: number): string {
  return formatDuration(ns);
}
