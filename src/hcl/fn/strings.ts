/** String functions: chomp, format, formatlist, indent, join, lower, regex_replace, ... */

import type { HclFunction } from "../evaluator.ts";
import { formatString } from "../format.ts";
import { toStringValue, type Value } from "../values.ts";
import { defineFunction, graphemes } from "./args.ts";
import { FunctionArgumentError } from "./errors.ts";
import { goRegExp } from "./regexp.ts";

/** Go's unicode.IsSpace set, which `trimspace` trims (JS `trim` also trims U+FEFF). */
const GO_SPACE =
  "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const LEADING_SPACE = new RegExp(`^[${GO_SPACE}]+`);
const TRAILING_SPACE = new RegExp(`[${GO_SPACE}]+$`);

/** Changes case one code point at a time, as Go does (no "ß" → "SS"). */
function mapCase(s: string, upper: boolean): string {
  let out = "";
  for (const c of s) {
    const mapped = upper ? c.toUpperCase() : c.toLowerCase();
    out += [...mapped].length === 1 ? mapped : c;
  }
  return out;
}

/** Go's strings.Title: upper-cases each letter that follows a separator. */
function title(s: string): string {
  let out = "";
  let previous = " ";
  for (const c of s) {
    out += isSeparator(previous) ? mapCase(c, true) : c;
    previous = c;
  }
  return out;
}

function isSeparator(c: string): boolean {
  if (/^[A-Za-z0-9_]$/.test(c)) return false;
  if (c.charCodeAt(0) < 0x80) return true;
  if (/^[\p{L}\p{N}]$/u.test(c)) return false;
  return /^\s$/u.test(c);
}

function trimCutset(s: string, cutset: string): string {
  const chars = new Set(cutset);
  const cs = [...s];
  let start = 0;
  let end = cs.length;
  while (start < end && chars.has(cs[start]!)) start++;
  while (end > start && chars.has(cs[end - 1]!)) end--;
  return cs.slice(start, end).join("");
}

function substr(s: string, offset: number, length: number): string {
  const chars = graphemes(s);
  let start = offset < 0 ? chars.length + offset : offset;
  if (start < 0) start = 0;
  if (start > chars.length) return "";
  return chars.slice(start, length < 0 ? undefined : start + length).join("");
}

/** Go's regexp Expand: `$1`, `${1}`, `$name`, `${name}`, `$$`. */
function expandReplacement(template: string, match: RegExpExecArray): string {
  return template.replace(
    /\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g,
    (_m, whole: string, braced?: string, bare?: string) => {
      if (whole === "$") return "$";
      const name = braced ?? bare ?? "";
      if (/^\d+$/.test(name)) return match[Number(name)] ?? "";
      return match.groups?.[name] ?? "";
    },
  );
}

function regexReplace(s: string, pattern: string, replacement: string): string {
  const re = goRegExp(pattern, "g");
  let out = "";
  let last = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    out += s.slice(last, m.index) + expandReplacement(replacement, m);
    last = m.index + m[0].length;
    if (m[0].length === 0) re.lastIndex++;
  }
  return out + s.slice(last);
}

function join(separator: string, lists: readonly Value[]): string {
  const parts: string[] = [];
  lists.forEach((list, i) => {
    if (!Array.isArray(list)) {
      throw new FunctionArgumentError(i + 1, "lists", "list of string required");
    }
    list.forEach((item, j) => {
      if (item === null) {
        throw new FunctionArgumentError(i + 1, "lists", `element ${j} is null`);
      }
      parts.push(toStringValue(item));
    });
  });
  return parts.join(separator);
}

/** `formatlist`: `format` applied across lists, scalars repeating. */
function formatList(spec: string, args: readonly Value[]): Value {
  let length: number | undefined;
  let first = 0;
  args.forEach((arg, i) => {
    if (!Array.isArray(arg)) return;
    if (length === undefined) {
      length = arg.length;
      first = i;
    } else if (arg.length !== length) {
      throw new FunctionArgumentError(
        i + 1,
        "args",
        `argument ${i + 1} has length ${arg.length}, which is inconsistent with argument ${
          first + 1
        } of length ${length}`,
      );
    }
  });
  const rows: string[] = [];
  for (let row = 0; row < (length ?? 1); row++) {
    rows.push(formatString(spec, args.map((a) => (Array.isArray(a) ? a[row]! : a))));
  }
  return rows;
}

/** The string functions, by name. */
export const STRING_FUNCTIONS: Readonly<Record<string, HclFunction>> = {
  chomp: defineFunction("chomp", { params: ["str"] }, (a) => a.string(0).replace(/[\r\n]+$/, "")),
  format: defineFunction(
    "format",
    { params: ["format"], variadic: "args" },
    (a) => formatString(a.string(0), a.values.slice(1)),
  ),
  formatlist: defineFunction(
    "formatlist",
    { params: ["format"], variadic: "args" },
    (a) => formatList(a.string(0), a.values.slice(1)),
  ),
  indent: defineFunction(
    "indent",
    { params: ["spaces", "str"] },
    (a) => a.string(1).replaceAll("\n", `\n${" ".repeat(Math.max(0, a.number(0)))}`),
  ),
  join: defineFunction("join", { params: ["separator"], variadic: "lists" }, (a) => {
    if (a.length < 2) throw new RangeError("at least one list is required");
    return join(a.string(0), a.values.slice(1));
  }),
  lower: defineFunction("lower", { params: ["str"] }, (a) => mapCase(a.string(0), false)),
  regex_replace: defineFunction(
    "regex_replace",
    { params: ["str", "substr", "replace"] },
    (a) => regexReplace(a.string(0), a.string(1), a.string(2)),
  ),
  replace: defineFunction(
    "replace",
    { params: ["str", "substr", "replace"] },
    (a) => a.string(0).replaceAll(a.string(1), a.string(2)),
  ),
  reverse: defineFunction(
    "reverse",
    { params: ["str"] },
    (a) => graphemes(a.string(0)).reverse().join(""),
  ),
  split: defineFunction("split", { params: ["separator", "str"] }, (a) => {
    const separator = a.string(0);
    const s = a.string(1);
    return separator === "" ? [...s] : s.split(separator);
  }),
  strlen: defineFunction("strlen", { params: ["str"] }, (a) => graphemes(a.string(0)).length),
  strrev: defineFunction(
    "strrev",
    { params: ["str"] },
    (a) => graphemes(a.string(0)).reverse().join(""),
  ),
  substr: defineFunction(
    "substr",
    { params: ["str", "offset", "length"] },
    (a) => substr(a.string(0), a.integer(1), a.integer(2)),
  ),
  title: defineFunction("title", { params: ["str"] }, (a) => title(a.string(0))),
  trim: defineFunction(
    "trim",
    { params: ["str", "cutset"] },
    (a) => trimCutset(a.string(0), a.string(1)),
  ),
  trimprefix: defineFunction("trimprefix", { params: ["str", "prefix"] }, (a) => {
    const [s, prefix] = [a.string(0), a.string(1)];
    return s.startsWith(prefix) ? s.slice(prefix.length) : s;
  }),
  trimspace: defineFunction(
    "trimspace",
    { params: ["str"] },
    (a) => a.string(0).replace(LEADING_SPACE, "").replace(TRAILING_SPACE, ""),
  ),
  trimsuffix: defineFunction("trimsuffix", { params: ["str", "suffix"] }, (a) => {
    const [s, suffix] = [a.string(0), a.string(1)];
    return suffix !== "" && s.endsWith(suffix) ? s.slice(0, -suffix.length) : s;
  }),
  upper: defineFunction("upper", { params: ["str"] }, (a) => mapCase(a.string(0), true)),
};
