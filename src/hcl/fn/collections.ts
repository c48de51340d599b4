/** Collection functions: chunklist, coalesce, compact, concat, ..., setunion, zipmap. */

import type { HclFunction } from "../evaluator.ts";
import {
  isValueObject,
  toStringValue,
  typeName,
  type Value,
  type ValueObject,
  valuesEqual,
} from "../values.ts";
import { type Args, compareSetElements, defineFunction, unify } from "./args.ts";

/** HCL refuses to build longer lists with `range`. */
const RANGE_LIMIT = 1024;

function distinct(values: readonly Value[]): Value[] {
  const out: Value[] = [];
  for (const v of values) if (!out.some((o) => valuesEqual(o, v))) out.push(v);
  return out;
}

function toSet(values: readonly Value[]): Value[] {
  return distinct(values).sort(compareSetElements);
}

function stringList(a: Args, i: number): string[] {
  return unify(a.list(i)).map((v, j) => {
    if (v === null) throw a.error(i, `element ${j} is null`);
    return toStringValue(v);
  });
}

function chunklist(a: Args): Value {
  const list = unify(a.list(0));
  const size = a.integer(1);
  if (size < 0) throw a.error(1, "the size argument must be positive");
  if (list.length === 0) return [];
  if (size === 0) return [list];
  const out: Value[] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

function coalesce(a: Args): Value {
  const values = unify(a.values);
  const found = values.find((v) => v !== null);
  if (found === undefined) throw new RangeError("no non-null arguments");
  return found;
}

function coalescelist(a: Args): Value {
  if (a.length === 0) throw new RangeError("at least one argument is required");
  for (let i = 0; i < a.length; i++) {
    const v = a.nullable(i);
    if (v === null) continue;
    if (!Array.isArray(v)) {
      throw a.error(i, `coalescelist arguments must be lists or tuples, got ${typeName(v)}`);
    }
    if (v.length > 0) return v;
  }
  throw new RangeError("no non-null arguments");
}

function concat(a: Args): Value {
  if (a.length === 0) throw new RangeError("at least one argument is required");
  return a.values.flatMap((v, i) => {
    if (!Array.isArray(v)) {
      throw a.error(i, `all arguments must be lists or tuples; got ${typeName(v)}`);
    }
    return v;
  });
}

function element(a: Args): Value {
  const list = a.list(0);
  const index = a.integer(1);
  if (list.length === 0) throw new RangeError("cannot use element function with an empty list");
  return list[((index % list.length) + list.length) % list.length]!;
}

function flatten(list: readonly Value[]): Value[] {
  return list.flatMap((v) => (Array.isArray(v) ? flatten(v) : [v]));
}

/** `index(collection, key)`: HCL's `collection[key]` as a function. */
function index(a: Args): Value {
  const collection = a.value(0);
  const key = a.value(1);
  if (Array.isArray(collection)) {
    if (typeof key !== "number") throw new TypeError("key for tuple must be number");
    if (!Number.isInteger(key) || key < 0 || key >= collection.length) {
      throw new RangeError(`key must be between 0 and ${collection.length} inclusive`);
    }
    return collection[key]!;
  }
  if (isValueObject(collection)) {
    const k = toStringValue(key);
    if (!Object.hasOwn(collection, k)) throw new RangeError(`key "${k}" does not exist in map`);
    return collection[k]!;
  }
  throw new TypeError("collection must be a list, a map or a tuple");
}

function length(a: Args): Value {
  const v = a.value(0);
  if (Array.isArray(v)) return v.length;
  if (isValueObject(v)) return Object.keys(v).length;
  throw new TypeError("collection must be a list, a map or a tuple");
}

function lookup(a: Args): Value {
  const map = a.object(0);
  const key = a.string(1);
  const fallback = a.value(2);
  return Object.hasOwn(map, key) ? map[key]! : fallback;
}

function merge(a: Args): Value {
  const out: ValueObject = {};
  for (const v of a.values) {
    if (v === null) continue;
    if (!isValueObject(v)) {
      throw new TypeError(`arguments must be maps or objects, got "${typeName(v)}"`);
    }
    Object.assign(out, v);
  }
  return out;
}

function range(a: Args): Value {
  if (a.length < 1 || a.length > 3) throw new RangeError("must have one, two, or three arguments");
  const n = a.values.map((_v, i) => a.number(i));
  const [start, end] = n.length === 1 ? [0, n[0]!] : [n[0]!, n[1]!];
  const step = n[2] ?? (start <= end ? 1 : -1);
  if (step < 0 && end > start) {
    throw a.error(0, "end must be less than start when step is negative");
  }
  if (step > 0 && end < start) {
    throw a.error(0, "end must be greater than start when step is positive");
  }
  const out: number[] = [];
  for (let i = start; step >= 0 ? i < end : i > end; i += step) {
    if (out.length >= RANGE_LIMIT) {
      throw new RangeError(
        `more than ${RANGE_LIMIT} values were generated; either decrease the difference between start and end or use a smaller step`,
      );
    }
    out.push(i);
  }
  return out;
}

function setproduct(a: Args): Value {
  if (a.length < 2) throw new RangeError("at least two arguments are required");
  const lists = a.values.map((_v, i) => unify(a.list(i)));
  let product: Value[][] = [[]];
  for (const list of lists) product = product.flatMap((prefix) => list.map((v) => [...prefix, v]));
  return product;
}

function slice(a: Args): Value {
  const list = a.list(0);
  const start = a.integer(1);
  const end = a.integer(2);
  if (start < 0) throw a.error(1, "start index must not be less than zero");
  if (end > list.length) {
    throw a.error(2, "end index must not be greater than the length of the list");
  }
  if (start > end) throw a.error(1, "start index must not be greater than end index");
  return list.slice(start, end);
}

function zipmap(a: Args): Value {
  const keys = stringList(a, 0);
  const values = a.list(1);
  if (keys.length !== values.length) {
    throw new RangeError(
      `number of keys (${keys.length}) does not match number of values (${values.length})`,
    );
  }
  const out: ValueObject = {};
  keys.forEach((k, i) => (out[k] = values[i]!));
  return out;
}

function setOperation(name: string, combine: (sets: Value[][]) => Value[]): HclFunction {
  return defineFunction(name, { params: ["first_set"], variadic: "other_sets" }, (a) => {
    const sets = a.values.map((_v, i) => a.list(i));
    const all = unify(sets.flat());
    let offset = 0;
    const unified = sets.map((s) => all.slice(offset, offset += s.length));
    return toSet(combine(unified));
  });
}

/** The collection functions, by name. */
export const COLLECTION_FUNCTIONS: Readonly<Record<string, HclFunction>> = {
  chunklist: defineFunction("chunklist", { params: ["list", "size"] }, chunklist),
  coalesce: defineFunction("coalesce", { params: [], variadic: "vals" }, coalesce),
  coalescelist: defineFunction("coalescelist", { params: [], variadic: "vals" }, coalescelist),
  compact: defineFunction(
    "compact",
    { params: ["list"] },
    (a) => unify(a.list(0)).filter((v) => v !== null && v !== "").map((v) => toStringValue(v!)),
  ),
  concat: defineFunction("concat", { params: [], variadic: "seqs" }, concat),
  contains: defineFunction(
    "contains",
    { params: ["list", "value"] },
    (a) => a.list(0).some((v) => valuesEqual(v, a.nullable(1))),
  ),
  distinct: defineFunction("distinct", { params: ["list"] }, (a) => distinct(unify(a.list(0)))),
  element: defineFunction("element", { params: ["list", "index"] }, element),
  flatten: defineFunction("flatten", { params: ["list"] }, (a) => flatten(a.list(0))),
  index: defineFunction("index", { params: ["collection", "key"] }, index),
  keys: defineFunction("keys", { params: ["inputMap"] }, (a) => Object.keys(a.object(0)).sort()),
  length: defineFunction("length", { params: ["collection"] }, length),
  lookup: defineFunction("lookup", { params: ["inputMap", "key", "default"] }, lookup),
  merge: defineFunction("merge", { params: [], variadic: "maps" }, merge),
  range: defineFunction("range", { params: [], variadic: "params" }, range),
  setintersection: setOperation(
    "setintersection",
    ([first, ...rest]) =>
      (first ?? []).filter((v) => rest.every((s) => s.some((o) => valuesEqual(o, v)))),
  ),
  setproduct: defineFunction("setproduct", { params: [], variadic: "sets" }, setproduct),
  setunion: setOperation("setunion", (sets) => sets.flat()),
  slice: defineFunction("slice", { params: ["list", "start_index", "end_index"] }, slice),
  sort: defineFunction("sort", { params: ["list"] }, (a) => stringList(a, 0).sort()),
  values: defineFunction("values", { params: ["mapping"] }, (a) => {
    const o = a.object(0);
    return Object.keys(o).sort().map((k) => o[k]!);
  }),
  zipmap: defineFunction("zipmap", { params: ["keys", "values"] }, zipmap),
};
