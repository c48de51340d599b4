/**
 * One shape for a policy document read from HCL or from JSON: attributes with
 * their values and blocks with their labels, each with where it was written.
 */

import {
  type Body,
  evaluate,
  type Expression,
  HclSyntaxError,
  parse,
  type Range,
} from "../hcl/mod.ts";
import { type JsonNode, parseJsonWithRanges } from "./_json.ts";

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

function plain(node: JsonNode): unknown {
  if (node.kind === "scalar") return node.value;
  if (node.kind === "array") return node.items.map(plain);
  return Object.fromEntries(node.entries.map((e) => [e.key, plain(e.value)]));
}

function locatedJson(node: JsonNode): Located {
  if (node.kind !== "array") return { value: plain(node), range: node.range };
  return { value: plain(node), range: node.range, items: node.items.map(locatedJson) };
}

function objectsOf(node: JsonNode): JsonNode[] {
  return node.kind === "array" ? node.items.flatMap(objectsOf) : [node];
}

function requireObject(node: JsonNode, what: string): Extract<JsonNode, { kind: "object" }> {
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
    for (const entry of requireObject(object, "A block body").entries) {
      const blockSchema = Object.hasOwn(schema, entry.key) ? schema[entry.key] : undefined;
      if (blockSchema === undefined) {
        attributes.push({
          name: entry.key,
          nameRange: entry.keyRange,
          value: locatedJson(entry.value),
        });
        continue;
      }
      const collect = (value: JsonNode, labels: SectionBlock["labels"]): void => {
        if (labels.length === blockSchema.labels) {
          blocks.push({
            type: entry.key,
            typeRange: entry.keyRange,
            labels,
            body: sectionFromJson(value, blockSchema.body),
          });
          return;
        }
        for (const object of objectsOf(value)) {
          for (const inner of requireObject(object, `The "${entry.key}" block`).entries) {
            collect(inner.value, [...labels, { value: inner.key, range: inner.keyRange }]);
          }
        }
      };
      collect(entry.value, []);
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
    return sectionFromJson(parseJsonWithRanges(source, filename), schema);
  }
  return sectionFromHcl(parse(source, filename));
}
