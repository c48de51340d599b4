import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { HclSyntaxError } from "./errors.ts";
import { type EvalContext, evaluate } from "./evaluator.ts";
import { STANDARD_FUNCTIONS } from "./functions.ts";
import { parseExpressionText } from "./parse_expression.ts";
import { findAttribute } from "./body.ts";
import { parse } from "./parser.ts";
import type { Value } from "./values.ts";

const ctx: EvalContext = {
  variables: { var: { name: "web", count: 3, tags: ["a", "b"], opts: { x: 1 } }, local: { n: 2 } },
  functions: STANDARD_FUNCTIONS,
};

const ev = (src: string, context: EvalContext = ctx): Value =>
  evaluate(parseExpressionText(src, "e.hcl"), context);

Deno.test("evaluator computes literals and arithmetic with precedence", () => {
  strictEqual(ev("1 + 2 * 3"), 7);
  strictEqual(ev("(1 + 2) * 3"), 9);
  strictEqual(ev("10 % 4 - 6 / 3"), 0);
  strictEqual(ev("-var.count + 1"), -2);
  strictEqual(ev("1.5e2"), 150);
  strictEqual(ev("null"), null);
});

Deno.test("evaluator compares without conversion and combines bools", () => {
  strictEqual(ev('1 == "1"'), false);
  strictEqual(ev("[1, {a = 2}] == [1, {a = 2}]"), true);
  strictEqual(ev("3 >= var.count && !false"), true);
  strictEqual(ev("false || var.count < 2"), false);
});

Deno.test("evaluator converts numeric strings for arithmetic", () => {
  strictEqual(ev('"2" + 3'), 5);
});

Deno.test("evaluator picks the conditional branch", () => {
  strictEqual(ev('var.count > 2 ? "many" : "few"'), "many");
});

Deno.test("evaluator reads variables through attributes and indexes", () => {
  strictEqual(ev("var.name"), "web");
  strictEqual(ev("var.tags[1]"), "b");
  strictEqual(ev('var.opts["x"]'), 1);
  strictEqual(ev("var.tags.0"), "a");
  strictEqual(ev("local.n * 2"), 4);
});

Deno.test("evaluator builds tuples and objects", () => {
  deepStrictEqual(ev("[var.name, 1, true]"), ["web", 1, true]);
  deepStrictEqual(ev('{ a = 1, "b.c" = var.name, (var.name) = 2 }'), {
    a: 1,
    "b.c": "web",
    web: 2,
  });
});

Deno.test("evaluator interpolates templates and keeps a lone interpolation's type", () => {
  strictEqual(ev('"${var.name}-${var.count}"'), "web-3");
  strictEqual(ev('"${var.count}"'), 3);
  strictEqual(ev('"${null}"'), null);
  deepStrictEqual(ev('"${var.tags}"'), ["a", "b"]);
});

Deno.test("evaluator keeps references to unknown roots as ${...} text", () => {
  strictEqual(ev('"${attr.kernel.name}"'), "${attr.kernel.name}");
  strictEqual(ev('"http://${NOMAD_ADDR_http}/x"'), "http://${NOMAD_ADDR_http}/x");
  strictEqual(ev('"${node.unique.name}-${meta.rack}"'), "${node.unique.name}-${meta.rack}");
  strictEqual(ev('"${env["FOO"]}"'), '${env["FOO"]}');
  strictEqual(ev('"${NOMAD_ALLOC_DIR}/data"'), "${NOMAD_ALLOC_DIR}/data");
  strictEqual(ev('"${ upper(attr.kernel.name) }"'), "${ATTR.KERNEL.NAME}");
  strictEqual(ev("attr.kernel.name"), "${attr.kernel.name}");
  deepStrictEqual(ev('["-p", NOMAD_PORT_http]'), ["-p", "${NOMAD_PORT_http}"]);
  strictEqual(ev('"${var.name}:${NOMAD_PORT_http}"'), "web:${NOMAD_PORT_http}");
  strictEqual(ev('var.count > 1 ? "${attr.a}" : "b"'), "${attr.a}");
  strictEqual(ev('upper("x-${attr.a}")'), "X-${ATTR.A}");
  strictEqual(ev('"${attr.arch}" == "amd64"'), false);
});

Deno.test("evaluator turns $${ into a literal ${ and %%{ into %{", () => {
  strictEqual(ev('"$${x} and %%{y}"'), "${x} and %{y}");
});

Deno.test("evaluator renders heredocs with interpolation", () => {
  const body = parse("a = <<-EOF\n  name: ${var.name}\n  dir: ${NOMAD_TASK_DIR}\n  EOF\n", "h.hcl");
  strictEqual(evaluate(findAttribute(body, "a")!.expr, ctx), "name: web\ndir: ${NOMAD_TASK_DIR}\n");
});

Deno.test("evaluator runs template if and for directives", () => {
  strictEqual(ev('"%{ if var.count > 1 }many%{ else }one%{ endif }"'), "many");
  strictEqual(ev('"%{ for i, t in var.tags }${i}=${t};%{ endfor }"'), "0=a;1=b;");
});

Deno.test("evaluator runs for expressions over lists and maps", () => {
  deepStrictEqual(ev("[for t in var.tags : upper(t)]"), ["A", "B"]);
  deepStrictEqual(ev("[for i, v in [5, 6, 7] : v if i != 1]"), [5, 7]);
  deepStrictEqual(ev("{for k, v in {b = 2, a = 1} : k => v * 10}"), { a: 10, b: 20 });
  deepStrictEqual(ev('{for v in ["x", "y", "x"] : v => v...}'), { x: ["x", "x"], y: ["y"] });
});

Deno.test("evaluator applies splats", () => {
  deepStrictEqual(ev("[{a = 1}, {a = 2}][*].a"), [1, 2]);
  deepStrictEqual(ev("null[*]"), []);
});

Deno.test("evaluator calls functions and expands the final argument", () => {
  strictEqual(ev("upper(var.name)"), "WEB");
  strictEqual(ev('join("-", var.tags)'), "a-b");
  strictEqual(ev("min([3, 1, 2]...)"), 1);
});

function fails(src: string, pattern: RegExp): void {
  throws(() => ev(src), (e: unknown) => {
    if (!(e instanceof HclSyntaxError)) throw e;
    if (!pattern.test(e.message)) {
      throw new Error(`message ${JSON.stringify(e.message)} does not match ${pattern}`);
    }
    return true;
  });
}

Deno.test("evaluator reports an unknown function at its name", () => {
  fails(
    "1 + nope(2)",
    /^e\.hcl:1:5: Call to unknown function; There is no function named "nope"\.$/,
  );
});

Deno.test("evaluator reports a failing function call with its position", () => {
  // The function library words its own errors; the evaluator adds the position.
  fails('lookup({}, "k")', /^e\.hcl:1:\d+: /);
});

Deno.test("evaluator reports missing attributes of known variables", () => {
  fails(
    "var.nope",
    /^e\.hcl:1:4: Unsupported attribute; This object does not have an attribute named "nope"/,
  );
});

Deno.test("evaluator reports bad operands and indexes", () => {
  fails(
    '"a" + 1',
    /^e\.hcl:1:1: Invalid operand; Unsuitable value for left operand: a number is required/,
  );
  fails("var.tags[5]", /^e\.hcl:1:10: Invalid index/);
  fails("1 / 0", /Division by zero/);
  fails('"x${null}"', /Invalid template interpolation value/);
  fails('"x${var.tags}"', /Cannot include the given value in a string template/);
  fails("1 ? 2 : 3", /Incorrect condition type/);
});

Deno.test("runtime references keep the spaces inside their braces unless a marker or comment intervenes", () => {
  strictEqual(ev('"${ attr.x }"'), "${ attr.x }");
  strictEqual(ev('"a ${  node.b  } c"'), "a ${  node.b  } c");
  strictEqual(ev('"${(attr.x)}"'), "${attr.x}");
  strictEqual(ev('"p ${~ attr.x} q"'), "p${attr.x} q");
  strictEqual(ev('"${ attr.x ~} q"'), "${ attr.x}q");
  strictEqual(ev('"${ attr.x /* c */ }"'), "${ attr.x}");
  strictEqual(ev('"${ /* c */ attr.x }"'), "${attr.x}");
  strictEqual(ev("attr . x"), "${attr . x}");
  strictEqual(ev("attr.x.0"), "${attr.x.0}");
  deepStrictEqual(ev("attr.x[*]"), ["${attr.x}"]);
  strictEqual(ev('lower("${NOMAD_TASK_NAME}")'), "${nomad_task_name}");
});

Deno.test("a reference indexed by a non-literal key is a string and cannot be indexed", () => {
  fails("env[var.name]", /Invalid index; This value does not have any indices/);
});

Deno.test("conditionals give a number or bool the string type of the other result", () => {
  strictEqual(ev('true ? 1 : "a"'), "1");
  strictEqual(ev('false ? "a" : true'), "true");
  strictEqual(ev("true ? 1 : 2"), 1);
  // Only the chosen result's errors count.
  deepStrictEqual(ev('length(var.tags) > 5 ? var.tags[9] : "none"'), "none");
});

Deno.test("decimal arithmetic rounds once, like HCL's big floats", () => {
  strictEqual(ev("0.1 + 0.2"), 0.3);
  strictEqual(ev("0.1 * 3"), 0.3);
  strictEqual(ev("1.1 - 0.2"), 0.9);
  strictEqual(ev("2 * 3 + 4"), 10);
  strictEqual(ev('"5" + 1'), 6);
});

Deno.test("for expressions cover tuples, objects, filters and grouping", () => {
  deepStrictEqual(ev("[for i, v in [10, 20, 30] : i + v if v > 10]"), [21, 32]);
  deepStrictEqual(ev("{for k, v in {b = 1, a = 2} : v => k}"), { "1": "b", "2": "a" });
  deepStrictEqual(ev('{for s in ["a", "bb", "cc"] : (s == "a" ? "one" : "two") => s...}'), {
    one: ["a"],
    two: ["bb", "cc"],
  });
  fails('{for s in ["a", "a"] : s => s}', /Duplicate object key/);
  fails("[for s in null : s]", /Iteration over null value/);
});

Deno.test("splats apply to lists, wrap single values and turn null into an empty list", () => {
  deepStrictEqual(ev("[{a = {b = 1}}, {a = {b = 2}}][*].a.b"), [1, 2]);
  deepStrictEqual(ev("[{a = [5]}][*].a[0]"), [5]);
  deepStrictEqual(ev("[{a = 1}, {a = 2}].*.a"), [1, 2]);
  deepStrictEqual(ev("{a = 1}[*].a"), [1]);
  deepStrictEqual(ev("null[*]"), []);
});

Deno.test("runaway loops stop with a positioned error instead of hanging", () => {
  const src = "[for a in range(1000) : [for b in range(1000) : [for c in range(10) : c]]]";
  fails(src, /^e\.hcl:1:\d+: Expression too complex/);
});
