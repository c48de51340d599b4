/** Go's reference-time layouts (`2006-01-02T15:04:05Z07:00`) for `timestamp`, in UTC. */

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

const two = (n: number) => String(n).padStart(2, "0");

/** Layout elements, longest first so `January` wins over `Jan` and `2006` over `2`. */
const ELEMENTS: [string, (d: Date) => string][] = [
  ["January", (d) => MONTHS[d.getUTCMonth()]!],
  ["Monday", (d) => DAYS[d.getUTCDay()]!],
  ["Z07:00", () => "Z"],
  ["-07:00", () => "+00:00"],
  ["Z0700", () => "Z"],
  ["-0700", () => "+0000"],
  ["2006", (d) => String(d.getUTCFullYear())],
  ["Jan", (d) => MONTHS[d.getUTCMonth()]!.slice(0, 3)],
  ["Mon", (d) => DAYS[d.getUTCDay()]!.slice(0, 3)],
  ["MST", () => "UTC"],
  ["-07", () => "+00"],
  ["002", (d) => String(dayOfYear(d)).padStart(3, "0")],
  ["01", (d) => two(d.getUTCMonth() + 1)],
  ["02", (d) => two(d.getUTCDate())],
  ["_2", (d) => String(d.getUTCDate()).padStart(2, " ")],
  ["03", (d) => two(hour12(d))],
  ["04", (d) => two(d.getUTCMinutes())],
  ["05", (d) => two(d.getUTCSeconds())],
  ["06", (d) => two(d.getUTCFullYear() % 100)],
  ["15", (d) => two(d.getUTCHours())],
  ["PM", (d) => (d.getUTCHours() >= 12 ? "PM" : "AM")],
  ["pm", (d) => (d.getUTCHours() >= 12 ? "pm" : "am")],
  ["1", (d) => String(d.getUTCMonth() + 1)],
  ["2", (d) => String(d.getUTCDate())],
  ["3", (d) => String(hour12(d))],
  ["4", (d) => String(d.getUTCMinutes())],
  ["5", (d) => String(d.getUTCSeconds())],
];

function hour12(d: Date): number {
  const h = d.getUTCHours() % 12;
  return h === 0 ? 12 : h;
}

function dayOfYear(d: Date): number {
  return Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
}

/** Fractional seconds: `.000` (fixed digits) or `.999` (trailing zeros dropped). */
function fraction(d: Date, spec: string): string {
  const digits = spec.length - 1;
  const nanos = String(d.getUTCMilliseconds() * 1_000_000).padStart(9, "0").slice(0, digits);
  if (spec[1] === "0") return "." + nanos;
  const trimmed = nanos.replace(/0+$/, "");
  return trimmed === "" ? "" : "." + trimmed;
}

/**
 * Formats `date` (in UTC) with a Go layout.
 *
 * @example
 * ```ts
 * import { formatGoTime } from "./time_format.ts";
 * formatGoTime(new Date(0), "2006-01-02 15:04:05"); // "1970-01-01 00:00:00"
 * ```
 */
export function formatGoTime(date: Date, layout: string): string {
  let out = "";
  let i = 0;
  outer: while (i < layout.length) {
    const frac = /^[.,](0+|9+)(?![0-9])/.exec(layout.slice(i));
    if (frac !== null && /[0-9]$/.test(out)) {
      out += fraction(date, frac[0]);
      i += frac[0].length;
      continue;
    }
    for (const [element, render] of ELEMENTS) {
      if (layout.startsWith(element, i)) {
        out += render(date);
        i += element.length;
        continue outer;
      }
    }
    out += layout[i];
    i++;
  }
  return out;
}
