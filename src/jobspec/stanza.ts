/**
 * Converting one evaluated attribute into a job JSON field (strings, whole
 * numbers, booleans, durations, lists and string maps), with errors that
 * point at the value.
 */

import { parseDuration } from "../core/clock.ts";
import {
  type Attribute,
  describeValue,
  HclSyntaxError,
  isValueObject,
  toBoolValue,
  toNumberValue,
  toStringValue,
  type Value,
} from "../hcl/mod.ts";

/** How an attribute's value is converted into the JSON field. */
export type FieldKind =
  | "string"
  | "int"
  | "bool"
  | "duration"
  | "strings"
  | "stringMap"
  | "value";

function fieldTypeError(attr: Attribute, requirement: string, value: Value): never {
  throw new HclSyntaxError(
    "Incorrect attribute value type",
    `Inappropriate value for attribute "${attr.name}": ${requirement}, but got ${
      describeValue(value)
    }.`,
    attr.expr.range,
  );
}

/** Converts an evaluated attribute to a field of `kind`, with Nomad-style errors. */
export function convertField(value: Value, kind: FieldKind, attr: Attribute): unknown {
  try {
    switch (kind) {
      case "string":
        return toStringValue(value);
      case "bool":
        return toBoolValue(value);
      case "int": {
        const n = toNumberValue(value);
        if (!Number.isInteger(n)) fieldTypeError(attr, "a whole number is required", value);
        return n;
      }
      case "duration":
        return durationValue(value, attr);
      case "strings":
        if (!Array.isArray(value)) fieldTypeError(attr, "a list of strings is required", value);
        return value.map(toStringValue);
      case "stringMap":
        return toStringMap(value, attr.name, attr.expr.range);
      case "value":
        return value;
    }
  } catch (error) {
    if (error instanceof TypeError) {
      fieldTypeError(attr, error.message.replace(/, but got .*$/, ""), value);
    }
    throw error;
  }
}

function durationValue(value: Value, attr: Attribute): number {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  const text = toStringValue(value);
  const ns = parseDuration(text);
  if (ns === undefined) {
    throw new HclSyntaxError(
      "Invalid duration",
      `${
        JSON.stringify(text)
      } is not a valid duration for "${attr.name}"; use a number with a unit, such as "30s", "5m" or "1h".`,
      attr.expr.range,
    );
  }
  return ns;
}

/** A map of strings from an object value; nested objects and nulls are errors. */
export function toStringMap(
  value: Value,
  name: string,
  range: Attribute["range"],
): Record<string, string> {
  if (!isValueObject(value)) {
    throw new HclSyntaxError(
      "Incorrect attribute value type",
      `Inappropriate value for "${name}": a map of strings is required.`,
      range,
    );
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null || typeof v === "object") {
      throw new HclSyntaxError(
        "Incorrect attribute value type",
        `Inappropriate value for "${name}.${k}": a string is required, but got ${
          describeValue(v)
        }.`,
        range,
      );
    }
    out[k] = toStringValue(v);
  }
  return out;
}
