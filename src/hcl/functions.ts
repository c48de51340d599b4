/**
 * A subset of HCL's standard function library. Functions are pure; they throw
 * `TypeError` / `RangeError`, which the evaluator turns into positioned errors.
 */

import type { HclFunction } from "./evaluator.ts";
import { formatString } from "./format.ts";
import {
  isValueObject,
  toBoolValue,
  toNumberValue,
  toStringValue,
  typeName,
  type Value,
  type ValueObject,
  valuesEqual,
} from "./values.ts";

function arity(name: string, args: Value[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw new TypeError(`function "${name}" expects ${want} argument(s), but got ${args.length}`);
  }
}

function list(value: Value, what: string): Value[] {
  if (!Array.isArray(value)) {
    throw new TypeError(`${what} must be a list, but got ${typeName(value)}`);
  }
  return value;
}

function object(value: Value, what: string): ValueObject {
  if (!isValueObject(value)) {
    throw new TypeError(`${what} must be a map or object, but got ${typeName(value)}`);
  }
  return value;
}

/** A one-string-argument function. */
function stringFn(name: string, fn: (s: string) => Value): HclFunction {
  return (args) => {
    arity(name, args, 1);
    return fn(toStringValue(args[0]!));
  };
}

/** `replace`: a substring, or a regular expression when written `/re/`. */
function replace(args: Value[]): Value {
  arity("replace", args, 3);
  const [s, search, replacement] = args.map(toStringValue) as [string, string, string];
  if (search.length > 1 && search.startsWith("/") && search.endsWith("/")) {
    return s.replace(new RegExp(search.slice(1, -1), "g"), replacement.replace(/\$(\d)/g, "$$$1"));
  }
  return s.replaceAll(search, replacement);
}

function length(args: Value[]): Value {
  arity("length", args, 1);
  const v = args[0]!;
  if (typeof v === "string") return [...v].length;
  if (Array.isArray(v)) return v.length;
  if (isValueObject(v)) return Object.keys(v).length;
  throw new TypeError(`argument must be a string, list or map, but got ${typeName(v)}`);
}

function lookup(args: Value[]): Value {
  arity("lookup", args, 2, 3);
  const map = object(args[0]!, "first argument");
  const key = toStringValue(args[1]!);
  if (Object.hasOwn(map, key)) return map[key]!;
  if (args.length === 3) return args[2]!;
  throw new RangeError(`the given key "${key}" does not exist in the map`);
}

function coalesce(args: Value[]): Value {
  for (const v of args) if (v !== null && v !== "") return v;
  throw new RangeError("no non-null, non-empty-string arguments");
}

function numbers(name: string, args: Value[]): number[] {
  arity(name, args, 1, Infinity);
  return args.map(toNumberValue);
}

function element(args: Value[]): Value {
  arity("element", args, 2);
  const items = list(args[0]!, "first argument");
  if (items.length === 0) throw new RangeError("cannot use element function with an empty list");
  const i = toNumberValue(args[1]!);
  return items[((Math.floor(i) % items.length) + items.length) % items.length]!;
}

function flatten(value: Value): Value[] {
  return list(value, "argument").flatMap((v) => Array.isArray(v) ? flatten(v) : [v]);
}

function range(args: Value[]): Value {
  arity("range", args, 1, 3);
  const n = args.map(toNumberValue);
  const [start, end, step] = n.length === 1
    ? [0, n[0]!, 1]
    : [n[0]!, n[1]!, n[2] ?? (n[0]! <= n[1]! ? 1 : -1)];
  if (step === 0) throw new RangeError("step must not be zero");
  const out: number[] = [];
  for (let i = start; step > 0 ? i < end : i > end; i += step) {
    out.push(i);
    if (out.length > 1024) throw new RangeError("more than 1024 values were generated");
  }
  return out;
}

function substr(args: Value[]): Value {
  arity("substr", args, 3);
  const chars = [...toStringValue(args[0]!)];
  let offset = toNumberValue(args[1]!);
  const count = toNumberValue(args[2]!);
  if (offset < 0) offset += chars.length;
  return chars.slice(offset, count < 0 ? undefined : offset + count).join("");
}

function distinct(args: Value[]): Value {
  arity("distinct", args, 1);
  const out: Value[] = [];
  for (const v of list(args[0]!, "argument")) if (!out.some((o) => valuesEqual(o, v))) out.push(v);
  return out;
}

function keysOrValues(name: string, pick: (o: ValueObject, k: string) => Value): HclFunction {
  return (args) => {
    arity(name, args, 1);
    const o = object(args[0]!, "argument");
    return Object.keys(o).sort().map((k) => pick(o, k));
  };
}

function base64decode(s: string): Value {
  const bytes = Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}

function base64encode(s: string): Value {
  return btoa(String.fromCharCode(...new TextEncoder().encode(s)));
}

function indent(args: Value[]): Value {
  arity("indent", args, 2);
  const pad = " ".repeat(toNumberValue(args[0]!));
  return toStringValue(args[1]!).replaceAll("\n", `\n${pad}`);
}

function tolist(args: Value[]): Value {
  arity("tolist", args, 1);
  return list(args[0]!, "argument");
}

/** Functions for job files; callers may add more to their context. */
export const STANDARD_FUNCTIONS: Readonly<Record<string, HclFunction>> = {
  abs: (a) => (arity("abs", a, 1), Math.abs(toNumberValue(a[0]!))),
  base64decode: stringFn("base64decode", base64decode),
  base64encode: stringFn("base64encode", base64encode),
  ceil: (a) => (arity("ceil", a, 1), Math.ceil(toNumberValue(a[0]!))),
  chomp: stringFn("chomp", (s) => s.replace(/(\r?\n)+$/, "")),
  coalesce,
  compact: (
    a,
  ) => (arity("compact", a, 1), list(a[0]!, "argument").filter((v) => v !== null && v !== "")),
  concat: (a) => a.flatMap((v, i) => list(v, `argument ${i + 1}`)),
  contains: (
    a,
  ) => (arity("contains", a, 2), list(a[0]!, "first argument").some((v) => valuesEqual(v, a[1]!))),
  distinct,
  element,
  flatten: (a) => (arity("flatten", a, 1), flatten(a[0]!)),
  floor: (a) => (arity("floor", a, 1), Math.floor(toNumberValue(a[0]!))),
  format: (a) => (arity("format", a, 1, Infinity), formatString(toStringValue(a[0]!), a.slice(1))),
  indent,
  join: (
    a,
  ) => (arity("join", a, 2, Infinity),
    a.slice(1).flatMap((v) => list(v, "list argument")).map(toStringValue).join(
      toStringValue(a[0]!),
    )),
  jsondecode: stringFn("jsondecode", (s) => JSON.parse(s) as Value),
  jsonencode: (a) => (arity("jsonencode", a, 1), JSON.stringify(a[0]!)),
  keys: keysOrValues("keys", (_o, k) => k),
  length,
  lookup,
  lower: stringFn("lower", (s) => s.toLowerCase()),
  max: (a) => Math.max(...numbers("max", a)),
  merge: (a) =>
    Object.assign(
      {},
      ...a.filter((v) => v !== null).map((v, i) => object(v, `argument ${i + 1}`)),
    ) as Value,
  min: (a) => Math.min(...numbers("min", a)),
  range,
  replace,
  reverse: (a) => (arity("reverse", a, 1), [...list(a[0]!, "argument")].reverse()),
  slice: (
    a,
  ) => (arity("slice", a, 3),
    list(a[0]!, "first argument").slice(toNumberValue(a[1]!), toNumberValue(a[2]!))),
  split: (a) => (arity("split", a, 2), toStringValue(a[1]!).split(toStringValue(a[0]!))),
  strrev: stringFn("strrev", (s) => [...s].reverse().join("")),
  substr,
  title: stringFn(
    "title",
    (s) => s.replace(/(^|\s)(\p{L})/gu, (_m, sp: string, c: string) => sp + c.toUpperCase()),
  ),
  tobool: (a) => (arity("tobool", a, 1), a[0] === null ? null : toBoolValue(a[0]!)),
  tolist,
  tomap: (a) => (arity("tomap", a, 1), object(a[0]!, "argument")),
  tonumber: (a) => (arity("tonumber", a, 1), a[0] === null ? null : toNumberValue(a[0]!)),
  toset: (a) => distinct(a),
  tostring: (a) => (arity("tostring", a, 1), a[0] === null ? null : toStringValue(a[0]!)),
  trim: (a) => (arity("trim", a, 2), trimChars(toStringValue(a[0]!), toStringValue(a[1]!))),
  trimprefix: (
    a,
  ) => (arity("trimprefix", a, 2), trimPrefix(toStringValue(a[0]!), toStringValue(a[1]!))),
  trimspace: stringFn("trimspace", (s) => s.trim()),
  trimsuffix: (
    a,
  ) => (arity("trimsuffix", a, 2), trimSuffix(toStringValue(a[0]!), toStringValue(a[1]!))),
  upper: stringFn("upper", (s) => s.toUpperCase()),
  values: keysOrValues("values", (o, k) => o[k]!),
};

function trimChars(s: string, cutset: string): string {
  const chars = new Set([...cutset]);
  const cs = [...s];
  let start = 0;
  let end = cs.length;
  while (start < end && chars.has(cs[start]!)) start++;
  while (end > start && chars.has(cs[end - 1]!)) end--;
  return cs.slice(start, end).join("");
}

function trimPrefix(s: string, prefix: string): string {
  return s.startsWith(prefix) ? s.slice(prefix.length) : s;
}

function trimSuffix(s: string, suffix: string): string {
  return suffix !== "" && s.endsWith(suffix) ? s.slice(0, -suffix.length) : s;
}
