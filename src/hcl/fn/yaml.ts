/**
 * YAML functions: yamldecode (YAML 1.1, as Nomad's go-yaml reads it) and
 * yamlencode (go-cty-yaml's layout: sorted, double-quoted keys and strings,
 * literal blocks for multi-line strings, `...` after a bare root scalar).
 */

import { parse as parseYaml } from "yaml";
import type { HclFunction } from "../evaluator.ts";
import { isValueObject, type Value, type ValueObject } from "../values.ts";
import { defineFunction } from "./args.ts";
import { decimalString } from "./encoding.ts";

/** Deeper YAML than this is refused rather than risking the stack. */
const MAX_DEPTH = 256;

function yamldecode(src: string): Value {
  let doc: unknown;
  try {
    doc = parseYaml(src, { version: "1.1", maxAliasCount: 1000, uniqueKeys: true });
  } catch (error) {
    throw new RangeError(`on line ${yamlLine(error)}: ${(error as Error).message.split("\n")[0]}`);
  }
  return toValue(doc, 0);
}

function yamlLine(error: unknown): number {
  const linePos = (error as { linePos?: { line: number }[] }).linePos;
  return linePos?.[0]?.line ?? 1;
}

function toValue(doc: unknown, depth: number): Value {
  if (depth > MAX_DEPTH) throw new RangeError("the YAML document is nested too deeply");
  if (doc === undefined || doc === null) return null;
  if (typeof doc === "string" || typeof doc === "boolean") return doc;
  if (typeof doc === "number") return doc;
  if (typeof doc === "bigint") return Number(doc);
  if (doc instanceof Date) return doc.toISOString().replace(".000Z", "Z");
  if (doc instanceof Uint8Array) return new TextDecoder().decode(doc);
  if (Array.isArray(doc)) return doc.map((d) => toValue(d, depth + 1));
  if (doc instanceof Set) return [...doc].map((d) => toValue(d, depth + 1));
  const entries = doc instanceof Map ? [...doc.entries()] : Object.entries(doc as object);
  const out: ValueObject = {};
  for (const [k, v] of entries) out[String(k)] = toValue(v, depth + 1);
  return out;
}

function yamlencode(value: Value): string {
  if (isContainer(value) && !isEmptyContainer(value)) return block(value, "");
  if (typeof value === "string" || isContainer(value)) return `${scalar(value, "")}\n`;
  return `${scalar(value, "")}\n...\n`;
}

function isContainer(value: Value): value is Value[] | ValueObject {
  return Array.isArray(value) || isValueObject(value);
}

function isEmptyContainer(value: Value[] | ValueObject): boolean {
  return Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
}

/** A non-empty list or map, each line starting with `indent`, ending with a newline. */
function block(value: Value[] | ValueObject, indent: string): string {
  let out = "";
  if (Array.isArray(value)) {
    for (const item of value) out += `${indent}- ${inline(item, `${indent}  `)}`;
    return out;
  }
  for (const key of Object.keys(value).sort()) {
    const item = value[key]!;
    const head = `${indent}${quote(key)}:`;
    if (Array.isArray(item) && item.length > 0) out += `${head}\n${block(item, indent)}`;
    else if (isValueObject(item) && Object.keys(item).length > 0) {
      out += `${head}\n${block(item, `${indent}  `)}`;
    } else out += `${head} ${scalar(item, `${indent}  `)}\n`;
  }
  return out;
}

/** An item after `- `: a nested container starts on the same line. */
function inline(item: Value, indent: string): string {
  if (isContainer(item) && !isEmptyContainer(item)) return block(item, indent).slice(indent.length);
  return `${scalar(item, indent)}\n`;
}

function scalar(value: Value, indent: string): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") return decimalString(value);
  if (Array.isArray(value)) return "[]";
  if (isValueObject(value)) return "{}";
  return value.includes("\n") ? literal(value, indent) : quote(value);
}

/** A multi-line string as a literal block: `|-` without, `|` with one, `|+` with more final newlines. */
function literal(text: string, indent: string): string {
  const trailing = /\n*$/.exec(text)![0].length;
  const chomp = trailing === 0 ? "-" : trailing === 1 ? "" : "+";
  const body = trailing === 0 ? text : text.slice(0, text.length - 1);
  return `|${chomp}\n${body.split("\n").map((l) => l === "" ? "" : `${indent}${l}`).join("\n")}`;
}

function quote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** The YAML functions, by name. */
export const YAML_FUNCTIONS: Readonly<Record<string, HclFunction>> = {
  yamldecode: defineFunction("yamldecode", { params: ["src"] }, (a) => yamldecode(a.string(0))),
  yamlencode: defineFunction("yamlencode", { params: ["value"] }, (a) => yamlencode(a.nullable(0))),
};
