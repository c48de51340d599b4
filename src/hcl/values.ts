/** Plain JS values produced by evaluation, with HCL's automatic conversions. */

/** An evaluated HCL value: JSON-like data. */
export type Value = string | number | boolean | null | Value[] | ValueObject;

/** An evaluated object or map. */
export interface ValueObject {
  [key: string]: Value;
}

/** True for objects/maps (not arrays, not null). */
export function isValueObject(value: Value | undefined): value is ValueObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** HCL's name for the type of `value`, for error messages. */
export function typeName(value: Value): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "tuple";
  if (typeof value === "object") return "object";
  if (typeof value === "boolean") return "bool";
  return typeof value;
}

/**
 * Formats a number the way HCL prints it in strings: integers without a
 * decimal point, others in shortest round-trip form.
 */
export function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return n.toFixed(0);
  return String(n);
}

/** Converts to string as HCL does (numbers and bools convert); throws TypeError otherwise. */
export function toStringValue(value: Value): string {
  if (typeof value === "string") return value;
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  throw new TypeError(`a string is required, but got ${typeName(value)}`);
}

/** Converts to number as HCL does (numeric strings convert); throws TypeError otherwise. */
export function toNumberValue(value: Value): number {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^\s*-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(value)) {
    return Number(value);
  }
  throw new TypeError(`a number is required, but got ${describeValue(value)}`);
}

/** Converts to bool as HCL does ("true"/"false" strings convert); throws TypeError otherwise. */
export function toBoolValue(value: Value): boolean {
  if (typeof value === "boolean") return value;
  if (value === "true") return true;
  if (value === "false") return false;
  throw new TypeError(`a bool is required, but got ${describeValue(value)}`);
}

/** A short description of a value for error messages. */
export function describeValue(value: Value): string {
  if (typeof value === "string") return `string ${JSON.stringify(value)}`;
  if (typeof value === "number" || typeof value === "boolean") return `${typeName(value)} ${value}`;
  return typeName(value);
}

/** Structural equality without conversion (`1 == "1"` is false, as in HCL). */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => valuesEqual(item, b[i]!));
  }
  if (isValueObject(a) && isValueObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => k in b && valuesEqual(a[k]!, b[k]!));
  }
  return false;
}
