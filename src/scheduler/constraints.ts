/**
 * Constraint evaluation against a node: target interpolation (`${attr.x}`,
 * `${node.unique.id}`, ...) and every operand Nomad's scheduler understands.
 */

import type { Constraint, Node } from "../structs/mod.ts";
import { checkVersionConstraint } from "./version_constraint.ts";

/** Operand of the `distinct_hosts` constraint. */
export const CONSTRAINT_DISTINCT_HOSTS = "distinct_hosts";
/** Operand of the `distinct_property` constraint. */
export const CONSTRAINT_DISTINCT_PROPERTY = "distinct_property";

/** Largest number of compiled regular expressions kept between calls. */
const MAX_REGEXP_CACHE = 256;
const regexpCache = new Map<string, RegExp | null>();

/** A resolved constraint target. `found` is false for a missing attribute. */
export interface ResolvedTarget {
  value: string;
  found: boolean;
}

/**
 * Resolves a constraint target against a node; anything not starting with
 * `${` is a literal.
 *
 * @example
 * ```ts
 * import { resolveTarget } from "./constraints.ts";
 * // resolveTarget("${attr.kernel.name}", node) → { value: "linux", found: true }
 * resolveTarget("linux", {} as never); // { value: "linux", found: true }
 * ```
 */
export function resolveTarget(target: string, node: Node): ResolvedTarget {
  if (!target.startsWith("${")) return { value: target, found: true };
  switch (target) {
    case "${node.unique.id}":
      return { value: node.ID, found: true };
    case "${node.datacenter}":
      return { value: node.Datacenter, found: true };
    case "${node.unique.name}":
      return { value: node.Name, found: true };
    case "${node.class}":
      return { value: node.NodeClass, found: true };
    case "${node.pool}":
      return { value: node.NodePool, found: true };
  }
  if (target.startsWith("${attr.")) return lookup(node.Attributes, target.slice(7, -1));
  if (target.startsWith("${meta.")) return lookup(node.Meta, target.slice(7, -1));
  return { value: "", found: false };
}

function lookup(map: Record<string, string> | null, key: string): ResolvedTarget {
  if (map !== null && Object.hasOwn(map, key)) return { value: map[key] ?? "", found: true };
  return { value: "", found: false };
}

/**
 * The constraint's string form, used as the `ConstraintFiltered` metric key.
 *
 * @example
 * ```ts
 * import { constraintString } from "./constraints.ts";
 * constraintString({ LTarget: "${attr.kernel.name}", Operand: "=", RTarget: "linux" });
 * // "${attr.kernel.name} = linux"
 * ```
 */
export function constraintString(c: Constraint): string {
  return `${c.LTarget} ${c.Operand} ${c.RTarget}`;
}

/** True when the node satisfies the constraint (`distinct_*` always pass here). */
export function meetsConstraint(c: Constraint, node: Node): boolean {
  return checkConstraint(c.Operand, resolveTarget(c.LTarget, node), resolveTarget(c.RTarget, node));
}

/**
 * Evaluates one operand on resolved targets, as Nomad's `checkConstraint`.
 *
 * @example
 * ```ts
 * import { checkConstraint } from "./constraints.ts";
 * checkConstraint("<", { value: "9", found: true }, { value: "10", found: true }); // true
 * ```
 */
export function checkConstraint(operand: string, l: ResolvedTarget, r: ResolvedTarget): boolean {
  const both = l.found && r.found;
  switch (operand) {
    case CONSTRAINT_DISTINCT_HOSTS:
    case CONSTRAINT_DISTINCT_PROPERTY:
      return true;
    case "=":
    case "==":
    case "is":
      return both && l.value === r.value;
    case "!=":
    case "not":
      return l.value !== r.value;
    case "<":
    case "<=":
    case ">":
    case ">=":
      return both && checkOrder(operand, l.value, r.value);
    case "is_set":
      return l.found;
    case "is_not_set":
      return !l.found;
    case "version":
      return both && checkVersionConstraint(l.value, r.value, "version");
    case "semver":
      return both && checkVersionConstraint(l.value, r.value, "semver");
    case "regexp":
      return both && checkRegexp(l.value, r.value);
    case "set_contains":
    case "set_contains_all":
      return both && setContains(l.value, r.value, "all");
    case "set_contains_any":
      return both && setContains(l.value, r.value, "any");
    default:
      return false;
  }
}

const INTEGER_RE = /^[+-]?\d+$/;
const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

// Integers first, then floats, then lexical order — as Nomad's checkOrder.
function checkOrder(operand: string, left: string, right: string): boolean {
  if (INTEGER_RE.test(left) && INTEGER_RE.test(right)) {
    return compareOrder(operand, Number(left), Number(right));
  }
  if (FLOAT_RE.test(left) && FLOAT_RE.test(right)) {
    return compareOrder(operand, Number(left), Number(right));
  }
  return compareOrder(operand, left, right);
}

function compareOrder<T extends number | string>(operand: string, a: T, b: T): boolean {
  switch (operand) {
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    default:
      return false;
  }
}

function compileRegexp(source: string): RegExp | null {
  const cached = regexpCache.get(source);
  if (cached !== undefined) return cached;
  let compiled: RegExp | null;
  try {
    compiled = new RegExp(source);
  } catch {
    // An invalid expression never matches, like Nomad's failed regexp.Compile.
    compiled = null;
  }
  if (regexpCache.size >= MAX_REGEXP_CACHE) regexpCache.clear();
  regexpCache.set(source, compiled);
  return compiled;
}

function checkRegexp(value: string, source: string): boolean {
  return compileRegexp(source)?.test(value) ?? false;
}

function setContains(left: string, right: string, mode: "all" | "any"): boolean {
  const have = new Set(left.split(",").map((s) => s.trim()));
  const want = right.split(",").map((s) => s.trim());
  return mode === "all" ? want.every((w) => have.has(w)) : want.some((w) => have.has(w));
}

/** True when a target names a per-node unique value, so node classes cannot be cached. */
export function constraintTargetEscapes(target: string): boolean {
  return target.startsWith("${node.unique.") || target.startsWith("${attr.unique.") ||
    target.startsWith("${meta.unique.");
}

/** True when any constraint escapes computed node classes. */
export function constraintsEscape(constraints: readonly Constraint[]): boolean {
  return constraints.some((c) =>
    constraintTargetEscapes(c.LTarget) || constraintTargetEscapes(c.RTarget)
  );
}
