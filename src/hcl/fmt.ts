/**
 * `nomad fmt`'s canonical HCL layout, computed on tokens so that comments,
 * blank lines and heredoc text survive untouched.
 *
 * The style is the one HashiCorp's formatter produces (learned by observing
 * its output, see tests/fixtures/fmt): lines keep their breaks; each line is
 * indented two spaces per open bracket level; the spaces between tokens on a
 * line are decided pair by pair; the `=` of consecutive one-line attributes
 * and consecutive trailing line comments are aligned into columns.
 *
 * The lexer drops comments, so they are recovered here from the text between
 * consecutive tokens, which can hold nothing but blanks and comments. That
 * keeps the lexer (shared with the parser) free of a formatter-only mode.
 */

import { AssertionError } from "../core/assert.ts";
import { spaceBetween } from "./fmt_spacing.ts";
import { tokenize, type TokenType } from "./lexer.ts";
import { parse } from "./parser.ts";

/** A token as the formatter sees it: lexer tokens plus comments. */
interface FmtToken {
  readonly type: TokenType | "Comment";
  /** Exact source text; a line comment includes the newline that ends it. */
  readonly text: string;
  /** Spaces written before the token, decided by the formatter. */
  spaces: number;
}

/**
 * One source line split into cells: `lead` (indentation and everything up
 * to the attribute's `=`), `assign` (from a one-line attribute's `=` to the
 * end) and `comment` (a trailing line comment). The cells are what gets
 * aligned into columns.
 */
interface Line {
  lead: FmtToken[];
  assign: FmtToken[];
  comment: FmtToken[];
}

/** Indentation step, in spaces. */
const INDENT_WIDTH = 2;

/**
 * Formats HCL native syntax in canonical style. Throws the parser's
 * {@linkcode HclSyntaxError} (`file:line:column: ...`) for invalid input.
 *
 * @example
 * ```ts
 * import { formatHcl } from "./fmt.ts";
 * formatHcl('job "web" {\ncount=1 # one\n  datacenters = ["dc1","dc2"]\n}\n', "web.hcl");
 * // 'job "web" {\n  count       = 1 # one\n  datacenters = ["dc1", "dc2"]\n}\n'
 * ```
 */
export function formatHcl(source: string, filename: string): string {
  parse(source, filename);
  const { tokens, trailingSpaces } = fmtTokens(source, filename);
  const lines = splitLines(tokens);
  for (const line of lines) splitCells(line);
  indentLines(lines);
  for (const line of lines) spaceLine(line);
  alignColumns(lines, (line) => line.assign, (line) => line.lead);
  alignColumns(lines, (line) => line.comment, (line) => [...line.lead, ...line.assign]);
  let out = "";
  for (const line of lines) {
    for (const token of [...line.lead, ...line.assign, ...line.comment]) {
      out += " ".repeat(token.spaces) + token.text;
    }
  }
  return out + " ".repeat(trailingSpaces);
}

/**
 * The lexer's tokens (without EOF) with the comments between them put back,
 * and the number of blanks before the end of the file: the reference
 * formatter keeps one space for each blank character there, so we do too.
 */
function fmtTokens(
  source: string,
  filename: string,
): { tokens: FmtToken[]; trailingSpaces: number } {
  const out: FmtToken[] = [];
  let offset = 0;
  for (const token of tokenize(source, filename)) {
    const gap = source.slice(offset, token.range.start.offset);
    scanComments(gap, out);
    if (token.type === "EOF") {
      return { tokens: out, trailingSpaces: /[ \t\r]*$/.exec(gap)![0].length };
    }
    const last = out[out.length - 1];
    if (last?.type === "CHeredoc" && gap !== "") {
      // The closing marker's line is kept whole, trailing blanks included.
      out[out.length - 1] = { ...last, text: last.text + gap };
    }
    if (
      token.type === "Newline" && last !== undefined && isLineComment(last) &&
      !last.text.endsWith("\n")
    ) {
      // A line comment owns the newline that ends it, so that a line ending
      // in one has the comment as its last cell.
      out[out.length - 1] = { ...last, text: last.text + token.text };
    } else {
      out.push({ type: token.type, text: token.text, spaces: 0 });
    }
    offset = token.range.end.offset;
  }
  throw new AssertionError("the lexer always ends with an EOF token");
}

function isLineComment(token: FmtToken): boolean {
  return token.type === "Comment" && !token.text.startsWith("/*");
}

/**
 * Appends the comments found in `gap`, text the lexer skipped between two
 * tokens: only blanks and comments, since the lexer accepted it.
 */
function scanComments(gap: string, out: FmtToken[]): void {
  let at = 0;
  while (at < gap.length) {
    const ch = gap[at];
    if (ch === "#" || (ch === "/" && gap[at + 1] === "/")) {
      let end = gap.indexOf("\n", at);
      if (end < 0) end = gap.length;
      if (gap[end - 1] === "\r") end--;
      out.push({ type: "Comment", text: gap.slice(at, end), spaces: 0 });
      at = end;
    } else if (ch === "/" && gap[at + 1] === "*") {
      const end = gap.indexOf("*/", at + 2) + 2;
      out.push({ type: "Comment", text: gap.slice(at, end), spaces: 0 });
      at = end;
    } else {
      at++;
    }
  }
}

/** Splits tokens into lines; a heredoc, whose text holds newlines, stays inside its line. */
function splitLines(tokens: readonly FmtToken[]): Line[] {
  const lines: Line[] = [];
  let current: FmtToken[] = [];
  for (const token of tokens) {
    current.push(token);
    if (token.type === "Newline" || (isLineComment(token) && token.text.endsWith("\n"))) {
      lines.push({ lead: current, assign: [], comment: [] });
      current = [];
    }
  }
  if (current.length > 0) lines.push({ lead: current, assign: [], comment: [] });
  return lines;
}

/** Moves a trailing line comment and a one-line attribute's `= value` out of `lead`. */
function splitCells(line: Line): void {
  const last = line.lead[line.lead.length - 1];
  if (line.lead.length > 1 && last !== undefined && last.type === "Comment") {
    line.comment = line.lead.slice(-1);
    line.lead = line.lead.slice(0, -1);
  }
  const equal = line.lead.findIndex((token, i) => i > 0 && token.type === "Equal");
  // Only a value that closes every bracket it opens on this line is a
  // column candidate; `x = {` begins a multi-line value instead.
  if (equal > 0 && netBrackets(line.lead.slice(equal)) === 0) {
    line.assign = line.lead.slice(equal);
    line.lead = line.lead.slice(0, equal);
  }
}

const OPENERS: ReadonlySet<string> = new Set([
  "OBrace",
  "OBrack",
  "OParen",
  "TemplateInterp",
  "TemplateControl",
]);
const CLOSERS: ReadonlySet<string> = new Set(["CBrace", "CBrack", "CParen", "TemplateSeqEnd"]);

/** Brackets opened minus brackets closed, counting no further than a heredoc's start. */
function netBrackets(tokens: readonly FmtToken[]): number {
  let net = 0;
  for (const token of tokens) {
    if (OPENERS.has(token.type)) net++;
    else if (CLOSERS.has(token.type)) net--;
    if (token.type === "OHeredoc") break;
  }
  return net;
}

function tokensOf(line: Line): FmtToken[] {
  return [...line.lead, ...line.assign, ...line.comment];
}

/**
 * Indents each line by the brackets still open at its start. A line that
 * opens several brackets adds one level only, and the line that closes them
 * goes back out to where the opening line was.
 */
function indentLines(lines: readonly Line[]): void {
  const levels: number[] = [];
  for (const line of lines) {
    const first = line.lead[0];
    if (first === undefined) continue;
    const net = netBrackets(tokensOf(line));
    if (net > 0) {
      first.spaces = INDENT_WIDTH * levels.length;
      levels.push(net);
      continue;
    }
    let closed = -net;
    while (closed > 0 && levels.length > 0) {
      const top = levels[levels.length - 1]!;
      if (closed < top) {
        levels[levels.length - 1] = top - closed;
        closed = 0;
      } else {
        levels.pop();
        closed -= top;
      }
    }
    first.spaces = first.type === "Newline" ? 0 : INDENT_WIDTH * levels.length;
  }
}

/** Sets the spaces between the tokens of a line (the first keeps its indentation). */
function spaceLine(line: Line): void {
  const tokens = tokensOf(line);
  for (let i = 1; i < tokens.length; i++) {
    tokens[i]!.spaces = spaceBetween(tokens[i - 2], tokens[i - 1]!, tokens[i]!) ? 1 : 0;
  }
}

/**
 * Aligns the first token of `cell` in runs of consecutive lines that all have
 * that cell, one space after the widest `before` part.
 */
function alignColumns(
  lines: readonly Line[],
  cell: (line: Line) => FmtToken[],
  before: (line: Line) => FmtToken[],
): void {
  let start = 0;
  while (start < lines.length) {
    if (cell(lines[start]!).length === 0) {
      start++;
      continue;
    }
    let end = start;
    while (end < lines.length && cell(lines[end]!).length > 0) end++;
    const run = lines.slice(start, end);
    const widths = run.map((line) => width(before(line)));
    const widest = Math.max(...widths);
    run.forEach((line, i) => {
      cell(line)[0]!.spaces = widest - widths[i]! + 1;
    });
    start = end;
  }
}

const GRAPHEMES = new Intl.Segmenter("en", { granularity: "grapheme" });

/** Printed width of tokens on one line, in user-perceived characters (grapheme clusters). */
function width(tokens: readonly FmtToken[]): number {
  let total = 0;
  for (const token of tokens) {
    total += token.spaces;
    // deno-lint-ignore no-control-regex
    if (/^[\x00-\x7f]*$/.test(token.text)) total += token.text.length;
    else for (const _ of GRAPHEMES.segment(token.text)) total++;
  }
  return total;
}
