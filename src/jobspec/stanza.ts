/**
 * Schema-checked reading of one job-file block. A {@linkcode StanzaSpec} maps
 * HCL attribute names to Nomad's JSON field names and value kinds, so most
 * stanzas are a table plus a few lines for their nested blocks.
 */

import { parseDuration } from "../core/clock.ts";
import type { JsonObject } from "../structs/decode.ts";
import {
  type Attribute,
  type Block,
  type BlockSchema,
  type Body,
  type BodyContent,
  bodyContent,
  bodyToValue,
  describeValue,
  type EvalContext,
  evaluate,
  HclSyntaxError,
  isValueObject,
  type ScopedBlock,
  toBoolValue,
  toNumberValue,
  toStringValue,
  type Value,
} from "../hcl/mod.ts";

/** How an attribute's value is converted into the JSON field. */
export type FieldKind =
  | "string"
  | "int"
  | "bool"
  | "duration"
  | "strings"
  | "stringMap"
  | "value";

/** HCL attribute name → [JSON field name, kind]. */
export type FieldSpec = Readonly<Record<string, readonly [string, FieldKind]>>;

/** What one stanza accepts and how its simple parts map to JSON. */
export interface StanzaSpec {
  /** Attributes copied into the output. */
  readonly fields?: FieldSpec;
  /** String maps written either as `meta { k = "v" }` or `meta = { k = "v" }`: HCL name → JSON name. */
  readonly maps?: Readonly<Record<string, string>>;
  /** Attributes read by custom code (not copied automatically). */
  readonly attributes?: readonly string[];
  /** Nested blocks read by custom code. */
  readonly blocks?: Readonly<Record<string, BlockSchema>>;
  /** Blocks Nomad supports that we keep as raw JSON (HCL name → JSON name), any labels. */
  readonly lenient?: Readonly<Record<string, string>>;
}

/** A checked body with typed attribute readers that report `file:line:column`. */
export class Stanza {
  /** The body's checked content. */
  readonly content: BodyContent;
  /** Variables and functions for this body. */
  readonly ctx: EvalContext;
  /** The block this body belongs to, if any. */
  readonly block: Block | null;
  readonly #spec: StanzaSpec;

  /** Checks `body` against `spec`. */
  constructor(body: Body, ctx: EvalContext, spec: StanzaSpec, block: Block | null = null) {
    const maps = Object.keys(spec.maps ?? {});
    const blocks: Record<string, BlockSchema> = { ...spec.blocks };
    for (const name of maps) blocks[name] = {};
    for (const name of Object.keys(spec.lenient ?? {})) blocks[name] = { anyLabels: true };
    const attributes = [...Object.keys(spec.fields ?? {}), ...maps, ...(spec.attributes ?? [])];
    this.content = bodyContent(body, { attributes, blocks }, ctx);
    this.ctx = ctx;
    this.block = block;
    this.#spec = spec;
  }

  /** Reads a scoped block (from {@linkcode Stanza.blocks}) with `spec`. */
  static of(scoped: ScopedBlock, spec: StanzaSpec): Stanza {
    return new Stanza(scoped.block.body, scoped.ctx, spec, scoped.block);
  }

  /** The block's label at `index` (labels are checked by the schema). */
  label(index = 0): string {
    return this.block?.labels[index]?.value ?? "";
  }

  /** The attribute called `name`, if present. */
  attribute(name: string): Attribute | undefined {
    return this.content.attributes.get(name);
  }

  /** The evaluated value of attribute `name`, or undefined when absent. */
  value(name: string): Value | undefined {
    const attr = this.attribute(name);
    return attr === undefined ? undefined : evaluate(attr.expr, this.ctx);
  }

  /** Nested blocks of `type`, in order. */
  blocks(type: string): ScopedBlock[] {
    return this.content.blocks.filter((b) => b.block.type === type);
  }

  /** The only block of `type`, or undefined; two or more is an error. */
  single(type: string): ScopedBlock | undefined {
    const list = this.blocks(type);
    if (list.length > 1) {
      const first = list[0]!.block.typeRange;
      throw new HclSyntaxError(
        `Duplicate ${type} block`,
        `Only one ${type} block is allowed. Another was defined at ${first.filename}:${first.start.line}:${first.start.column}.`,
        list[1]!.block.typeRange,
      );
    }
    return list[0];
  }

  /** Reads attribute `name` as `kind`; undefined when absent, null when set to null. */
  read(name: string, kind: FieldKind): unknown {
    const attr = this.attribute(name);
    if (attr === undefined) return undefined;
    const value = evaluate(attr.expr, this.ctx);
    if (value === null) return null;
    return convertField(value, kind, attr);
  }

  /** A string map written as a block or as an object attribute. */
  stringMap(name: string): Record<string, string> | undefined {
    const value = this.mapValue(name);
    if (value === undefined) return undefined;
    const range = this.attribute(name)?.expr.range ?? this.single(name)!.block.typeRange;
    return toStringMap(value, name, range);
  }

  /** An object written as a block or as an attribute (driver config, scaling policy). */
  mapValue(name: string): Value | undefined {
    const attr = this.attribute(name);
    if (attr !== undefined) {
      const value = evaluate(attr.expr, this.ctx);
      if (value !== null && !isValueObject(value)) {
        fieldTypeError(attr, "an object is required", value);
      }
      return value;
    }
    const scoped = this.single(name);
    return scoped === undefined ? undefined : bodyToValue(scoped.block.body, scoped.ctx);
  }

  /** Copies `fields`, `maps` and `lenient` blocks of the spec into `out`. */
  decodeInto(out: JsonObject): JsonObject {
    for (const [name, [field, kind]] of Object.entries(this.#spec.fields ?? {})) {
      const value = this.read(name, kind);
      if (value !== undefined) out[field] = value;
    }
    for (const [name, field] of Object.entries(this.#spec.maps ?? {})) {
      const value = this.stringMap(name);
      if (value !== undefined) out[field] = value;
    }
    for (const [name, field] of Object.entries(this.#spec.lenient ?? {})) {
      const list = this.blocks(name);
      if (list.length === 0) continue;
      const values = list.map((b) => rawBlock(b));
      out[field] = values.length === 1 ? values[0]! : values;
    }
    return out;
  }
}

/** A block kept without a schema: snake_case keys become PascalCase, labels become `Name`. */
export function rawBlock(scoped: ScopedBlock): JsonObject {
  const value = pascalKeys(bodyToValue(scoped.block.body, scoped.ctx)) as JsonObject;
  const label = scoped.block.labels[0];
  return label === undefined ? value : { Name: label.value, ...value };
}

function pascalKeys(value: Value): unknown {
  if (Array.isArray(value)) return value.map(pascalKeys);
  if (!isValueObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) out[toPascalCase(k)] = pascalKeys(v);
  return out;
}

/** `sidecar_service` → `SidecarService`. */
export function toPascalCase(name: string): string {
  return name.split("_").map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join("");
}

function fieldTypeError(attr: Attribute, requirement: string, value: Value): never {
  throw new HclSyntaxError(
    "Incorrect attribute value type",
    `Inappropriate value for attribute "${attr.name}": ${requirement}, but got ${
      describeValue(value)
    }.`,
    attr.expr.range,
  );
}

function convertField(value: Value, kind: FieldKind, attr: Attribute): unknown {
  try {
    switch (kind) {
      case "string":
        return toStringValue(value);
      case "bool":
        return toBoolValue(value);
      case "int": {
        const n = toNumberValue(value);
        if (!Number.isInteger(n)) fieldTypeError(attr, "a whole number is required", value);
        return n;
      }
      case "duration":
        return durationValue(value, attr);
      case "strings":
        if (!Array.isArray(value)) fieldTypeError(attr, "a list of strings is required", value);
        return value.map(toStringValue);
      case "stringMap":
        return toStringMap(value, attr.name, attr.expr.range);
      case "value":
        return value;
    }
  } catch (error) {
    if (error instanceof TypeError) {
      fieldTypeError(attr, error.message.replace(/, but got .*$/, ""), value);
    }
    throw error;
  }
}

function durationValue(value: Value, attr: Attribute): number {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  const text = toStringValue(value);
  const ns = parseDuration(text);
  if (ns === undefined) {
    throw new HclSyntaxError(
      "Invalid duration",
      `${
        JSON.stringify(text)
      } is not a valid duration for "${attr.name}"; use a number with a unit, such as "30s", "5m" or "1h".`,
      attr.expr.range,
    );
  }
  return ns;
}

function toStringMap(
  value: Value,
  name: string,
  range: Attribute["range"],
): Record<string, string> {
  if (!isValueObject(value)) {
    throw new HclSyntaxError(
      "Incorrect attribute value type",
      `Inappropriate value for "${name}": a map of strings is required.`,
      range,
    );
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null || typeof v === "object") {
      throw new HclSyntaxError(
        "Incorrect attribute value type",
        `Inappropriate value for "${name}.${k}": a string is required, but got ${
          describeValue(v)
        }.`,
        range,
      );
    }
    out[k] = toStringValue(v);
  }
  return out;
}
