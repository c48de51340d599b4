/**
 * Prints an expression back as HCL source. The evaluator uses it to keep
 * runtime references (`attr.kernel.name`) as text; a formatter can build on it.
 */

import type { Expression, SplatStep, TemplatePart } from "./ast.ts";
import { formatNumber } from "./values.ts";

/**
 * Renders `expr` as normalized HCL source text.
 *
 * @example
 * ```ts
 * import { parseExpressionText } from "./parse_expression.ts";
 * import { printExpression } from "./print.ts";
 * printExpression(parseExpressionText('env["HOME"]', "x")); // 'env["HOME"]'
 * ```
 */
export function printExpression(expr: Expression): string {
  switch (expr.kind) {
    case "Literal":
      return printLiteral(expr.value);
    case "Template":
      return `"${expr.parts.map(printTemplatePart).join("")}"`;
    case "Tuple":
      return `[${expr.items.map(printExpression).join(", ")}]`;
    case "Object":
      return `{ ${
        expr.items.map((i) => `${printExpression(i.key)} = ${printExpression(i.value)}`).join(", ")
      } }`;
    case "Variable":
      return expr.name;
    case "GetAttr":
      return `${printExpression(expr.target)}.${expr.name}`;
    case "Index":
      return `${printExpression(expr.target)}[${printExpression(expr.key)}]`;
    case "Splat":
      return `${printExpression(expr.source)}[*]${expr.steps.map(printStep).join("")}`;
    case "FunctionCall":
      return `${expr.name}(${expr.args.map(printExpression).join(", ")}${
        expr.expandFinal ? "..." : ""
      })`;
    case "Unary":
      return `${expr.op}${printExpression(expr.operand)}`;
    case "Binary":
      return `${printExpression(expr.left)} ${expr.op} ${printExpression(expr.right)}`;
    case "Conditional":
      return `${printExpression(expr.condition)} ? ${printExpression(expr.then)} : ${
        printExpression(expr.else)
      }`;
    case "Parens":
      return `(${printExpression(expr.expr)})`;
    case "For":
      return printFor(expr);
  }
}

function printLiteral(value: string | number | boolean | null): string {
  if (typeof value === "string") return JSON.stringify(value).replaceAll("${", "$${");
  if (typeof value === "number") return formatNumber(value);
  return String(value);
}

function printStep(step: SplatStep): string {
  return step.kind === "Attr" ? `.${step.name}` : `[${printExpression(step.key)}]`;
}

function printTemplatePart(part: TemplatePart): string {
  switch (part.kind) {
    case "TemplateLiteral":
      return JSON.stringify(part.value).slice(1, -1).replaceAll("${", "$${").replaceAll(
        "%{",
        "%%{",
      );
    case "TemplateInterpolation":
      return `\${${part.text}}`;
    case "TemplateIf": {
      const otherwise = part.else.length > 0
        ? `%{ else }${part.else.map(printTemplatePart).join("")}`
        : "";
      return `%{ if ${printExpression(part.condition)} }${
        part.then.map(printTemplatePart).join("")
      }${otherwise}%{ endif }`;
    }
    case "TemplateFor": {
      const vars = part.keyVar === null ? part.valueVar : `${part.keyVar}, ${part.valueVar}`;
      return `%{ for ${vars} in ${printExpression(part.collection)} }${
        part.body.map(printTemplatePart).join("")
      }%{ endfor }`;
    }
  }
}

function printFor(expr: Extract<Expression, { kind: "For" }>): string {
  const vars = expr.keyVar === null ? expr.valueVar : `${expr.keyVar}, ${expr.valueVar}`;
  const cond = expr.condition === null ? "" : ` if ${printExpression(expr.condition)}`;
  const head = `for ${vars} in ${printExpression(expr.collection)} : `;
  if (expr.keyExpr === null) return `[${head}${printExpression(expr.valueExpr)}${cond}]`;
  return `{${head}${printExpression(expr.keyExpr)} => ${printExpression(expr.valueExpr)}${
    expr.grouping ? "..." : ""
  }${cond}}`;
}
