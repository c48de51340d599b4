/**
 * consul-template's functions as Nomad offers them (env, file, timestamp,
 * JSON/YAML, strings, parsing, base64, math, a few sprig basics) and the Nomad
 * data-source functions, bound to one render's context.
 */

import { decodeBase64, encodeBase64 } from "../../core/base64.ts";
import { quote } from "../../core/go_quote.ts";
import type { TemplateFunction } from "./exec.ts";
import { formatValue, goTypeName, isGoMap, mapEntries } from "./format.ts";
import {
  type Dependency,
  type DependencyRecorder,
  NomadVarItems,
  NomadVarMeta,
  type TemplateService,
  type TemplateServiceSummary,
  type TemplateVariable,
} from "./sources.ts";
import { formatGoTime } from "./time_format.ts";
import { toYaml } from "./yaml.ts";

/** What the functions of one render may see. */
export interface FunctionContext {
  /** The task environment (`env`). */
  env: Readonly<Record<string, string>>;
  /** The current time in milliseconds (`timestamp`). */
  nowMs: number;
  /** Reads a file for `file`; throws with a message when it cannot. */
  readFile: (path: string) => string;
  /** The namespace of the job (the default for variables and services). */
  namespace: string;
  /** Records and answers data-source lookups. */
  recorder: DependencyRecorder | null;
}

/** Most items `loop` may produce. */
export const MAX_LOOP_ITEMS = 100_000;

const fn = (
  params: TemplateFunction["params"],
  call: TemplateFunction["call"],
  variadic?: TemplateFunction["variadic"],
): TemplateFunction => (variadic === undefined ? { params, call } : { params, variadic, call });

function stringList(value: unknown, name: string): string[] {
  if (!Array.isArray(value)) throw new Error(`${name}: expected a list, got ${goTypeName(value)}`);
  return value.map((v) => (typeof v === "string" ? v : formatValue(v)));
}

/** Keys of maps sorted, like Go's encoding/json; class instances by their own fields. */
function jsonable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(jsonable);
  const entries = mapEntries(value);
  if (entries !== null) {
    return Object.fromEntries(entries.map(([k, v]) => [k, jsonable(v)]));
  }
  if (typeof value === "object" && value !== null) {
    const stringer = (value as { String?: unknown }).String;
    if (typeof stringer === "function" && Object.keys(value).length === 0) {
      return String(stringer.call(value));
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonable(v)]));
  }
  return value === undefined ? null : value;
}

const JSON_ESCAPES: Readonly<Record<string, string>> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
};

function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(jsonable(value), null, indent).replace(/[<>&]/g, (c) => JSON_ESCAPES[c]!);
}

function parseIntStrict(text: string, name: string): number {
  if (!/^[+-]?[0-9]+$/.test(text)) {
    throw new Error(`${name}: strconv.ParseInt: parsing ${quote(text)}: invalid syntax`);
  }
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new Error(`${name}: strconv.ParseInt: parsing ${quote(text)}: value out of range`);
  }
  return value;
}

function parseFloatStrict(text: string): number {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|infinity|nan)$/i.test(text)) {
    throw new Error(`parseFloat: strconv.ParseFloat: parsing ${quote(text)}: invalid syntax`);
  }
  return Number(text.replace(/inf(inity)?/i, "Infinity").replace(/nan/i, "NaN"));
}

const TRUE_WORDS = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE_WORDS = new Set(["0", "f", "F", "FALSE", "false", "False"]);

function parseBool(text: string): boolean {
  if (TRUE_WORDS.has(text)) return true;
  if (FALSE_WORDS.has(text)) return false;
  throw new Error(`parseBool: strconv.ParseBool: parsing ${quote(text)}: invalid syntax`);
}

/** Go's emptiness for sprig's `default`. */
function isEmptyValue(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === "") {
    return true;
  }
  if (Array.isArray(value)) return value.length === 0;
  const entries = mapEntries(value);
  return entries !== null && entries.length === 0;
}

function contains(needle: unknown, haystack: unknown): boolean {
  if (typeof haystack === "string") return haystack.includes(String(needle));
  if (Array.isArray(haystack)) return haystack.some((v) => v === needle);
  if (haystack === null || haystack === undefined) return false;
  if (isGoMap(haystack) || mapEntries(haystack) !== null) {
    return (mapEntries(haystack) ?? []).some(([k]) => k === needle);
  }
  throw new Error(`contains: cannot search in ${goTypeName(haystack)}`);
}

type MathOp = "add" | "subtract" | "multiply" | "divide" | "modulo";

/** consul-template's math: the piped-in value is the last argument (`{{ 2 | add 1 }}`). */
function math(op: MathOp, b: unknown, a: unknown): number {
  if (typeof a !== "number" || typeof b !== "number") {
    const bad = typeof a !== "number" ? a : b;
    throw new Error(`${op}: unknown type for ${quote(formatValue(bad))} (${goTypeName(bad)})`);
  }
  const ints = Number.isInteger(a) && Number.isInteger(b);
  switch (op) {
    case "add":
      return a + b;
    case "subtract":
      return a - b;
    case "multiply":
      return a * b;
    case "divide":
      if (b === 0) throw new Error("divide: division by 0");
      return ints ? Math.trunc(a / b) : a / b;
    case "modulo":
      if (b === 0) throw new Error("modulo: division by 0");
      if (!ints) throw new Error(`modulo: unknown type for ${quote(formatValue(a))} (float64)`);
      return a % b;
  }
}

function loop(args: unknown[]): number[] {
  const [a, b] = args as number[];
  const [start, end] = args.length === 1 ? [0, a!] : [a!, b!];
  if (end - start > MAX_LOOP_ITEMS) throw new Error(`loop: more than ${MAX_LOOP_ITEMS} items`);
  return Array.from({ length: Math.max(0, end - start) }, (_, i) => start + i);
}

function timestamp(nowMs: number, args: unknown[]): string {
  const format = (args[0] as string | undefined) ?? "";
  if (format === "unix") return String(Math.floor(nowMs / 1000));
  return formatGoTime(new Date(nowMs), format === "" ? "2006-01-02T15:04:05Z07:00" : format);
}

function base64Text(text: string, url: boolean): string {
  const encoded = encodeBase64(new TextEncoder().encode(text));
  return url ? encoded.replace(/\+/g, "-").replace(/\//g, "_") : encoded;
}

function base64Decode(text: string, url: boolean, name: string): string {
  const normal = url ? text.replace(/-/g, "+").replace(/_/g, "/") : text;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(normal) || normal.length % 4 !== 0) {
    throw new Error(
      `${name}: illegal base64 data at input byte ${Math.max(0, firstBadByte(normal))}`,
    );
  }
  return new TextDecoder().decode(decodeBase64(normal));
}

function firstBadByte(text: string): number {
  const index = text.search(/[^A-Za-z0-9+/=]/);
  return index >= 0 ? index : text.length - (text.length % 4);
}

function indent(spaces: number, text: string): string {
  if (spaces < 0) throw new Error("indent value must be a positive integer");
  const pad = " ".repeat(spaces);
  return text.split("\n").map((line) => pad + line).join("\n");
}

/** The functions that need no render context. */
function helperFunctions(): [string, TemplateFunction][] {
  return [
    ["toJSON", fn(["any"], ([v]) => toJson(v))],
    ["toJSONPretty", fn(["any"], ([v]) => toJson(v, 2))],
    ["toYAML", fn(["any"], ([v]) => toYaml(jsonable(v)))],
    [
      "split",
      fn(["string", "string"], ([sep, s]) => (s === "" ? [] : (s as string).split(sep as string))),
    ],
    ["join", fn(["string", "any"], ([sep, list]) => stringList(list, "join").join(sep as string))],
    [
      "replaceAll",
      fn(
        ["string", "string", "string"],
        ([f, t, s]) => (s as string).split(f as string).join(t as string),
      ),
    ],
    ["toLower", fn(["string"], ([s]) => (s as string).toLowerCase())],
    ["toUpper", fn(["string"], ([s]) => (s as string).toUpperCase())],
    [
      "toTitle",
      fn(["string"], ([s]) => (s as string).replace(/(^|\s)(\S)/g, (m) => m.toUpperCase())),
    ],
    ["trimSpace", fn(["string"], ([s]) => (s as string).trim())],
    [
      "trimPrefix",
      fn(
        ["string", "string"],
        (
          [p, s],
        ) => ((s as string).startsWith(p as string)
          ? (s as string).slice((p as string).length)
          : s),
      ),
    ],
    [
      "trimSuffix",
      fn(
        ["string", "string"],
        (
          [x, s],
        ) => ((s as string).endsWith(x as string) && x !== ""
          ? (s as string).slice(0, -(x as string).length)
          : s),
      ),
    ],
    ["contains", fn(["any", "any"], ([v, l]) => contains(v, l))],
    ["in", fn(["any", "any"], ([l, v]) => contains(v, l))],
    ["hasPrefix", fn(["string", "string"], ([p, s]) => (s as string).startsWith(p as string))],
    ["hasSuffix", fn(["string", "string"], ([x, s]) => (s as string).endsWith(x as string))],
    ["parseInt", fn(["string"], ([s]) => parseIntStrict(s as string, "parseInt"))],
    [
      "parseUint",
      fn(["string"], ([s]) => {
        const value = parseIntStrict(s as string, "parseUint");
        if (value < 0) {
          throw new Error(
            `parseUint: strconv.ParseUint: parsing ${quote(s as string)}: invalid syntax`,
          );
        }
        return value;
      }),
    ],
    ["parseFloat", fn(["string"], ([s]) => parseFloatStrict(s as string))],
    ["parseBool", fn(["string"], ([s]) => parseBool(s as string))],
    [
      "parseJSON",
      fn(["string"], ([s]) => {
        try {
          return JSON.parse(s as string);
        } catch (err) {
          throw new Error(`parseJSON: ${(err as Error).message}`);
        }
      }),
    ],
    ["base64Encode", fn(["string"], ([s]) => base64Text(s as string, false))],
    ["base64Decode", fn(["string"], ([s]) => base64Decode(s as string, false, "base64Decode"))],
    ["base64URLEncode", fn(["string"], ([s]) => base64Text(s as string, true))],
    [
      "base64URLDecode",
      fn(["string"], ([s]) => base64Decode(s as string, true, "base64URLDecode")),
    ],
    ["indent", fn(["int", "string"], ([n, s]) => indent(n as number, s as string))],
    [
      "regexMatch",
      fn(["string", "string"], ([re, s]) => new RegExp(re as string).test(s as string)),
    ],
    [
      "regexReplaceAll",
      fn(["string", "string", "string"], ([re, to, s]) =>
        (s as string).replace(
          new RegExp(re as string, "g"),
          (to as string).replace(/\$\{?(\w+)\}?/g, "$$$1"),
        )),
    ],
    ["loop", fn(["int"], (args) => loop(args), "int")],
    ...(["add", "subtract", "multiply", "divide", "modulo"] as const).map((
      op,
    ): [string, TemplateFunction] => [op, fn(["any", "any"], ([b, a]) => math(op, b, a))]),
    ["minimum", fn(["number", "number"], ([a, b]) => Math.min(a as number, b as number))],
    ["maximum", fn(["number", "number"], ([a, b]) => Math.max(a as number, b as number))],
    ...sprigFunctions(),
  ];
}

/** sprig basics used in Nomad's docs, also under consul-template's `sprig_` prefix. */
function sprigFunctions(): [string, TemplateFunction][] {
  const basics: [string, TemplateFunction][] = [
    ["default", fn(["any", "any"], ([d, v]) => (isEmptyValue(v) ? d : v))],
    [
      "trim",
      fn(
        ["string"],
        ([a, b]) => (b === undefined ? (a as string).trim() : trimCutset(b as string, a as string)),
        "string",
      ),
    ],
    ["upper", fn(["string"], ([s]) => (s as string).toUpperCase())],
    ["lower", fn(["string"], ([s]) => (s as string).toLowerCase())],
    [
      "quote",
      fn(
        [],
        (args) => args.filter((a) => a !== null).map((a) => quote(formatValue(a))).join(" "),
        "any",
      ),
    ],
    [
      "squote",
      fn(
        [],
        (args) => args.filter((a) => a !== null).map((a) => `'${formatValue(a)}'`).join(" "),
        "any",
      ),
    ],
  ];
  return [
    ...basics,
    ...basics.map(([name, f]): [string, TemplateFunction] => [`sprig_${name}`, f]),
  ];
}

function trimCutset(text: string, cutset: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && cutset.includes(text[start]!)) start++;
  while (end > start && cutset.includes(text[end - 1]!)) end--;
  return text.slice(start, end);
}

/** `path@namespace` → its parts, the namespace defaulting to the job's. */
function splitNamespace(text: string, namespace: string): [string, string] {
  const at = text.lastIndexOf("@");
  return at < 0 ? [text, namespace] : [text.slice(0, at), text.slice(at + 1) || namespace];
}

/** Nomad's data-source functions; unfetched data renders empty and is recorded missing. */
function sourceFunctions(context: FunctionContext): [string, TemplateFunction][] {
  const lookup = (dep: Dependency) => {
    if (context.recorder === null) throw new Error("no data sources in this context");
    return context.recorder.lookup(dep);
  };
  const variable = (text: string, blockOnMissing: boolean) => {
    const [path, namespace] = splitNamespace(text, context.namespace);
    if (path === "") throw new Error("variable path cannot be empty");
    return lookup({ kind: "variable", path, namespace, blockOnMissing }) as
      | TemplateVariable
      | null
      | undefined;
  };
  return [
    ["nomadVar", fn(["string"], ([p]) => new NomadVarItems(variable(p as string, true) ?? null))],
    ["nomadVarExists", fn(["string"], ([p]) => (variable(p as string, false) ?? null) !== null)],
    [
      "nomadVarList",
      fn([], (args) => {
        const [prefix, namespace] = splitNamespace(
          (args[0] as string | undefined) ?? "",
          context.namespace,
        );
        const list = lookup({ kind: "variableList", prefix, namespace }) as
          | TemplateVariable[]
          | undefined;
        return (list ?? []).map((v) => new NomadVarMeta(v));
      }, "string"),
    ],
    ["nomadService", fn(["any"], (args) => nomadService(args, context, lookup), "any")],
    [
      "nomadServices",
      fn([], (args) => {
        const [, namespace] = splitNamespace(
          (args[0] as string | undefined) ?? "",
          context.namespace,
        );
        const list = lookup({ kind: "services", namespace }) as
          | TemplateServiceSummary[]
          | undefined;
        return (list ?? []).map((s) => ({ ...s }));
      }, "string"),
    ],
  ];
}

/** `nomadService "[tag.]name[@namespace]"`, or `nomadService count key name` to pick a stable subset. */
function nomadService(
  args: unknown[],
  context: FunctionContext,
  lookup: (dep: Dependency) => unknown,
): TemplateService[] {
  if (args.length !== 1 && args.length !== 3) {
    throw new Error(`nomadService: expected 1 or 3 arguments, got ${args.length}`);
  }
  const query = String(args[args.length - 1]);
  const match = /^(?:([\w=:.\-]+)\.)?([\w\-]+)(?:@([\w.\-]+))?$/.exec(query);
  if (match === null) throw new Error(`nomadService: invalid format: ${quote(query)}`);
  const [, tag = "", name = "", namespace = context.namespace] = match;
  const list =
    (lookup({ kind: "service", name, tag, namespace }) as TemplateService[] | undefined) ?? [];
  const services = list.map((s) => ({ ...s, Tags: [...s.Tags] }));
  if (args.length === 1) return services;
  const count = args[0];
  if (typeof count !== "number" || !Number.isInteger(count) || count < 0) {
    throw new Error(`nomadService: count must be a positive integer, got ${formatValue(count)}`);
  }
  const key = String(args[1]);
  return services
    .map((s) => ({ s, rank: stableHash(`${key}/${s.ID}`) }))
    .sort((a, b) => a.rank - b.rank)
    .slice(0, count)
    .map(({ s }) => s);
}

/** FNV-1a: a stable rank of a service for a key (rendezvous hashing). */
function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Every consul-template function Nomad offers, bound to `context`. */
export function templateFunctions(context: FunctionContext): Map<string, TemplateFunction> {
  return new Map<string, TemplateFunction>([
    ["env", fn(["string"], ([name]) => context.env[name as string] ?? "")],
    ["envOrDefault", fn(["string", "string"], ([name, d]) => context.env[name as string] || d)],
    ["file", fn(["string"], ([path]) => context.readFile(path as string))],
    ["timestamp", fn([], (args) => timestamp(context.nowMs, args), "string")],
    ...helperFunctions(),
    ...sourceFunctions(context),
  ]);
}

/** The functions with an empty context: for parsing (only names matter) and the CLI. */
export const TEMPLATE_FUNCTIONS: ReadonlyMap<string, TemplateFunction> = templateFunctions({
  env: {},
  nowMs: 0,
  readFile: () => {
    throw new Error("file is not available here");
  },
  namespace: "default",
  recorder: null,
});
