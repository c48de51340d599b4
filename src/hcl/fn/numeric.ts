/** Numeric functions: abs, ceil, floor, log, max, min, parseint, pow, signum. */

import type { HclFunction } from "../evaluator.ts";
import { type Args, defineFunction } from "./args.ts";

/** Digits of bases up to 62: for bases above 36 upper case letters are the digits 36 to 61. */
function digitValue(c: string, base: number): number {
  const code = c.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 122) return code - 97 + 10;
  if (code >= 65 && code <= 90) return base <= 36 ? code - 65 + 10 : code - 65 + 36;
  return Infinity;
}

function parseint(a: Args): number {
  const raw = a.value(0);
  if (typeof raw !== "string") {
    throw a.error(
      0,
      `first argument must be a string, not ${typeof raw === "boolean" ? "bool" : typeof raw}`,
    );
  }
  const base = a.number(1);
  if (!Number.isInteger(base) || base < 2 || base > 62) {
    throw a.error(1, "base must be a whole number between 2 and 62 inclusive");
  }
  const bad = () => a.error(0, `cannot parse ${JSON.stringify(raw)} as a base ${base} integer`);
  const negative = raw.startsWith("-");
  const digits = raw.startsWith("-") || raw.startsWith("+") ? raw.slice(1) : raw;
  if (digits === "") throw bad();
  let n = 0n;
  for (const c of digits) {
    const d = digitValue(c, base);
    if (d >= base) throw bad();
    n = n * BigInt(base) + BigInt(d);
  }
  return Number(negative ? -n : n);
}

function extreme(name: string, pick: (...n: number[]) => number): HclFunction {
  return defineFunction(name, { params: [], variadic: "numbers" }, (a) => {
    if (a.length === 0) throw new RangeError("must pass at least one number");
    return pick(...a.values.map((_v, i) => a.number(i)));
  });
}

/** The numeric functions, by name. */
export const NUMERIC_FUNCTIONS: Readonly<Record<string, HclFunction>> = {
  abs: defineFunction("abs", { params: ["num"] }, (a) => Math.abs(a.number(0))),
  ceil: defineFunction("ceil", { params: ["num"] }, (a) => Math.ceil(a.number(0))),
  floor: defineFunction("floor", { params: ["num"] }, (a) => Math.floor(a.number(0))),
  log: defineFunction(
    "log",
    { params: ["num", "base"] },
    (a) => Math.log(a.number(0)) / Math.log(a.number(1)),
  ),
  max: extreme("max", Math.max),
  min: extreme("min", Math.min),
  parseint: defineFunction("parseint", { params: ["number", "base"] }, parseint),
  pow: defineFunction(
    "pow",
    { params: ["num", "power"] },
    (a) => Math.pow(a.number(0), a.number(1)),
  ),
  signum: defineFunction("signum", { params: ["num"] }, (a) => Math.sign(a.number(0)) + 0),
};
