/**
 * HCL's JSON syntax: a JSON document read as an HCL body. JSON cannot say
 * whether a property is an argument or a block, so a JSON body keeps its
 * properties and is resolved against the schema its decoder asks for (see
 * {@linkcode resolveJsonBody}). Until then every property reads as an
 * argument, which is what schema-less readers (`locals`, driver config) want.
 * Strings are templates: `"${var.image}"` evaluates like its native form.
 */

import type {
  Attribute,
  Block,
  Body,
  Expression,
  JsonNode,
  JsonObjectNode,
  JsonProperty,
  Pos,
  Range,
} from "./ast.ts";
import { Cursor } from "./cursor.ts";
import { HclSyntaxError } from "./errors.ts";
import { MAX_NESTING_DEPTH, tokenizeTemplate } from "./lexer.ts";
import { parseTemplate } from "./parse_template.ts";
import type { Value, ValueObject } from "./values.ts";

/**
 * Parses an HCL JSON file into a {@linkcode Body}. Duplicate property names
 * are kept (HCL JSON uses them for repeated blocks).
 *
 * @example
 * ```ts
 * import { parseJson } from "./json.ts";
 * const body = parseJson('{"job": {"web": {"type": "batch"}}}', "web.nomad.json");
 * body.json?.properties[0]?.name; // "job"
 * ```
 */
export function parseJson(source: string, filename: string): Body {
  const parser = new JsonParser(source, filename);
  const root = parser.document();
  if (root.kind !== "object") {
    throw new HclSyntaxError(
      "Root value must be object",
      "The root value in a JSON-based configuration must be a JSON object.",
      root.range,
    );
  }
  return jsonBody(root);
}

/** A body over a JSON object; its items read every property as an argument. */
export function jsonBody(node: JsonObjectNode): Body {
  const items: Attribute[] = [];
  for (const property of node.properties) {
    if (property.name === "//") continue;
    items.push(jsonAttribute(property));
  }
  return { kind: "Body", items, range: node.range, json: node };
}

/** The property as an argument. */
export function jsonAttribute(property: JsonProperty): Attribute {
  const expr = jsonExpression(property.value);
  return {
    kind: "Attribute",
    name: property.name,
    nameRange: property.nameRange,
    expr,
    range: { ...property.nameRange, end: property.value.range.end },
  };
}

/** A block of `type` with `labels` whose body is `node`. */
export function jsonBlock(
  type: JsonProperty,
  labels: readonly JsonProperty[],
  node: JsonObjectNode,
): Block {
  return {
    kind: "Block",
    type: type.name,
    typeRange: type.nameRange,
    labels: labels.map((l) => ({ value: l.name, range: l.nameRange })),
    body: jsonBody(node),
    openBraceRange: { ...node.range, end: node.range.start },
    range: { ...type.nameRange, end: node.range.end },
  };
}

/** A JSON value as an HCL expression; strings are parsed as templates. */
export function jsonExpression(node: JsonNode): Expression {
  switch (node.kind) {
    case "string":
      return jsonTemplate(node.value, node.range);
    case "number":
    case "bool":
    case "null":
      return { kind: "Literal", value: node.value, range: node.range };
    case "array":
      return { kind: "Tuple", items: node.items.map(jsonExpression), range: node.range };
    case "object":
      return {
        kind: "Object",
        items: node.properties.map((p) => ({
          key: { kind: "Literal", value: p.name, range: p.nameRange },
          value: jsonExpression(p.value),
        })),
        range: node.range,
      };
  }
}

/** Parses the (already unescaped) text of a JSON string as a template. */
function jsonTemplate(text: string, range: Range): Expression {
  if (!text.includes("${") && !text.includes("%{")) {
    return { kind: "Literal", value: text, range };
  }
  const start = { line: range.start.line, column: range.start.column + 1 };
  const tokens = tokenizeTemplate(text, range.filename, { start });
  const template = parseTemplate(new Cursor(tokens, text, {}));
  return { ...template, heredoc: false, range };
}

/** Recursive-descent JSON reader that records positions and keeps duplicate keys. */
class JsonParser {
  readonly #src: string;
  readonly #filename: string;
  #offset = 0;
  #line = 1;
  #column = 1;
  #depth = 0;

  constructor(source: string, filename: string) {
    this.#src = source;
    this.#filename = filename;
  }

  document(): JsonNode {
    this.#skipSpace();
    const value = this.#value();
    this.#skipSpace();
    if (this.#offset < this.#src.length) {
      this.#fail("Extraneous data after value", "Extra characters appear after the JSON value.");
    }
    return value;
  }

  #here(): Pos {
    return { line: this.#line, column: this.#column, offset: this.#offset };
  }

  #range(start: Pos): Range {
    return { filename: this.#filename, start, end: this.#here() };
  }

  #fail(summary: string, detail: string): never {
    const start = this.#here();
    const end = { ...start, column: start.column + 1, offset: start.offset + 1 };
    throw new HclSyntaxError(summary, detail, { filename: this.#filename, start, end });
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

  #skipSpace(): void {
    for (;;) {
      const ch = this.#src[this.#offset];
      if (ch !== " " && ch !== "\t" && ch !== "\n" && ch !== "\r") return;
      this.#advance(1);
    }
  }

  #value(): JsonNode {
    const ch = this.#src[this.#offset];
    if (ch === "{" || ch === "[") {
      this.#depth++;
      if (this.#depth > MAX_NESTING_DEPTH) {
        this.#fail("Nesting too deep", `JSON values may nest at most ${MAX_NESTING_DEPTH} levels.`);
      }
      const node = ch === "{" ? this.#object() : this.#array();
      this.#depth--;
      return node;
    }
    if (ch === '"') {
      const start = this.#here();
      const value = this.#string();
      return { kind: "string", value, range: this.#range(start) };
    }
    return this.#keywordOrNumber();
  }

  #keywordOrNumber(): JsonNode {
    const start = this.#here();
    for (const [word, value] of [["true", true], ["false", false], ["null", null]] as const) {
      if (this.#src.startsWith(word, this.#offset)) {
        this.#advance(word.length);
        return value === null
          ? { kind: "null", value, range: this.#range(start) }
          : { kind: "bool", value, range: this.#range(start) };
      }
    }
    const match = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    match.lastIndex = this.#offset;
    const found = match.exec(this.#src);
    if (found === null || found[0] === "") {
      const ch = this.#src[this.#offset];
      this.#fail(
        "Invalid JSON value",
        ch === undefined
          ? "The JSON value ends before it is complete."
          : `A JSON value is expected here, but found ${JSON.stringify(ch)}.`,
      );
    }
    this.#advance(found[0].length);
    return { kind: "number", value: Number(found[0]), range: this.#range(start) };
  }

  #object(): JsonObjectNode {
    const start = this.#here();
    this.#advance(1); // "{"
    const properties: JsonProperty[] = [];
    this.#skipSpace();
    if (this.#src[this.#offset] === "}") {
      this.#advance(1);
      return { kind: "object", properties, range: this.#range(start) };
    }
    for (;;) {
      this.#skipSpace();
      if (this.#src[this.#offset] !== '"') {
        this.#fail("Invalid JSON object", "A quoted property name is expected here.");
      }
      const nameStart = this.#here();
      const name = this.#string();
      const nameRange = this.#range(nameStart);
      this.#skipSpace();
      if (this.#src[this.#offset] !== ":") {
        this.#fail("Missing property value colon", "A colon must follow a JSON property name.");
      }
      this.#advance(1);
      this.#skipSpace();
      properties.push({ name, nameRange, value: this.#value() });
      this.#skipSpace();
      const ch = this.#src[this.#offset];
      this.#advance(1);
      if (ch === "}") return { kind: "object", properties, range: this.#range(start) };
      if (ch !== ",") {
        this.#fail("Missing attribute separator", 'A comma or "}" is expected here.');
      }
    }
  }

  #array(): JsonNode {
    const start = this.#here();
    this.#advance(1); // "["
    const items: JsonNode[] = [];
    this.#skipSpace();
    if (this.#src[this.#offset] === "]") {
      this.#advance(1);
      return { kind: "array", items, range: this.#range(start) };
    }
    for (;;) {
      this.#skipSpace();
      items.push(this.#value());
      this.#skipSpace();
      const ch = this.#src[this.#offset];
      this.#advance(1);
      if (ch === "]") return { kind: "array", items, range: this.#range(start) };
      if (ch !== ",") this.#fail("Missing array separator", 'A comma or "]" is expected here.');
    }
  }

  /** Reads a quoted string at the cursor and returns its unescaped value. */
  #string(): string {
    this.#advance(1); // opening quote
    let out = "";
    for (;;) {
      const ch = this.#src[this.#offset];
      if (ch === undefined || ch === "\n") {
        this.#fail("Unterminated string", "The string has no closing quote on this line.");
      }
      if (ch === '"') {
        this.#advance(1);
        return out;
      }
      if (ch === "\\") {
        out += this.#escape();
        continue;
      }
      if (ch < " ") this.#fail("Invalid character", "Control characters must be escaped in JSON.");
      out += ch;
      this.#advance(1);
    }
  }

  #escape(): string {
    const selector = this.#src[this.#offset + 1];
    const simple: Readonly<Record<string, string>> = {
      '"': '"',
      "\\": "\\",
      "/": "/",
      b: "\b",
      f: "\f",
      n: "\n",
      r: "\r",
      t: "\t",
    };
    if (selector !== undefined && Object.hasOwn(simple, selector)) {
      this.#advance(2);
      return simple[selector]!;
    }
    if (selector === "u") {
      const hex = this.#src.slice(this.#offset + 2, this.#offset + 6);
      if (/^[0-9a-fA-F]{4}$/.test(hex)) {
        this.#advance(6);
        return String.fromCharCode(parseInt(hex, 16));
      }
    }
    return this.#fail("Invalid escape sequence", "This is not a valid JSON escape sequence.");
  }
}

/** How a JSON body is read: argument names, and label counts of block types. */
export interface JsonSchema {
  readonly attributes: readonly string[];
  readonly blocks: Readonly<Record<string, number>>;
}

/**
 * Sorts a JSON body's properties into attributes and blocks as `schema` says.
 * A block type's value is an object (one block) or an array of objects; with
 * labels, each label is one level of object keys. `"//"` comments are
 * dropped; other unknown names become attributes so that the caller reports
 * them with its usual did-you-mean message.
 */
export function resolveJsonBody(body: Body, schema: JsonSchema): Body {
  const node = body.json;
  if (node === undefined) return body;
  const items: (Attribute | Block)[] = [];
  for (const property of node.properties) {
    const isAttribute = schema.attributes.includes(property.name);
    const labels = Object.hasOwn(schema.blocks, property.name)
      ? schema.blocks[property.name]!
      : undefined;
    if (isAttribute || labels === undefined) {
      if (property.name !== "//" || isAttribute) items.push(jsonAttribute(property));
      continue;
    }
    collectBlocks(property, property.value, [], labels, items);
  }
  return { kind: "Body", items, range: node.range, json: node };
}

function collectBlocks(
  type: JsonProperty,
  value: JsonNode,
  labels: readonly JsonProperty[],
  wanted: number,
  out: (Attribute | Block)[],
): void {
  if (value.kind === "array") {
    for (const item of value.items) collectBlocks(type, item, labels, wanted, out);
    return;
  }
  if (value.kind !== "object") {
    throw new HclSyntaxError(
      "Incorrect JSON value type",
      labels.length < wanted
        ? `A JSON object is required here, whose property names are the ${
          labels.length === 0 ? "first" : "next"
        } label of the "${type.name}" block.`
        : `A JSON object is required here, to define the body of a "${type.name}" block.`,
      value.range,
    );
  }
  if (labels.length === wanted) {
    out.push(jsonBlock(type, labels, value));
    return;
  }
  for (const property of value.properties) {
    collectBlocks(type, property.value, [...labels, property], wanted, out);
  }
}

/**
 * A JSON value as plain data, strings taken literally (no templates), as
 * HCL reads JSON variable files.
 *
 * @example
 * ```ts
 * import { jsonValue, parseJson } from "./json.ts";
 * const body = parseJson('{"a": ["${x}"]}', "v.json");
 * jsonValue(body.json!.properties[0]!.value); // ["${x}"]
 * ```
 */
export function jsonValue(node: JsonNode): Value {
  switch (node.kind) {
    case "array":
      return node.items.map(jsonValue);
    case "object": {
      const out: ValueObject = {};
      for (const p of node.properties) out[p.name] = jsonValue(p.value);
      return out;
    }
    default:
      return node.value;
  }
}
