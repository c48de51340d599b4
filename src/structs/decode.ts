/**
 * Reading untyped JSON the way Go's encoding/json does for Nomad: object keys
 * match case-insensitively, unknown keys are ignored, wrong types are errors.
 */

import { CodedError } from "../core/errors.ts";

/** A JSON object as parsed. */
export type JsonObject = Record<string, unknown>;

/** True when `value` is a plain JSON object. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Looks up `name` in `obj`, exact match first, then case-insensitively. */
export function field(obj: JsonObject, name: string): unknown {
  if (name in obj) return obj[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(obj)) if (key.toLowerCase() === lower) return obj[key];
  return undefined;
}

function typeError(path: string, want: string, value: unknown): CodedError {
  const got = Array.isArray(value) ? "array" : value === null ? "null" : typeof value;
  return new CodedError(
    400,
    `json: cannot unmarshal ${got} into Go struct field ${path} of type ${want}`,
  );
}

/** String field; `fallback` when absent, null or empty. */
export function str(obj: JsonObject, name: string, path: string, fallback = ""): string {
  const v = field(obj, name);
  if (v === undefined || v === null || v === "") return fallback;
  if (typeof v !== "string") throw typeError(`${path}.${name}`, "string", v);
  return v;
}

/** Integer field; `fallback` when absent or null. */
export function int(obj: JsonObject, name: string, path: string, fallback: number): number {
  const v = field(obj, name);
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "number" || !Number.isInteger(v)) throw typeError(`${path}.${name}`, "int", v);
  return v;
}

/** Integer field that keeps `null` when absent (Go pointer fields). */
export function intOrNull(obj: JsonObject, name: string, path: string): number | null {
  const v = field(obj, name);
  if (v === undefined || v === null) return null;
  return int(obj, name, path, 0);
}

/** Boolean field. */
export function bool(obj: JsonObject, name: string, path: string, fallback = false): boolean {
  const v = field(obj, name);
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "boolean") throw typeError(`${path}.${name}`, "bool", v);
  return v;
}

/** Object field, or null. */
export function obj(parent: JsonObject, name: string, path: string): JsonObject | null {
  const v = field(parent, name);
  if (v === undefined || v === null) return null;
  if (!isObject(v)) throw typeError(`${path}.${name}`, "object", v);
  return v;
}

/** Array field (each element checked by the caller), or null. */
export function arr(parent: JsonObject, name: string, path: string): unknown[] | null {
  const v = field(parent, name);
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v)) throw typeError(`${path}.${name}`, "array", v);
  return v;
}

/** Array of objects, or null. */
export function objects(parent: JsonObject, name: string, path: string): JsonObject[] | null {
  const list = arr(parent, name, path);
  if (list === null) return null;
  return list.map((item) => {
    if (!isObject(item)) throw typeError(`${path}.${name}`, "object", item);
    return item;
  });
}

/** Array of strings, or null. */
export function strings(parent: JsonObject, name: string, path: string): string[] | null {
  const list = arr(parent, name, path);
  if (list === null) return null;
  return list.map((item) => {
    if (typeof item !== "string") throw typeError(`${path}.${name}`, "string", item);
    return item;
  });
}

/** String map (meta, env), or null. Non-string scalars are stringified. */
export function stringMap(
  parent: JsonObject,
  name: string,
  path: string,
): Record<string, string> | null {
  const v = obj(parent, name, path);
  if (v === null) return null;
  const out: Record<string, string> = {};
  for (const [k, value] of Object.entries(v)) {
    if (typeof value === "string") out[k] = value;
    else if (typeof value === "number" || typeof value === "boolean") out[k] = String(value);
    else throw typeError(`${path}.${name}`, "map[string]string", value);
  }
  return out;
}
