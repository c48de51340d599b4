/**
 * Type constraints (`string`, `list(number)`, `object({ a = string })`) as
 * written in `variable` blocks, and conversion of values to them.
 */

import type { Expression } from "./ast.ts";
import { staticString } from "./body.ts";
import { HclSyntaxError } from "./errors.ts";
import {
  isValueObject,
  toBoolValue,
  toNumberValue,
  toStringValue,
  typeName,
  type Value,
  type ValueObject,
} from "./values.ts";

/** A type constraint. */
export type HclType =
  | { readonly kind: "any" | "string" | "number" | "bool" }
  | { readonly kind: "list" | "set" | "map"; readonly element: HclType }
  | {
    readonly kind: "object";
    readonly attributes: Readonly<Record<string, HclType>>;
    readonly optional: readonly string[];
  }
  | { readonly kind: "tuple"; readonly elements: readonly HclType[] };

const PRIMITIVES = ["any", "string", "number", "bool"] as const;

/**
 * Reads a type constraint expression.
 *
 * @example
 * ```ts
 * import { parseExpressionText } from "./parse_expression.ts";
 * import { parseTypeExpression } from "./types.ts";
 * parseTypeExpression(parseExpressionText("list(string)", "x")); // { kind: "list", element: { kind: "string" } }
 * ```
 */
export function parseTypeExpression(expr: Expression): HclType {
  if (expr.kind === "Variable") {
    const kind = PRIMITIVES.find((p) => p === expr.name);
    if (kind !== undefined) return { kind };
  }
  if (expr.kind === "FunctionCall" && expr.args.length === 1) {
    const arg = expr.args[0]!;
    if (expr.name === "list" || expr.name === "set" || expr.name === "map") {
      return { kind: expr.name, element: parseTypeExpression(arg) };
    }
    if (expr.name === "object" && arg.kind === "Object") return objectType(arg);
    if (expr.name === "tuple" && arg.kind === "Tuple") {
      return { kind: "tuple", elements: arg.items.map(parseTypeExpression) };
    }
  }
  throw new HclSyntaxError(
    "Invalid type specification",
    "A type keyword (string, number, bool, any) or constructor (list, set, map, object, tuple) is required here.",
    expr.range,
  );
}

function objectType(arg: Extract<Expression, { kind: "Object" }>): HclType {
  const attributes: Record<string, HclType> = {};
  const optional: string[] = [];
  for (const item of arg.items) {
    const name = staticString(item.key);
    if (name === null) {
      throw new HclSyntaxError(
        "Invalid type specification",
        "Object type attribute names must be identifiers.",
        item.key.range,
      );
    }
    const v = item.value;
    const isOptional = v.kind === "FunctionCall" && v.name === "optional" && v.args.length >= 1;
    if (isOptional) optional.push(name);
    attributes[name] = parseTypeExpression(isOptional ? v.args[0]! : v);
  }
  return { kind: "object", attributes, optional };
}

/** Renders a type as HCL source. */
export function typeToString(type: HclType): string {
  switch (type.kind) {
    case "list":
    case "set":
    case "map":
      return `${type.kind}(${typeToString(type.element)})`;
    case "object":
      return `object({${
        Object.entries(type.attributes).map(([k, t]) => `${k} = ${typeToString(t)}`).join(", ")
      }})`;
    case "tuple":
      return `tuple([${type.elements.map(typeToString).join(", ")}])`;
    default:
      return type.kind;
  }
}

/** True when values of this type are written as HCL expressions on the command line. */
export function isComplexType(type: HclType): boolean {
  return !(PRIMITIVES as readonly string[]).includes(type.kind);
}

/** Converts `value` to `type` as HCL does; throws `TypeError` naming the path on failure. */
export function convertToType(value: Value, type: HclType, path = "value"): Value {
  if (value === null || type.kind === "any") return value;
  switch (type.kind) {
    case "string":
      return toStringValue(value);
    case "number":
      return toNumberValue(value);
    case "bool":
      return toBoolValue(value);
    case "list":
    case "set": {
      if (!Array.isArray(value)) {
        throw new TypeError(`${path}: a ${type.kind} is required, but got ${typeName(value)}`);
      }
      const items = value.map((v, i) => convertToType(v, type.element, `${path}[${i}]`));
      return type.kind === "set"
        ? [...new Map(items.map((i) => [JSON.stringify(i), i])).values()]
        : items;
    }
    case "map": {
      if (!isValueObject(value)) {
        throw new TypeError(`${path}: a map is required, but got ${typeName(value)}`);
      }
      const out: ValueObject = {};
      for (const [k, v] of Object.entries(value)) {
        out[k] = convertToType(v, type.element, `${path}.${k}`);
      }
      return out;
    }
    case "object":
      return convertObject(value, type, path);
    case "tuple": {
      if (!Array.isArray(value) || value.length !== type.elements.length) {
        throw new TypeError(`${path}: a tuple of ${type.elements.length} elements is required`);
      }
      return value.map((v, i) => convertToType(v, type.elements[i]!, `${path}[${i}]`));
    }
  }
}

function convertObject(
  value: Value,
  type: Extract<HclType, { kind: "object" }>,
  path: string,
): Value {
  if (!isValueObject(value)) {
    throw new TypeError(`${path}: an object is required, but got ${typeName(value)}`);
  }
  const out: ValueObject = {};
  for (const [name, attrType] of Object.entries(type.attributes)) {
    if (!Object.hasOwn(value, name)) {
      if (type.optional.includes(name)) {
        out[name] = null;
        continue;
      }
      throw new TypeError(`${path}: attribute "${name}" is required`);
    }
    out[name] = convertToType(value[name]!, attrType, `${path}.${name}`);
  }
  return out;
}
