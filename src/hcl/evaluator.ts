/**
 * Evaluates expressions to plain values. A reference to a root variable that
 * the context does not define is not an error: like Nomad, the evaluator keeps
 * it as the text `${...}`, because names such as `attr.kernel.name`,
 * `NOMAD_PORT_http` or `env["HOME"]` are interpolated later, on the client.
 */

import type { Expression, ForExpr, Range, TemplateExpr, TemplatePart } from "./ast.ts";
import { AssertionError } from "../core/assert.ts";
import { HclSyntaxError } from "./errors.ts";
import { FunctionArgumentError, FunctionArityError } from "./fn/errors.ts";
import { applyBinary, applyUnary } from "./operators.ts";
import { printExpression } from "./print.ts";
import { didYouMean } from "./suggest.ts";
import {
  isValueObject,
  toBoolValue,
  toStringValue,
  typeName,
  type Value,
  type ValueObject,
} from "./values.ts";

/** A function callable from expressions; it throws (e.g. `TypeError`) for bad arguments. */
export type HclFunction = ((args: Value[]) => Value) & {
  /**
   * When present the evaluator calls this instead, passing each argument
   * unevaluated as a thunk: `can` and `try` must catch their arguments' errors.
   */
  readonly lazy?: (args: readonly LazyArgument[]) => Value;
};

/** An argument passed to a lazy function: its expression and a way to evaluate it. */
export interface LazyArgument {
  readonly expression: Expression;
  evaluate(): Value;
}

/** Variables and functions visible to an expression. */
export interface EvalContext {
  readonly variables: Readonly<Record<string, Value>>;
  readonly functions: Readonly<Record<string, HclFunction>>;
  /**
   * Work left for this evaluation (loop iterations); shared by the child
   * contexts of `for` expressions. {@linkcode evaluate} starts one if absent.
   */
  readonly budget?: { steps: number };
}

/** Upper bound on loop iterations in one evaluation, so no file can make the parser hang. */
export const MAX_EVALUATION_STEPS = 1_000_000;

/** Upper bound on the length of one rendered template, in UTF-16 code units. */
export const MAX_TEMPLATE_LENGTH = 16 * 1024 * 1024;

/**
 * Evaluates `expr` in `ctx`. A reference whose root variable the context does
 * not define evaluates to the string `${<reference source>}`, as in Nomad, so
 * functions and operators see it as ordinary text.
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
  const scoped: EvalContext = ctx.budget === undefined
    ? { ...ctx, budget: { steps: MAX_EVALUATION_STEPS } }
    : ctx;
  try {
    return evalExpr(expr, scoped);
  } catch (error) {
    if (error instanceof RangeError && !(error instanceof HclSyntaxError)) {
      // Huge or deeply nested data (syntax depth is bounded by the parser)
      // can still exhaust the stack or an array; report it where it happened.
      throw new HclSyntaxError("Expression too complex", `${error.message}.`, expr.range, {
        cause: error,
      });
    }
    throw error;
  }
}

/** Returns a child context with extra variables (for `for` expressions and iterators). */
export function withVariables(ctx: EvalContext, extra: Record<string, Value>): EvalContext {
  const variables = { ...ctx.variables, ...extra };
  return ctx.budget === undefined
    ? { variables, functions: ctx.functions }
    : { variables, functions: ctx.functions, budget: ctx.budget };
}

/** Counts one unit of work, failing once an evaluation has done too much. */
function spend(ctx: EvalContext, range: Range): void {
  const budget = ctx.budget;
  if (budget === undefined) return;
  budget.steps--;
  if (budget.steps < 0) {
    throw new HclSyntaxError(
      "Expression too complex",
      `Evaluating this expression took more than ${MAX_EVALUATION_STEPS} steps.`,
      range,
    );
  }
}

/**
 * The `${...}` text of a reference whose root variable `ctx` does not define
 * (`attr.kernel.name`, `env["HOME"]`, `NOMAD_ALLOC_ID`), or null. Only
 * attribute steps and literal indexes belong to the reference, as in HCL.
 */
function runtimeReference(expr: Expression, ctx: EvalContext): string | null {
  if (expr.kind !== "Variable" && expr.kind !== "GetAttr" && expr.kind !== "Index") return null;
  let root: Expression = expr;
  for (;;) {
    if (root.kind === "GetAttr") root = root.target;
    else if (root.kind === "Index" && isLiteralKey(root.key)) root = root.target;
    else break;
  }
  if (root.kind !== "Variable" || Object.hasOwn(ctx.variables, root.name)) return null;
  return `\${${expr.source ?? printExpression(expr)}}`;
}

function isLiteralKey(key: Expression): boolean {
  if (key.kind === "Literal") return typeof key.value === "string" || typeof key.value === "number";
  return key.kind === "Template" &&
    (key.parts.length === 0 ||
      (key.parts.length === 1 && key.parts[0]!.kind === "TemplateLiteral"));
}

function evalExpr(expr: Expression, ctx: EvalContext): Value {
  switch (expr.kind) {
    case "Literal":
      return expr.value;
    case "Template":
      return evalTemplate(expr, ctx);
    case "Tuple":
      return expr.items.map((item) => evalExpr(item, ctx));
    case "Object":
      return evalObject(expr, ctx);
    case "Variable":
    case "GetAttr":
    case "Index":
      return evalTraversal(expr, ctx);
    case "Splat":
      return evalSplat(expr, ctx);
    case "FunctionCall":
      return evalCall(expr, ctx);
    case "Unary":
      return applyUnary(expr.op, evalExpr(expr.operand, ctx), expr.operand.range);
    case "Binary":
      return applyBinary(expr, evalExpr(expr.left, ctx), evalExpr(expr.right, ctx));
    case "Conditional":
      return evalConditional(expr, ctx);
    case "Parens":
      return evalExpr(expr.expr, ctx);
    case "For":
      return evalFor(expr, ctx);
  }
}

function evalTraversal(
  expr: Extract<Expression, { kind: "Variable" | "GetAttr" | "Index" }>,
  ctx: EvalContext,
): Value {
  const runtime = runtimeReference(expr, ctx);
  if (runtime !== null) return runtime;
  switch (expr.kind) {
    case "Variable":
      return ctx.variables[expr.name]!;
    case "GetAttr":
      return getAttr(evalExpr(expr.target, ctx), expr.name, {
        ...expr.range,
        start: expr.target.range.end,
      });
    case "Index": {
      const target = evalExpr(expr.target, ctx);
      return index(target, evalExpr(expr.key, ctx), expr.key.range);
    }
  }
}

function evalObject(expr: Extract<Expression, { kind: "Object" }>, ctx: EvalContext): Value {
  const out: ValueObject = {};
  for (const item of expr.items) {
    const key = evalExpr(item.key, ctx);
    if (key === null) {
      throw new HclSyntaxError(
        "Invalid object key",
        "The key expression produced a null value.",
        item.key.range,
      );
    }
    out[convert(toStringValue, key, item.key.range, "Invalid object key")] = evalExpr(
      item.value,
      ctx,
    );
  }
  return out;
}

/**
 * `c ? a : b`. Like HCL both results are evaluated and given one type: a
 * number or bool paired with a string becomes a string.
 */
function evalConditional(
  expr: Extract<Expression, { kind: "Conditional" }>,
  ctx: EvalContext,
): Value {
  const condition = evalExpr(expr.condition, ctx);
  if (condition === null) {
    throw new HclSyntaxError(
      "Null condition",
      "The condition value is null. Conditions must either be true or false.",
      expr.condition.range,
    );
  }
  const chosen = convert(toBoolValue, condition, expr.condition.range, "Incorrect condition type");
  const result = evalExpr(chosen ? expr.then : expr.else, ctx);
  if (typeof result !== "number" && typeof result !== "boolean") return result;
  // Only the chosen result's errors count; the other is needed for its type.
  let other: Value = null;
  try {
    spend(ctx, expr.range);
    other = evalExpr(chosen ? expr.else : expr.then, ctx);
  } catch (error) {
    if (!(error instanceof HclSyntaxError)) throw error;
  }
  return typeof other === "string" ? toStringValue(result) : result;
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
  if (key === null) {
    throw new HclSyntaxError(
      "Invalid index",
      "Can't use a null value as an indexing key.",
      range,
    );
  }
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

/** `source[*].a[0]` / `source.*.a`: a non-list source is a one-element list, null is empty. */
function evalSplat(expr: Extract<Expression, { kind: "Splat" }>, ctx: EvalContext): Value {
  const source = evalExpr(expr.source, ctx);
  if (source === null) return [];
  const items = Array.isArray(source) ? source : [source];
  return items.map((item) => {
    spend(ctx, expr.range);
    let current: Value = item;
    for (const step of expr.steps) {
      current = step.kind === "Attr"
        ? getAttr(current, step.name, expr.range)
        : index(current, evalExpr(step.key, ctx), step.key.range);
    }
    return current;
  });
}

function evalCall(expr: Extract<Expression, { kind: "FunctionCall" }>, ctx: EvalContext): Value {
  const fn = Object.hasOwn(ctx.functions, expr.name) ? ctx.functions[expr.name] : undefined;
  if (fn === undefined) {
    throw new HclSyntaxError(
      "Call to unknown function",
      `There is no function named "${expr.name}".${
        suggestionText(didYouMean(expr.name, Object.keys(ctx.functions)))
      }`,
      expr.nameRange,
    );
  }
  const lazy = fn.lazy;
  if (lazy !== undefined) {
    const lazyArgs = expr.args.map((arg) => ({
      expression: arg,
      evaluate: () => evaluate(arg, ctx),
    }));
    return callFunction(expr, () => lazy(lazyArgs));
  }
  let args = expr.args.map((arg) => evalExpr(arg, ctx));
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
  return callFunction(expr, () => fn(args));
}

function callFunction(
  expr: Extract<Expression, { kind: "FunctionCall" }>,
  call: () => Value,
): Value {
  try {
    return call();
  } catch (error) {
    // Any failure inside a function is a problem with its arguments, except a
    // broken invariant, which is a bug and must not be dressed up as user error.
    // Already positioned: a lazy function's argument failed to evaluate.
    if (error instanceof HclSyntaxError) throw error;
    if (error instanceof AssertionError || !(error instanceof Error)) throw error;
    if (error instanceof FunctionArgumentError) {
      throw new HclSyntaxError(
        "Invalid function argument",
        `Invalid value for "${error.parameter}" parameter: ${error.message}.`,
        argumentRange(expr, error.argumentIndex),
        { cause: error },
      );
    }
    if (error instanceof FunctionArityError) {
      throw new HclSyntaxError(
        error.summary,
        error.message,
        argumentRange(expr, error.argumentIndex),
        { cause: error },
      );
    }
    throw new HclSyntaxError(
      "Error in function call",
      `Call to function "${expr.name}" failed: ${error.message}.`,
      expr.range,
      { cause: error },
    );
  }
}

/** The range of argument `i` of a call (the last one if `...` expanded it), or of its `)` for -1. */
function argumentRange(expr: Extract<Expression, { kind: "FunctionCall" }>, i: number): Range {
  if (i < 0 || expr.args.length === 0) {
    const { end } = expr.range;
    const start = {
      ...end,
      column: Math.max(1, end.column - 1),
      offset: Math.max(0, end.offset - 1),
    };
    return { filename: expr.range.filename, start, end };
  }
  return expr.args[Math.min(i, expr.args.length - 1)]!.range;
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

function evalFor(expr: ForExpr, ctx: EvalContext): Value {
  const collection = evalExpr(expr.collection, ctx);
  if (collection === null) {
    throw new HclSyntaxError(
      "Iteration over null value",
      "A null value cannot be used as the collection in a 'for' expression.",
      expr.collection.range,
    );
  }
  const list: Value[] = [];
  const object: Record<string, Value[] | Value> = {};
  for (const [key, value] of entries(collection, expr.collection.range)) {
    spend(ctx, expr.range);
    const scope: Record<string, Value> = { [expr.valueVar]: value };
    if (expr.keyVar !== null) scope[expr.keyVar] = key;
    const inner = withVariables(ctx, scope);
    if (expr.condition !== null) {
      const keep = convert(
        toBoolValue,
        evalExpr(expr.condition, inner),
        expr.condition.range,
        "Invalid 'for' condition",
      );
      if (!keep) continue;
    }
    const item = evalExpr(expr.valueExpr, inner);
    if (expr.keyExpr === null) {
      list.push(item);
      continue;
    }
    const rawKey = evalExpr(expr.keyExpr, inner);
    if (rawKey === null) {
      throw new HclSyntaxError(
        "Invalid object key",
        "Key expression in 'for' expression must not produce a null value.",
        expr.keyExpr.range,
      );
    }
    const k = convert(toStringValue, rawKey, expr.keyExpr.range, "Invalid object key");
    if (expr.grouping) {
      const group = Object.hasOwn(object, k) ? object[k] as Value[] : (object[k] = []);
      group.push(item);
    } else if (Object.hasOwn(object, k)) {
      throw new HclSyntaxError(
        "Duplicate object key",
        `Two different items produced the key "${k}" in this 'for' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key.`,
        expr.keyExpr.range,
      );
    } else object[k] = item;
  }
  return expr.keyExpr === null ? list : object;
}

/**
 * Renders a template. A template that is one interpolation yields that
 * value unconverted; a runtime reference keeps its `${...}` source text.
 */
function evalTemplate(expr: TemplateExpr, ctx: EvalContext): Value {
  const only = expr.parts[0];
  if (expr.parts.length === 1 && only?.kind === "TemplateInterpolation") {
    return runtimeReference(only.expr, ctx) === null
      ? evalExpr(only.expr, ctx)
      : `\${${only.text}}`;
  }
  return renderParts(expr.parts, ctx);
}

function renderParts(parts: readonly TemplatePart[], ctx: EvalContext): string {
  let out = "";
  for (const part of parts) {
    out += renderPart(part, ctx);
    if (out.length > MAX_TEMPLATE_LENGTH) {
      throw new HclSyntaxError(
        "Template result too long",
        `A template may produce at most ${MAX_TEMPLATE_LENGTH} characters.`,
        part.range,
      );
    }
  }
  return out;
}

function renderPart(part: TemplatePart, ctx: EvalContext): string {
  switch (part.kind) {
    case "TemplateLiteral":
      return part.value;
    case "TemplateInterpolation": {
      if (runtimeReference(part.expr, ctx) !== null) return `\${${part.text}}`;
      return interpolationString(evalExpr(part.expr, ctx), part.range);
    }
    case "TemplateIf": {
      const condition = evalExpr(part.condition, ctx);
      const chosen = convert(
        toBoolValue,
        condition === null ? "null" : condition,
        part.condition.range,
        "Invalid 'if' condition",
      );
      return renderParts(chosen ? part.then : part.else, ctx);
    }
    case "TemplateFor": {
      const collection = evalExpr(part.collection, ctx);
      if (collection === null) {
        throw new HclSyntaxError(
          "Iteration over null value",
          "A null value cannot be used as the collection in a 'for' directive.",
          part.collection.range,
        );
      }
      let out = "";
      for (const [key, value] of entries(collection, part.collection.range)) {
        spend(ctx, part.range);
        const scope: Record<string, Value> = { [part.valueVar]: value };
        if (part.keyVar !== null) scope[part.keyVar] = key;
        out += renderParts(part.body, withVariables(ctx, scope));
        if (out.length > MAX_TEMPLATE_LENGTH) {
          throw new HclSyntaxError(
            "Template result too long",
            `A template may produce at most ${MAX_TEMPLATE_LENGTH} characters.`,
            part.range,
          );
        }
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

function suggestionText(suggestion: string | null): string {
  return suggestion === null ? "" : ` Did you mean "${suggestion}"?`;
}
