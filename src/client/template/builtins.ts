/**
 * Go text/template's predefined functions (besides `and`, `or`, `not`, which the
 * executor evaluates lazily): comparisons, len, index, slice, print*, escapers.
 */

import type { TemplateFunction } from "./exec.ts";
import { goTypeName, isGoMap, mapEntries, sprint, sprintf, sprintln } from "./format.ts";

type Basic = "bool" | "int" | "float" | "string" | "nil";

function basicKind(value: unknown): Basic | null {
  if (value === null || value === undefined) return "nil";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "string") return "string";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  return null;
}

/** Numbers compare with each other whatever their Go kind (JSON data has only float64). */
function comparable(a: Basic, b: Basic): boolean {
  const numeric = (k: Basic) => k === "int" || k === "float";
  return a === b || (numeric(a) && numeric(b));
}

function eq(args: unknown[]): boolean {
  const [first, ...rest] = args;
  const firstKind = basicKind(first);
  for (const other of rest) {
    const otherKind = basicKind(other);
    if (firstKind === null || otherKind === null) {
      if (firstKind === "nil" || otherKind === "nil") {
        if (first === null || first === undefined ? other === null || other === undefined : false) {
          return true;
        }
        continue;
      }
      const bad = firstKind === null ? first : other;
      throw new Error(sprintf("non-comparable type %s: %v", [bad, goTypeName(bad)]));
    }
    if (firstKind === "nil" || otherKind === "nil") {
      if (firstKind === otherKind) return true;
      continue;
    }
    if (!comparable(firstKind, otherKind)) {
      throw new Error(
        `incompatible types for comparison: ${goTypeName(first)} and ${goTypeName(other)}`,
      );
    }
    if (first === other) return true;
  }
  return false;
}

function lt(a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (
    ka === null || kb === null || ka === "nil" || kb === "nil" || ka === "bool" || kb === "bool"
  ) {
    throw new Error("invalid type for comparison");
  }
  if (!comparable(ka, kb)) {
    throw new Error(`incompatible types for comparison: ${goTypeName(a)} and ${goTypeName(b)}`);
  }
  return (a as number | string) < (b as number | string);
}

function length(value: unknown): number {
  if (typeof value === "string") return new TextEncoder().encode(value).length;
  if (Array.isArray(value)) return value.length;
  const entries = mapEntries(value);
  if (entries !== null) return entries.length;
  throw new Error(`len of type ${goTypeName(value)}`);
}

function indexOne(item: unknown, key: unknown): unknown {
  if (item === null || item === undefined) throw new Error("index of untyped nil");
  if (Array.isArray(item) || typeof item === "string") {
    if (typeof key !== "number" || !Number.isInteger(key)) {
      throw new Error(`cannot index slice/array with type ${goTypeName(key)}`);
    }
    if (key < 0 || key >= item.length) throw new Error(`index out of range: ${key}`);
    if (typeof item === "string") return new TextEncoder().encode(item)[key];
    return item[key];
  }
  if (mapEntries(item) !== null) {
    if (typeof key !== "string") {
      throw new Error(`value has type ${goTypeName(key)}; should be string`);
    }
    if (isGoMap(item)) return item.goMapEntries().find(([k]) => k === key)?.[1] ?? null;
    if (item instanceof Map) return item.has(key) ? item.get(key) : null;
    const record = item as Record<string, unknown>;
    return Object.hasOwn(record, key) ? record[key] : null;
  }
  throw new Error(`can't index item of type ${goTypeName(item)}`);
}

function slice(item: unknown, bounds: unknown[]): unknown {
  if (!Array.isArray(item) && typeof item !== "string") {
    throw new Error(`can't slice item of type ${goTypeName(item)}`);
  }
  if (bounds.length > 2) throw new Error("too many slice indexes: " + bounds.length);
  const indexes = bounds.map((b) => {
    if (typeof b !== "number" || !Number.isInteger(b)) {
      throw new Error(`cannot index slice/array with type ${goTypeName(b)}`);
    }
    return b;
  });
  const start = indexes[0] ?? 0;
  const end = indexes[1] ?? item.length;
  if (start < 0 || end > item.length || start > end) {
    throw new Error(`invalid slice index: ${start} > ${end}`);
  }
  return item.slice(start, end);
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '"': "&#34;",
  "'": "&#39;",
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  "\0": "\uFFFD",
};

/** Go's `template.HTMLEscapeString`. */
export function htmlEscape(text: string): string {
  return text.replace(/["'&<>\0]/g, (c) => HTML_ESCAPES[c]!);
}

const JS_ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\\\",
  "'": "\\'",
  '"': '\\"',
  "<": "\\u003C",
  ">": "\\u003E",
  "&": "\\u0026",
  "=": "\\u003D",
};

/** Go's `template.JSEscapeString`. */
export function jsEscape(text: string): string {
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    const simple = JS_ESCAPES[ch];
    if (simple !== undefined) out += simple;
    else if (code < 0x20) out += `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
    else out += ch;
  }
  return out;
}

/** Go's `url.QueryEscape`. */
export function queryEscape(text: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(text)) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(ch)) out += ch;
    else if (ch === " ") out += "+";
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** The escapers print their arguments like Go: one string as is, else `Sprint`. */
function escaperText(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  return sprint(args.map((a) => (a === null || a === undefined ? "<no value>" : a)));
}

/** Go's predefined template functions (without and/or/not). */
export const GO_BUILTINS: ReadonlyMap<string, TemplateFunction> = new Map<string, TemplateFunction>(
  [
    ["eq", { params: ["any"], variadic: "any", call: (args) => eq(args) }],
    ["ne", { params: ["any", "any"], call: ([a, b]) => !eq([a, b]) }],
    ["lt", { params: ["any", "any"], call: ([a, b]) => lt(a, b) }],
    ["le", { params: ["any", "any"], call: ([a, b]) => lt(a, b) || eq([a, b]) }],
    ["gt", { params: ["any", "any"], call: ([a, b]) => !lt(a, b) && !eq([a, b]) }],
    ["ge", { params: ["any", "any"], call: ([a, b]) => !lt(a, b) }],
    ["len", { params: ["any"], call: ([v]) => length(v) }],
    ["index", {
      params: ["any"],
      variadic: "any",
      call: ([item, ...keys]) => keys.reduce((value, key) => indexOne(value, key), item),
    }],
    ["slice", { params: ["any"], variadic: "any", call: ([item, ...b]) => slice(item, b) }],
    ["print", { params: [], variadic: "any", call: (args) => sprint(args) }],
    ["printf", {
      params: ["string"],
      variadic: "any",
      call: ([format, ...args]) => sprintf(format as string, args),
    }],
    ["println", { params: [], variadic: "any", call: (args) => sprintln(args) }],
    ["html", { params: [], variadic: "any", call: (args) => htmlEscape(escaperText(args)) }],
    ["js", { params: [], variadic: "any", call: (args) => jsEscape(escaperText(args)) }],
    ["urlquery", { params: [], variadic: "any", call: (args) => queryEscape(escaperText(args)) }],
  ],
);
