/**
 * RFC 3339 times to and from Unix nanoseconds, computed arithmetically so the
 * scheduler never touches the wall clock (no `Date`).
 */

import { NS_PER_SECOND } from "../core/mod.ts";

const SECONDS_PER_DAY = 86_400;
// Days between 0000-03-01 and 1970-01-01 in the proleptic Gregorian calendar.
const EPOCH_SHIFT_DAYS = 719_468;
const DAYS_PER_ERA = 146_097;

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$/;

/** A calendar date. */
interface CivilDate {
  year: number;
  month: number;
  day: number;
}

function civilFromDays(days: number): CivilDate {
  const z = days + EPOCH_SHIFT_DAYS;
  const era = Math.floor(z / DAYS_PER_ERA);
  const doe = z - era * DAYS_PER_ERA;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day };
}

function daysFromCivil(date: CivilDate): number {
  const year = date.month <= 2 ? date.year - 1 : date.year;
  const era = Math.floor(year / 400);
  const yoe = year - era * 400;
  const mp = date.month > 2 ? date.month - 3 : date.month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + date.day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * DAYS_PER_ERA + doe - EPOCH_SHIFT_DAYS;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/**
 * Formats Unix nanoseconds the way Go's `time.RFC3339Nano` does (UTC, trailing
 * zeros of the fraction dropped).
 *
 * @example
 * ```ts
 * import { formatRfc3339Nano } from "./time_format.ts";
 * formatRfc3339Nano(1_500_000_000); // "1970-01-01T00:00:01.5Z"
 * ```
 */
export function formatRfc3339Nano(ns: number): string {
  const seconds = Math.floor(ns / NS_PER_SECOND);
  // Nanosecond timestamps exceed 2^53, so the fraction is approximate; clamp it.
  const fraction = Math.min(
    NS_PER_SECOND - 1,
    Math.max(0, Math.round(ns - seconds * NS_PER_SECOND)),
  );
  const days = Math.floor(seconds / SECONDS_PER_DAY);
  const secondOfDay = seconds - days * SECONDS_PER_DAY;
  const date = civilFromDays(days);
  const hh = Math.floor(secondOfDay / 3600);
  const mm = Math.floor((secondOfDay % 3600) / 60);
  const ss = secondOfDay % 60;
  const frac = fraction === 0 ? "" : `.${pad(fraction, 9).replace(/0+$/, "")}`;
  return `${pad(date.year, 4)}-${pad(date.month)}-${pad(date.day)}T${pad(hh)}:${pad(mm)}:${
    pad(ss)
  }${frac}Z`;
}

/**
 * Parses an RFC 3339 timestamp into Unix nanoseconds; `undefined` when the text
 * is not one.
 *
 * @example
 * ```ts
 * import { parseRfc3339Ns } from "./time_format.ts";
 * parseRfc3339Ns("1970-01-01T00:00:02Z"); // 2_000_000_000
 * ```
 */
export function parseRfc3339Ns(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const days = daysFromCivil({ year: Number(y), month: Number(mo), day: Number(d) });
  let seconds = days * SECONDS_PER_DAY + Number(h) * 3600 + Number(mi) * 60 + Number(s);
  if (zone !== undefined && zone !== "Z" && zone !== "z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    seconds -= sign * (Number(zone.slice(1, 3)) * 3600 + Number(zone.slice(4, 6)) * 60);
  }
  const nanos = frac === undefined ? 0 : Number(frac.padEnd(9, "0"));
  return seconds * NS_PER_SECOND + nanos;
}
