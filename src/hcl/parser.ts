/** Recursive-descent parser for HCL bodies: attributes and blocks. */

import type { Attribute, Block, Body, Label, Range } from "./ast.ts";
import { Cursor, describe, type ParseOptions, span } from "./cursor.ts";
import { tokenize } from "./lexer.ts";
import { parseExpression } from "./parse_expression.ts";
import { parseTemplate } from "./parse_template.ts";

/**
 * Parses HCL native syntax into a {@linkcode Body}. Throws
 * {@linkcode HclSyntaxError} with `file:line:column` on the first problem.
 *
 * @example
 * ```ts
 * import { parse } from "./parser.ts";
 * const body = parse('job "web" {\n  type = "batch"\n}\n', "web.hcl");
 * body.items[0]?.kind; // "Block"
 * ```
 */
export function parse(source: string, filename: string, options: ParseOptions = {}): Body {
  const cursor = new Cursor(tokenize(source, filename), source, options);
  const body = parseBody(cursor);
  const end = cursor.peek();
  if (end.type !== "EOF") {
    cursor.fail(
      "Argument or block definition required",
      `An argument or block definition is required here, but found ${describe(end)}`,
      end.range,
    );
  }
  const start = { line: 1, column: 1, offset: 0 };
  return { ...body, range: { filename, start, end: end.range.end } };
}

/** Parses items until `}` or the end of the file (neither consumed). */
function parseBody(cursor: Cursor): Body {
  const items: (Attribute | Block)[] = [];
  const seen = new Map<string, Attribute>();
  const first = cursor.peek().range;
  for (;;) {
    const token = cursor.peek();
    if (token.type === "Newline") {
      cursor.next();
      continue;
    }
    if (token.type === "EOF" || token.type === "CBrace") break;
    const item = parseItem(cursor);
    if (item.kind === "Attribute") {
      checkRedefined(cursor, seen, item);
      expectLineEnd(cursor, "argument");
    } else {
      expectLineEnd(cursor, "block");
    }
    items.push(item);
  }
  const last = items[items.length - 1];
  return { kind: "Body", items, range: span(first, last?.range ?? first) };
}

function checkRedefined(cursor: Cursor, seen: Map<string, Attribute>, attr: Attribute): void {
  const previous = seen.get(attr.name);
  if (previous !== undefined) {
    const where =
      `${previous.range.filename}:${previous.range.start.line}:${previous.range.start.column}`;
    cursor.fail(
      "Attribute redefined",
      `The argument "${attr.name}" was already set at ${where}. Each argument may be set only once.`,
      attr.nameRange,
    );
  }
  seen.set(attr.name, attr);
}

function expectLineEnd(cursor: Cursor, what: "argument" | "block"): void {
  const token = cursor.peek();
  if (token.type === "Newline") {
    cursor.next();
    return;
  }
  if (token.type === "EOF") return;
  const summary = what === "argument"
    ? "Missing newline after argument"
    : "Missing newline after block definition";
  cursor.fail(
    summary,
    `${
      what === "argument" ? "An argument" : "A block"
    } definition must end with a newline, but found ${describe(token)}`,
    token.range,
  );
}

/** One attribute or block, starting at an identifier. */
function parseItem(cursor: Cursor): Attribute | Block {
  const token = cursor.peek();
  if (token.type === "OQuote" && cursor.options.quotedAttributeNames) {
    const label = parseLabel(cursor);
    if (cursor.peek().type === "Equal") return parseAttribute(cursor, label.value, label.range);
    cursor.fail(
      "Argument or block definition required",
      "A quoted name must be followed by an equals sign",
      label.range,
    );
  }
  if (token.type !== "Ident") {
    cursor.fail(
      "Argument or block definition required",
      `An argument or block definition is required here, but found ${describe(token)}`,
      token.range,
    );
  }
  cursor.next();
  const after = cursor.peek();
  if (after.type === "Equal") return parseAttribute(cursor, token.text, token.range);
  if (after.type === "OQuote" || after.type === "Ident" || after.type === "OBrace") {
    return parseBlock(cursor, token.text, token.range);
  }
  return cursor.fail(
    "Argument or block definition required",
    `An argument or block definition is required here. To set an argument, use the equals sign "=" to introduce the argument value; found ${
      describe(after)
    }`,
    after.range,
  );
}

function parseAttribute(cursor: Cursor, name: string, nameRange: Range): Attribute {
  cursor.next(); // "="
  const expr = parseExpression(cursor);
  return { kind: "Attribute", name, nameRange, expr, range: span(nameRange, expr.range) };
}

function parseLabel(cursor: Cursor): Label {
  const token = cursor.peek();
  if (token.type === "Ident") {
    cursor.next();
    return { value: token.text, range: token.range };
  }
  const template = parseTemplate(cursor);
  const parts = template.parts;
  if (parts.length > 1 || (parts.length === 1 && parts[0]!.kind !== "TemplateLiteral")) {
    cursor.fail(
      "Invalid string literal",
      'Template sequences are not allowed in this string. To include a literal "$", double it (as "$$") to escape it.',
      template.range,
    );
  }
  const first = parts[0];
  return { value: first?.kind === "TemplateLiteral" ? first.value : "", range: template.range };
}

function parseBlock(cursor: Cursor, type: string, typeRange: Range): Block {
  const labels: Label[] = [];
  while (cursor.peek().type === "OQuote" || cursor.peek().type === "Ident") {
    labels.push(parseLabel(cursor));
  }
  const open = cursor.peek();
  if (open.type !== "OBrace") {
    cursor.fail(
      "Invalid block definition",
      `Either a quoted string block label or an opening brace ("{") is expected here, but found ${
        describe(open)
      }`,
      open.range,
    );
  }
  cursor.next();
  cursor.enter(open.range);
  const body = cursor.peek().type === "Newline" ? parseBody(cursor) : parseSingleLineBody(cursor);
  cursor.leave();
  const close = cursor.peek();
  if (close.type !== "CBrace") {
    cursor.fail(
      "Unclosed configuration block",
      `There is no closing brace for this block before ${
        describe(close)
      }. This may be caused by incorrect brace nesting elsewhere in this file.`,
      open.range,
    );
  }
  cursor.next();
  return {
    kind: "Block",
    type,
    typeRange,
    labels,
    body,
    openBraceRange: open.range,
    range: span(typeRange, close.range),
  };
}

/** `a { b = 1 }`: at most one argument and no nested blocks, as in HCL. */
function parseSingleLineBody(cursor: Cursor): Body {
  const first = cursor.peek();
  if (first.type === "CBrace") return { kind: "Body", items: [], range: first.range };
  const item = parseItem(cursor);
  const close = cursor.peek();
  if (item.kind === "Block" || close.type !== "CBrace") {
    cursor.fail(
      "Invalid single-argument block definition",
      "A single-line block definition can contain only a single argument. To define more, or a nested block, place each on a line of its own within the block.",
      item.kind === "Block" ? item.typeRange : close.range,
    );
  }
  return { kind: "Body", items: [item], range: item.range };
}
