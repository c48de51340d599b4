/**
 * Values as Go's fmt prints them: `%v` of numbers, slices and maps, `Sprint`,
 * `Sprintln` and `Sprintf` with the verbs templates use.
 *
 * The value model: `undefined` is Go's "no value", `null` is nil, integral
 * numbers are ints and others float64, arrays are slices, plain objects and
 * {@linkcode GoMap}s are maps, other class instances are structs.
 */

import { quote } from "../../core/go_quote.ts";

/** A value a map-like class exposes to templates (range, index, len, printing). */
export interface GoMap {
  /** The map's entries; they are sorted by key when ranged over or printed. */
  goMapEntries(): [string, unknown][];
}

/** True for a {@linkcode GoMap}. */
export function isGoMap(value: unknown): value is GoMap {
  return typeof value === "object" && value !== null &&
    typeof (value as Partial<GoMap>).goMapEntries === "function";
}

/** True for a plain object (a map[string]interface{} in Go terms). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Map entries sorted by key, for plain objects and {@linkcode GoMap}s; null otherwise. */
export function mapEntries(value: unknown): [string, unknown][] | null {
  let entries: [string, unknown][];
  if (isGoMap(value)) entries = value.goMapEntries();
  else if (isPlainObject(value)) entries = Object.entries(value);
  else if (value instanceof Map) entries = [...value.entries()].map(([k, v]) => [String(k), v]);
  else return null;
  return entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Go's type name of a value, as error messages and `%T` show it. */
export function goTypeName(value: unknown): string {
  if (value === undefined || value === null) return "<nil>";
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float64";
  if (typeof value === "bigint") return "int64";
  if (Array.isArray(value)) return "[]interface {}";
  if (isPlainObject(value) || value instanceof Map) return "map[string]interface {}";
  if (typeof value === "function") return "func";
  return (value as object).constructor?.name ?? "struct";
}

/** Go's %g switches to exponent form at this exponent when printing the shortest digits. */
const SHORTEST_EXPONENT_LIMIT = 6;

/** Go's `%v` of a float64: shortest digits, exponent form below 1e-4 or from 1e6 (`%g`). */
export function formatFloat(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value === 0) return Object.is(value, -0) ? "-0" : "0";
  const [mantissa, expText] = value.toExponential().split("e") as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= SHORTEST_EXPONENT_LIMIT) {
    const sign = exp < 0 ? "-" : "+";
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  const digits = mantissa.replace(/^-/, "").replace(".", "");
  const negative = value < 0 ? "-" : "";
  if (exp < 0) return `${negative}0.${"0".repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return negative + digits + "0".repeat(exp + 1 - digits.length);
  return `${negative}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** Go's `%v` of any value. */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return "<nil>";
  if (typeof value === "string") return value;
  if (typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (typeof value === "number") {
    return Number.isInteger(value) ? String(value) : formatFloat(value);
  }
  if (Array.isArray(value)) return `[${value.map(formatValue).join(" ")}]`;
  const entries = mapEntries(value);
  if (entries !== null) {
    return `map[${entries.map(([k, v]) => `${k}:${formatValue(v)}`).join(" ")}]`;
  }
  if (typeof value === "function") return "0x0";
  const stringer = (value as { String?: unknown }).String;
  if (typeof stringer === "function") return String(stringer.call(value));
  if (value instanceof Error) return value.message;
  return `{${Object.values(value as object).map(formatValue).join(" ")}}`;
}

/** Go's `fmt.Sprint`: spaces between operands when neither is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = "";
  args.forEach((arg, i) => {
    if (i > 0 && typeof arg !== "string" && typeof args[i - 1] !== "string") out += " ";
    out += formatValue(arg);
  });
  return out;
}

/** Go's `fmt.Sprintln`: spaces between all operands and a newline. */
export function sprintln(args: readonly unknown[]): string {
  return args.map(formatValue).join(" ") + "\n";
}

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number | null;
  precision: number | null;
}

/** Go's `fmt.Sprintf` for the verbs %v %s %d %q %f %e %g %x %X %o %b %c %t %T %%. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = "";
  let argIndex = 0;
  let i = 0;
  while (i < format.length) {
    const percent = format.indexOf("%", i);
    if (percent < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, percent);
    const match = /^([-+# 0]*)(\*|\d+)?(?:\.(\*|\d*))?(.)?/su.exec(format.slice(percent + 1))!;
    i = percent + 1 + match[0].length;
    const flags = match[1]!;
    const spec: Spec = {
      minus: flags.includes("-"),
      plus: flags.includes("+"),
      sharp: flags.includes("#"),
      space: flags.includes(" "),
      zero: flags.includes("0") && !flags.includes("-"),
      width: null,
      precision: null,
    };
    if (match[2] === "*") spec.width = Number(args[argIndex++] ?? 0);
    else if (match[2] !== undefined) spec.width = Number(match[2]);
    if (match[3] === "*") spec.precision = Number(args[argIndex++] ?? 0);
    else if (match[3] !== undefined) spec.precision = Number(match[3] || 0);
    const verb = match[4];
    if (verb === undefined) {
      out += "%!(NOVERB)";
      break;
    }
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (argIndex >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatVerb(verb, args[argIndex++], spec);
  }
  if (argIndex < args.length) {
    const extra = args.slice(argIndex).map((a) =>
      a === null || a === undefined ? "<nil>" : `${goTypeName(a)}=${formatValue(a)}`
    );
    out += `%!(EXTRA ${extra.join(", ")})`;
  }
  return out;
}

function badVerb(verb: string, value: unknown): string {
  if (value === null || value === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${goTypeName(value)}=${formatValue(value)})`;
}

function pad(text: string, spec: Spec, numeric: boolean): string {
  if (spec.width === null || text.length >= spec.width) return text;
  const fill = spec.width - text.length;
  if (spec.minus) return text + " ".repeat(fill);
  if (spec.zero && numeric) {
    const sign = /^[+\- ]/.test(text) ? text[0] : "";
    return sign + "0".repeat(fill) + text.slice(sign!.length);
  }
  return " ".repeat(fill) + text;
}

function signed(text: string, negative: boolean, spec: Spec): string {
  if (negative) return "-" + text;
  if (spec.plus) return "+" + text;
  if (spec.space) return " " + text;
  return text;
}

function formatInteger(value: number, radix: number, spec: Spec, upper: boolean): string {
  let digits = Math.abs(value).toString(radix);
  if (upper) digits = digits.toUpperCase();
  if (spec.precision !== null) digits = digits.padStart(spec.precision, "0");
  if (spec.sharp && radix === 16) digits = (upper ? "0X" : "0x") + digits;
  if (spec.sharp && radix === 8) digits = "0" + digits;
  return pad(signed(digits, value < 0, spec), spec, spec.precision === null);
}

function formatFloatVerb(verb: string, value: number, spec: Spec): string {
  const precision = spec.precision;
  let text: string;
  const abs = Math.abs(value);
  if (verb === "f" || verb === "F") text = abs.toFixed(precision ?? 6);
  else if (verb === "e" || verb === "E") {
    text = goExponent(abs.toExponential(precision ?? 6));
    if (verb === "E") text = text.toUpperCase();
  } else if (precision === null) text = formatFloat(abs);
  else {
    const exp = abs === 0 ? 0 : Math.floor(Math.log10(abs));
    const p = Math.max(precision, 1);
    text = exp < -4 || exp >= p
      ? goExponent(abs.toExponential(p - 1).replace(/\.?0+e/, "e"))
      : String(Number(abs.toPrecision(p)));
  }
  return pad(signed(text, value < 0 || Object.is(value, -0), spec), spec, true);
}

function goExponent(text: string): string {
  return text.replace(/e([+-])(\d)$/, "e$10$2");
}

function formatString(verb: string, text: string, spec: Spec): string {
  let body = spec.precision !== null ? [...text].slice(0, spec.precision).join("") : text;
  if (verb === "q") body = spec.sharp && !body.includes("`") ? `\`${body}\`` : quote(body);
  if (verb === "x" || verb === "X") {
    body = [...new TextEncoder().encode(body)].map((b) => b.toString(16).padStart(2, "0")).join(
      "",
    );
    if (verb === "X") body = body.toUpperCase();
  }
  return pad(body, spec, false);
}

function formatVerb(verb: string, value: unknown, spec: Spec): string {
  if (verb === "T") return pad(goTypeName(value), spec, false);
  if (verb === "v") {
    if (typeof value === "number") {
      return Number.isInteger(value)
        ? formatInteger(value, 10, spec, false)
        : formatFloatVerb("g", value, spec);
    }
    return pad(formatValue(value), spec, false);
  }
  if (typeof value === "string") {
    return "sqxX".includes(verb) ? formatString(verb, value, spec) : badVerb(verb, value);
  }
  if (typeof value === "boolean") {
    return verb === "t" ? pad(String(value), spec, false) : badVerb(verb, value);
  }
  if (typeof value === "number") return formatNumber(verb, value, spec);
  if (Array.isArray(value) && verb !== "d") {
    return `[${value.map((v) => formatVerb(verb, v, { ...spec, width: null })).join(" ")}]`;
  }
  if (verb === "s" && value !== null && value !== undefined) {
    return pad(formatValue(value), spec, false);
  }
  return badVerb(verb, value);
}

function formatNumber(verb: string, value: number, spec: Spec): string {
  const integer = Number.isInteger(value);
  if ("feEgG".includes(verb) || verb === "F") return formatFloatVerb(verb, value, spec);
  if (!integer) return badVerb(verb, value);
  switch (verb) {
    case "d":
      return formatInteger(value, 10, spec, false);
    case "x":
    case "X":
      return formatInteger(value, 16, spec, verb === "X");
    case "o":
      return formatInteger(value, 8, spec, false);
    case "b":
      return formatInteger(value, 2, spec, false);
    case "c":
      return pad(String.fromCodePoint(value), spec, false);
    case "q":
      return pad(`'${String.fromCodePoint(value)}'`, spec, false);
  }
  return badVerb(verb, value);
}
