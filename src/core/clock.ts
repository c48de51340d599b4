/** Time as data: pure code receives `now` from a {@linkcode Clock} owned by the shell. */

/** A source of the current time in Unix nanoseconds (Nomad's wire unit for times). */
export interface Clock {
  /** Current time in Unix nanoseconds. */
  nowNs(): number;
}

/** Nanoseconds in one millisecond. */
export const NS_PER_MS = 1_000_000;
/** Nanoseconds in one second. */
export const NS_PER_SECOND = 1_000_000_000;
/** Nanoseconds in one minute. */
export const NS_PER_MINUTE = 60 * NS_PER_SECOND;
/** Nanoseconds in one hour. */
export const NS_PER_HOUR = 60 * NS_PER_MINUTE;

/**
 * Parses a Go duration string ("5s", "1m30s", "300ms", "1h") into nanoseconds.
 * Returns `undefined` when the text is not a duration.
 *
 * @example
 * ```ts
 * import { parseDuration } from "./clock.ts";
 * parseDuration("1m30s"); // 90_000_000_000
 * ```
 */
export function parseDuration(text: string): number | undefined {
  const units: Record<string, number> = {
    ns: 1,
    us: 1e3,
    "µs": 1e3,
    ms: 1e6,
    s: 1e9,
    m: 60e9,
    h: 3600e9,
  };
  const trimmed = text.trim();
  if (trimmed === "0") return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let pos = 0;
  let sign = 1;
  if (trimmed.startsWith("-")) {
    sign = -1;
    pos = 1;
  }
  if (pos >= trimmed.length) return undefined;
  while (pos < trimmed.length) {
    re.lastIndex = pos;
    const m = re.exec(trimmed);
    if (!m) return undefined;
    total += Number(m[1]) * (units[m[2]!] ?? 0);
    pos = re.lastIndex;
  }
  return sign * Math.round(total);
}

/**
 * Formats nanoseconds as a Go duration string ("1m30s", "15s", "250ms").
 *
 * @example
 * ```ts
 * import { formatDuration } from "./clock.ts";
 * formatDuration(90_000_000_000); // "1m30s"
 * ```
 */
export function formatDuration(ns: number): string {
  if (ns === 0) return "0s";
  const sign = ns < 0 ? "-" : "";
  let rest = Math.abs(ns);
  if (rest < NS_PER_SECOND) {
    if (rest < 1e3) return `${sign}${rest}ns`;
    if (rest < 1e6) return `${sign}${trimFloat(rest / 1e3)}µs`;
    return `${sign}${trimFloat(rest / 1e6)}ms`;
  }
  const h = Math.floor(rest / NS_PER_HOUR);
  rest -= h * NS_PER_HOUR;
  const m = Math.floor(rest / NS_PER_MINUTE);
  rest -= m * NS_PER_MINUTE;
  const s = trimFloat(rest / NS_PER_SECOND);
  if (h > 0) return `${sign}${h}h${m}m${s}s`;
  if (m > 0) return `${sign}${m}m${s}s`;
  return `${sign}${s}s`;
}

function trimFloat(n: number): string {
  return String(Number(n.toFixed(9)));
}
