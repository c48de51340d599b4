/**
 * Type conversion functions: `can`, `try` and `convert`. All three take their
 * arguments unevaluated: `can` and `try` to catch their errors, `convert`
 * because its second argument is a type, not a value.
 */

import type { HclFunction, LazyArgument } from "../evaluator.ts";
import { HclSyntaxError } from "../errors.ts";
import { convertToType, parseTypeExpression } from "../types.ts";
import type { Value } from "../values.ts";
import { checkArity, compareSetElements } from "./args.ts";
import { FunctionArgumentError } from "./errors.ts";
import { AssertionError } from "../../core/assert.ts";

/** A function whose arguments the evaluator passes unevaluated. */
function lazyFunction(
  name: string,
  impl: (args: readonly LazyArgument[]) => Value,
): HclFunction {
  const eager = (): Value => {
    throw new TypeError(`function "${name}" must be called by the evaluator`);
  };
  return Object.assign(eager, { lazy: impl });
}

/** Evaluates `arg`, returning the error (never a broken invariant) instead of throwing it. */
function attempt(arg: LazyArgument): { value: Value } | { error: Error } {
  try {
    return { value: arg.evaluate() };
  } catch (error) {
    if (error instanceof AssertionError || !(error instanceof Error)) throw error;
    return { error };
  }
}

function describe(error: Error): string {
  if (error instanceof HclSyntaxError) {
    const { filename, start, end } = error.range;
    const where = `${filename}:${start.line},${start.column}-${end.column}`;
    return `- ${error.summary} (at ${where})\n  ${error.detail}`;
  }
  return `- ${error.message}`;
}

const can = lazyFunction("can", (args) => {
  checkArity("can", { params: ["expression"] }, args.length);
  return "value" in attempt(args[0]!);
});

const tryFunction = lazyFunction("try", (args) => {
  if (args.length === 0) throw new RangeError("at least one argument is required");
  const errors: Error[] = [];
  for (const arg of args) {
    const result = attempt(arg);
    if ("value" in result) return result.value;
    errors.push(result.error);
  }
  // The evaluator appends the final period.
  throw new RangeError(
    `no expression succeeded:\n${
      errors.map(describe).join("\n")
    }\n\nAt least one expression must produce a successful result`,
  );
});

const convert = lazyFunction("convert", (args) => {
  checkArity("convert", { params: ["value", "type"] }, args.length);
  const type = parseTypeExpression(args[1]!.expression);
  const value = args[0]!.evaluate();
  try {
    const converted = convertToType(value, type);
    // cty orders set elements (numbers numerically, strings lexically).
    return type.kind === "set" && Array.isArray(converted)
      ? [...converted].sort(compareSetElements)
      : converted;
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    throw new FunctionArgumentError(0, "value", error.message.replace(/^value: /, ""));
  }
});

/** The type conversion functions, by name. */
export const CONVERSION_FUNCTIONS: Readonly<Record<string, HclFunction>> = {
  can,
  convert,
  try: tryFunction,
};
