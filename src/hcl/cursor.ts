/**
 * A position in the token stream shared by the body, expression and template
 * parsers. Newlines end attributes in a body but mean nothing inside brackets
 * and parentheses, so whether `peek` sees them is a stack-scoped setting.
 */

import type { Range } from "./ast.ts";
import { HclSyntaxError } from "./errors.ts";
import type { Token, TokenType } from "./lexer.ts";

/** Upper bound on expression nesting depth (brackets, calls, templates). */
export const MAX_EXPRESSION_DEPTH = 200;

/** Options that change what the parser accepts. */
export interface ParseOptions {
  /**
   * Accept `"quoted.name" = value` attributes, which HCL 1 allowed and Nomad's
   * agent configuration (still read by HCL 1) documents for `client.options`.
   */
  readonly quotedAttributeNames?: boolean;
}

/** Token cursor with newline sensitivity and error helpers. */
export class Cursor {
  readonly #tokens: readonly Token[];
  #index = 0;
  readonly #newlines: boolean[] = [true];
  /** How deep the expression parser currently is. */
  depth = 0;
  /** The whole source text, for slicing interpolation text. */
  readonly source: string;
  /** Options the parse was started with. */
  readonly options: ParseOptions;

  /** Starts at the first token. */
  constructor(tokens: readonly Token[], source: string, options: ParseOptions) {
    this.#tokens = tokens;
    this.source = source;
    this.options = options;
  }

  /** The next token, skipping newlines when they are not significant here. */
  peek(): Token {
    if (!this.#newlines[this.#newlines.length - 1]) {
      while (this.#tokens[this.#index]?.type === "Newline") this.#index++;
    }
    return this.#tokens[Math.min(this.#index, this.#tokens.length - 1)]!;
  }

  /** The token after the next one (newline rules applied to the first only). */
  peekSecond(): Token {
    this.peek();
    return this.#tokens[Math.min(this.#index + 1, this.#tokens.length - 1)]!;
  }

  /** Consumes and returns the next token. */
  next(): Token {
    const token = this.peek();
    if (token.type !== "EOF") this.#index++;
    return token;
  }

  /** Makes newlines significant (`true`) or invisible (`false`) until `popNewlines`. */
  pushNewlines(significant: boolean): void {
    this.#newlines.push(significant);
  }

  /** Restores the previous newline setting. */
  popNewlines(): void {
    this.#newlines.pop();
  }

  /** Consumes a token of `type` or fails with `summary` / `detail`. */
  expect(type: TokenType, summary: string, detail: string): Token {
    const token = this.peek();
    if (token.type !== type) {
      this.fail(summary, `${detail}, but found ${describe(token)}`, token.range);
    }
    return this.next();
  }

  /** Throws an {@linkcode HclSyntaxError}. */
  fail(summary: string, detail: string, range: Range): never {
    throw new HclSyntaxError(summary, detail, range);
  }

  /** Guards recursion depth so deeply nested input fails cleanly. */
  enter(range: Range): void {
    this.depth++;
    if (this.depth > MAX_EXPRESSION_DEPTH) {
      this.fail(
        "Nesting too deep",
        `expressions may nest at most ${MAX_EXPRESSION_DEPTH} levels`,
        range,
      );
    }
  }

  /** Leaves one level entered with {@linkcode Cursor.enter}. */
  leave(): void {
    this.depth--;
  }
}

/** A short description of a token for error messages. */
export function describe(token: Token): string {
  if (token.type === "EOF") return "the end of the file";
  if (token.type === "Newline") return "a newline";
  if (token.type === "OQuote" || token.type === "OHeredoc") return "a string";
  return JSON.stringify(token.text);
}

/** The range from the start of `from` to the end of `to`. */
export function span(from: Range, to: Range): Range {
  return { filename: from.filename, start: from.start, end: to.end };
}
