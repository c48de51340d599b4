/**
 * Declaring functions with HCL's arity rules and reading their arguments with
 * cty's conversions and error wording.
 */

import type { HclFunction } from "../evaluator.ts";
import {
  isValueObject,
  toBoolValue,
  toNumberValue,
  toStringValue,
  typeName,
  type Value,
  type ValueObject,
} from "../values.ts";
import { FunctionArgumentError, FunctionArityError } from "./errors.ts";

/** Parameter names of a function, as Nomad's documentation and errors name them. */
export interface Signature {
  readonly params: readonly string[];
  /** Name of the variadic parameter, if the function takes any number of trailing arguments. */
  readonly variadic?: string;
}

/** The arguments of one call, read with cty's conversions. */
export class Args {
  readonly #signature: Signature;
  /** The raw argument values. */
  readonly values: readonly Value[];

  /** Wraps the values of one call of a function with `signature`. */
  constructor(signature: Signature, values: readonly Value[]) {
    this.#signature = signature;
    this.values = values;
  }

  /** Number of arguments. */
  get length(): number {
    return this.values.length;
  }

  /** Name of parameter `i`. */
  param(i: number): string {
    return this.#signature.params[i] ?? this.#signature.variadic ?? `argument ${i + 1}`;
  }

  /** An error about argument `i`, positioned at it. */
  error(i: number, message: string): FunctionArgumentError {
    return new FunctionArgumentError(i, this.param(i), message);
  }

  /** Argument `i`, which must not be null. */
  value(i: number): Value {
    const v = this.values[i] ?? null;
    if (v === null) throw this.error(i, "argument must not be null");
    return v;
  }

  /** Argument `i`, possibly null. */
  nullable(i: number): Value {
    return this.values[i] ?? null;
  }

  /** Argument `i` converted to a string. */
  string(i: number): string {
    return this.#convert(i, toStringValue, "string");
  }

  /** Argument `i` converted to a number. */
  number(i: number): number {
    return this.#convert(i, toNumberValue, "number");
  }

  /** Argument `i` converted to a whole number. */
  integer(i: number): number {
    const n = this.number(i);
    if (!Number.isInteger(n)) throw this.error(i, "value must be a whole number");
    return n;
  }

  /** Argument `i` converted to a bool. */
  bool(i: number): boolean {
    return this.#convert(i, toBoolValue, "bool");
  }

  /** Argument `i`, which must be a list, set or tuple. */
  list(i: number): Value[] {
    const v = this.value(i);
    if (!Array.isArray(v)) throw this.error(i, `list of any single type required`);
    return v;
  }

  /** Argument `i`, which must be a map or object. */
  object(i: number): ValueObject {
    const v = this.value(i);
    if (!isValueObject(v)) throw this.error(i, "must have map or object type");
    return v;
  }

  #convert<T>(i: number, fn: (v: Value) => T, want: string): T {
    const v = this.value(i);
    if (typeof v === "object") throw this.error(i, `${want} required, but have ${typeName(v)}`);
    try {
      return fn(v);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      throw this.error(i, want === "number" ? "a number is required" : `a ${want} is required`);
    }
  }
}

/**
 * Declares a function: checks the number of arguments as HCL does, then calls
 * `impl` with the arguments wrapped in {@linkcode Args}.
 *
 * @example
 * ```ts
 * import { defineFunction } from "./args.ts";
 * const upper = defineFunction("upper", { params: ["str"] }, (a) => a.string(0).toUpperCase());
 * upper(["abc"]); // "ABC"
 * ```
 */
export function defineFunction(
  name: string,
  signature: Signature,
  impl: (args: Args) => Value,
): HclFunction {
  return (values) => {
    checkArity(name, signature, values.length);
    return impl(new Args(signature, values));
  };
}

/** Throws HCL's arity diagnostics when `count` arguments do not fit `signature`. */
export function checkArity(name: string, signature: Signature, count: number): void {
  const min = signature.params.length;
  if (count < min) {
    const atLeast = signature.variadic === undefined ? "" : "at least ";
    throw new FunctionArityError(
      "Not enough function arguments",
      `Function "${name}" expects ${atLeast}${min} argument(s). Missing value for "${
        signature.params[count]
      }".`,
      -1,
    );
  }
  if (count > min && signature.variadic === undefined) {
    throw new FunctionArityError(
      "Too many function arguments",
      `Function "${name}" expects only ${min} argument(s).`,
      min,
    );
  }
}

/** cty's type kinds for primitive unification. */
function primitiveKind(v: Value): "string" | "number" | "bool" | "other" | "null" {
  if (v === null) return "null";
  if (typeof v === "string") return "string";
  if (typeof v === "number") return "number";
  if (typeof v === "boolean") return "bool";
  return "other";
}

/**
 * Converts values to one element type as cty does for a list: mixed
 * primitives become strings when any is a string; numbers and bools cannot mix.
 */
export function unify(values: readonly Value[]): Value[] {
  const kinds = new Set(values.map(primitiveKind));
  kinds.delete("null");
  if (kinds.size <= 1 || kinds.has("other")) return [...values];
  if (!kinds.has("string")) throw new TypeError("all arguments must have the same type");
  return values.map((v) => (v === null ? null : toStringValue(v)));
}

/** Orders set elements as cty does: numbers numerically, strings lexically, false before true. */
export function compareSetElements(a: Value, b: Value): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  const ja = JSON.stringify(a);
  const jb = JSON.stringify(b);
  return ja < jb ? -1 : ja > jb ? 1 : 0;
}

/** Splits text into user-perceived characters (grapheme clusters), as cty counts them. */
export function graphemes(s: string): string[] {
  return Array.from(SEGMENTER.segment(s), (segment) => segment.segment);
}

const SEGMENTER = new Intl.Segmenter("en", { granularity: "grapheme" });
