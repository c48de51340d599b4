/** Date and time functions: formatdate and timeadd, on RFC 3339 timestamps. */

import type { HclFunction } from "../evaluator.ts";
import { type Args, defineFunction } from "./args.ts";

/** A parsed timestamp: the UTC instant in whole seconds plus nanoseconds, and the written offset. */
interface Timestamp {
  readonly seconds: bigint;
  readonly nanos: bigint;
  /** Offset east of UTC in minutes; `null` when written as `Z`. */
  readonly offsetMinutes: number | null;
}

const NS_PER_SECOND = 1_000_000_000n;
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

function parseTimestamp(text: string): Timestamp {
  const m = RFC3339.exec(text);
  if (m === null) {
    const reason = !/^\d{4}-\d{2}-\d{2}T/i.test(text) && /^\d{4}-\d{2}-\d{2}/.test(text)
      ? "missing required time introducer 'T'"
      : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/i.test(text)
      ? "end of string before UTC offset"
      : `cannot parse ${JSON.stringify(text)}`;
    throw new RangeError(`not a valid RFC3339 timestamp: ${reason}`);
  }
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as number[];
  if (month! < 1 || month! > 12) {
    throw new RangeError(
      `not a valid RFC3339 timestamp: cannot use ${JSON.stringify(text.slice(7))} as month`,
    );
  }
  const days = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  if (day! < 1 || day! > days || hour! > 23 || minute! > 59 || second! > 59) {
    throw new RangeError(`not a valid RFC3339 timestamp: value out of range`);
  }
  const zone = m[8]!.toUpperCase();
  // A zero offset is UTC, which Go prints as "Z" (and names "UTC").
  const written = zone === "Z"
    ? 0
    : (zone.startsWith("-") ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  const offsetMinutes = written === 0 ? null : written;
  const local = BigInt(Date.UTC(year!, month! - 1, day!, hour!, minute!, second!) / 1000);
  const nanos = BigInt((m[7] ?? ".0").slice(1, 10).padEnd(9, "0"));
  return { seconds: local - BigInt((offsetMinutes ?? 0) * 60), nanos, offsetMinutes };
}

/** The wall-clock fields of a timestamp in its own offset. */
function fields(t: Timestamp): Date {
  return new Date(Number(t.seconds + BigInt((t.offsetMinutes ?? 0) * 60)) * 1000);
}

function offsetText(t: Timestamp, colon: boolean): string {
  const minutes = t.offsetMinutes ?? 0;
  const abs = Math.abs(minutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, "0");
  const mm = String(abs % 60).padStart(2, "0");
  return `${minutes < 0 ? "-" : "+"}${hh}${colon ? ":" : ""}${mm}`;
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

/** One formatdate verb (a run of one letter) rendered for `t`. */
function formatVerb(verb: string, t: Timestamp, d: Date): string {
  const hour = d.getUTCHours();
  const hour12 = hour % 12 === 0 ? 12 : hour % 12;
  const table: Record<string, string | (() => string)> = {
    YY: () => pad2(d.getUTCFullYear() % 100),
    YYYY: () => String(d.getUTCFullYear()).padStart(4, "0"),
    M: () => String(d.getUTCMonth() + 1),
    MM: () => pad2(d.getUTCMonth() + 1),
    MMM: () => MONTHS[d.getUTCMonth()]!.slice(0, 3),
    MMMM: () => MONTHS[d.getUTCMonth()]!,
    D: () => String(d.getUTCDate()),
    DD: () => pad2(d.getUTCDate()),
    EEE: () => DAYS[d.getUTCDay()]!.slice(0, 3),
    EEEE: () => DAYS[d.getUTCDay()]!,
    h: () => String(hour),
    hh: () => pad2(hour),
    H: () => String(hour12),
    HH: () => pad2(hour12),
    m: () => String(d.getUTCMinutes()),
    mm: () => pad2(d.getUTCMinutes()),
    s: () => String(d.getUTCSeconds()),
    ss: () => pad2(d.getUTCSeconds()),
    aa: () => (hour < 12 ? "am" : "pm"),
    AA: () => (hour < 12 ? "AM" : "PM"),
    Z: () => (t.offsetMinutes === null ? "Z" : offsetText(t, true)),
    ZZZ: () => (t.offsetMinutes === null ? "UTC" : offsetText(t, false)),
    ZZZZ: () => offsetText(t, false),
    ZZZZZ: () => offsetText(t, true),
  };
  const render = table[verb];
  if (render !== undefined) return typeof render === "string" ? render : render();
  throw new RangeError(
    `invalid date format verb ${JSON.stringify(verb)}${VERB_HINTS[verb[0]!] ?? ""}`,
  );
}

const VERB_HINTS: Readonly<Record<string, string>> = {
  Y: ': year must either be "YY" or "YYYY"',
  M: ': month must be "M", "MM", "MMM", or "MMMM"',
  D: ': day of month must either be "D" or "DD"',
  E: ': day of week must either be "EEE" or "EEEE"',
  h: ': 24-hour must either be "h" or "hh"',
  H: ': 12-hour must either be "H" or "HH"',
  m: ': minute must either be "m" or "mm"',
  s: ': second must either be "s" or "ss"',
  a: ': must be "aa"',
  A: ': must be "AA"',
  Z: ": timezone must be Z, ZZZZ, or ZZZZZ",
};

function formatdate(a: Args): string {
  const spec = a.string(0);
  const timeText = a.string(1);
  // Check the format before the time, as Nomad reports format errors first.
  const tokens = tokenize(spec, (m) => a.error(0, m));
  const t = (() => {
    try {
      return parseTimestamp(timeText);
    } catch (error) {
      throw a.error(1, error instanceof Error ? error.message : String(error));
    }
  })();
  const d = fields(t);
  return tokens.map((tok) => {
    if (tok.literal) return tok.text;
    try {
      return formatVerb(tok.text, t, d);
    } catch (error) {
      throw a.error(0, error instanceof Error ? error.message : String(error));
    }
  }).join("");
}

interface Token {
  readonly literal: boolean;
  readonly text: string;
}

/** Splits a formatdate spec into letter runs and literals (`'...'`, `''` for a quote). */
function tokenize(spec: string, error: (message: string) => Error): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < spec.length) {
    const c = spec[i]!;
    if (c === "'") {
      let j = i + 1;
      let text = "";
      for (;; j++) {
        if (j >= spec.length) throw error("unterminated literal '");
        if (spec[j] === "'" && spec[j + 1] === "'") (text += "'"), j++;
        else if (spec[j] === "'") break;
        else text += spec[j];
      }
      out.push({ literal: true, text: i + 1 === j ? "'" : text });
      i = j + 1;
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (spec[j] === c) j++;
      out.push({ literal: false, text: spec.slice(i, j) });
      if (!VALID_VERBS.has(spec.slice(i, j))) formatVerbCheck(spec.slice(i, j), error);
      i = j;
    } else {
      out.push({ literal: true, text: c });
      i++;
    }
  }
  return out;
}

const VALID_VERBS = new Set([
  "YY",
  "YYYY",
  "M",
  "MM",
  "MMM",
  "MMMM",
  "D",
  "DD",
  "EEE",
  "EEEE",
  "h",
  "hh",
  "H",
  "HH",
  "m",
  "mm",
  "s",
  "ss",
  "aa",
  "AA",
  "Z",
  "ZZZ",
  "ZZZZ",
  "ZZZZZ",
]);

function formatVerbCheck(verb: string, error: (message: string) => Error): never {
  throw error(`invalid date format verb ${JSON.stringify(verb)}${VERB_HINTS[verb[0]!] ?? ""}`);
}

const DURATION_UNITS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  "µs": 1_000n,
  "μs": 1_000n,
  ms: 1_000_000n,
  s: NS_PER_SECOND,
  m: 60n * NS_PER_SECOND,
  h: 3600n * NS_PER_SECOND,
};

/** Go's time.ParseDuration, in nanoseconds. */
export function parseGoDuration(text: string): bigint {
  const invalid = () => new RangeError(`time: invalid duration ${JSON.stringify(text)}`);
  let rest = text;
  let negative = false;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    negative = rest.startsWith("-");
    rest = rest.slice(1);
  }
  if (rest === "0") return 0n;
  if (rest === "") throw invalid();
  let total = 0n;
  while (rest !== "") {
    const m = /^(\d*)(?:\.(\d*))?([^\d.]*)/.exec(rest)!;
    const [whole = "", fraction = "", unit = ""] = [m[1], m[2], m[3]];
    if (whole === "" && fraction === "") throw invalid();
    if (unit === "") throw new RangeError(`time: missing unit in duration ${JSON.stringify(text)}`);
    const scale = DURATION_UNITS[unit];
    if (scale === undefined) {
      throw new RangeError(
        `time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(text)}`,
      );
    }
    total += BigInt(whole || "0") * scale;
    if (fraction !== "") total += (BigInt(fraction) * scale) / 10n ** BigInt(fraction.length);
    rest = rest.slice(m[0].length);
  }
  return negative ? -total : total;
}

function timeadd(a: Args): string {
  let t: Timestamp;
  try {
    t = parseTimestamp(a.string(0));
  } catch (error) {
    throw a.error(0, error instanceof Error ? error.message : String(error));
  }
  const total = t.seconds * NS_PER_SECOND + t.nanos + parseGoDuration(a.string(1));
  const seconds = total >= 0n
    ? total / NS_PER_SECOND
    : -((-total + NS_PER_SECOND - 1n) / NS_PER_SECOND);
  const result: Timestamp = { seconds, nanos: 0n, offsetMinutes: t.offsetMinutes };
  const d = fields(result);
  const date = d.toISOString().slice(0, 19);
  return `${date}${t.offsetMinutes === null ? "Z" : offsetText(t, true)}`;
}

/** The date and time functions, by name. */
export const DATETIME_FUNCTIONS: Readonly<Record<string, HclFunction>> = {
  formatdate: defineFunction("formatdate", { params: ["format", "time"] }, formatdate),
  timeadd: defineFunction("timeadd", { params: ["timestamp", "duration"] }, timeadd),
};
