/** Encoding functions: base64decode, base64encode, csvdecode, jsondecode, jsonencode, urlencode. */

import type { HclFunction } from "../evaluator.ts";
import type { Value, ValueObject } from "../values.ts";
import { defineFunction } from "./args.ts";

const UTF8 = new TextEncoder();
const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

/** Standard base64 with padding, as Go's StdEncoding. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

function base64decode(s: string): string {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)) {
    throw new RangeError(`failed to decode base64 data '${s}'`);
  }
  const bytes = Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    throw new RangeError("the result of decoding the provided string is not valid UTF-8");
  }
}

/** A number as cty writes it in JSON: plain decimal notation, never an exponent. */
export function decimalString(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError("cannot serialize infinity as JSON");
  const text = String(n);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (m === null) return text;
  const [, sign, lead, fraction = "", exp] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  const digits = lead + fraction;
  const point = 1 + Number(exp);
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + "0".repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** JSON as Go's encoding/json writes cty values: sorted keys, HTML characters escaped. */
export function goJsonEncode(value: Value): string {
  if (value === null) return "null";
  if (typeof value === "number") return decimalString(value);
  if (typeof value === "boolean") return String(value);
  if (typeof value === "string") {
    return JSON.stringify(value).replace(
      /[<>&\u2028\u2029]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
  }
  if (Array.isArray(value)) return `[${value.map(goJsonEncode).join(",")}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${goJsonEncode(k)}:${goJsonEncode(value[k]!)}`).join(",")}}`;
}

function jsondecode(s: string): Value {
  try {
    return JSON.parse(s) as Value;
  } catch (error) {
    // Go's wording for the two common cases; other messages are JavaScript's.
    const detail = error instanceof SyntaxError ? error.message : String(error);
    const token = /^Unexpected token '(.)'/.exec(detail);
    if (token !== null) {
      throw new RangeError(`invalid character '${token[1]}' looking for beginning of value`);
    }
    if (/end of JSON input/i.test(detail)) throw new RangeError("unexpected end of JSON input");
    throw new RangeError(detail);
  }
}

/** Go's url.QueryEscape. */
function urlencode(s: string): string {
  let out = "";
  for (const byte of UTF8.encode(s)) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Splits CSV text into records as Go's encoding/csv does (RFC 4180, blank lines skipped). */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let i = 0;
  const endRecord = () => {
    record.push(field);
    if (!(record.length === 1 && record[0] === "")) records.push(record);
    record = [];
    field = "";
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), (i += 2);
      else if (c === '"') (quoted = false), i++;
      else (field += c), (line += c === "\n" ? 1 : 0), i++;
      continue;
    }
    if (c === '"' && field === "") (quoted = true), i++;
    else if (c === '"') {
      throw new RangeError(`parse error on line ${line}: bare " in non-quoted field`);
    } else if (c === ",") record.push(field), (field = ""), i++;
    else if (c === "\r" && text[i + 1] === "\n") i++;
    else if (c === "\n") endRecord(), line++, i++;
    else (field += c), i++;
  }
  if (quoted) {
    throw new RangeError(`parse error on line ${line}: extraneous or missing " in quoted-field`);
  }
  if (field !== "" || record.length > 0) endRecord();
  return records;
}

function csvdecode(text: string): Value {
  const records = parseCsv(text);
  const [header, ...rows] = records;
  if (header === undefined) throw new RangeError("missing header line");
  return rows.map((row, i) => {
    if (row.length !== header.length) {
      throw new RangeError(`CSV parse error on line ${i + 2}: wrong number of fields`);
    }
    const out: ValueObject = {};
    header.forEach((name, j) => (out[name] = row[j]!));
    return out;
  });
}

/** The encoding functions, by name (YAML lives in yaml.ts). */
export const ENCODING_FUNCTIONS: Readonly<Record<string, HclFunction>> = {
  base64decode: defineFunction(
    "base64decode",
    { params: ["str"] },
    (a) => base64decode(a.string(0)),
  ),
  base64encode: defineFunction(
    "base64encode",
    { params: ["str"] },
    (a) => encodeBase64(UTF8.encode(a.string(0))),
  ),
  csvdecode: defineFunction("csvdecode", { params: ["str"] }, (a) => csvdecode(a.string(0))),
  jsondecode: defineFunction("jsondecode", { params: ["str"] }, (a) => jsondecode(a.string(0))),
  jsonencode: defineFunction("jsonencode", { params: ["val"] }, (a) => goJsonEncode(a.nullable(0))),
  urlencode: defineFunction("urlencode", { params: ["str"] }, (a) => urlencode(a.string(0))),
};
