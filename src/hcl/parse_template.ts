/** Quoted strings and heredocs: literal text, `${ }` interpolations and `%{ }` directives. */

import type { Expression, Range, TemplateExpr, TemplatePart } from "./ast.ts";
import { type Cursor, describe, span } from "./cursor.ts";
import type { Token } from "./lexer.ts";
import { parseExpression } from "./parse_expression.ts";

type Flat =
  | { kind: "lit"; raw: string; range: Range }
  | {
    kind: "interp";
    expr: Expression;
    text: string;
    stripLeft: boolean;
    stripRight: boolean;
    range: Range;
  }
  | {
    kind: "directive";
    name: "if" | "else" | "endif" | "for" | "endfor";
    expr: Expression | null;
    keyVar: string | null;
    valueVar: string;
    stripLeft: boolean;
    stripRight: boolean;
    range: Range;
  };

/**
 * Parses a template starting at an `OQuote` or `OHeredoc` token.
 *
 * @example
 * ```ts
 * import { parse } from "./parser.ts";
 * const body = parse('a = "hi ${name}"\n', "t.hcl");
 * ```
 */
export function parseTemplate(cursor: Cursor): TemplateExpr {
  const open = cursor.next();
  const heredoc = open.type === "OHeredoc";
  const closeType = heredoc ? "CHeredoc" : "CQuote";
  cursor.enter(open.range);
  const flat: Flat[] = [];
  for (;;) {
    const token = cursor.peek();
    if (token.type === closeType) break;
    if (token.type === "QuotedLit" || token.type === "StringLit") {
      cursor.next();
      flat.push({ kind: "lit", raw: token.text, range: token.range });
    } else if (token.type === "TemplateInterp") {
      flat.push(parseInterpolation(cursor));
    } else if (token.type === "TemplateControl") {
      flat.push(parseDirective(cursor));
    } else {
      cursor.fail("Invalid template", `Unexpected ${describe(token)} in template`, token.range);
    }
  }
  const close = cursor.next();
  cursor.leave();
  if (heredoc && open.text.startsWith("<<-")) stripHeredocIndent(flat);
  const parts = foldDirectives(cursor, toParts(cursor, flat, heredoc));
  return { kind: "Template", parts, heredoc, range: span(open.range, close.range) };
}

function parseInterpolation(cursor: Cursor): Flat {
  const open = cursor.next();
  cursor.pushNewlines(false);
  const expr = parseExpression(cursor);
  const close = cursor.expect(
    "TemplateSeqEnd",
    "Extra characters after interpolation expression",
    "Expected a closing brace to end the interpolation expression",
  );
  cursor.popNewlines();
  return {
    kind: "interp",
    expr,
    text: runtimeText(cursor.source, open, close, expr.range),
    stripLeft: open.text.endsWith("~"),
    stripRight: close.text.startsWith("~"),
    range: span(open.range, close.range),
  };
}

/**
 * The text Nomad keeps for an interpolation of a runtime reference: the
 * spaces between the braces and the reference stay, unless a strip marker or
 * a comment sits on that side; a comment or marker before the reference also
 * drops the spaces after it (observed from Nomad's parser).
 */
function runtimeText(source: string, open: Token, close: Token, expr: Range): string {
  const before = source.slice(open.range.end.offset, expr.start.offset);
  const after = source.slice(expr.end.offset, close.range.start.offset);
  const left = !open.text.endsWith("~") && /^\s*$/.test(before);
  const right = left && !close.text.startsWith("~") && /^\s*$/.test(after);
  return source.slice(
    left ? open.range.end.offset : expr.start.offset,
    right ? close.range.start.offset : expr.end.offset,
  );
}

function parseDirective(cursor: Cursor): Flat {
  const open = cursor.next();
  cursor.pushNewlines(false);
  const keyword = cursor.peek();
  const name = keyword.text;
  if (
    keyword.type !== "Ident" ||
    !(name === "if" || name === "else" || name === "endif" || name === "for" || name === "endfor")
  ) {
    return cursor.fail(
      "Invalid template directive",
      `A template directive keyword ("if", "for", etc) is expected at the beginning of a %{ sequence, but found ${
        describe(keyword)
      }`,
      keyword.range,
    );
  }
  cursor.next();
  let expr: Expression | null = null;
  let keyVar: string | null = null;
  let valueVar = "";
  if (name === "if") expr = parseExpression(cursor);
  if (name === "for") {
    [keyVar, valueVar] = parseForHeader(cursor);
    expr = parseExpression(cursor);
  }
  const close = cursor.expect(
    "TemplateSeqEnd",
    "Invalid template directive",
    `Expected "}" to end the ${name} directive`,
  );
  cursor.popNewlines();
  return {
    kind: "directive",
    name,
    expr,
    keyVar,
    valueVar,
    stripLeft: open.text.endsWith("~"),
    stripRight: close.text.startsWith("~"),
    range: span(open.range, close.range),
  };
}

function parseForHeader(cursor: Cursor): [string | null, string] {
  const ident = (): Token => {
    const t = cursor.peek();
    if (t.type !== "Ident") {
      cursor.fail(
        "Invalid template directive",
        `Expected a variable name, but found ${describe(t)}`,
        t.range,
      );
    }
    return cursor.next();
  };
  const first = ident().text;
  let result: [string | null, string] = [null, first];
  if (cursor.peek().type === "Comma") {
    cursor.next();
    result = [first, ident().text];
  }
  const inToken = cursor.peek();
  if (inToken.type !== "Ident" || inToken.text !== "in") {
    cursor.fail(
      "Invalid template directive",
      `Expected "in", but found ${describe(inToken)}`,
      inToken.range,
    );
  }
  cursor.next();
  return result;
}

/** `<<-` heredocs: remove the smallest indentation shared by all non-blank lines. */
function stripHeredocIndent(flat: Flat[]): void {
  const lineStarts: number[] = [];
  let atLineStart = true;
  flat.forEach((item, i) => {
    if (atLineStart && item.kind === "lit") lineStarts.push(i);
    if (atLineStart && item.kind !== "lit") lineStarts.push(-1);
    atLineStart = item.kind === "lit" && item.raw.endsWith("\n");
  });
  let min = Infinity;
  for (const i of lineStarts) {
    const item = i < 0 ? null : flat[i];
    if (item === null || item === undefined || item.kind !== "lit") {
      min = 0;
      continue;
    }
    const nextIsText = flat[i + 1] !== undefined && !item.raw.endsWith("\n");
    if (item.raw.trim() === "" && !nextIsText) continue; // blank line
    min = Math.min(min, item.raw.length - item.raw.replace(/^[ \t]+/, "").length);
  }
  if (!Number.isFinite(min) || min === 0) return;
  for (const i of lineStarts) {
    const item = i < 0 ? null : flat[i];
    if (item?.kind !== "lit") continue;
    const indent = item.raw.length - item.raw.replace(/^[ \t]+/, "").length;
    flat[i] = { ...item, raw: item.raw.slice(Math.min(indent, min)) };
  }
}

/** Applies `~` strip markers and resolves escapes. */
function toParts(cursor: Cursor, flat: Flat[], heredoc: boolean): (TemplatePart | Flat)[] {
  const raw = flat.map((item) => item.kind === "lit" ? { ...item } : item);
  raw.forEach((item, i) => {
    if (item.kind === "lit") return;
    const before = raw[i - 1];
    const after = raw[i + 1];
    if (item.stripLeft && before?.kind === "lit") before.raw = before.raw.trimEnd();
    if (item.stripRight && after?.kind === "lit") after.raw = after.raw.trimStart();
  });
  return raw.map((item) => {
    if (item.kind === "lit") {
      return {
        kind: "TemplateLiteral" as const,
        value: unescape(cursor, item.raw, item.range, heredoc),
        range: item.range,
      };
    }
    if (item.kind === "interp") {
      return {
        kind: "TemplateInterpolation" as const,
        expr: item.expr,
        text: item.text,
        range: item.range,
      };
    }
    return item;
  });
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  n: "\n",
  r: "\r",
  t: "\t",
  '"': '"',
  "\\": "\\",
};

/** Resolves `\n`-style escapes (quoted strings only) and `$${` / `%%{`. */
function unescape(cursor: Cursor, raw: string, range: Range, heredoc: boolean): string {
  const doubled = (s: string) => s.replaceAll("$${", "${").replaceAll("%%{", "%{");
  if (heredoc) return doubled(raw);
  let out = "";
  let i = 0;
  while (i < raw.length) {
    const ch = raw[i]!;
    if (ch !== "\\") {
      const rest = raw.slice(i, i + 3);
      if (rest === "$${" || rest === "%%{") {
        out += rest.slice(1);
        i += 3;
      } else {
        out += ch;
        i++;
      }
      continue;
    }
    const selector = raw[i + 1] ?? "";
    const simple = SIMPLE_ESCAPES[selector];
    if (simple !== undefined) {
      out += simple;
      i += 2;
    } else if (selector === "u" || selector === "U") {
      const digits = selector === "u" ? 4 : 8;
      const hex = raw.slice(i + 2, i + 2 + digits);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== digits) {
        cursor.fail(
          "Invalid escape sequence",
          `The \\${selector} escape must be followed by ${digits} hexadecimal digits.`,
          at(range, i),
        );
      }
      out += String.fromCodePoint(parseInt(hex, 16));
      i += 2 + digits;
    } else {
      cursor.fail(
        "Invalid escape sequence",
        `The symbol ${JSON.stringify(selector)} is not a valid escape sequence selector.`,
        at(range, i),
      );
    }
  }
  return out;
}

/** The position `offset` characters into a one-line literal starting at `range`. */
function at(range: Range, offset: number): Range {
  const start = {
    line: range.start.line,
    column: range.start.column + offset,
    offset: range.start.offset + offset,
  };
  return { ...range, start, end: { ...start, column: start.column + 2, offset: start.offset + 2 } };
}

/** Turns the flat if/else/endif and for/endfor markers into nested parts. */
function foldDirectives(cursor: Cursor, items: (TemplatePart | Flat)[]): TemplatePart[] {
  let index = 0;
  type Directive = Extract<Flat, { kind: "directive" }>;
  const collect = (until: readonly string[]): [TemplatePart[], Directive | null] => {
    const parts: TemplatePart[] = [];
    while (index < items.length) {
      const item = items[index++]!;
      if (item.kind !== "directive") {
        parts.push(item as TemplatePart);
        continue;
      }
      if (until.includes(item.name)) return [parts, item];
      if (item.name === "if") parts.push(foldIf(item));
      else if (item.name === "for") parts.push(foldFor(item));
      else {cursor.fail(
          "Unexpected template directive",
          `There is no open block for this %{ ${item.name} }`,
          item.range,
        );}
    }
    return [parts, null];
  };
  const foldIf = (open: Directive): TemplatePart => {
    const [then, end] = collect(["else", "endif"]);
    let otherwise: TemplatePart[] = [];
    let last = end;
    if (end?.name === "else") [otherwise, last] = collect(["endif"]);
    if (last === null) {
      cursor.fail(
        "Unterminated template directive",
        "There is no %{ endif } for this %{ if }",
        open.range,
      );
    }
    return {
      kind: "TemplateIf",
      condition: open.expr!,
      then,
      else: otherwise,
      range: span(open.range, last.range),
    };
  };
  const foldFor = (open: Directive): TemplatePart => {
    const [body, end] = collect(["endfor"]);
    if (end === null) {
      cursor.fail(
        "Unterminated template directive",
        "There is no %{ endfor } for this %{ for }",
        open.range,
      );
    }
    return {
      kind: "TemplateFor",
      keyVar: open.keyVar,
      valueVar: open.valueVar,
      collection: open.expr!,
      body,
      range: span(open.range, end.range),
    };
  };
  return collect([])[0];
}
