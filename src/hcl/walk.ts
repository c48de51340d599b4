/** Visiting every sub-expression of an expression (for dependency analysis). */

import type { Expression, TemplatePart } from "./ast.ts";

/**
 * Calls `visit` on `expr` and every expression nested in it, parents first.
 *
 * @example
 * ```ts
 * import { parseExpressionText } from "./parse_expression.ts";
 * import { walkExpression } from "./walk.ts";
 * const names: string[] = [];
 * walkExpression(parseExpressionText("a + f(b)", "x"), (e) => {
 *   if (e.kind === "Variable") names.push(e.name);
 * });
 * names; // ["a", "b"]
 * ```
 */
export function walkExpression(expr: Expression, visit: (expr: Expression) => void): void {
  visit(expr);
  for (const child of children(expr)) walkExpression(child, visit);
}

function children(expr: Expression): Expression[] {
  switch (expr.kind) {
    case "Literal":
    case "Variable":
      return [];
    case "Template":
      return expr.parts.flatMap(partChildren);
    case "Tuple":
      return [...expr.items];
    case "Object":
      return expr.items.flatMap((i) => [i.key, i.value]);
    case "GetAttr":
      return [expr.target];
    case "Index":
      return [expr.target, expr.key];
    case "Splat":
      return [expr.source, ...expr.steps.flatMap((s) => s.kind === "Index" ? [s.key] : [])];
    case "FunctionCall":
      return [...expr.args];
    case "Unary":
      return [expr.operand];
    case "Binary":
      return [expr.left, expr.right];
    case "Conditional":
      return [expr.condition, expr.then, expr.else];
    case "Parens":
      return [expr.expr];
    case "For":
      return [expr.collection, expr.keyExpr, expr.valueExpr, expr.condition].filter(
        (e): e is Expression => e !== null,
      );
  }
}

function partChildren(part: TemplatePart): Expression[] {
  switch (part.kind) {
    case "TemplateLiteral":
      return [];
    case "TemplateInterpolation":
      return [part.expr];
    case "TemplateIf":
      return [
        part.condition,
        ...part.then.flatMap(partChildren),
        ...part.else.flatMap(partChildren),
      ];
    case "TemplateFor":
      return [part.collection, ...part.body.flatMap(partChildren)];
  }
}
