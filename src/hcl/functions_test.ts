import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { evaluate } from "./evaluator.ts";
import { formatString } from "./format.ts";
import { STANDARD_FUNCTIONS } from "./functions.ts";
import { parseExpressionText } from "./parse_expression.ts";
import type { Value } from "./values.ts";

const ev = (src: string): Value =>
  evaluate(parseExpressionText(src, "f.hcl"), { variables: {}, functions: STANDARD_FUNCTIONS });

Deno.test("string functions transform text", () => {
  strictEqual(ev('upper("abc")'), "ABC");
  strictEqual(ev('lower("ABC")'), "abc");
  strictEqual(ev('trimspace("  a b \\n")'), "a b");
  strictEqual(ev('replace("a-b-c", "-", "+")'), "a+b+c");
  strictEqual(ev('replace("hello", "/l+/", "L")'), "heLo");
  strictEqual(ev('title("hello world")'), "Hello World");
  strictEqual(ev('substr("hello", 1, 3)'), "ell");
  strictEqual(ev('trimprefix("v1.2", "v")'), "1.2");
  strictEqual(ev('trimsuffix("a.txt", ".txt")'), "a");
  strictEqual(ev('trim("--a--", "-")'), "a");
  strictEqual(ev('chomp("x\\n\\n")'), "x");
  strictEqual(ev('strrev("abc")'), "cba");
  strictEqual(ev('indent(2, "a\\nb")'), "a\n  b");
});

Deno.test("format supports %s %d %f %t %q %v and padding", () => {
  strictEqual(ev('format("%s-%d", "web", 3)'), "web-3");
  strictEqual(
    formatString("%05d|%-4s|%.2f|%t|%q|%v|%%", [42, "ab", 3.14159, true, "x", [1]]),
    '00042|ab  |3.14|true|"x"|[1]|%',
  );
  throws(() => formatString("%s %s", ["a"]), RangeError);
});

Deno.test("collection functions work on lists and maps", () => {
  strictEqual(ev('join(",", ["a", "b"], ["c"])'), "a,b,c");
  deepStrictEqual(ev('split(",", "a,b")'), ["a", "b"]);
  deepStrictEqual(ev("concat([1], [2, 3])"), [1, 2, 3]);
  strictEqual(ev('length("héllo")'), 5);
  strictEqual(ev("length([1, 2])"), 2);
  strictEqual(ev("length({a = 1})"), 1);
  deepStrictEqual(ev("merge({a = 1, b = 1}, {b = 2})"), { a: 1, b: 2 });
  strictEqual(ev('lookup({a = 1}, "b", 7)'), 7);
  strictEqual(ev('coalesce("", null, "x")'), "x");
  strictEqual(ev("min(3, 1, 2)"), 1);
  strictEqual(ev("max(3, 1, 2)"), 3);
  deepStrictEqual(ev("keys({b = 1, a = 2})"), ["a", "b"]);
  deepStrictEqual(ev("values({b = 1, a = 2})"), [2, 1]);
  strictEqual(ev('contains(["a"], "a")'), true);
  strictEqual(ev("element([1, 2, 3], 4)"), 2);
  deepStrictEqual(ev("flatten([[1, [2]], 3])"), [1, 2, 3]);
  deepStrictEqual(ev("distinct([1, 1, 2])"), [1, 2]);
  deepStrictEqual(ev("reverse([1, 2])"), [2, 1]);
  deepStrictEqual(ev("slice([1, 2, 3], 1, 3)"), [2, 3]);
  deepStrictEqual(ev("range(3)"), [0, 1, 2]);
  deepStrictEqual(ev('compact(["a", "", null])'), ["a"]);
});

Deno.test("conversion and encoding functions", () => {
  strictEqual(ev('jsonencode({a = [1, "x"]})'), '{"a":[1,"x"]}');
  deepStrictEqual(ev('jsondecode("{\\"a\\": 1}")'), { a: 1 });
  strictEqual(ev("tostring(12)"), "12");
  strictEqual(ev('tonumber("12.5")'), 12.5);
  strictEqual(ev('tobool("true")'), true);
  strictEqual(ev('base64decode(base64encode("héllo"))'), "héllo");
  strictEqual(ev("abs(-2) + ceil(1.2) + floor(1.8)"), 5);
});

Deno.test("functions reject wrong argument counts and types", () => {
  throws(() => ev("upper()"), /expects 1 argument/);
  throws(() => ev('tonumber("x")'), /a number is required/);
  throws(() => ev('jsondecode("{")'), /Call to function "jsondecode" failed/);
});
