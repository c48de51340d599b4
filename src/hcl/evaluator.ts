/**
 * Evaluates expressions to plain values. A reference to a root variable that
 * the context does not define is not an error: like Nomad, the evaluator keeps
 * it as the text `${...}`, because names such as `attr.kernel.name`,
 * `NOMAD_PORT_http` or `env["HOME"]` are interpolated later, on the client.
 */

import type { Expression, ForExpr, Range, TemplateExpr, TemplatePart } from "./ast.ts";
import { AssertionError } from "../core/assert.ts";
import { HclSyntaxError } from "./errors.ts";
import { applyBinary, applyUnary } from "./operators.ts";
import { printExpression } from "./print.ts";
import {
  isValueObject,
  toBoolValue,
  toStringValue,
  typeName,
  type Value,
  type ValueObject,
} from "./values.ts";

/** A function callable from expressions; it throws (e.g. `TypeError`) for bad arguments. */
export type HclFunction = (args: Value[]) => Value;

/** Variables and functions visible to an expression. */
export interface EvalContext {
  readonly variables: Readonly<Record<string, Value>>;
  readonly functions: Readonly<Record<string, HclFunction>>;
}

/** Marks a result that depends on a variable known only at runtime. */
class Deferred {
  readonly deferred = true;
}
const DEFERRED = new Deferred();
type Result = Value | Deferred;

/**
 * Evaluates `expr` in `ctx`. Results that depend on unknown root variables
 * come back as the string `${<expression source>}`.
 *
 * @example
 * ```ts
 * import { parseExpressionText } from "./parse_expression.ts";
 * import { evaluate } from "./evaluator.ts";
 * const ctx = { variables: { var: { name: "web" } }, functions: {} };
 * evaluate(parseExpressionText('"${var.name}-${node.unique.name}"', "x"), ctx);
 * // "web-${node.unique.name}"
 * ```
 */
export function evaluate(expr: Expression, ctx: EvalContext): Value {
  // At a value boundary a template keeps each runtime reference as `${...}`
  // text in place; inside an operator or call the whole expression is kept.
  if (expr.kind === "Template") return evalTemplate(expr, ctx, true) as Value;
  if (expr.kind === "Parens") return evaluate(expr.expr, ctx);
  if (expr.kind === "Conditional") {
    const condition = evalExpr(expr.condition, ctx);
    if (!(condition instanceof Deferred)) {
      const chosen = convert(
        toBoolValue,
        condition,
        expr.condition.range,
        "Incorrect condition type",
      );
      return evaluate(chosen ? expr.then : expr.else, ctx);
    }
  }
  return settle(expr, evalExpr(expr, ctx));
}

/** Returns a child context with extra variables (for `for` expressions and iterators). */
export function withVariables(ctx: EvalContext, extra: Record<string, Value>): EvalContext {
  return { variables: { ...ctx.variables, ...extra }, functions: ctx.functions };
}

function settle(expr: Expression, result: Result): Value {
  return result instanceof Deferred ? `\${${printExpression(expr)}}` : result;
}

function evalExpr(expr: Expression, ctx: EvalContext): Result {
  switch (expr.kind) {
    case "Literal":
      return expr.value;
    case "Template":
      return evalTemplate(expr, ctx, false);
    case "Tuple":
      return expr.items.map((item) => evaluate(item, ctx));
    case "Object":
      return evalObject(expr, ctx);
    case "Variable":
      return Object.hasOwn(ctx.variables, expr.name) ? ctx.variables[expr.name]! : DEFERRED;
    case "GetAttr": {
      const target = evalExpr(expr.target, ctx);
      return target instanceof Deferred ? DEFERRED : getAttr(target, expr.name, expr.range);
    }
    case "Index": {
      const target = evalExpr(expr.target, ctx);
      const key = evalExpr(expr.key, ctx);
      if (target instanceof Deferred || key instanceof Deferred) return DEFERRED;
      return index(target, key, expr.key.range);
    }
    case "Splat":
      return evalSplat(expr, ctx);
    case "FunctionCall":
      return evalCall(expr, ctx);
    case "Unary": {
      const operand = evalExpr(expr.operand, ctx);
      return operand instanceof Deferred
        ? DEFERRED
        : applyUnary(expr.op, operand, expr.operand.range);
    }
    case "Binary": {
      const left = evalExpr(expr.left, ctx);
      const right = evalExpr(expr.right, ctx);
      if (left instanceof Deferred || right instanceof Deferred) return DEFERRED;
      return applyBinary(expr, left, right);
    }
    case "Conditional":
      return evalConditional(expr, ctx);
    case "Parens":
      return evalExpr(expr.expr, ctx);
    case "For":
      return evalFor(expr, ctx);
  }
}

function evalObject(expr: Extract<Expression, { kind: "Object" }>, ctx: EvalContext): Value {
  const out: ValueObject = {};
  for (const item of expr.items) {
    const key = evaluate(item.key, ctx);
    out[convert(toStringValue, key, item.key.range, "Invalid object key")] = evaluate(
      item.value,
      ctx,
    );
  }
  return out;
}

function evalConditional(
  expr: Extract<Expression, { kind: "Conditional" }>,
  ctx: EvalContext,
): Result {
  const condition = evalExpr(expr.condition, ctx);
  if (condition instanceof Deferred) return DEFERRED;
  const chosen = convert(toBoolValue, condition, expr.condition.range, "Incorrect condition type");
  return evalExpr(chosen ? expr.then : expr.else, ctx);
}

/** Runs `fn(value)`, turning a TypeError into a positioned diagnostic. */
function convert<T>(fn: (v: Value) => T, value: Value, range: Range, summary: string): T {
  try {
    return fn(value);
  } catch (error) {
    if (error instanceof TypeError) throw new HclSyntaxError(summary, `${error.message}.`, range);
    throw error;
  }
}

/** `value.name`. */
export function getAttr(value: Value, name: string, range: Range): Value {
  if (isValueObject(value)) {
    if (Object.hasOwn(value, name)) return value[name]!;
    throw new HclSyntaxError(
      "Unsupported attribute",
      `This object does not have an attribute named "${name}".`,
      range,
    );
  }
  if (value === null) {
    throw new HclSyntaxError(
      "Attempt to get attribute from null value",
      "This value is null, so it does not have any attributes.",
      range,
    );
  }
  if (Array.isArray(value)) {
    throw new HclSyntaxError(
      "Unsupported attribute",
      `Can't access attributes on a list. Did you mean to access attribute "${name}" for a specific element of the list, or across all elements of the list ([*].${name})?`,
      range,
    );
  }
  throw new HclSyntaxError(
    "Unsupported attribute",
    `Can't access attributes on a primitive-typed value (${typeName(value)}).`,
    range,
  );
}

/** `value[key]`. */
export function index(value: Value, key: Value, range: Range): Value {
  if (Array.isArray(value)) {
    const i = typeof key === "string" && /^\d+$/.test(key) ? Number(key) : key;
    if (typeof i === "number" && Number.isInteger(i) && i >= 0 && i < value.length) {
      return value[i]!;
    }
    throw new HclSyntaxError(
      "Invalid index",
      "The given key does not identify an element in this collection value.",
      range,
    );
  }
  if (isValueObject(value)) {
    const k = typeof key === "string" || typeof key === "number" ? String(key) : null;
    if (k !== null && Object.hasOwn(value, k)) return value[k]!;
    throw new HclSyntaxError(
      "Invalid index",
      "The given key does not identify an element in this collection value.",
      range,
    );
  }
  if (value === null) {
    throw new HclSyntaxError(
      "Attempt to index null value",
      "This value is null, so it does not have any indices.",
      range,
    );
  }
  throw new HclSyntaxError("Invalid index", "This value does not have any indices.", range);
}

function evalSplat(expr: Extract<Expression, { kind: "Splat" }>, ctx: EvalContext): Result {
  const source = evalExpr(expr.source, ctx);
  if (source instanceof Deferred) return DEFERRED;
  if (source === null) return [];
  const items = Array.isArray(source) ? source : [source];
  return items.map((item) => {
    let current: Value = item;
    for (const step of expr.steps) {
      current = step.kind === "Attr"
        ? getAttr(current, step.name, expr.range)
        : index(current, evaluate(step.key, ctx), step.key.range);
    }
    return current;
  });
}

function evalCall(expr: Extract<Expression, { kind: "FunctionCall" }>, ctx: EvalContext): Result {
  const fn = Object.hasOwn(ctx.functions, expr.name) ? ctx.functions[expr.name] : undefined;
  if (fn === undefined) {
    throw new HclSyntaxError(
      "Call to unknown function",
      `There is no function named "${expr.name}".`,
      expr.nameRange,
    );
  }
  const results = expr.args.map((arg) => evalExpr(arg, ctx));
  if (results.some((r) => r instanceof Deferred)) return DEFERRED;
  let args = results as Value[];
  if (expr.expandFinal) {
    const last = args[args.length - 1];
    if (!Array.isArray(last)) {
      throw new HclSyntaxError(
        "Invalid expanding argument value",
        "The expanding argument (indicated by ...) must be of a tuple or list type.",
        expr.args[expr.args.length - 1]!.range,
      );
    }
    args = [...args.slice(0, -1), ...last];
  }
  try {
    return fn(args);
  } catch (error) {
    // Any failure inside a function is a problem with its arguments, except a
    // broken invariant, which is a bug and must not be dressed up as user error.
    if (error instanceof AssertionError || !(error instanceof Error)) throw error;
    throw new HclSyntaxError(
      "Error in function call",
      `Call to function "${expr.name}" failed: ${error.message}.`,
      expr.range,
      { cause: error },
    );
  }
}

/** Iterates a list (index keys) or an object (keys in lexical order, as HCL does). */
function entries(value: Value, range: Range): [Value, Value][] {
  if (Array.isArray(value)) return value.map((v, i) => [i, v]);
  if (isValueObject(value)) return Object.keys(value).sort().map((k) => [k, value[k]!]);
  throw new HclSyntaxError(
    "Iteration over non-iterable value",
    `A value of type ${typeName(value)} cannot be used as the collection in a 'for' expression.`,
    range,
  );
}

function evalFor(expr: ForExpr, ctx: EvalContext): Result {
  const collection = evalExpr(expr.collection, ctx);
  if (collection instanceof Deferred) return DEFERRED;
  const list: Value[] = [];
  const object: Record<string, Value[] | Value> = {};
  for (const [key, value] of entries(collection, expr.collection.range)) {
    const scope: Record<string, Value> = { [expr.valueVar]: value };
    if (expr.keyVar !== null) scope[expr.keyVar] = key;
    const inner = withVariables(ctx, scope);
    if (expr.condition !== null) {
      const keep = convert(
        toBoolValue,
        evaluate(expr.condition, inner),
        expr.condition.range,
        "Invalid 'for' condition",
      );
      if (!keep) continue;
    }
    const item = evaluate(expr.valueExpr, inner);
    if (expr.keyExpr === null) {
      list.push(item);
      continue;
    }
    const k = convert(
      toStringValue,
      evaluate(expr.keyExpr, inner),
      expr.keyExpr.range,
      "Invalid object key",
    );
    if (expr.grouping) ((object[k] ??= []) as Value[]).push(item);
    else if (Object.hasOwn(object, k)) {
      throw new HclSyntaxError(
        "Duplicate object key",
        `Two different items produced the key "${k}" in this 'for' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key.`,
        expr.keyExpr.range,
      );
    } else object[k] = item;
  }
  return expr.keyExpr === null ? list : object;
}

/** Whether a rendered template referred to runtime-only variables. */
interface RenderState {
  deferred: boolean;
}

/**
 * Renders a template. With `keepRefs` runtime references stay in the text as
 * `${...}`; without it a template that has any is itself {@linkcode DEFERRED}.
 */
function evalTemplate(expr: TemplateExpr, ctx: EvalContext, keepRefs: boolean): Result {
  const only = expr.parts[0];
  if (expr.parts.length === 1 && only?.kind === "TemplateInterpolation") {
    const result = evalExpr(only.expr, ctx);
    if (!(result instanceof Deferred)) return result;
    return keepRefs ? `\${${only.text}}` : DEFERRED;
  }
  const state: RenderState = { deferred: false };
  const text = renderParts(expr.parts, ctx, state);
  return state.deferred && !keepRefs ? DEFERRED : text;
}

function renderParts(parts: readonly TemplatePart[], ctx: EvalContext, state: RenderState): string {
  let out = "";
  for (const part of parts) out += renderPart(part, ctx, state);
  return out;
}

function renderPart(part: TemplatePart, ctx: EvalContext, state: RenderState): string {
  switch (part.kind) {
    case "TemplateLiteral":
      return part.value;
    case "TemplateInterpolation": {
      const result = evalExpr(part.expr, ctx);
      if (result instanceof Deferred) {
        state.deferred = true;
        return `\${${part.text}}`;
      }
      return interpolationString(result, part.range);
    }
    case "TemplateIf": {
      const condition = evalExpr(part.condition, ctx);
      if (condition instanceof Deferred) {
        throw new HclSyntaxError(
          "Invalid template directive",
          "The condition of a %{ if } directive cannot refer to values known only at runtime.",
          part.condition.range,
        );
      }
      const chosen = convert(
        toBoolValue,
        condition,
        part.condition.range,
        "Invalid 'if' condition",
      );
      return renderParts(chosen ? part.then : part.else, ctx, state);
    }
    case "TemplateFor": {
      const collection = evalExpr(part.collection, ctx);
      if (collection instanceof Deferred) {
        throw new HclSyntaxError(
          "Invalid template directive",
          "The collection of a %{ for } directive cannot refer to values known only at runtime.",
          part.collection.range,
        );
      }
      let out = "";
      for (const [key, value] of entries(collection, part.collection.range)) {
        const scope: Record<string, Value> = { [part.valueVar]: value };
        if (part.keyVar !== null) scope[part.keyVar] = key;
        out += renderParts(part.body, withVariables(ctx, scope), state);
      }
      return out;
    }
  }
}

function interpolationString(value: Value, range: Range): string {
  if (value === null) {
    throw new HclSyntaxError(
      "Invalid template interpolation value",
      "The expression result is null. Cannot include a null value in a string template.",
      range,
    );
  }
  if (typeof value === "object") {
    throw new HclSyntaxError(
      "Invalid template interpolation value",
      `Cannot include the given value in a string template: string required, but got ${
        typeName(value)
      }.`,
      range,
    );
  }
  return toStringValue(value);
}
