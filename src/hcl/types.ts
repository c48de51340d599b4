/**
 * Type constraints (`string`, `list(number)`, `object({ a = string })`) as
 * written in `variable` blocks, the type a value implies, and conversion of
 * values to a type with HCL's (cty's) rules and messages.
 */

import type { Expression } from "./ast.ts";
import { staticString } from "./body.ts";
import { HclSyntaxError } from "./errors.ts";
import { evaluate } from "./evaluator.ts";
import { parseExpressionText } from "./parse_expression.ts";
import {
  isValueObject,
  toBoolValue,
  toNumberValue,
  toStringValue,
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
    /** Attributes declared with `optional(type)` or `optional(type, default)`. */
    readonly optional: readonly string[];
    /** Defaults of optional attributes, when given. */
    readonly defaults?: Readonly<Record<string, Value>>;
  }
  | { readonly kind: "tuple"; readonly elements: readonly HclType[] };

/** Options of {@linkcode parseTypeExpression}. */
export interface TypeExpressionOptions {
  /**
   * Require an exact type: no `any` and no `optional(...)` attributes, which
   * only type constraints allow. Nomad's `variable` blocks take exact types.
   */
  readonly exact?: boolean;
}

const PRIMITIVES = ["any", "string", "number", "bool"] as const;

/**
 * Reads a type constraint expression. A string (HCL's JSON syntax) is parsed
 * as the expression it spells.
 *
 * @example
 * ```ts
 * import { parseExpressionText } from "./parse_expression.ts";
 * import { parseTypeExpression } from "./types.ts";
 * parseTypeExpression(parseExpressionText("list(string)", "x")); // { kind: "list", element: { kind: "string" } }
 * ```
 */
export function parseTypeExpression(
  expr: Expression,
  options: TypeExpressionOptions = {},
): HclType {
  const text = expr.kind === "Literal" || expr.kind === "Template" ? staticString(expr) : null;
  if (text !== null) {
    const start = { line: expr.range.start.line, column: expr.range.start.column + 1 };
    return parseTypeExpression(parseExpressionText(text, expr.range.filename, { start }), options);
  }
  if (expr.kind === "Variable") {
    const kind = PRIMITIVES.find((p) => p === expr.name);
    if (kind === "any" && options.exact) {
      throw new HclSyntaxError(
        "Invalid type specification",
        'The keyword "any" cannot be used in this type specification: an exact type is required.',
        expr.range,
      );
    }
    if (kind !== undefined) return { kind };
  }
  if (expr.kind === "FunctionCall" && expr.args.length === 1) {
    const arg = expr.args[0]!;
    if (expr.name === "list" || expr.name === "set" || expr.name === "map") {
      return { kind: expr.name, element: parseTypeExpression(arg, options) };
    }
    if (expr.name === "object" && arg.kind === "Object") return objectType(arg, options);
    if (expr.name === "tuple" && arg.kind === "Tuple") {
      return { kind: "tuple", elements: arg.items.map((i) => parseTypeExpression(i, options)) };
    }
  }
  throw new HclSyntaxError(
    "Invalid type specification",
    "A type keyword (string, number, bool, any) or constructor (list, set, map, object, tuple) is required here.",
    expr.range,
  );
}

function objectType(
  arg: Extract<Expression, { kind: "Object" }>,
  options: TypeExpressionOptions,
): HclType {
  const attributes: Record<string, HclType> = {};
  const optional: string[] = [];
  const defaults: Record<string, Value> = {};
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
    if (v.kind !== "FunctionCall" || v.name !== "optional") {
      attributes[name] = parseTypeExpression(v, options);
      continue;
    }
    if (options.exact) {
      throw new HclSyntaxError(
        "Invalid type specification",
        "Optional attribute modifier is only for type constraints, not for exact types.",
        v.range,
      );
    }
    if (v.args.length < 1 || v.args.length > 2) {
      throw new HclSyntaxError(
        "Invalid type specification",
        "Optional attribute modifier requires the attribute type as its first argument and an optional default value.",
        v.range,
      );
    }
    optional.push(name);
    attributes[name] = parseTypeExpression(v.args[0]!, options);
    if (v.args[1] !== undefined) {
      defaults[name] = evaluate(v.args[1], { variables: {}, functions: {} });
    }
  }
  return { kind: "object", attributes, optional, defaults };
}

/**
 * The type a value has when no type is declared (`variable "x" { default = [1] }`):
 * lists are tuples and maps are objects, as HCL infers them.
 */
export function impliedType(value: Value): HclType {
  if (typeof value === "string") return { kind: "string" };
  if (typeof value === "number") return { kind: "number" };
  if (typeof value === "boolean") return { kind: "bool" };
  if (value === null) return { kind: "any" };
  if (Array.isArray(value)) return { kind: "tuple", elements: value.map(impliedType) };
  const attributes: Record<string, HclType> = {};
  for (const [k, v] of Object.entries(value)) attributes[k] = impliedType(v);
  return { kind: "object", attributes, optional: [] };
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
        Object.entries(type.attributes).map(([k, t]) =>
          type.optional.includes(k)
            ? `${k} = optional(${typeToString(t)})`
            : `${k} = ${typeToString(t)}`
        ).join(", ")
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

/**
 * Converts `value` to `type` as HCL does; throws `TypeError` with cty's
 * wording ("a number is required", "tuple required").
 *
 * @example
 * ```ts
 * import { convertToType } from "./types.ts";
 * convertToType(["1", 2], { kind: "list", element: { kind: "number" } }); // [1, 2]
 * ```
 */
export function convertToType(value: Value, type: HclType, path = ""): Value {
  if (value === null || type.kind === "any") return value;
  switch (type.kind) {
    case "string":
    case "number":
    case "bool":
      return convertPrimitive(value, type.kind, path);
    case "list":
    case "set": {
      if (!Array.isArray(value)) {
        fail(path, `${type.kind} of ${elementName(type.element)} required`);
      }
      const items = value.map((v, i) => convertToType(v, type.element, `${path}[${i}]`));
      return type.kind === "set" ? setOf(items) : items;
    }
    case "map": {
      if (!isValueObject(value)) fail(path, `map of ${elementName(type.element)} required`);
      const out: ValueObject = {};
      for (const [k, v] of Object.entries(value)) {
        out[k] = convertToType(v, type.element, `${path}[${JSON.stringify(k)}]`);
      }
      return out;
    }
    case "object":
      return convertObject(value, type, path);
    case "tuple": {
      if (!Array.isArray(value) || value.length !== type.elements.length) {
        fail(path, "tuple required");
      }
      return value.map((v, i) => convertToType(v, type.elements[i]!, `${path}[${i}]`));
    }
  }
}

/**
 * Throws the conversion error. cty's message names no path for the values
 * Nomad reports (`a number is required`), so `path` only documents the call.
 */
/** Distinct items in cty's set order: strings and numbers ascending, else first-seen order. */
function setOf(items: Value[]): Value[] {
  const distinct = [...new Map(items.map((i) => [JSON.stringify(i), i])).values()];
  if (distinct.every((i) => typeof i === "string")) {
    return (distinct as string[]).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
  if (distinct.every((i) => typeof i === "number")) {
    return (distinct as number[]).sort((a, b) => a - b);
  }
  return distinct;
}

function fail(_path: string, message: string): never {
  throw new TypeError(message);
}

function elementName(type: HclType): string {
  return type.kind === "any" ? "any single type" : typeToString(type);
}

function convertPrimitive(value: Value, kind: "string" | "number" | "bool", path: string): Value {
  if (typeof value === "object") fail(path, `${kind} required`);
  try {
    if (kind === "string") return toStringValue(value);
    return kind === "number" ? toNumberValue(value) : toBoolValue(value);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return fail(path, `a ${kind} is required`);
  }
}

function convertObject(
  value: Value,
  type: Extract<HclType, { kind: "object" }>,
  path: string,
): Value {
  if (!isValueObject(value)) fail(path, "object required");
  const out: ValueObject = {};
  for (const [name, attrType] of Object.entries(type.attributes)) {
    if (!Object.hasOwn(value, name)) {
      if (type.optional.includes(name)) {
        const fallback = type.defaults?.[name];
        out[name] = fallback === undefined ? null : convertToType(fallback, attrType, path);
        continue;
      }
      fail(path, `attribute "${name}" is required`);
    }
    out[name] = convertToType(value[name]!, attrType, `${path}.${name}`);
  }
  // Attributes the type does not name are dropped, as cty does.
  return out;
}
