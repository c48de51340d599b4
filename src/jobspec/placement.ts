/** `constraint`, `affinity` and `spread` blocks. */

import type { JsonObject } from "../structs/decode.ts";
import { HclSyntaxError, type ScopedBlock } from "../hcl/mod.ts";
import { Stanza, type StanzaSpec } from "./stanza.ts";

/**
 * Shorthand attributes: `version = ">= 1.2"` means operator "version" with
 * that value. `distinct_hosts` and `distinct_property` are handled apart.
 */
const OPERATOR_SUGAR = [
  "version",
  "semver",
  "regexp",
  "set_contains",
  "set_contains_any",
  "set_contains_all",
];

const CONSTRAINT: StanzaSpec = {
  fields: {
    attribute: ["LTarget", "string"],
    value: ["RTarget", "string"],
    operator: ["Operand", "string"],
  },
  attributes: [...OPERATOR_SUGAR, "distinct_hosts", "distinct_property"],
};

const AFFINITY: StanzaSpec = {
  fields: {
    attribute: ["LTarget", "string"],
    value: ["RTarget", "string"],
    operator: ["Operand", "string"],
    weight: ["Weight", "int"],
  },
  attributes: OPERATOR_SUGAR,
};

const SPREAD: StanzaSpec = {
  fields: { attribute: ["Attribute", "string"], weight: ["Weight", "int"] },
  blocks: { target: { labels: ["value"] } },
};

const SPREAD_TARGET: StanzaSpec = { fields: { percent: ["Percent", "int"] } };

function applyOperatorSugar(st: Stanza, out: JsonObject): void {
  for (const name of OPERATOR_SUGAR) {
    const value = st.read(name, "string");
    if (value === undefined || value === null) continue;
    out.Operand = name;
    out.RTarget = value;
  }
}

/** One `constraint { attribute, operator, value }` block, shorthand included. */
export function decodeConstraint(scoped: ScopedBlock): JsonObject {
  const st = Stanza.of(scoped, CONSTRAINT);
  const out = st.decodeInto({});
  applyOperatorSugar(st, out);
  const distinctHosts = st.read("distinct_hosts", "bool");
  if (distinctHosts === true) out.Operand = "distinct_hosts";
  const distinctProperty = st.read("distinct_property", "string");
  if (typeof distinctProperty === "string") {
    out.Operand = "distinct_property";
    out.LTarget = distinctProperty;
  }
  return out;
}

/** One `affinity` block. */
export function decodeAffinity(scoped: ScopedBlock): JsonObject {
  const st = Stanza.of(scoped, AFFINITY);
  const out = st.decodeInto({});
  applyOperatorSugar(st, out);
  return out;
}

/** One `spread { attribute, weight, target "value" { percent } }` block. */
export function decodeSpread(scoped: ScopedBlock): JsonObject {
  const st = Stanza.of(scoped, SPREAD);
  const out = st.decodeInto({});
  const targets = st.blocks("target").map((t) => {
    const target = Stanza.of(t, SPREAD_TARGET);
    return target.decodeInto({ Value: target.label() });
  });
  if (targets.length > 0) out.SpreadTarget = targets;
  return out;
}

/** Block schemas for the placement blocks, shared by job, group and task. */
export const PLACEMENT_BLOCKS = {
  constraint: {},
  affinity: {},
  spread: {},
} as const;

/** Decodes `constraint`, `affinity` and (when allowed) `spread` blocks of `st` into `out`. */
export function decodePlacement(st: Stanza, out: JsonObject, options: { spread: boolean }): void {
  const constraints = st.blocks("constraint").map(decodeConstraint);
  if (constraints.length > 0) out.Constraints = constraints;
  const affinities = st.blocks("affinity").map(decodeAffinity);
  if (affinities.length > 0) out.Affinities = affinities;
  const spreads = st.blocks("spread");
  if (spreads.length > 0 && !options.spread) {
    throw new HclSyntaxError(
      "Unsupported block type",
      'Blocks of type "spread" are not expected here.',
      spreads[0]!.block.typeRange,
    );
  }
  if (spreads.length > 0) out.Spreads = spreads.map(decodeSpread);
}
