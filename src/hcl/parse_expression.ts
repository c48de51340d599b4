/** Expression parser: HCL operator precedence, postfix traversals, collections. */

import type { BinaryOp, Expression, ObjectItem, Range, SplatStep } from "./ast.ts";
import { Cursor, describe, span } from "./cursor.ts";
import { type Token, tokenize, type TokenizeOptions } from "./lexer.ts";
import { parseForExpression } from "./parse_for.ts";
import { parseTemplate } from "./parse_template.ts";

/** Binary operators by precedence level, loosest first. */
const LEVELS: ReadonlyArray<readonly BinaryOp[]> = [
  ["||"],
  ["&&"],
  ["==", "!="],
  ["<", ">", "<=", ">="],
  ["+", "-"],
  ["*", "/", "%"],
];

/**
 * Parses one expression at the cursor.
 *
 * @example
 * ```ts
 * import { parseExpressionText } from "./parse_expression.ts";
 * parseExpressionText("1 + 2 * 3", "x.hcl").kind; // "Binary"
 * ```
 */
export function parseExpression(cursor: Cursor): Expression {
  cursor.enter(cursor.peek().range);
  const condition = parseBinary(cursor, 0);
  let result = condition;
  if (cursor.peek().type === "Question") {
    cursor.next();
    const then = parseExpression(cursor);
    cursor.expect(
      "Colon",
      "Missing false expression in conditional",
      'Expected ":" after the true result',
    );
    const otherwise = parseExpression(cursor);
    result = {
      kind: "Conditional",
      condition,
      then,
      else: otherwise,
      range: span(condition.range, otherwise.range),
    };
  }
  cursor.leave();
  return result;
}

/**
 * Parses a whole string as one expression (for `-var` values and tests).
 *
 * @example
 * ```ts
 * import { parseExpressionText } from "./parse_expression.ts";
 * parseExpressionText('["a", "b"]', "<value>").kind; // "Tuple"
 * ```
 */
export function parseExpressionText(
  source: string,
  filename: string,
  options: TokenizeOptions = {},
): Expression {
  const cursor = new Cursor(tokenize(source, filename, options), source, {});
  cursor.pushNewlines(false);
  const expr = parseExpression(cursor);
  const end = cursor.peek();
  if (end.type !== "EOF") {
    cursor.fail(
      "Extra characters after expression",
      `An expression was successfully parsed, but extra characters were found after it: ${
        describe(end)
      }`,
      end.range,
    );
  }
  return expr;
}

function parseBinary(cursor: Cursor, level: number): Expression {
  const ops = LEVELS[level];
  if (ops === undefined) return parseUnary(cursor);
  let left = parseBinary(cursor, level + 1);
  // Each operator of a chain nests the tree one level deeper, so it counts
  // against the depth limit like brackets do: evaluation recurses that deep.
  let chain = 0;
  for (;;) {
    const token = cursor.peek();
    const op = token.type === "Operator" ? ops.find((o) => o === token.text) : undefined;
    if (op === undefined) break;
    cursor.next();
    cursor.enter(token.range);
    chain++;
    const right = parseBinary(cursor, level + 1);
    left = { kind: "Binary", op, left, right, range: span(left.range, right.range) };
  }
  for (; chain > 0; chain--) cursor.leave();
  return left;
}

function parseUnary(cursor: Cursor): Expression {
  const token = cursor.peek();
  const op = token.type === "Bang"
    ? "!"
    : token.type === "Operator" && token.text === "-"
    ? "-"
    : null;
  if (op === null) return parsePostfix(cursor, parsePrimary(cursor));
  cursor.next();
  cursor.enter(token.range);
  const operand = parseUnary(cursor);
  cursor.leave();
  if (op === "-" && operand.kind === "Literal" && typeof operand.value === "number") {
    return { kind: "Literal", value: -operand.value, range: span(token.range, operand.range) };
  }
  return { kind: "Unary", op, operand, range: span(token.range, operand.range) };
}

function parsePrimary(cursor: Cursor): Expression {
  const token = cursor.peek();
  switch (token.type) {
    case "Number":
      cursor.next();
      return { kind: "Literal", value: Number(token.text), range: token.range };
    case "Ident":
      return parseIdentifier(cursor, token);
    case "OQuote":
    case "OHeredoc":
      return parseTemplate(cursor);
    case "OBrack":
      return parseTuple(cursor);
    case "OBrace":
      return parseObject(cursor);
    case "OParen":
      return parseParens(cursor);
    default:
      return cursor.fail(
        "Invalid expression",
        `expected the start of an expression, but found ${describe(token)}`,
        token.range,
      );
  }
}

function parseIdentifier(cursor: Cursor, token: Token): Expression {
  cursor.next();
  if (token.text === "true" || token.text === "false") {
    return { kind: "Literal", value: token.text === "true", range: token.range };
  }
  if (token.text === "null") return { kind: "Literal", value: null, range: token.range };
  if (cursor.peek().type === "OParen") return parseCall(cursor, token);
  return { kind: "Variable", name: token.text, range: token.range, source: token.text };
}

function parseCall(cursor: Cursor, name: Token): Expression {
  cursor.next(); // "("
  cursor.pushNewlines(false);
  const args: Expression[] = [];
  let expandFinal = false;
  while (cursor.peek().type !== "CParen") {
    if (expandFinal) {
      cursor.fail(
        "Missing closing parenthesis",
        "An expanded function argument (with ...) must be immediately followed by the closing parenthesis",
        cursor.peek().range,
      );
    }
    args.push(parseExpression(cursor));
    if (cursor.peek().type === "Ellipsis") {
      cursor.next();
      expandFinal = true;
    }
    if (cursor.peek().type === "Comma") cursor.next();
    else if (cursor.peek().type !== "CParen") {
      cursor.fail(
        "Missing argument separator",
        `A comma is required to separate each function argument from the next, but found ${
          describe(cursor.peek())
        }`,
        cursor.peek().range,
      );
    }
  }
  const close = cursor.next();
  cursor.popNewlines();
  return {
    kind: "FunctionCall",
    name: name.text,
    nameRange: name.range,
    args,
    expandFinal,
    range: span(name.range, close.range),
  };
}

function parseParens(cursor: Cursor): Expression {
  const open = cursor.next();
  cursor.pushNewlines(false);
  const expr = parseExpression(cursor);
  const close = cursor.expect(
    "CParen",
    "Unbalanced parentheses",
    'Expected a closing parenthesis ")"',
  );
  cursor.popNewlines();
  return { kind: "Parens", expr, range: span(open.range, close.range) };
}

function parseTuple(cursor: Cursor): Expression {
  const open = cursor.next();
  cursor.pushNewlines(false);
  if (isForKeyword(cursor)) {
    const result = parseForExpression(cursor, open, "CBrack");
    cursor.popNewlines();
    return result;
  }
  const items: Expression[] = [];
  while (cursor.peek().type !== "CBrack") {
    items.push(parseExpression(cursor));
    const sep = cursor.peek();
    if (sep.type === "Comma") cursor.next();
    else if (sep.type !== "CBrack") {
      cursor.fail(
        "Missing item separator",
        `Expected a comma to mark the beginning of the next item, but found ${describe(sep)}`,
        sep.range,
      );
    }
  }
  const close = cursor.next();
  cursor.popNewlines();
  return { kind: "Tuple", items, range: span(open.range, close.range) };
}

/** `for` followed by an identifier starts a for expression inside `[` or `{`. */
function isForKeyword(cursor: Cursor): boolean {
  const token = cursor.peek();
  return token.type === "Ident" && token.text === "for" && cursor.peekSecond().type === "Ident";
}

function parseObject(cursor: Cursor): Expression {
  const open = cursor.next();
  cursor.pushNewlines(false);
  if (isForKeyword(cursor)) {
    const result = parseForExpression(cursor, open, "CBrace");
    cursor.popNewlines();
    return result;
  }
  cursor.popNewlines();
  cursor.pushNewlines(true);
  const items: ObjectItem[] = [];
  for (;;) {
    while (cursor.peek().type === "Newline") cursor.next();
    if (cursor.peek().type === "CBrace") break;
    items.push(parseObjectItem(cursor));
    const sep = cursor.peek();
    if (sep.type === "Comma" || sep.type === "Newline") cursor.next();
    else if (sep.type !== "CBrace") {
      cursor.fail(
        "Missing attribute separator",
        `Expected a newline or comma to mark the beginning of the next attribute, but found ${
          describe(sep)
        }`,
        sep.range,
      );
    }
  }
  const close = cursor.next();
  cursor.popNewlines();
  return { kind: "Object", items, range: span(open.range, close.range) };
}

function parseObjectItem(cursor: Cursor): ObjectItem {
  const parsed = parseExpression(cursor);
  const key: Expression = parsed.kind === "Variable"
    ? { kind: "Literal", value: parsed.name, range: parsed.range }
    : parsed;
  const sep = cursor.peek();
  if (sep.type !== "Equal" && sep.type !== "Colon") {
    cursor.fail(
      "Missing key/value separator",
      `Expected an equals sign ("=") to mark the beginning of the attribute value, but found ${
        describe(sep)
      }`,
      sep.range,
    );
  }
  cursor.next();
  cursor.pushNewlines(true);
  const value = parseExpression(cursor);
  cursor.popNewlines();
  return { key, value };
}

/** Attribute access, indexing and splats after a primary expression. */
function parsePostfix(cursor: Cursor, primary: Expression): Expression {
  const before = cursor.depth;
  try {
    return parsePostfixSteps(cursor, primary);
  } finally {
    cursor.depth = before;
  }
}

/** Each step nests the tree one level deeper and counts against the depth limit. */
function parsePostfixSteps(cursor: Cursor, primary: Expression): Expression {
  let expr = primary;
  for (;;) {
    const token = cursor.peek();
    if (token.type === "Dot" || token.type === "OBrack") cursor.enter(token.range);
    if (token.type === "Dot") {
      expr = parseDotStep(cursor, expr);
    } else if (token.type === "OBrack") {
      if (isSplatBracket(cursor)) {
        return parseSplat(cursor, expr);
      }
      cursor.next();
      cursor.pushNewlines(false);
      const key = parseExpression(cursor);
      const close = cursor.expect("CBrack", "Missing close bracket on index", 'Expected "]"');
      cursor.popNewlines();
      const range = span(expr.range, close.range);
      expr = { kind: "Index", target: expr, key, range, source: sourceOf(cursor, range) };
    } else {
      return expr;
    }
  }
}

function parseDotStep(cursor: Cursor, target: Expression): Expression {
  cursor.next(); // "."
  const step = cursor.peek();
  if (step.type === "Ident") {
    cursor.next();
    const range = span(target.range, step.range);
    return { kind: "GetAttr", target, name: step.text, range, source: sourceOf(cursor, range) };
  }
  if (step.type === "Number" && /^[0-9]+$/.test(step.text)) {
    cursor.next();
    const key = { kind: "Literal" as const, value: Number(step.text), range: step.range };
    const range = span(target.range, step.range);
    return { kind: "Index", target, key, range, source: sourceOf(cursor, range) };
  }
  if (step.type === "Operator" && step.text === "*") {
    return parseSplatSteps(cursor, target, step.range, true);
  }
  return cursor.fail(
    "Invalid attribute name",
    `An attribute name is required after a dot, but found ${describe(step)}`,
    step.range,
  );
}

/** The source text of `range` (a slice, so long chains stay cheap). */
function sourceOf(cursor: Cursor, range: Range): string {
  return cursor.source.slice(range.start.offset, range.end.offset);
}

function isSplatBracket(cursor: Cursor): boolean {
  const second = cursor.peekSecond();
  return second.type === "Operator" && second.text === "*";
}

function parseSplat(cursor: Cursor, source: Expression): Expression {
  cursor.next(); // "["
  const star = cursor.next();
  cursor.expect("CBrack", "Invalid splat", 'Expected "]" after "[*"');
  return parseSplatSteps(cursor, source, star.range, false);
}

/** Steps after `.*` (attributes only) or `[*]` (attributes and indexes). */
function parseSplatSteps(
  cursor: Cursor,
  source: Expression,
  star: Range,
  attrOnly: boolean,
): Expression {
  if (attrOnly) cursor.next(); // "*"
  const steps: SplatStep[] = [];
  let end = star;
  for (;;) {
    const token = cursor.peek();
    if (token.type === "Dot" && cursor.peekSecond().type === "Ident") {
      cursor.next();
      const name = cursor.next();
      steps.push({ kind: "Attr", name: name.text });
      end = name.range;
    } else if (token.type === "OBrack" && !attrOnly && !isSplatBracket(cursor)) {
      cursor.next();
      const key = parseExpression(cursor);
      end = cursor.expect("CBrack", "Missing close bracket on index", 'Expected "]"').range;
      steps.push({ kind: "Index", key });
    } else {
      return { kind: "Splat", source, steps, range: span(source.range, end) };
    }
  }
}
