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
    case "-":
    case "*":
      return decimalArithmetic(op, l, r);
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

/** A finite number as `mantissa * 10^exponent`, from its shortest decimal form. */
function toDecimal(n: number): [bigint, number] {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(n));
  if (match === null) return [0n, 0];
  const fraction = match[3] ?? "";
  const mantissa = BigInt(`${match[1]}${match[2]}${fraction}`);
  return [mantissa, Number(match[4] ?? 0) - fraction.length];
}

/** Longest decimal exponent we expand exactly; beyond it plain doubles are as good. */
const MAX_DECIMAL_EXPONENT = 400;

/**
 * `+`, `-` and `*` on the decimal values the operands print as, rounded once
 * to a double. HCL computes with 512-bit floats, so `0.1 + 0.2` is `0.3`
 * there, not `0.30000000000000004`.
 */
function decimalArithmetic(op: "+" | "-" | "*", l: number, r: number): number {
  const plain = op === "+" ? l + r : op === "-" ? l - r : l * r;
  if (
    !Number.isFinite(plain) ||
    (Number.isInteger(l) && Number.isInteger(r) && Number.isSafeInteger(plain))
  ) {
    return plain;
  }
  const [lm, le] = toDecimal(l);
  const [rm, re] = toDecimal(r);
  if (Math.abs(le) > MAX_DECIMAL_EXPONENT || Math.abs(re) > MAX_DECIMAL_EXPONENT) return plain;
  if (op === "*") return Number(`${lm * rm}e${le + re}`);
  const e = Math.min(le, re);
  const a = lm * 10n ** BigInt(le - e);
  const b = rm * 10n ** BigInt(re - e);
  return Number(`${op === "+" ? a + b : a - b}e${e}`);
}
