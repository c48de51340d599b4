/**
 * HCL native-syntax scanner. Strings and heredocs are templates that may nest
 * expressions (`${ ... }`), which may nest strings again, so the scanner keeps
 * a stack of modes, like HCL's own scanner does.
 */

import type { Pos, Range } from "./ast.ts";
import { HclSyntaxError } from "./errors.ts";

/** Kinds of token. */
export type TokenType =
  | "Ident"
  | "Number"
  | "OQuote"
  | "CQuote"
  | "OHeredoc"
  | "CHeredoc"
  | "QuotedLit"
  | "StringLit"
  | "TemplateInterp"
  | "TemplateControl"
  | "TemplateSeqEnd"
  | "OBrace"
  | "CBrace"
  | "OBrack"
  | "CBrack"
  | "OParen"
  | "CParen"
  | "Comma"
  | "Dot"
  | "Ellipsis"
  | "Equal"
  | "Colon"
  | "Question"
  | "FatArrow"
  | "Operator"
  | "Bang"
  | "Newline"
  | "EOF";

/** One token; `text` is the exact source text. */
export interface Token {
  readonly type: TokenType;
  readonly text: string;
  readonly range: Range;
}

/** Upper bound on template nesting, so a hostile file cannot exhaust the stack. */
export const MAX_NESTING_DEPTH = 256;

type Mode =
  | { kind: "normal"; depth: number; template: boolean; open: Range | null }
  | { kind: "quoted"; open: Range }
  | { kind: "heredoc"; marker: string | null; lineStart: boolean; open: Range };

const PUNCTUATION: ReadonlyArray<[string, TokenType]> = [
  ["...", "Ellipsis"],
  ["=>", "FatArrow"],
  ["==", "Operator"],
  ["!=", "Operator"],
  ["<=", "Operator"],
  [">=", "Operator"],
  ["&&", "Operator"],
  ["||", "Operator"],
  ["{", "OBrace"],
  ["}", "CBrace"],
  ["[", "OBrack"],
  ["]", "CBrack"],
  ["(", "OParen"],
  [")", "CParen"],
  [",", "Comma"],
  [".", "Dot"],
  ["=", "Equal"],
  [":", "Colon"],
  ["?", "Question"],
  ["!", "Bang"],
  ["<", "Operator"],
  [">", "Operator"],
  ["+", "Operator"],
  ["-", "Operator"],
  ["*", "Operator"],
  ["/", "Operator"],
  ["%", "Operator"],
];

const IDENT_START = /[\p{L}_]/u;
const IDENT_PART = /[\p{L}\p{N}_-]/u;
const NUMBER = /[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const HEREDOC_OPEN = /<<(-?)([\p{L}_][\p{L}\p{N}_-]*)\r?\n/uy;

/**
 * Splits HCL source into tokens.
 *
 * @example
 * ```ts
 * import { tokenize } from "./lexer.ts";
 * tokenize('a = "x"', "f.hcl").map((t) => t.type);
 * // ["Ident", "Equal", "OQuote", "QuotedLit", "CQuote", "EOF"]
 * ```
 */
export function tokenize(
  source: string,
  filename: string,
  options: TokenizeOptions = {},
): Token[] {
  return new Lexer(source, filename, options.start).run();
}

/** Options of {@linkcode tokenize}. */
export interface TokenizeOptions {
  /** Line and column of the first character (for text cut out of a larger file). */
  readonly start?: { readonly line: number; readonly column: number };
}

/**
 * Splits the text of a template that has no quotes or markers of its own (a
 * string in an HCL JSON file) into tokens: an empty `OHeredoc`, its parts, an
 * empty `CHeredoc`, `EOF`. Like a heredoc it has no backslash escapes.
 * Positions count from `options.start` (lines and columns; offsets index `source`).
 *
 * @example
 * ```ts
 * import { tokenizeTemplate } from "./lexer.ts";
 * tokenizeTemplate("a-${b}", "f.json").map((t) => t.type);
 * // ["OHeredoc", "StringLit", "TemplateInterp", "Ident", "TemplateSeqEnd", "CHeredoc", "EOF"]
 * ```
 */
export function tokenizeTemplate(
  source: string,
  filename: string,
  options: TokenizeOptions = {},
): Token[] {
  return new Lexer(source, filename, options.start).runTemplate();
}

class Lexer {
  readonly #src: string;
  readonly #filename: string;
  #offset = 0;
  #line = 1;
  #column = 1;
  readonly #modes: Mode[] = [{ kind: "normal", depth: 0, template: false, open: null }];
  readonly #tokens: Token[] = [];

  constructor(source: string, filename: string, start = { line: 1, column: 1 }) {
    this.#src = source;
    this.#filename = filename;
    this.#line = start.line;
    this.#column = start.column;
  }

  /** Lexes the whole source as one marker-less template. */
  runTemplate(): Token[] {
    const open = this.#emit("OHeredoc", 0);
    this.#modes.push({ kind: "heredoc", marker: null, lineStart: false, open: open.range });
    return this.run();
  }

  run(): Token[] {
    for (;;) {
      const mode = this.#modes[this.#modes.length - 1]!;
      if (mode.kind === "normal") {
        if (this.#lexNormal(mode)) break;
      } else if (mode.kind === "quoted") {
        this.#lexQuoted(mode);
      } else {
        this.#lexHeredoc(mode);
      }
    }
    return this.#tokens;
  }

  #here(): Pos {
    return { line: this.#line, column: this.#column, offset: this.#offset };
  }

  #rangeFrom(start: Pos): Range {
    return { filename: this.#filename, start, end: this.#here() };
  }

  #advance(count: number): void {
    for (let i = 0; i < count && this.#offset < this.#src.length; i++) {
      if (this.#src[this.#offset] === "\n") {
        this.#line++;
        this.#column = 1;
      } else {
        this.#column++;
      }
      this.#offset++;
    }
  }

  #emit(type: TokenType, length: number): Token {
    const start = this.#here();
    const text = this.#src.slice(this.#offset, this.#offset + length);
    this.#advance(length);
    const token: Token = { type, text, range: this.#rangeFrom(start) };
    this.#tokens.push(token);
    return token;
  }

  #fail(summary: string, detail: string, start: Pos, length = 1): never {
    const end = { ...start, column: start.column + length, offset: start.offset + length };
    throw new HclSyntaxError(summary, detail, { filename: this.#filename, start, end });
  }

  #push(mode: Mode): void {
    if (this.#modes.length >= MAX_NESTING_DEPTH) {
      this.#fail(
        "Nesting too deep",
        `templates may nest at most ${MAX_NESTING_DEPTH} levels`,
        this.#here(),
      );
    }
    this.#modes.push(mode);
  }

  /** Lexes one token in expression mode; returns true at the end of the file. */
  #lexNormal(mode: Extract<Mode, { kind: "normal" }>): boolean {
    this.#skipSpaceAndComments();
    const src = this.#src;
    const at = this.#offset;
    if (at >= src.length) {
      if (mode.template && mode.open !== null) {
        throw new HclSyntaxError(
          "Unterminated template interpolation",
          "There is no closing brace for this interpolation sequence before the end of the file.",
          mode.open,
        );
      }
      this.#emit("EOF", 0);
      return true;
    }
    const ch = src[at]!;
    if (ch === "\n") this.#emit("Newline", 1);
    else if (ch === "\r" && src[at + 1] === "\n") this.#emit("Newline", 2);
    else if (ch === '"') this.#push({ kind: "quoted", open: this.#emit("OQuote", 1).range });
    else if (ch >= "0" && ch <= "9") this.#lexNumber();
    else if (IDENT_START.test(ch)) this.#lexIdent();
    else if (mode.template && this.#lexTemplateEnd(mode)) return false;
    else if (ch === "<" && src[at + 1] === "<" && this.#lexHeredocOpen()) return false;
    else this.#lexPunctuation(mode);
    return false;
  }

  #skipSpaceAndComments(): void {
    const src = this.#src;
    for (;;) {
      const ch = src[this.#offset];
      if (ch === " " || ch === "\t" || (ch === "\r" && src[this.#offset + 1] !== "\n")) {
        this.#advance(1);
      } else if (ch === "#" || (ch === "/" && src[this.#offset + 1] === "/")) {
        while (this.#offset < src.length && src[this.#offset] !== "\n") {
          if (src[this.#offset] === "\r" && src[this.#offset + 1] === "\n") break;
          this.#advance(1);
        }
      } else if (ch === "/" && src[this.#offset + 1] === "*") {
        const start = this.#here();
        const close = src.indexOf("*/", this.#offset + 2);
        if (close < 0) {
          this.#fail("Unterminated comment", "There is no closing */ for this comment.", start, 2);
        }
        this.#advance(close + 2 - this.#offset);
      } else {
        return;
      }
    }
  }

  #lexNumber(): void {
    NUMBER.lastIndex = this.#offset;
    const match = NUMBER.exec(this.#src);
    this.#emit("Number", match === null ? 1 : match[0].length);
  }

  #lexIdent(): void {
    let end = this.#offset + 1;
    while (end < this.#src.length) {
      const cp = this.#src.codePointAt(end)!;
      const ch = String.fromCodePoint(cp);
      if (!IDENT_PART.test(ch)) break;
      end += ch.length;
    }
    this.#emit("Ident", end - this.#offset);
  }

  /** `}` or `~}` that closes a `${` / `%{` sequence. */
  #lexTemplateEnd(mode: Extract<Mode, { kind: "normal" }>): boolean {
    const src = this.#src;
    const at = this.#offset;
    const strip = src[at] === "~" && src[at + 1] === "}";
    if (mode.depth > 0 || !(strip || src[at] === "}")) return false;
    this.#emit("TemplateSeqEnd", strip ? 2 : 1);
    this.#modes.pop();
    return true;
  }

  #lexHeredocOpen(): boolean {
    HEREDOC_OPEN.lastIndex = this.#offset;
    const match = HEREDOC_OPEN.exec(this.#src);
    if (match === null) return false;
    const token = this.#emit("OHeredoc", match[0].length);
    this.#push({ kind: "heredoc", marker: match[2]!, lineStart: true, open: token.range });
    return true;
  }

  #lexPunctuation(mode: Extract<Mode, { kind: "normal" }>): void {
    for (const [text, type] of PUNCTUATION) {
      if (this.#src.startsWith(text, this.#offset)) {
        if (type === "OBrace") mode.depth++;
        if (type === "CBrace" && mode.depth > 0) mode.depth--;
        this.#emit(type, text.length);
        return;
      }
    }
    const ch = String.fromCodePoint(this.#src.codePointAt(this.#offset)!);
    this.#fail(
      "Invalid character",
      `This character is not used within the language: ${JSON.stringify(ch)}`,
      this.#here(),
    );
  }

  /** Lexes literal text of a quoted string up to the next sequence or quote. */
  #lexQuoted(mode: Extract<Mode, { kind: "quoted" }>): void {
    const src = this.#src;
    let end = this.#offset;
    while (end < src.length) {
      const ch = src[end];
      if (ch === '"' || ch === "\n" || this.#sequenceAt(end) !== null) break;
      if (ch === "\\" && src[end + 1] !== "\n") end++;
      else if (this.#escapedSequenceAt(end)) end += 2;
      end++;
    }
    if (end > this.#offset) this.#emit("QuotedLit", Math.min(end, src.length) - this.#offset);
    if (this.#offset >= src.length || src[this.#offset] === "\n") {
      throw new HclSyntaxError(
        "Unterminated template string",
        "No closing marker was found for the string.",
        mode.open,
      );
    }
    if (src[this.#offset] === '"') {
      this.#emit("CQuote", 1);
      this.#modes.pop();
      return;
    }
    this.#lexSequenceStart();
  }

  /** `${` or `%{` (with optional `~`) at `at`, unless escaped as `$${` / `%%{`. */
  #sequenceAt(at: number): "TemplateInterp" | "TemplateControl" | null {
    const src = this.#src;
    if (src[at + 1] !== "{") return null;
    if (src[at] === "$") return "TemplateInterp";
    if (src[at] === "%") return "TemplateControl";
    return null;
  }

  #escapedSequenceAt(at: number): boolean {
    const src = this.#src;
    return (src[at] === "$" || src[at] === "%") && src[at + 1] === src[at] && src[at + 2] === "{";
  }

  #lexSequenceStart(): void {
    const type = this.#sequenceAt(this.#offset)!;
    const strip = this.#src[this.#offset + 2] === "~";
    const token = this.#emit(type, strip ? 3 : 2);
    this.#push({ kind: "normal", depth: 0, template: true, open: token.range });
  }

  /** Lexes heredoc text line by line, ending at a line holding only the marker. */
  #lexHeredoc(mode: Extract<Mode, { kind: "heredoc" }>): void {
    const src = this.#src;
    if (this.#offset >= src.length) {
      if (mode.marker === null) {
        this.#emit("CHeredoc", 0);
        this.#modes.pop();
        return;
      }
      throw new HclSyntaxError(
        "Unterminated template string",
        `No closing marker "${mode.marker}" was found for this heredoc.`,
        mode.open,
      );
    }
    if (mode.lineStart && mode.marker !== null && this.#lexHeredocClose(mode.marker)) return;
    let end = this.#offset;
    while (end < src.length && src[end] !== "\n" && this.#sequenceAt(end) === null) {
      end += this.#escapedSequenceAt(end) ? 3 : 1;
    }
    const newline = src[end] === "\n";
    if (newline) end++;
    if (end > this.#offset) this.#emit("StringLit", end - this.#offset);
    mode.lineStart = newline;
    if (!newline && this.#offset < src.length) this.#lexSequenceStart();
  }

  #lexHeredocClose(marker: string): boolean {
    const src = this.#src;
    let lineEnd = src.indexOf("\n", this.#offset);
    if (lineEnd < 0) lineEnd = src.length;
    const line = src.slice(this.#offset, lineEnd).replace(/\r$/, "");
    if (line.trim() !== marker) return false;
    const indent = line.length - line.trimStart().length;
    this.#emit("CHeredoc", indent + marker.length);
    this.#modes.pop();
    return true;
  }
}
