/**
 * The lexer of Go's text/template syntax: splits a template into text and the
 * tokens inside actions, honouring custom delimiters and `{{-` / `-}}` trimming.
 */

/** Token kinds. */
export type TokenKind =
  | "text"
  | "leftDelim"
  | "rightDelim"
  | "comment"
  | "space"
  | "identifier"
  | "keyword"
  | "field"
  | "variable"
  | "dot"
  | "string"
  | "rawString"
  | "char"
  | "number"
  | "bool"
  | "nil"
  | "pipe"
  | "declare"
  | "assign"
  | "leftParen"
  | "rightParen"
  | "comma"
  | "punct"
  | "eof";

/** One token with its byte offset and line. */
export interface Token {
  kind: TokenKind;
  value: string;
  pos: number;
  line: number;
}

/** A lexing failure; the parser turns it into Go's `template: name:line: message`. */
export class LexError extends Error {
  /** The line the failure is on. */
  readonly line: number;
  /** Records `message` at `line`. */
  constructor(message: string, line: number) {
    super(message);
    this.name = "LexError";
    this.line = line;
  }
}

const KEYWORDS = new Set([
  "if",
  "else",
  "end",
  "range",
  "with",
  "define",
  "template",
  "block",
  "break",
  "continue",
]);

const TRIM_MARKER_LENGTH = 2; // "- " or " -"
const SPACE = /[ \t\r\n]/;

function isSpace(ch: string | undefined): boolean {
  return ch !== undefined && SPACE.test(ch);
}

function isAlphaNumeric(ch: string | undefined): boolean {
  return ch !== undefined && /[\p{L}\p{Nd}_]/u.test(ch);
}

/** Lexes `input` between `left` and `right` delimiters (`{{`/`}}` when empty). */
export function lex(input: string, left = "{{", right = "}}"): Token[] {
  return new Lexer(input, left || "{{", right || "}}").run();
}

class Lexer {
  readonly #in: string;
  readonly #left: string;
  readonly #right: string;
  #pos = 0;
  #line = 1;
  #parenDepth = 0;
  readonly #out: Token[] = [];

  constructor(input: string, left: string, right: string) {
    this.#in = input;
    this.#left = left;
    this.#right = right;
  }

  run(): Token[] {
    while (this.#pos < this.#in.length) this.#text();
    this.#emit("eof", "", this.#pos);
    return this.#out;
  }

  #emit(kind: TokenKind, value: string, pos: number): void {
    this.#out.push({ kind, value, pos, line: this.#line });
    this.#line += countNewlines(value);
  }

  #lineAt(pos: number): number {
    return 1 + countNewlines(this.#in.slice(0, pos));
  }

  /** Text up to the next left delimiter, trimmed when the action starts with `{{- `. */
  #text(): void {
    const start = this.#pos;
    const at = this.#in.indexOf(this.#left, start);
    if (at < 0) {
      this.#emit("text", this.#in.slice(start), start);
      this.#pos = this.#in.length;
      return;
    }
    const trim = this.#hasLeftTrim(at);
    let text = this.#in.slice(start, at);
    if (trim) text = text.replace(/[ \t\r\n]+$/, "");
    if (text.length > 0) this.#emit("text", text, start);
    this.#line = this.#lineAt(at);
    this.#action(at, trim);
  }

  #hasLeftTrim(at: number): boolean {
    const after = at + this.#left.length;
    return this.#in[after] === "-" && isSpace(this.#in[after + 1]);
  }

  #atRightDelim(pos: number): { trim: boolean } | null {
    if (this.#in[pos] !== undefined && isSpace(this.#in[pos]) && this.#in[pos + 1] === "-") {
      if (this.#in.startsWith(this.#right, pos + TRIM_MARKER_LENGTH)) return { trim: true };
    }
    if (this.#in.startsWith(this.#right, pos)) return { trim: false };
    return null;
  }

  /** One action from its left delimiter to the right one. */
  #action(at: number, trim: boolean): void {
    this.#pos = at + this.#left.length + (trim ? TRIM_MARKER_LENGTH : 0);
    // A comment is `/*` right after the delimiter (and its trim marker).
    if (this.#in.startsWith("/*", this.#pos)) return this.#comment(at);
    this.#emit("leftDelim", this.#left, at);
    this.#parenDepth = 0;
    for (;;) {
      const right = this.#atRightDelim(this.#pos);
      if (right !== null && this.#parenDepth === 0) return this.#closeAction(right.trim);
      if (right !== null && this.#parenDepth > 0) {
        throw new LexError("unclosed left paren", this.#line);
      }
      if (this.#pos >= this.#in.length) throw new LexError("unclosed action", this.#line);
      this.#insideAction();
    }
  }

  #closeAction(trim: boolean): void {
    const start = this.#pos;
    this.#pos += (trim ? TRIM_MARKER_LENGTH : 0) + this.#right.length;
    this.#emit("rightDelim", this.#right, start);
    if (trim) this.#skipSpaces();
  }

  #skipSpaces(): void {
    while (isSpace(this.#in[this.#pos])) {
      if (this.#in[this.#pos] === "\n") this.#line++;
      this.#pos++;
    }
  }

  #comment(at: number): void {
    const end = this.#in.indexOf("*/", this.#pos + 2);
    if (end < 0) throw new LexError("unclosed comment", this.#line);
    const text = this.#in.slice(this.#pos, end + 2);
    this.#pos = end + 2;
    const right = this.#atRightDelim(this.#pos);
    if (right === null) throw new LexError("comment ends before closing delimiter", this.#line);
    this.#emit("comment", text, at);
    this.#pos += (right.trim ? TRIM_MARKER_LENGTH : 0) + this.#right.length;
    if (right.trim) this.#skipSpaces();
  }

  #insideAction(): void {
    const start = this.#pos;
    const ch = this.#in[start]!;
    if (isSpace(ch)) {
      while (isSpace(this.#in[this.#pos]) && this.#atRightDelim(this.#pos)?.trim !== true) {
        this.#pos++;
      }
      if (this.#pos === start) this.#pos++;
      return this.#emit("space", this.#in.slice(start, this.#pos), start);
    }
    if (ch === "=") return this.#single("assign", start);
    if (ch === ":") {
      if (this.#in[start + 1] !== "=") throw new LexError("expected :=", this.#line);
      this.#pos += 2;
      return this.#emit("declare", ":=", start);
    }
    if (ch === "|") return this.#single("pipe", start);
    if (ch === ",") return this.#single("comma", start);
    if (ch === '"') return this.#quoted(start);
    if (ch === "`") return this.#rawQuoted(start);
    if (ch === "'") return this.#char(start);
    if (ch === "$") return this.#word("variable", start + 1);
    if (ch === "(") {
      this.#parenDepth++;
      return this.#single("leftParen", start);
    }
    if (ch === ")") {
      this.#parenDepth--;
      if (this.#parenDepth < 0) throw new LexError(`unexpected right paren`, this.#line);
      return this.#single("rightParen", start);
    }
    if (ch === "." && !/[0-9]/.test(this.#in[start + 1] ?? "")) {
      if (isAlphaNumeric(this.#in[start + 1])) return this.#word("field", start + 1);
      return this.#single("dot", start);
    }
    if (/[0-9+\-.]/.test(ch)) return this.#number(start);
    if (isAlphaNumeric(ch)) return this.#identifier(start);
    // Other printable ASCII becomes a token the parser reports as unexpected.
    if (/[\x21-\x7e]/.test(ch)) return this.#single("punct", start);
    throw new LexError(`unrecognized character in action: ${goRune(ch)}`, this.#line);
  }

  #single(kind: TokenKind, start: number): void {
    this.#pos = start + 1;
    this.#emit(kind, this.#in[start]!, start);
  }

  #word(kind: "field" | "variable", from: number): void {
    const start = from - 1;
    this.#pos = from;
    while (isAlphaNumeric(this.#in[this.#pos])) this.#pos++;
    this.#emit(kind, this.#in.slice(start, this.#pos), start);
  }

  #identifier(start: number): void {
    while (isAlphaNumeric(this.#in[this.#pos])) this.#pos++;
    const word = this.#in.slice(start, this.#pos);
    const next = this.#in[this.#pos];
    if (
      next !== undefined && !isSpace(next) && !"|=:,()".includes(next) && next !== "." &&
      this.#atRightDelim(this.#pos) === null
    ) {
      throw new LexError(`bad character ${goRune(next)}`, this.#line);
    }
    if (KEYWORDS.has(word)) return this.#emit("keyword", word, start);
    if (word === "true" || word === "false") return this.#emit("bool", word, start);
    if (word === "nil") return this.#emit("nil", word, start);
    this.#emit("identifier", word, start);
  }

  #number(start: number): void {
    const match =
      /^[+-]?(0[xX][0-9a-fA-F_]*(\.[0-9a-fA-F_]*)?([pP][+-]?[0-9]+)?|0[bB][01_]+|0[oO][0-7_]+|[0-9_]*\.?[0-9_]*([eE][+-]?[0-9_]+)?)i?/
        .exec(this.#in.slice(start));
    const text = match?.[0] ?? "";
    this.#pos = start + text.length;
    if (text === "" || text === "+" || text === "-" || isAlphaNumeric(this.#in[this.#pos])) {
      const bad = this.#in.slice(start, this.#pos + 1);
      throw new LexError(`bad number syntax: ${JSON.stringify(bad)}`, this.#line);
    }
    this.#emit("number", text, start);
  }

  #quoted(start: number): void {
    let i = start + 1;
    for (;;) {
      const ch = this.#in[i];
      if (ch === undefined || ch === "\n") {
        throw new LexError("unterminated quoted string", this.#line);
      }
      if (ch === "\\") i++;
      else if (ch === '"') break;
      i++;
    }
    this.#pos = i + 1;
    this.#emit("string", this.#in.slice(start, this.#pos), start);
  }

  #rawQuoted(start: number): void {
    const end = this.#in.indexOf("`", start + 1);
    if (end < 0) throw new LexError("unterminated raw quoted string", this.#line);
    this.#pos = end + 1;
    this.#emit("rawString", this.#in.slice(start, this.#pos), start);
  }

  #char(start: number): void {
    let i = start + 1;
    for (;;) {
      const ch = this.#in[i];
      if (ch === undefined || ch === "\n") {
        throw new LexError("unterminated character constant", this.#line);
      }
      if (ch === "\\") i++;
      else if (ch === "'") break;
      i++;
    }
    this.#pos = i + 1;
    this.#emit("char", this.#in.slice(start, this.#pos), start);
  }
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

/** Go's `%#U` of a character: `U+0026 '&'`. */
export function goRune(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")} '${ch}'`;
}
