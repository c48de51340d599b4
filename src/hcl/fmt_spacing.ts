/**
 * The one-space-or-none decision between two tokens on a line, for
 * {@linkcode formatHcl}. The rules reproduce what HashiCorp's formatter
 * prints, quirks included (`"${- 1}"`, `in(y)`), so that files formatted by
 * either tool are byte-identical.
 */

import type { TokenType } from "./lexer.ts";

/** The part of a token the spacing rules look at. */
export interface SpacedToken {
  readonly type: TokenType | "Comment";
  readonly text: string;
}

/** Tokens after which a `-` is a negation rather than a subtraction. */
const NEGATION_AFTER: ReadonlySet<string> = new Set([
  "OParen",
  "OBrace",
  "OBrack",
  "Equal",
  "Colon",
  "Comma",
  "Question",
  "Operator",
  "Bang",
]);

/** Tokens that are literal template text or its delimiters. */
const TEMPLATE_TEXT: ReadonlySet<string> = new Set([
  "OQuote",
  "CQuote",
  "OHeredoc",
  "CHeredoc",
  "QuotedLit",
  "StringLit",
]);

/**
 * Whether one space goes between `subject` and `after`; `before` is the
 * token ahead of `subject` on the same line, if any.
 *
 * @example
 * ```ts
 * import { spaceBetween } from "./fmt_spacing.ts";
 * spaceBetween(undefined, { type: "Ident", text: "f" }, { type: "OParen", text: "(" }); // false
 * ```
 */
export function spaceBetween(
  before: SpacedToken | undefined,
  subject: SpacedToken,
  after: SpacedToken,
): boolean {
  if (after.type === "Newline") return false;
  if (TEMPLATE_TEXT.has(subject.type) && subject.type !== "CQuote") return false;
  if (TEMPLATE_TEXT.has(after.type) && after.type !== "OQuote" && after.type !== "OHeredoc") {
    return false;
  }
  if (inTemplateSequence(subject, after)) return false;
  if (subject.type === "Dot" || after.type === "Dot") return false;
  if (after.type === "Comma" || after.type === "Ellipsis") return false;
  if (subject.type === "Comma") return true;
  if (subject.type === "OParen" || after.type === "CParen") return false;
  if (subject.type === "OBrack" || after.type === "CBrack") return false;
  if (after.type === "OParen") return subject.type !== "Ident";
  if (after.type === "OBrack") return !isIndexed(before, subject);
  if (subject.type === "OBrace") return after.type !== "CBrace";
  if (subject.type === "Bang") return false;
  if (subject.type === "Operator" && subject.text === "-") return !isNegation(before);
  return true;
}

/** `${`, `%{` and their closing `}` hug what they enclose; `}` hugs what follows. */
function inTemplateSequence(subject: SpacedToken, after: SpacedToken): boolean {
  return subject.type === "TemplateInterp" || subject.type === "TemplateControl" ||
    subject.type === "TemplateSeqEnd" || after.type === "TemplateSeqEnd" ||
    after.type === "TemplateInterp" || after.type === "TemplateControl";
}

/**
 * Whether `[` after `subject` indexes it (no space). The collection of a
 * `for` expression (`for v in [1, 2]`) is the one identifier that keeps it.
 */
function isIndexed(before: SpacedToken | undefined, subject: SpacedToken): boolean {
  if (subject.type === "Ident") return !(subject.text === "in" && before?.type === "Ident");
  return subject.type === "Number" || subject.type === "CBrack" ||
    subject.type === "CParen" || subject.type === "CBrace";
}

function isNegation(before: SpacedToken | undefined): boolean {
  return before === undefined || NEGATION_AFTER.has(before.type);
}
