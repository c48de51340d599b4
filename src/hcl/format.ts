/**
 * The `format` function's verbs: Go's printf verbs as HCL's `format` accepts
 * them (`%v %#v %t %b %d %o %x %X %e %E %f %F %g %G %s %q %%`, flags
 * `+ - # 0 space`, width, precision and explicit argument indexes `%[2]s`).
 */

import { FunctionArgumentError } from "./fn/errors.ts";
import {
  formatNumber,
  isValueObject,
  toBoolValue,
  toNumberValue,
  toStringValue,
  typeName,
  type Value,
} from "./values.ts";

/** One parsed `%...` directive. */
interface Directive {
  readonly text: string;
  readonly offset: number;
  readonly flags: string;
  readonly argIndex: number | undefined;
  readonly width: number | undefined;
  readonly precision: number | undefined;
  readonly verb: string;
}

const DIRECTIVE = /%([-+# 0]*)(?:\[(\d+)\])?(\d+)?(?:\.(\d*))?(.?)/y;

/**
 * Formats `args` by `spec` as HCL's `format` function does. An argument error
 * names its position in the call, counting `spec` as argument 0.
 *
 * @example
 * ```ts
 * import { formatString } from "./format.ts";
 * formatString("%s-%03d", ["web", 7]); // "web-007"
 * ```
 */
export function formatString(spec: string, args: readonly Value[]): string {
  let out = "";
  let next = 0;
  let used = 0;
  let i = 0;
  while (i < spec.length) {
    const percent = spec.indexOf("%", i);
    if (percent < 0) {
      out += spec.slice(i);
      break;
    }
    out += spec.slice(i, percent);
    const directive = parseDirective(spec, percent);
    i = percent + directive.text.length;
    if (directive.verb === "%") {
      out += "%";
      continue;
    }
    const index = directive.argIndex === undefined ? next : directive.argIndex - 1;
    if (index >= args.length || index < 0) {
      throw new RangeError(
        `not enough arguments for ${
          JSON.stringify(directive.text)
        } at ${directive.offset}: need index ${index + 1} but have ${args.length} total`,
      );
    }
    next = index + 1;
    used = Math.max(used, next);
    out += formatDirective(directive, args[index]!);
  }
  if (used < args.length) {
    throw new FunctionArgumentError(
      used + 1,
      "args",
      `too many arguments; only ${used} used by format string`,
    );
  }
  return out;
}

function parseDirective(spec: string, offset: number): Directive {
  DIRECTIVE.lastIndex = offset;
  const m = DIRECTIVE.exec(spec)!;
  const verb = m[5] ?? "";
  if (verb === "") throw new RangeError(`invalid format string starting at offset ${offset + 1}`);
  if (!/[a-zA-Z%]/.test(verb)) {
    throw new RangeError(
      `unrecognized format character '${verb}' at offset ${offset + m[0].length - 1}`,
    );
  }
  return {
    text: m[0],
    offset,
    flags: m[1] ?? "",
    argIndex: m[2] === undefined ? undefined : Number(m[2]),
    width: m[3] === undefined ? undefined : Number(m[3]),
    precision: m[4] === undefined ? undefined : Number(m[4] === "" ? 0 : m[4]),
    verb,
  };
}

function formatDirective(d: Directive, value: Value): string {
  if (value === null && d.verb !== "v") {
    throw new RangeError(
      `unsupported value for ${
        JSON.stringify(d.text)
      } at ${d.offset}: null value cannot be formatted`,
    );
  }
  let text: string;
  try {
    text = formatVerb(d, value);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    throw new RangeError(
      `unsupported value for ${JSON.stringify(d.text)} at ${d.offset}: ${error.message}`,
    );
  }
  return pad(text, d);
}

/** Converts as cty does for a verb, with its wording for values that do not convert. */
function convertFor<T>(value: Value, convert: (v: Value) => T, want: string): T {
  if (typeof value === "object" && value !== null) {
    throw new TypeError(`${want} required, but have ${typeName(value)}`);
  }
  try {
    return convert(value);
  } catch {
    throw new TypeError(`a ${want} is required`);
  }
}

function formatVerb(d: Directive, value: Value): string {
  switch (d.verb) {
    case "v":
      return formatDefault(value, d.flags.includes("#"));
    case "t":
      return String(convertFor(value, toBoolValue, "bool"));
    case "s": {
      const s = convertFor(value, toStringValue, "string");
      return d.precision === undefined ? s : [...s].slice(0, d.precision).join("");
    }
    case "q":
      return JSON.stringify(convertFor(value, toStringValue, "string"));
    case "b":
    case "d":
    case "o":
    case "x":
    case "X":
      return formatInteger(d, integer(value));
    case "e":
    case "E":
    case "f":
    case "F":
    case "g":
    case "G":
      return sign(
        formatFloat(d.verb, convertFor(value, toNumberValue, "number"), d.precision),
        d.flags,
      );
    default:
      throw new RangeError(
        `unsupported format verb '${d.verb}' in ${JSON.stringify(d.text)} at offset ${d.offset}`,
      );
  }
}

function integer(value: Value): number {
  const n = convertFor(value, toNumberValue, "number");
  if (!Number.isInteger(n)) throw new TypeError("an integer is required");
  return n;
}

const RADIX: Readonly<Record<string, number>> = { b: 2, d: 10, o: 8, x: 16, X: 16 };

function formatInteger(d: Directive, n: number): string {
  const digits = BigInt(Math.abs(n)).toString(RADIX[d.verb]!);
  let body = d.verb === "X" ? digits.toUpperCase() : digits;
  if (d.precision !== undefined) body = body.padStart(d.precision, "0");
  return sign((n < 0 ? "-" : "") + body, d.flags);
}

function sign(text: string, flags: string): string {
  if (text.startsWith("-")) return text;
  if (flags.includes("+")) return `+${text}`;
  if (flags.includes(" ")) return ` ${text}`;
  return text;
}

/** Go's `%e` / `%f` / `%g` for a float64. */
export function formatFloat(verb: string, n: number, precision?: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? "NaN" : n > 0 ? "+Inf" : "-Inf";
  const lower = verb.toLowerCase();
  let out: string;
  if (lower === "f") out = n.toFixed(precision ?? 6);
  else if (lower === "e") out = goExponent(n.toExponential(precision ?? 6));
  else out = formatG(n, precision);
  return verb === verb.toUpperCase() ? out.toUpperCase() : out;
}

/** Go's `%g`: `%e` for exponents < -4 or >= the precision (6 when shortest), else `%f`. */
function formatG(n: number, precision: number | undefined): string {
  if (n === 0) return "0";
  const shortest = precision === undefined;
  const p = Math.max(precision ?? 1, 1);
  const [mantissa, expText] = (shortest ? n.toExponential() : n.toExponential(p - 1))
    .split("e") as [string, string];
  const exponent = Number(expText);
  const trimmed = mantissa.includes(".") ? mantissa.replace(/\.?0+$/, "") : mantissa;
  const digits = trimmed.replace(/[-.]/g, "").length;
  let eprec = shortest ? 6 : p;
  if (!shortest && eprec > digits && digits >= exponent + 1) eprec = digits;
  if (exponent < -4 || exponent >= eprec) return goExponent(`${trimmed}e${expText}`);
  return n.toFixed(Math.max(digits - exponent - 1, 0));
}

function goExponent(text: string): string {
  return text.replace(/e([+-])(\d)$/, "e$10$2");
}

/** Go's `%v` for a cty value: JSON for collections, `null` for null. */
function formatDefault(value: Value, sharp: boolean): string {
  if (value === null) return "null";
  if (sharp || typeof value === "object") return goJson(value);
  if (typeof value === "number") return formatG(value, undefined);
  return toStringValue(value);
}

/** JSON with keys sorted, as cty encodes values. */
function goJson(value: Value): string {
  if (Array.isArray(value)) return `[${value.map(goJson).join(",")}]`;
  if (isValueObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${goJson(value[k]!)}`).join(",")}}`;
  }
  if (typeof value === "number") return formatNumber(value);
  return JSON.stringify(value);
}

function pad(text: string, d: Directive): string {
  // Go's %t ignores the width.
  const width = d.verb === "t" ? 0 : d.width ?? 0;
  const length = [...text].length;
  if (length >= width) return text;
  if (d.flags.includes("-")) return text + " ".repeat(width - length);
  const numeric = /^[+\- ]?[0-9.]/.test(text) && "bdoxXeEfFgG".includes(d.verb);
  if (d.flags.includes("0") && numeric) {
    const signChar = /^[+\- ]/.test(text) ? text[0]! : "";
    return signChar + "0".repeat(width - length) + text.slice(signChar.length);
  }
  return " ".repeat(width - length) + text;
}
