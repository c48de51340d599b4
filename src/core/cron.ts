/**
 * Cron expressions as Nomad reads them (hashicorp/cronexpr): 5 fields
 * (minute-based), 6 fields (a trailing year) or 7 fields (leading seconds),
 * `@hourly`-style macros, names, ranges, steps, `L`, `W`, `LW`, `nL` and `n#k`,
 * evaluated in an IANA time zone with Go's rules for DST gaps and overlaps.
 * Pure: the caller passes the instant to search from.
 */

/** A parsed cron expression: the allowed values of each field. */
export interface CronExpression {
  readonly seconds: ReadonlySet<number>;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly daysOfMonth: ReadonlySet<number>;
  /** `L` in the day-of-month field. */
  readonly lastDayOfMonth: boolean;
  /** `LW`. */
  readonly lastWorkdayOfMonth: boolean;
  /** `15W`: nearest weekday to these days. */
  readonly workdaysOfMonth: ReadonlySet<number>;
  readonly domRestricted: boolean;
  readonly months: ReadonlySet<number>;
  readonly daysOfWeek: ReadonlySet<number>;
  /** `5L`: last such weekday of the month. */
  readonly lastWeekdaysOfMonth: ReadonlySet<number>;
  /** `5#3` stored as (3 - 1) * 7 + 5. */
  readonly nthWeekdays: ReadonlySet<number>;
  readonly dowRestricted: boolean;
  readonly years: ReadonlySet<number>;
}

/** Latest year a cron expression can match (cronexpr's year domain). */
export const CRON_MAX_YEAR = 2099;
const CRON_MIN_YEAR = 1970;

const MACROS: Record<string, string> = {
  "@yearly": "0 0 0 1 1 * *",
  "@annually": "0 0 0 1 1 * *",
  "@monthly": "0 0 0 1 * * *",
  "@weekly": "0 0 0 * * 0 *",
  "@daily": "0 0 0 * * * *",
  "@hourly": "0 0 * * * * *",
};

const MONTH_NAMES = [
  "jan",
  "feb",
  "mar",
  "apr",
  "may",
  "jun",
  "jul",
  "aug",
  "sep",
  "oct",
  "nov",
  "dec",
];
const MONTH_LONG = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];
const DOW_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const DOW_LONG = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  value: (token: string) => number | undefined;
}

function numberIn(min: number, max: number) {
  return (token: string): number | undefined => {
    if (!/^\d{1,4}$/.test(token)) return undefined;
    const n = Number(token);
    return n >= min && n <= max ? n : undefined;
  };
}

const SECOND: FieldSpec = { name: "second", min: 0, max: 59, value: numberIn(0, 59) };
const MINUTE: FieldSpec = { name: "minute", min: 0, max: 59, value: numberIn(0, 59) };
const HOUR: FieldSpec = { name: "hour", min: 0, max: 23, value: numberIn(0, 23) };
const DOM: FieldSpec = { name: "day-of-month", min: 1, max: 31, value: numberIn(1, 31) };
const MONTH: FieldSpec = {
  name: "month",
  min: 1,
  max: 12,
  value: (t) => {
    const i = Math.max(MONTH_NAMES.indexOf(t), MONTH_LONG.indexOf(t));
    return i >= 0 ? i + 1 : numberIn(1, 12)(t);
  },
};
const DOW: FieldSpec = {
  name: "day-of-week",
  min: 0,
  max: 7,
  value: (t) => {
    const i = Math.max(DOW_NAMES.indexOf(t), DOW_LONG.indexOf(t));
    return i >= 0 ? i : numberIn(0, 7)(t);
  },
};
const YEAR: FieldSpec = {
  name: "year",
  min: CRON_MIN_YEAR,
  max: CRON_MAX_YEAR,
  value: numberIn(CRON_MIN_YEAR, CRON_MAX_YEAR),
};

/** One comma-separated entry expanded to values, or null when it is not a plain entry. */
function expandEntry(entry: string, spec: FieldSpec): number[] | null {
  const match = /^([^/]+?)(?:\/(\d+))?$/.exec(entry);
  if (match === null) return null;
  const body = match[1]!;
  const stepText = match[2];
  const step = stepText === undefined ? 1 : Number(stepText);
  if (step < 1) return null;
  let first: number | undefined;
  let last: number | undefined;
  if (body === "*" || body === "?") {
    first = spec.min;
    last = spec.max === 7 ? 6 : spec.max;
  } else {
    const dash = body.indexOf("-");
    if (dash > 0) {
      first = spec.value(body.slice(0, dash));
      last = spec.value(body.slice(dash + 1));
    } else {
      first = spec.value(body);
      // `5/15` runs from 5 to the end of the field.
      last = stepText === undefined ? first : spec.max === 7 ? 6 : spec.max;
    }
  }
  if (first === undefined || last === undefined) return null;
  if (spec === DOW && last === 0 && first > 0) last = 7;
  const values: number[] = [];
  for (let v = first; v <= last; v += step) values.push(spec === DOW ? v % 7 : v);
  return values;
}

function syntaxError(spec: FieldSpec, text: string): SyntaxError {
  return new SyntaxError(`syntax error in ${spec.name} field: '${text}'`);
}

function parseField(text: string, spec: FieldSpec): Set<number> {
  const values = new Set<number>();
  for (const entry of text.toLowerCase().split(",")) {
    if (entry === "") throw new SyntaxError(`${spec.name} field: missing directive`);
    const expanded = expandEntry(entry, spec);
    if (expanded === null) throw syntaxError(spec, entry);
    for (const v of expanded) values.add(v);
  }
  return values;
}

function isWildcard(text: string): boolean {
  return text === "*" || text === "?";
}

function parseDayOfMonth(text: string) {
  const days = new Set<number>();
  const workdays = new Set<number>();
  let last = false;
  let lastWorkday = false;
  for (const entry of text.toLowerCase().split(",")) {
    if (entry === "l") last = true;
    else if (entry === "lw") lastWorkday = true;
    else if (/^\d+w$/.test(entry)) {
      const day = DOM.value(entry.slice(0, -1));
      if (day === undefined) throw syntaxError(DOM, entry);
      workdays.add(day);
    } else {
      const expanded = expandEntry(entry, DOM);
      if (expanded === null) throw syntaxError(DOM, entry);
      for (const v of expanded) days.add(v);
    }
  }
  return { days, workdays, last, lastWorkday };
}

function parseDayOfWeek(text: string) {
  const days = new Set<number>();
  const lastOf = new Set<number>();
  const nth = new Set<number>();
  for (const entry of text.toLowerCase().split(",")) {
    const lastMatch = /^(\w+)l$/.exec(entry);
    const nthMatch = /^(\w+)#([1-5])$/.exec(entry);
    if (lastMatch !== null && DOW.value(lastMatch[1]!) !== undefined) {
      lastOf.add(DOW.value(lastMatch[1]!)! % 7);
    } else if (nthMatch !== null && DOW.value(nthMatch[1]!) !== undefined) {
      nth.add((Number(nthMatch[2]) - 1) * 7 + (DOW.value(nthMatch[1]!)! % 7));
    } else {
      const expanded = expandEntry(entry, DOW);
      if (expanded === null) throw syntaxError(DOW, entry);
      for (const v of expanded) days.add(v);
    }
  }
  return { days, lastOf, nth };
}

/**
 * Parses a cron expression; throws a `SyntaxError` naming the bad field.
 *
 * @example
 * ```ts
 * import { parseCron } from "./cron.ts";
 * parseCron("*\/15 * * * *").minutes.has(45); // true
 * ```
 */
export function parseCron(spec: string): CronExpression {
  const trimmed = spec.trim();
  const fields = (MACROS[trimmed] ?? trimmed).split(/\s+/).filter((f) => f !== "");
  if (fields.length < 5) throw new SyntaxError("missing field(s)");
  if (fields.length > 7) throw new SyntaxError("too many fields");
  if (fields.length === 5) fields.unshift("0"), fields.push("*");
  else if (fields.length === 6) fields.unshift("0");
  const [second, minute, hour, dom, month, dow, year] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const dayOfMonth = parseDayOfMonth(dom);
  const dayOfWeek = parseDayOfWeek(dow);
  return {
    seconds: parseField(second, SECOND),
    minutes: parseField(minute, MINUTE),
    hours: parseField(hour, HOUR),
    daysOfMonth: dayOfMonth.days,
    lastDayOfMonth: dayOfMonth.last,
    lastWorkdayOfMonth: dayOfMonth.lastWorkday,
    workdaysOfMonth: dayOfMonth.workdays,
    domRestricted: !isWildcard(dom),
    months: parseField(month, MONTH),
    daysOfWeek: dayOfWeek.days,
    lastWeekdaysOfMonth: dayOfWeek.lastOf,
    nthWeekdays: dayOfWeek.nth,
    dowRestricted: !isWildcard(dow),
    years: parseField(year, YEAR),
  };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function weekday(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

/** The weekday nearest `day` that stays inside the month (cronexpr's `W`). */
function nearestWorkday(year: number, month: number, day: number): number {
  const last = daysInMonth(year, month);
  if (day > last) return -1;
  const dow = weekday(year, month, day);
  if (dow === 6) return day === 1 ? 3 : day - 1;
  if (dow === 0) return day === last ? day - 2 : day + 1;
  return day;
}

function domMatches(expr: CronExpression, year: number, month: number, day: number): boolean {
  const last = daysInMonth(year, month);
  if (expr.daysOfMonth.has(day) || (expr.lastDayOfMonth && day === last)) return true;
  if (expr.lastWorkdayOfMonth && day === nearestWorkday(year, month, last)) return true;
  for (const w of expr.workdaysOfMonth) {
    if (nearestWorkday(year, month, w) === day) return true;
  }
  return false;
}

function dowMatches(expr: CronExpression, year: number, month: number, day: number): boolean {
  const dow = weekday(year, month, day);
  if (expr.daysOfWeek.has(dow)) return true;
  if (expr.lastWeekdaysOfMonth.has(dow) && day + 7 > daysInMonth(year, month)) return true;
  return expr.nthWeekdays.has(Math.floor((day - 1) / 7) * 7 + dow);
}

/** True when the calendar day matches; a restricted day-of-month and day-of-week are OR-ed. */
export function cronDayMatches(
  expr: CronExpression,
  date: { year: number; month: number; day: number },
): boolean {
  const { year, month, day } = date;
  if (!expr.years.has(year) || !expr.months.has(month)) return false;
  if (expr.domRestricted && expr.dowRestricted) {
    return domMatches(expr, year, month, day) || dowMatches(expr, year, month, day);
  }
  if (expr.domRestricted) return domMatches(expr, year, month, day);
  if (expr.dowRestricted) return dowMatches(expr, year, month, day);
  return true;
}

/** A wall-clock time in some zone. */
interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock time of an instant in `timeZone`. */
export function wallTime(epochMs: number, timeZone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(epochMs))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

function wallAsUtcMs(w: WallTime): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
}

/** Offset of `timeZone` from UTC at an instant, in milliseconds. */
export function zoneOffsetMs(epochMs: number, timeZone: string): number {
  const whole = Math.floor(epochMs / 1000) * 1000;
  return wallAsUtcMs(wallTime(whole, timeZone)) - whole;
}

/**
 * The instant of a wall-clock time, as Go's `time.Date` picks it: in an
 * overlap (clocks going back) the first occurrence, in a gap (clocks going
 * forward) the time shifted forward by the gap.
 */
export function instantOf(w: WallTime, timeZone: string): number {
  const local = wallAsUtcMs(w);
  const before = zoneOffsetMs(local - 86_400_000, timeZone);
  const after = zoneOffsetMs(local + 86_400_000, timeZone);
  const candidates = [local - before, local - after]
    .filter((t) => wallAsUtcMs(wallTime(t, timeZone)) === local)
    .sort((a, b) => a - b);
  return candidates[0] ?? local - before;
}

function sorted(values: ReadonlySet<number>): number[] {
  return [...values].sort((a, b) => a - b);
}

/** The first matching wall time at or after `from` on the same calendar day, if any. */
function firstTimeOfDay(
  expr: CronExpression,
  day: { year: number; month: number; day: number },
  from: { hour: number; minute: number; second: number } | null,
): WallTime | null {
  for (const hour of sorted(expr.hours)) {
    if (from !== null && hour < from.hour) continue;
    const sameHour = from !== null && hour === from.hour;
    for (const minute of sorted(expr.minutes)) {
      if (sameHour && minute < from.minute) continue;
      const sameMinute = sameHour && minute === from.minute;
      for (const second of sorted(expr.seconds)) {
        if (sameMinute && second < from.second) continue;
        return { ...day, hour, minute, second };
      }
    }
  }
  return null;
}

/** Longest a search walks day by day before giving up (covers every year cronexpr allows). */
const MAX_SEARCH_DAYS = 366 * (CRON_MAX_YEAR - CRON_MIN_YEAR + 1);

/**
 * The first instant strictly after `afterMs` that matches `expr` in
 * `timeZone`, or null when there is none (e.g. a past year).
 *
 * @example
 * ```ts
 * import { nextCronTime, parseCron } from "./cron.ts";
 * const next = nextCronTime(parseCron("0 12 * * *"), Date.UTC(2024, 0, 1, 13), "UTC");
 * new Date(next!).toISOString(); // "2024-01-02T12:00:00.000Z"
 * ```
 */
export function nextCronTime(
  expr: CronExpression,
  afterMs: number,
  timeZone: string,
): number | null {
  // Search from the next whole second, as cronexpr does.
  const startMs = Math.floor(afterMs / 1000) * 1000 + 1000;
  const start = wallTime(startMs, timeZone);
  let dayMs = Date.UTC(start.year, start.month - 1, start.day);
  for (let i = 0; i < MAX_SEARCH_DAYS; i++, dayMs += 86_400_000) {
    const d = new Date(dayMs);
    const day = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
    if (day.year > CRON_MAX_YEAR) return null;
    if (!expr.years.has(day.year)) {
      // Skip to January 1st of the next allowed year.
      const nextYear = sorted(expr.years).find((y) => y > day.year);
      if (nextYear === undefined) return null;
      dayMs = Date.UTC(nextYear, 0, 1) - 86_400_000;
      continue;
    }
    if (!cronDayMatches(expr, day)) continue;
    let from: { hour: number; minute: number; second: number } | null = i === 0 ? start : null;
    for (;;) {
      const wall = firstTimeOfDay(expr, day, from);
      if (wall === null) break;
      const instant = instantOf(wall, timeZone);
      // A wall time repeated by a DST overlap maps to its first occurrence,
      // which can lie before the search start: move on to the next one.
      if (instant >= startMs) return instant;
      from = nextSecond(wall);
      if (from === null) break;
    }
  }
  return null;
}

function nextSecond(w: WallTime): { hour: number; minute: number; second: number } | null {
  let { hour, minute, second } = w;
  second++;
  if (second === 60) second = 0, minute++;
  if (minute === 60) minute = 0, hour++;
  return hour === 24 ? null : { hour, minute, second };
}

/**
 * The earliest next launch over several specs (a periodic block's `crons`),
 * or null when none will fire again. Specs must already be valid.
 */
export function nextLaunchTime(
  specs: readonly string[],
  afterMs: number,
  timeZone: string,
): number | null {
  let best: number | null = null;
  for (const spec of specs) {
    const next = nextCronTime(parseCron(spec), afterMs, timeZone);
    if (next !== null && (best === null || next < best)) best = next;
  }
  return best;
}

/** Null when `timeZone` is a known IANA zone, else Go's error text. */
export function timeZoneError(timeZone: string): string | null {
  if (timeZone === "" || timeZone === "UTC" || timeZone === "Local") return null;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return null;
  } catch {
    return `unknown time zone ${timeZone}`;
  }
}

/**
 * The zone launches are computed in: "" means UTC and "Local" the host's zone,
 * as Go's `time.LoadLocation` reads them.
 */
export function effectiveTimeZone(timeZone: string): string {
  if (timeZone === "") return "UTC";
  if (timeZone === "Local") return new Intl.DateTimeFormat().resolvedOptions().timeZone;
  return timeZone;
}
