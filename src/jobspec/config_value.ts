/**
 * Free-form blocks (driver `config`, scaling `policy`, proxy `config`) as
 * Nomad decodes them: every nested block, and every object-valued attribute,
 * becomes a list of maps; a labeled block nests as `{label: [body]}`; null
 * attributes are dropped. Values inside attributes keep their shape.
 */

import type { JsonObject } from "../structs/decode.ts";
import {
  attributesOf,
  type Body,
  type EvalContext,
  evaluate,
  expandDynamicBlocks,
  isValueObject,
  type ScopedBlock,
} from "../hcl/mod.ts";

/**
 * The JSON value of a free-form block body.
 *
 * @example
 * ```ts
 * import { parse } from "../hcl/mod.ts";
 * import { configValue } from "./config_value.ts";
 * const body = parse('image = "redis"\nauth {\n  username = "u"\n}\n', "c.hcl");
 * configValue(body, { variables: {}, functions: {} }); // { image: "redis", auth: [{ username: "u" }] }
 * ```
 */
export function configValue(body: Body, ctx: EvalContext): JsonObject {
  const out: JsonObject = {};
  for (const attr of attributesOf(body)) {
    const value = evaluate(attr.expr, ctx);
    if (value === null) continue;
    out[attr.name] = isValueObject(value) ? [value] : value;
  }
  // A block replaces an attribute of the same name, as in Nomad.
  const fromBlocks = new Map<string, unknown[]>();
  for (const scoped of expandDynamicBlocks(body, ctx)) {
    let list = fromBlocks.get(scoped.block.type);
    if (list === undefined) fromBlocks.set(scoped.block.type, list = []);
    list.push(labeledValue(scoped));
  }
  for (const [type, list] of fromBlocks) out[type] = list;
  return out;
}

function labeledValue(scoped: ScopedBlock): JsonObject {
  let value: JsonObject = configValue(scoped.block.body, scoped.ctx);
  for (const label of [...scoped.block.labels].reverse()) value = { [label.value]: [value] };
  return value;
}
