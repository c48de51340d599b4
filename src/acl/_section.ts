/**
 * One shape for a policy document read from HCL or from JSON: attributes with
 * their values and blocks with their labels, each with where it was written.
 */

import { assert } from "../core/mod.ts";
import {
  type Body,
  evaluate,
  type Expression,
  HclSyntaxError,
  type JsonNode,
  type JsonObjectNode,
  jsonValue,
  parse,
  parseJson,
  type Range,
} from "../hcl/core.ts";

/** A value and where it was written; list values also keep each item's range. */
export interface Located {
  readonly value: unknown;
  readonly range: Range;
  readonly items?: readonly Located[];
}

/** An attribute: its name's range and its value. */
export interface SectionAttribute {
  readonly name: string;
  readonly nameRange: Range;
  readonly value: Located;
}

/** A block: type, labels and body. */
export interface SectionBlock {
  readonly type: string;
  readonly typeRange: Range;
  readonly labels: readonly { readonly value: string; readonly range: Range }[];
  readonly body: Section;
}

/** The content of a body or of a JSON object. */
export interface Section {
  readonly attributes: readonly SectionAttribute[];
  readonly blocks: readonly SectionBlock[];
  readonly range: Range;
}

/** How many labels each block type takes, and the schema of its body (JSON needs this). */
export interface LabelSchema {
  readonly [blockType: string]: { readonly labels: number; readonly body: LabelSchema };
}

const NO_CONTEXT = { variables: {}, functions: {} };

function located(expr: Expression): Located {
  const value = evaluate(expr, NO_CONTEXT);
  if (expr.kind !== "Tuple") return { value, range: expr.range };
  return { value, range: expr.range, items: expr.items.map(located) };
}

/** Reads an HCL body (parsed already) into a {@linkcode Section}. */
export function sectionFromHcl(body: Body): Section {
  const attributes: SectionAttribute[] = [];
  const blocks: SectionBlock[] = [];
  for (const item of body.items) {
    if (item.kind === "Attribute") {
      attributes.push({ name: item.name, nameRange: item.nameRange, value: located(item.expr) });
    } else {
      blocks.push({
        type: item.type,
        typeRange: item.typeRange,
        labels: item.labels,
        body: sectionFromHcl(item.body),
      });
    }
  }
  return { attributes, blocks, range: body.range };
}

/** Strings are taken literally, as HCL 1 (Nomad's policy parser) reads JSON. */
function locatedJson(node: JsonNode): Located {
  const value = jsonValue(node);
  if (node.kind !== "array") return { value, range: node.range };
  return { value, range: node.range, items: node.items.map(locatedJson) };
}

function objectsOf(node: JsonNode): JsonNode[] {
  return node.kind === "array" ? node.items.flatMap(objectsOf) : [node];
}

function requireObject(node: JsonNode, what: string): JsonObjectNode {
  if (node.kind === "object") return node;
  throw new HclSyntaxError(
    "Incorrect JSON value type",
    `${what} must be a JSON object.`,
    node.range,
  );
}

/**
 * Reads a JSON object into a {@linkcode Section} using HCL's JSON rules: a key
 * named in `schema` is a block whose labels are the next levels of keys; any
 * other key is an attribute. Arrays of objects repeat blocks.
 */
export function sectionFromJson(node: JsonNode, schema: LabelSchema): Section {
  const attributes: SectionAttribute[] = [];
  const blocks: SectionBlock[] = [];
  for (const object of objectsOf(node)) {
    for (const property of requireObject(object, "A block body").properties) {
      const blockSchema = Object.hasOwn(schema, property.name) ? schema[property.name] : undefined;
      if (blockSchema === undefined) {
        attributes.push({
          name: property.name,
          nameRange: property.nameRange,
          value: locatedJson(property.value),
        });
        continue;
      }
      const collect = (value: JsonNode, labels: SectionBlock["labels"]): void => {
        if (labels.length === blockSchema.labels) {
          blocks.push({
            type: property.name,
            typeRange: property.nameRange,
            labels,
            body: sectionFromJson(value, blockSchema.body),
          });
          return;
        }
        for (const object of objectsOf(value)) {
          for (const inner of requireObject(object, `The "${property.name}" block`).properties) {
            collect(inner.value, [...labels, { value: inner.name, range: inner.nameRange }]);
          }
        }
      };
      collect(property.value, []);
    }
  }
  return { attributes, blocks, range: node.range };
}

/**
 * Parses a document as JSON (when it starts with `{`) or HCL into a {@linkcode Section}.
 * HCL documents are read without variables or functions, as Nomad reads them with HCL 1.
 */
export function parseSection(source: string, filename: string, schema: LabelSchema): Section {
  if (source.trimStart().startsWith("{")) {
    const { json } = parseJson(source, filename);
    assert(json !== undefined, "parseJson keeps the JSON tree of the body it returns");
    return sectionFromJson(json, schema);
  }
  return sectionFromHcl(parse(source, filename));
}
