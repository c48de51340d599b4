/** The `format` function's verbs: a small, Go-compatible subset of printf. */

import {
  formatNumber,
  toBoolValue,
  toNumberValue,
  toStringValue,
  typeName,
  type Value,
} from "./values.ts";

const VERB = /%([-+ 0#]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g;

/**
 * Formats `args` by `spec`, supporting `%s %d %f %t %q %v %%` with width and precision.
 *
 * @example
 * ```ts
 * import { formatString } from "./format.ts";
 * formatString("%s-%03d", ["web", 7]); // "web-007"
 * ```
 */
export function formatString(spec: string, args: readonly Value[]): string {
  let next = 0;
  const take = (): Value => {
    if (next >= args.length) {
      throw new RangeError(`not enough arguments for format string ${JSON.stringify(spec)}`);
    }
    return args[next++]!;
  };
  const out = spec.replace(
    VERB,
    (_m, flags: string, width?: string, precision?: string, verb?: string) => {
      if (verb === "%") return "%";
      const text = formatVerb(
        verb ?? "",
        take(),
        precision === undefined ? undefined : Number(precision),
      );
      return pad(text, width === undefined ? 0 : Number(width), flags);
    },
  );
  if (next < args.length) {
    throw new RangeError(`too many arguments for format string; only ${next} used`);
  }
  return out;
}

function formatVerb(verb: string, value: Value, precision: number | undefined): string {
  switch (verb) {
    case "s":
      return toStringValue(value);
    case "d":
      return formatNumber(Math.trunc(toNumberValue(value)));
    case "f":
      return toNumberValue(value).toFixed(precision ?? 6);
    case "t":
      return String(toBoolValue(value));
    case "q":
      return JSON.stringify(toStringValue(value));
    case "v":
      return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
    default:
      throw new RangeError(`unsupported format verb %${verb} for ${typeName(value)}`);
  }
}

function pad(text: string, width: number, flags: string): string {
  if (text.length >= width) return text;
  if (flags.includes("-")) return text.padEnd(width);
  const fill = flags.includes("0") ? "0" : " ";
  if (fill === "0" && text.startsWith("-")) return "-" + text.slice(1).padStart(width - 1, "0");
  return text.padStart(width, fill);
}
