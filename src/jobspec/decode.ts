/**
 * The generic block decoder: walks {@linkcode SCHEMA} to turn one HCL block
 * into api JSON, checking every name (with did-you-mean suggestions), then
 * applies the few rules Nomad adds on top of plain decoding (see special.ts).
 */

import type { JsonObject } from "../structs/decode.ts";
import {
  type Attribute,
  type BlockSchema,
  bodyContent,
  type EvalContext,
  evaluate,
  HclSyntaxError,
  type ScopedBlock,
  type Value,
} from "../hcl/mod.ts";
import { configValue } from "./config_value.ts";
import { CONSTRAINT_SHORTHANDS, type Entry, SCHEMA, UNSUPPORTED_STANZAS } from "./schema.ts";
import { finishStruct, warnOnce } from "./special.ts";
import { convertField, type FieldKind, toStringMap } from "./stanza.ts";

/** State shared by one decoding run. */
export interface DecodeRun {
  /** Receives one warning per stanza this agent accepts but does not run. */
  readonly onWarning?: (message: string) => void;
  /** Stanza kinds already warned about. */
  readonly warned: Set<string>;
}

/** Attributes a block must set (Nomad reports "Missing required argument"). */
const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  TaskLifecycle: ["hook"],
  Action: ["command"],
  ChangeScript: ["command"],
};

/** Extra attributes some blocks accept besides their schema. */
const EXTRA_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  Constraint: [...CONSTRAINT_SHORTHANDS, "distinct_hosts", "distinct_property"],
  Affinity: CONSTRAINT_SHORTHANDS,
};

/** Extra blocks some types accept and Nomad ignores. */
const EXTRA_BLOCKS: Readonly<Record<string, Readonly<Record<string, BlockSchema>>>> = {
  Job: { task: { labels: ["name"] } },
};

function labelCount(type: string): number {
  return (SCHEMA[type] ?? []).filter((e) => e[2] === "label").length;
}

function bodySchema(type: string, entries: readonly Entry[]) {
  const attributes: string[] = [...(EXTRA_ATTRIBUTES[type] ?? [])];
  const blocks: Record<string, BlockSchema> = { ...EXTRA_BLOCKS[type] };
  for (const [name, , kind, nested] of entries) {
    if (kind === "label") continue;
    if (kind === "map") {
      attributes.push(name);
      blocks[name] = {};
    } else if (kind === "block" || kind === "blocks" || kind === "labeledMap") {
      const count = labelCount(nested!);
      blocks[name] = { labels: Array.from({ length: count }, () => "name") };
    } else if (kind === "config" || kind === "headers") {
      blocks[name] = {};
    } else {
      attributes.push(name);
    }
  }
  if (type === "NetworkResource") blocks.reserved_ports = { labels: ["label"] };
  return { attributes, blocks };
}

/** Decodes `scoped` as api type `type`. */
export function decodeStruct(type: string, scoped: ScopedBlock, run: DecodeRun): JsonObject {
  const entries = SCHEMA[type];
  if (entries === undefined) throw new Error(`jobspec schema: unknown type ${type}`);
  const content = bodyContent(scoped.block.body, bodySchema(type, entries), scoped.ctx);
  const out: JsonObject = {};
  let labelIndex = 0;
  for (const entry of entries) {
    const [name, field, kind] = entry;
    if (kind === "label") {
      out[field] = scoped.block.labels[labelIndex++]?.value ?? "";
      continue;
    }
    const blocks = content.blocks.filter((b) => b.block.type === name);
    const attr = content.attributes.get(name);
    if (attr !== undefined || blocks.length > 0) warnUnsupported(type, name, run);
    const value = decodeEntry(entry, { attr, blocks, ctx: scoped.ctx, run, type });
    if (value !== undefined) out[field] = value;
  }
  for (const required of REQUIRED[type] ?? []) {
    if (!content.attributes.has(required)) {
      throw new HclSyntaxError(
        "Missing required argument",
        `The argument "${required}" is required, but no definition was found.`,
        { ...scoped.block.openBraceRange, end: scoped.block.openBraceRange.start },
      );
    }
  }
  return finishStruct(type, out, { content, scoped, run, decode: decodeStruct });
}

interface EntryInput {
  readonly attr: Attribute | undefined;
  readonly blocks: readonly ScopedBlock[];
  readonly ctx: EvalContext;
  readonly run: DecodeRun;
  readonly type: string;
}

function decodeEntry(entry: Entry, input: EntryInput): unknown {
  const [name, , kind, nested] = entry;
  const { attr, blocks, ctx, run } = input;
  switch (kind) {
    case "map":
      return decodeMap(name, input);
    case "attrMap": {
      if (attr === undefined) return undefined;
      const value = evaluate(attr.expr, ctx);
      return value === null ? undefined : toStringMap(value, name, attr.expr.range);
    }
    case "headers":
      return decodeHeaders(name, input);
    case "config": {
      const block = single(name, blocks);
      return block === undefined ? undefined : configValue(block.block.body, block.ctx);
    }
    case "block": {
      const block = single(name, blocks);
      return block === undefined ? undefined : decodeStruct(nested!, block, run);
    }
    case "blocks":
      return blocks.length === 0 ? undefined : blocks.map((b) => decodeStruct(nested!, b, run));
    case "labeledMap": {
      if (blocks.length === 0) return undefined;
      const out: JsonObject = {};
      for (const b of blocks) out[b.block.labels[0]?.value ?? ""] = decodeStruct(nested!, b, run);
      return out;
    }
    case "label":
      return undefined;
    default: {
      if (attr === undefined) return undefined;
      const value = evaluate(attr.expr, ctx);
      if (value === null) return undefined;
      return kind === "ints"
        ? convertList(value, attr, "int")
        : convertField(value, kind as FieldKind, attr);
    }
  }
}

function convertList(value: Value, attr: Attribute, kind: FieldKind): unknown[] {
  if (!Array.isArray(value)) {
    throw new HclSyntaxError(
      "Unsuitable value type",
      `Unsuitable value: list of ${kind === "int" ? "number" : "string"} required.`,
      attr.expr.range,
    );
  }
  return value.map((v) => convertField(v, kind, attr));
}

/** The one block of a type that may appear once; a second is an error. */
export function single(name: string, blocks: readonly ScopedBlock[]): ScopedBlock | undefined {
  if (blocks.length > 1) {
    const first = blocks[0]!.block.typeRange;
    throw new HclSyntaxError(
      `Duplicate ${name} block`,
      `Only one ${name} block is allowed. Another was defined at ${first.filename}:${first.start.line},${first.start.column}-${first.end.column}.`,
      blocks[1]!.block.typeRange,
    );
  }
  return blocks[0];
}

function decodeMap(name: string, input: EntryInput): Record<string, string> | undefined {
  const { attr, blocks, ctx } = input;
  if (attr !== undefined && blocks.length > 0) {
    const other = attr.nameRange;
    throw new HclSyntaxError(
      `Duplicate ${name} block`,
      `${name} may not be defined more than once. Another definition is defined at ${other.filename}:${other.start.line},${other.start.column}.`,
      blocks[0]!.block.typeRange,
    );
  }
  if (attr !== undefined) {
    const value = evaluate(attr.expr, ctx);
    return value === null ? undefined : toStringMap(value, name, attr.expr.range);
  }
  const block = single(name, blocks);
  if (block === undefined) return undefined;
  const content = bodyContent(block.block.body, { attributes: anyAttributes(block) }, block.ctx);
  const out: Record<string, string> = {};
  for (const [key, a] of content.attributes) {
    const value = evaluate(a.expr, block.ctx);
    if (value === null) {
      throw new HclSyntaxError(
        "Unsuitable value type",
        "Unsuitable value: null value is not allowed",
        a.expr.range,
      );
    }
    out[key] = toStringMap({ [key]: value }, name, a.expr.range)[key]!;
  }
  return out;
}

function anyAttributes(block: ScopedBlock): string[] {
  return block.block.body.items.flatMap((i) => i.kind === "Attribute" ? [i.name] : []);
}

function decodeHeaders(name: string, input: EntryInput): Record<string, string[]> | undefined {
  const block = single(name, input.blocks);
  if (block === undefined) return undefined;
  const content = bodyContent(block.block.body, { attributes: anyAttributes(block) }, block.ctx);
  const out: Record<string, string[]> = {};
  for (const [key, a] of content.attributes) {
    out[key] = convertList(evaluate(a.expr, block.ctx), a, "string") as string[];
  }
  return out;
}

function warnUnsupported(type: string, name: string, run: DecodeRun): void {
  const stanza = UNSUPPORTED_STANZAS[`${type}.${name}`];
  if (stanza !== undefined) warnOnce(run, stanza);
}
