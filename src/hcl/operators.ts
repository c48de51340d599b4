/** Unary and binary operators with HCL's operand conversions. */

import type { BinaryExpr, Range, UnaryOp } from "./ast.ts";
import { HclSyntaxError } from "./errors.ts";
import { toBoolValue, toNumberValue, type Value, valuesEqual } from "./values.ts";

function operand<T>(fn: (v: Value) => T, value: Value, range: Range, side: string): T {
  try {
    return fn(value);
  } catch (error) {
    if (error instanceof TypeError) {
      throw new HclSyntaxError(
        "Invalid operand",
        `Unsuitable value for ${side} operand: ${error.message}.`,
        range,
      );
    }
    throw error;
  }
}

/** `-x` and `!x`. */
export function applyUnary(op: UnaryOp, value: Value, range: Range): Value {
  if (op === "!") return !operand(toBoolValue, value, range, "unary");
  return -operand(toNumberValue, value, range, "unary");
}

/** Applies a binary operator to already-evaluated operands. */
export function applyBinary(expr: BinaryExpr, left: Value, right: Value): Value {
  const { op } = expr;
  if (op === "==") return valuesEqual(left, right);
  if (op === "!=") return !valuesEqual(left, right);
  if (op === "&&" || op === "||") {
    const l = operand(toBoolValue, left, expr.left.range, "left");
    const r = operand(toBoolValue, right, expr.right.range, "right");
    return op === "&&" ? l && r : l || r;
  }
  const l = operand(toNumberValue, left, expr.left.range, "left");
  const r = operand(toNumberValue, right, expr.right.range, "right");
  switch (op) {
    case "<":
      return l < r;
    case ">":
      return l > r;
    case "<=":
      return l <= r;
    case ">=":
      return l >= r;
    case "+":
      return l + r;
    case "-":
      return l - r;
    case "*":
      return l * r;
    case "/":
    case "%":
      if (r === 0) {
        throw new HclSyntaxError(
          "Division by zero",
          "The right operand of this operation is zero.",
          expr.right.range,
        );
      }
      return op === "/" ? l / r : l % r;
  }
}
