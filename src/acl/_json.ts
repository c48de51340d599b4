/**
 * A small JSON parser that keeps where every key and value was written, so
 * that a JSON policy gets the same `file:line:column` errors as an HCL one.
 * (src/hcl has no JSON variant yet; when it gets one this file goes.)
 */

import { HclSyntaxError, type Pos, type Range } from "../hcl/mod.ts";

/** A parsed JSON value with its source range. */
export type JsonNode =
  | { readonly kind: "object"; readonly entries: readonly JsonEntry[]; readonly range: Range }
  | { readonly kind: "array"; readonly items: readonly JsonNode[]; readonly range: Range }
  | {
    readonly kind: "scalar";
    readonly value: string | number | boolean | null;
    readonly range: Range;
  };

/** One `"key": value` of an object. */
export interface JsonEntry {
  readonly key: string;
  readonly keyRange: Range;
  readonly value: JsonNode;
}

/** Deeper nesting than this is refused rather than risking the stack. */
export const MAX_JSON_DEPTH = 64;

class JsonCursor {
  offset = 0;
  line = 1;
  column = 1;
  constructor(readonly source: string, readonly filename: string) {}

  pos(): Pos {
    return { line: this.line, column: this.column, offset: this.offset };
  }

  range(start: Pos): Range {
    return { filename: this.filename, start, end: this.pos() };
  }

  advance(count = 1): void {
    for (let i = 0; i < count; i++) {
      if (this.source[this.offset] === "\n") {
        this.line++;
        this.column = 1;
      } else this.column++;
      this.offset++;
    }
  }

  skipSpace(): void {
    while (/\s/.test(this.source[this.offset] ?? "")) this.advance();
  }

  fail(detail: string): never {
    const at = this.pos();
    throw new HclSyntaxError("Invalid JSON", detail, {
      filename: this.filename,
      start: at,
      end: at,
    });
  }
}

/**
 * Parses JSON text into {@linkcode JsonNode}s with ranges.
 *
 * @example
 * ```ts
 * import { parseJsonWithRanges } from "./_json.ts";
 * const node = parseJsonWithRanges('{"node": {"policy": "read"}}', "p.json");
 * node.kind; // "object"
 * ```
 */
export function parseJsonWithRanges(source: string, filename: string): JsonNode {
  const cursor = new JsonCursor(source, filename);
  const node = parseValue(cursor, 0);
  cursor.skipSpace();
  if (cursor.offset < source.length) cursor.fail("unexpected text after the JSON value");
  return node;
}

function parseValue(cursor: JsonCursor, depth: number): JsonNode {
  if (depth > MAX_JSON_DEPTH) cursor.fail(`nesting deeper than ${MAX_JSON_DEPTH} levels`);
  cursor.skipSpace();
  const start = cursor.pos();
  const char = cursor.source[cursor.offset];
  if (char === "{") return parseObject(cursor, depth, start);
  if (char === "[") {
    cursor.advance();
    const items: JsonNode[] = [];
    cursor.skipSpace();
    if (cursor.source[cursor.offset] === "]") cursor.advance();
    else {
      for (;;) {
        items.push(parseValue(cursor, depth + 1));
        if (!separator(cursor, "]")) break;
      }
    }
    return { kind: "array", items, range: cursor.range(start) };
  }
  if (char === '"') {
    return { kind: "scalar", value: parseString(cursor), range: cursor.range(start) };
  }
  const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(
    cursor.source.slice(cursor.offset, cursor.offset + 64),
  );
  if (literal === null) {
    cursor.fail(`unexpected character ${JSON.stringify(char ?? "end of file")}`);
  }
  cursor.advance(literal[0].length);
  const value = JSON.parse(literal[0]) as string | number | boolean | null;
  return { kind: "scalar", value, range: cursor.range(start) };
}

function parseObject(cursor: JsonCursor, depth: number, start: Pos): JsonNode {
  cursor.advance();
  const entries: JsonEntry[] = [];
  cursor.skipSpace();
  if (cursor.source[cursor.offset] === "}") cursor.advance();
  else {
    for (;;) {
      cursor.skipSpace();
      const keyStart = cursor.pos();
      if (cursor.source[cursor.offset] !== '"') cursor.fail("expected a quoted object key");
      const key = parseString(cursor);
      const keyRange = cursor.range(keyStart);
      cursor.skipSpace();
      if (cursor.source[cursor.offset] !== ":") cursor.fail('expected ":" after an object key');
      cursor.advance();
      entries.push({ key, keyRange, value: parseValue(cursor, depth + 1) });
      if (!separator(cursor, "}")) break;
    }
  }
  return { kind: "object", entries, range: cursor.range(start) };
}

/** Consumes "," (true: more follows) or the closing character (false). */
function separator(cursor: JsonCursor, close: string): boolean {
  cursor.skipSpace();
  const char = cursor.source[cursor.offset];
  cursor.advance();
  if (char === ",") return true;
  if (char === close) return false;
  return cursor.fail(`expected "," or "${close}"`);
}

function parseString(cursor: JsonCursor): string {
  const match = /^"(?:[^"\\\n]|\\.)*"/.exec(cursor.source.slice(cursor.offset));
  if (match === null) cursor.fail("unterminated string");
  try {
    const value = JSON.parse(match[0]) as string;
    cursor.advance(match[0].length);
    return value;
  } catch {
    return cursor.fail("invalid escape in string");
  }
}
