/** `for` expressions inside tuple and object brackets. */

import type { Expression } from "./ast.ts";
import { type Cursor, describe, span } from "./cursor.ts";
import type { Token } from "./lexer.ts";
import { parseExpression } from "./parse_expression.ts";

/**
 * Parses `for k, v in coll : result if cond` after the opening bracket `open`,
 * up to and including the closing `CBrack` (tuple) or `CBrace` (object).
 */
export function parseForExpression(
  cursor: Cursor,
  open: Token,
  close: "CBrack" | "CBrace",
): Expression {
  cursor.next(); // "for"
  const first = expectIdent(cursor, "an iterator variable name");
  let keyVar: string | null = null;
  let valueVar = first;
  if (cursor.peek().type === "Comma") {
    cursor.next();
    keyVar = first;
    valueVar = expectIdent(cursor, "a value variable name");
  }
  const inToken = cursor.peek();
  if (inToken.type !== "Ident" || inToken.text !== "in") {
    cursor.fail(
      "Invalid 'for' expression",
      `The "in" keyword is expected here, but found ${describe(inToken)}`,
      inToken.range,
    );
  }
  cursor.next();
  const collection = parseExpression(cursor);
  cursor.expect(
    "Colon",
    "Invalid 'for' expression",
    'A colon (":") is expected after the collection',
  );
  let keyExpr: Expression | null = null;
  if (close === "CBrace") {
    keyExpr = parseExpression(cursor);
    cursor.expect(
      "FatArrow",
      "Invalid 'for' expression",
      'An arrow ("=>") is expected after the key',
    );
  }
  const valueExpr = parseExpression(cursor);
  let grouping = false;
  if (close === "CBrace" && cursor.peek().type === "Ellipsis") {
    cursor.next();
    grouping = true;
  }
  let condition: Expression | null = null;
  const ifToken = cursor.peek();
  if (ifToken.type === "Ident" && ifToken.text === "if") {
    cursor.next();
    condition = parseExpression(cursor);
  }
  const end = cursor.expect(
    close,
    "Invalid 'for' expression",
    `A closing ${close === "CBrack" ? '"]"' : '"}"'} is expected here`,
  );
  return {
    kind: "For",
    keyVar,
    valueVar,
    collection,
    keyExpr,
    valueExpr,
    condition,
    grouping,
    range: span(open.range, end.range),
  };
}

function expectIdent(cursor: Cursor, what: string): string {
  const token = cursor.peek();
  if (token.type !== "Ident") {
    cursor.fail(
      "Invalid 'for' expression",
      `${what} is expected here, but found ${describe(token)}`,
      token.range,
    );
  }
  cursor.next();
  return token.text;
}
