/**
 * Walking and checking bodies: find attributes and blocks, check a body
 * against a schema (with did-you-mean suggestions), expand `dynamic` blocks,
 * and turn a schema-less body (driver config) into a plain value.
 */

import type { Attribute, Block, Body, Expression, Range } from "./ast.ts";
import { HclSyntaxError } from "./errors.ts";
import { type EvalContext, evaluate, withVariables } from "./evaluator.ts";
import { type JsonSchema, resolveJsonBody } from "./json.ts";
import { isValueObject, type Value, type ValueObject } from "./values.ts";
import { didYouMean } from "./suggest.ts";

/** The attributes of `body`, in source order. */
export function attributesOf(body: Body): Attribute[] {
  return body.items.filter((i): i is Attribute => i.kind === "Attribute");
}

/** The blocks of `body` (of one `type` if given), in source order. */
export function blocksOf(body: Body, type?: string): Block[] {
  return body.items.filter((i): i is Block =>
    i.kind === "Block" && (type === undefined || i.type === type)
  );
}

/** The attribute called `name`, if set. */
export function findAttribute(body: Body, name: string): Attribute | undefined {
  return attributesOf(body).find((a) => a.name === name);
}

/**
 * The string an expression spells out without evaluation (`name`, `"name"`),
 * or null when it needs evaluating.
 */
export function staticString(expr: Expression): string | null {
  if (expr.kind === "Literal") return typeof expr.value === "string" ? expr.value : null;
  if (expr.kind === "Variable") return expr.name;
  if (expr.kind !== "Template") return null;
  if (expr.parts.length === 0) return "";
  const only = expr.parts[0]!;
  return expr.parts.length === 1 && only.kind === "TemplateLiteral" ? only.value : null;
}

/** How many labels a block type takes. */
export interface BlockSchema {
  /** Names of the labels, e.g. `["name"]`; empty or absent for none. */
  readonly labels?: readonly string[];
  /** Accept any number of labels (blocks decoded leniently). */
  readonly anyLabels?: boolean;
}

/** What a body may contain. A name in both lists may be written either way. */
export interface BodySchema {
  readonly attributes?: readonly string[];
  readonly blocks?: Readonly<Record<string, BlockSchema>>;
}

/** A block with the context its body must be evaluated in (dynamic blocks add an iterator). */
export interface ScopedBlock {
  readonly block: Block;
  readonly ctx: EvalContext;
}

/** The checked content of a body. */
export interface BodyContent {
  readonly attributes: ReadonlyMap<string, Attribute>;
  readonly blocks: readonly ScopedBlock[];
}

/**
 * Checks `body` against `schema`, expanding `dynamic` blocks in `ctx`.
 * Throws "Unsupported argument" / "Unsupported block type" with a suggestion.
 */
export function bodyContent(source: Body, schema: BodySchema, ctx: EvalContext): BodyContent {
  const attributeNames = schema.attributes ?? [];
  const blockSchemas = schema.blocks ?? {};
  const body = resolveJsonBody(source, jsonSchema(schema));
  const attributes = new Map<string, Attribute>();
  for (const attr of attributesOf(body)) {
    if (!attributeNames.includes(attr.name)) {
      unsupportedArgument(attr, attributeNames, blockSchemas);
    }
    attributes.set(attr.name, attr);
  }
  const blocks = expandDynamicBlocks(body, ctx, !Object.hasOwn(blockSchemas, "dynamic"));
  for (const { block } of blocks) {
    const blockSchema = Object.hasOwn(blockSchemas, block.type)
      ? blockSchemas[block.type]
      : undefined;
    if (blockSchema === undefined) unsupportedBlock(block, attributeNames, blockSchemas);
    checkLabels(block, blockSchema);
  }
  return { attributes, blocks };
}

/** The label counts a JSON body needs; `dynamic` blocks take one label unless the schema has its own. */
function jsonSchema(schema: BodySchema): JsonSchema {
  const blocks: Record<string, number> = { dynamic: 1 };
  for (const [name, block] of Object.entries(schema.blocks ?? {})) {
    blocks[name] = block.anyLabels ? 0 : (block.labels ?? []).length;
  }
  return { attributes: schema.attributes ?? [], blocks };
}

const DYNAMIC_SCHEMA: JsonSchema = {
  attributes: ["for_each", "iterator", "labels"],
  blocks: { content: 0 },
};

function unsupportedArgument(
  attr: Attribute,
  attributeNames: readonly string[],
  blockSchemas: Readonly<Record<string, BlockSchema>>,
): never {
  let hint = "";
  if (Object.hasOwn(blockSchemas, attr.name)) {
    hint = ` Did you mean to define a block of type "${attr.name}"?`;
  } else {
    const suggestion = didYouMean(attr.name, attributeNames) ??
      didYouMean(attr.name, Object.keys(blockSchemas));
    if (suggestion !== null) hint = ` Did you mean "${suggestion}"?`;
  }
  throw new HclSyntaxError(
    "Unsupported argument",
    `An argument named "${attr.name}" is not expected here.${hint}`,
    attr.nameRange,
  );
}

function unsupportedBlock(
  block: Block,
  attributeNames: readonly string[],
  blockSchemas: Readonly<Record<string, BlockSchema>>,
): never {
  let hint = "";
  if (attributeNames.includes(block.type)) {
    hint =
      ` Did you mean to define argument "${block.type}"? If so, use the equals sign to assign it a value.`;
  } else {
    const suggestion = didYouMean(block.type, Object.keys(blockSchemas)) ??
      didYouMean(block.type, attributeNames);
    if (suggestion !== null) hint = ` Did you mean "${suggestion}"?`;
  }
  throw new HclSyntaxError(
    "Unsupported block type",
    `Blocks of type "${block.type}" are not expected here.${hint}`,
    block.typeRange,
  );
}

function checkLabels(block: Block, schema: BlockSchema): void {
  if (schema.anyLabels) return;
  const names = schema.labels ?? [];
  const labels = block.labels;
  if (labels.length < names.length) {
    const missing = names[labels.length]!;
    throw new HclSyntaxError(
      `Missing ${missing} for ${block.type}`,
      `All ${block.type} blocks must have ${names.length} labels (${names.join(", ")}).`,
      block.openBraceRange,
    );
  }
  if (labels.length > names.length) {
    const extra = labels[names.length]!;
    const detail = names.length === 0
      ? `No labels are expected for ${block.type} blocks.`
      : `Only ${names.length} labels (${names.join(", ")}) are expected for ${block.type} blocks.`;
    throw new HclSyntaxError(`Extraneous label for ${block.type}`, detail, extra.range);
  }
}

/**
 * The blocks of `body` with `dynamic "type" { for_each, iterator, labels, content {} }`
 * blocks replaced by one block per element (when `expand` is true).
 */
export function expandDynamicBlocks(body: Body, ctx: EvalContext, expand = true): ScopedBlock[] {
  const out: ScopedBlock[] = [];
  for (const block of blocksOf(body)) {
    if (block.type !== "dynamic" || !expand) out.push({ block, ctx });
    else out.push(...expandDynamic(block, ctx));
  }
  return out;
}

function expandDynamic(block: Block, ctx: EvalContext): ScopedBlock[] {
  const label = block.labels[0];
  if (label === undefined || block.labels.length !== 1) {
    throw new HclSyntaxError(
      "Invalid dynamic block",
      "A dynamic block must have exactly one label: the type of block to generate.",
      block.typeRange,
    );
  }
  const body = resolveJsonBody(block.body, DYNAMIC_SCHEMA);
  const forEach = findAttribute(body, "for_each");
  const content = blocksOf(body, "content");
  if (forEach === undefined || content.length !== 1) {
    throw new HclSyntaxError(
      "Invalid dynamic block",
      'A dynamic block requires a "for_each" argument and exactly one "content" block.',
      block.openBraceRange,
    );
  }
  const iteratorAttr = findAttribute(body, "iterator");
  let iterator = label.value;
  if (iteratorAttr !== undefined) {
    const name = staticString(iteratorAttr.expr);
    if (name === null || !/^[\p{L}_][\p{L}\p{N}_-]*$/u.test(name)) {
      throw new HclSyntaxError(
        "Invalid dynamic iterator name",
        "The iterator name must be a single identifier.",
        iteratorAttr.expr.range,
      );
    }
    iterator = name;
  }
  const collection = evaluate(forEach.expr, ctx);
  const pairs: [Value, Value][] = Array.isArray(collection)
    ? collection.map((v, i) => [i, v])
    : isValueObject(collection)
    ? Object.keys(collection).sort().map((k) => [k, collection[k]!])
    : [];
  if (!Array.isArray(collection) && !isValueObject(collection)) {
    throw new HclSyntaxError(
      "Invalid dynamic for_each value",
      "Cannot use a value of this type in for_each. A list, set or map is required.",
      forEach.expr.range,
    );
  }
  const labelsAttr = findAttribute(body, "labels");
  return pairs.map(([key, value]) => {
    const inner = withVariables(ctx, { [iterator]: { key, value } });
    const labels = labelsAttr === undefined
      ? []
      : dynamicLabels(evaluate(labelsAttr.expr, inner), labelsAttr.expr.range);
    const generated: Block = { ...content[0]!, type: label.value, typeRange: label.range, labels };
    return { block: generated, ctx: inner };
  });
}

function dynamicLabels(value: Value, range: Range): Block["labels"] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new HclSyntaxError(
      "Invalid dynamic block labels",
      "The labels argument must be a list of strings.",
      range,
    );
  }
  return value.map((v) => ({ value: v as string, range }));
}

/** Options for {@linkcode bodyToValue}. */
export interface BodyToValueOptions {
  /** Called with the key path and source range of every attribute and block. */
  readonly onRange?: (path: readonly string[], range: Range) => void;
}

/**
 * Turns a body without a schema into a plain object: attributes become keys,
 * a block type used once becomes an object, used more than once an array, and
 * labels nest (`plugin "raw_exec" { }` → `{ plugin: { raw_exec: {} } }`).
 */
export function bodyToValue(
  body: Body,
  ctx: EvalContext,
  options: BodyToValueOptions = {},
  path: readonly string[] = [],
): ValueObject {
  const out: ValueObject = {};
  for (const attr of attributesOf(body)) {
    options.onRange?.([...path, attr.name], attr.nameRange);
    out[attr.name] = evaluate(attr.expr, ctx);
  }
  const grouped = new Map<string, ScopedBlock[]>();
  for (const scoped of expandDynamicBlocks(body, ctx)) {
    const list = grouped.get(scoped.block.type) ?? [];
    list.push(scoped);
    grouped.set(scoped.block.type, list);
  }
  for (const [type, list] of grouped) {
    if (Object.hasOwn(out, type)) {
      throw new HclSyntaxError(
        "Duplicate argument",
        `"${type}" is set both as an argument and as a block.`,
        list[0]!.block.typeRange,
      );
    }
    out[type] = blocksToValue(list, options, [...path, type]);
  }
  return out;
}

function blocksToValue(
  list: ScopedBlock[],
  options: BodyToValueOptions,
  path: readonly string[],
): Value {
  const values = list.map(({ block, ctx }) => {
    const labels = block.labels.map((l) => l.value);
    options.onRange?.([...path, ...labels], block.typeRange);
    let value: Value = bodyToValue(block.body, ctx, options, [...path, ...labels]);
    for (const label of [...labels].reverse()) value = { [label]: value };
    return { labeled: labels.length > 0, value };
  });
  if (values.length === 1) return values[0]!.value;
  if (values.every((v) => !v.labeled)) return values.map((v) => v.value);
  const merged: ValueObject = {};
  for (const { value } of values) {
    for (const [key, inner] of Object.entries(value as ValueObject)) {
      const existing = merged[key];
      merged[key] = existing === undefined
        ? inner
        : Array.isArray(existing)
        ? [...existing, inner]
        : [existing, inner];
    }
  }
  return merged;
}
