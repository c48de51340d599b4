import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import type { Attribute, Block, Expression, TemplateExpr } from "./ast.ts";
import { attributesOf, blocksOf, findAttribute, staticString } from "./body.ts";
import { HclSyntaxError } from "./errors.ts";
import { parseExpressionText } from "./parse_expression.ts";
import { parse } from "./parser.ts";

function firstBlock(src: string): Block {
  return blocksOf(parse(src, "t.hcl"))[0]!;
}

function attr(src: string, name = "a"): Attribute {
  return findAttribute(parse(src, "t.hcl"), name)!;
}

function syntaxError(src: string, pattern: RegExp): void {
  throws(() => parse(src, "example.nomad"), (e: unknown) => {
    if (!(e instanceof HclSyntaxError)) return false;
    if (!pattern.test(e.message)) {
      throw new Error(`message ${JSON.stringify(e.message)} does not match ${pattern}`);
    }
    return true;
  });
}

Deno.test("parser reads attributes and nested labeled blocks in order", () => {
  const body = parse(
    'job "web" {\n  type = "batch"\n  group "g" {\n    count = 2\n  }\n}\n',
    "t.hcl",
  );
  const job = blocksOf(body, "job")[0]!;
  deepStrictEqual(job.labels.map((l) => l.value), ["web"]);
  deepStrictEqual(job.body.items.map((i) => i.kind), ["Attribute", "Block"]);
  const group = blocksOf(job.body, "group")[0]!;
  strictEqual(attributesOf(group.body)[0]!.name, "count");
});

Deno.test("parser records positions of blocks, labels and attributes", () => {
  const job = firstBlock('\njob "web" {\n  type = "batch"\n}\n');
  deepStrictEqual(job.typeRange.start, { line: 2, column: 1, offset: 1 });
  deepStrictEqual(job.labels[0]!.range.start, { line: 2, column: 5, offset: 5 });
  deepStrictEqual(job.openBraceRange.start, { line: 2, column: 11, offset: 11 });
  strictEqual(job.range.end.line, 4);
  const type = attributesOf(job.body)[0]!;
  deepStrictEqual(type.nameRange.start, { line: 3, column: 3, offset: 15 });
  deepStrictEqual(type.expr.range.start, { line: 3, column: 10, offset: 22 });
  strictEqual(type.range.filename, "t.hcl");
});

Deno.test("parser accepts identifier labels, several labels and no labels", () => {
  deepStrictEqual(firstBlock('a b "c" {\n}\n').labels.map((l) => l.value), ["b", "c"]);
  deepStrictEqual(firstBlock("a {\n}\n").labels, []);
});

Deno.test("parser accepts one-line blocks with one argument or none", () => {
  const block = firstBlock("update { max_parallel = 1 }\n");
  strictEqual(attributesOf(block.body)[0]!.name, "max_parallel");
  deepStrictEqual(firstBlock('port "http" {}\n').body.items, []);
});

Deno.test("parser rejects a nested block inside a one-line block", () => {
  syntaxError(
    'network { port "a" {} }\n',
    /example\.nomad:1:11: Invalid single-argument block definition/,
  );
});

Deno.test("parser reads objects with = and :, commas and newlines", () => {
  const expr = attr('a = {\n  x = 1\n  "y": 2, z = 3,\n}\n').expr;
  ok(expr.kind === "Object");
  deepStrictEqual(expr.items.map((i) => staticString(i.key)), ["x", "y", "z"]);
});

Deno.test("parser reads tuples across lines with a trailing comma", () => {
  const expr = attr('a = [\n  1,\n  "two",\n]\n').expr;
  ok(expr.kind === "Tuple");
  strictEqual(expr.items.length, 2);
});

Deno.test("parser applies HCL operator precedence", () => {
  const expr = parseExpressionText("a || b && c == d + e * f", "x");
  const shape = (e: Expression): unknown =>
    e.kind === "Binary"
      ? [shape(e.left), e.op, shape(e.right)]
      : e.kind === "Variable"
      ? e.name
      : e.kind;
  deepStrictEqual(shape(expr), ["a", "||", ["b", "&&", ["c", "==", ["d", "+", ["e", "*", "f"]]]]]);
});

Deno.test("parser reads conditionals, unary operators and parentheses", () => {
  const expr = parseExpressionText("!a ? -(b) : c", "x");
  ok(expr.kind === "Conditional");
  strictEqual(expr.condition.kind, "Unary");
  ok(expr.then.kind === "Unary" && expr.then.operand.kind === "Parens");
});

Deno.test("parser reads traversals, indexes, calls and splats", () => {
  const expr = parseExpressionText('f(a.b["c"][0], d...)', "x");
  ok(expr.kind === "FunctionCall");
  strictEqual(expr.expandFinal, true);
  strictEqual(expr.args[0]!.kind, "Index");
  strictEqual(parseExpressionText("a[*].b", "x").kind, "Splat");
  strictEqual(parseExpressionText("a.*.b", "x").kind, "Splat");
  strictEqual(parseExpressionText("a.0", "x").kind, "Index");
});

Deno.test("parser reads for expressions", () => {
  const list = parseExpressionText("[for i, v in xs : v if i > 0]", "x");
  ok(
    list.kind === "For" && list.keyVar === "i" && list.keyExpr === null && list.condition !== null,
  );
  const map = parseExpressionText("{for k, v in m : k => v...}", "x");
  ok(map.kind === "For" && map.keyExpr !== null && map.grouping);
});

Deno.test("parser keeps interpolation source text and resolves escapes", () => {
  const tpl = attr('a = "x\\t${ attr.kernel.name }\\u00e9 $${lit}"\n').expr as TemplateExpr;
  deepStrictEqual(tpl.parts.map((p) => p.kind), [
    "TemplateLiteral",
    "TemplateInterpolation",
    "TemplateLiteral",
  ]);
  ok(tpl.parts[1]!.kind === "TemplateInterpolation" && tpl.parts[1]!.text === " attr.kernel.name ");
  ok(tpl.parts[2]!.kind === "TemplateLiteral" && tpl.parts[2]!.value === "é ${lit}");
});

Deno.test("parser nests template if and for directives", () => {
  const tpl = attr('a = "%{ if x }yes%{ else }no%{ endif }%{ for v in l }${v}%{ endfor }"\n')
    .expr as TemplateExpr;
  deepStrictEqual(tpl.parts.map((p) => p.kind), ["TemplateIf", "TemplateFor"]);
});

Deno.test("parser strips whitespace next to ~ markers", () => {
  const tpl = attr('a = "a  ${~ x ~}  b"\n').expr as TemplateExpr;
  deepStrictEqual(tpl.parts.map((p) => p.kind === "TemplateLiteral" ? p.value : "*"), [
    "a",
    "*",
    "b",
  ]);
});

Deno.test("parser keeps heredoc text verbatim including the final newline", () => {
  const tpl = attr("a = <<EOF\n  line \\n one\n  two\nEOF\n").expr as TemplateExpr;
  strictEqual(tpl.heredoc, true);
  ok(tpl.parts[0]!.kind === "TemplateLiteral");
  strictEqual(
    tpl.parts.map((p) => p.kind === "TemplateLiteral" ? p.value : "").join(""),
    "  line \\n one\n  two\n",
  );
});

Deno.test("parser strips the common indentation of <<- heredocs", () => {
  const tpl = attr("a = <<-EOF\n    one\n      two\n\n    three\n    EOF\n").expr as TemplateExpr;
  strictEqual(
    tpl.parts.map((p) => p.kind === "TemplateLiteral" ? p.value : "").join(""),
    "one\n  two\n\nthree\n",
  );
});

Deno.test("parser reports a missing expression with file, line and column", () => {
  syntaxError(
    'job "x" {\n  count = }\n',
    /^example\.nomad:2:11: Invalid expression; expected the start of an expression, but found "}"$/,
  );
});

Deno.test("parser reports an unclosed block at its opening brace", () => {
  syntaxError(
    'job "x" {\n  group "g" {\n    count = 1\n}\n',
    /^example\.nomad:1:9: Unclosed configuration block/,
  );
});

Deno.test("parser reports a redefined attribute with both places", () => {
  syntaxError(
    "a = 1\na = 2\n",
    /^example\.nomad:2:1: Attribute redefined; The argument "a" was already set at example\.nomad:1:1/,
  );
});

Deno.test("parser reports two arguments on one line", () => {
  syntaxError("a = 1 b = 2\n", /^example\.nomad:1:7: Missing newline after argument/);
});

Deno.test("parser reports a block without a brace", () => {
  syntaxError('job "x"\n', /^example\.nomad:1:8: Invalid block definition/);
});

Deno.test("parser reports an interpolated block label", () => {
  syntaxError('job "${x}" {\n}\n', /^example\.nomad:1:5: Invalid string literal/);
});

Deno.test("parser reports a stray closing brace", () => {
  syntaxError("a = 1\n}\n", /^example\.nomad:2:1: Argument or block definition required/);
});

Deno.test("parser reports an invalid escape", () => {
  syntaxError('a = "\\q"\n', /Invalid escape sequence/);
});

Deno.test("parser reports a missing comma in a tuple", () => {
  syntaxError("a = [1 2]\n", /^example\.nomad:1:8: Missing item separator/);
});

Deno.test("parser rejects quoted attribute names unless asked (HCL 1 compatibility)", () => {
  syntaxError(
    'options {\n  "driver.raw_exec.enable" = "1"\n}\n',
    /Argument or block definition required/,
  );
  const body = parse('options {\n  "driver.raw_exec.enable" = "1"\n}\n', "a.hcl", {
    quotedAttributeNames: true,
  });
  strictEqual(attributesOf(blocksOf(body)[0]!.body)[0]!.name, "driver.raw_exec.enable");
});

Deno.test("parser fails cleanly on absurdly deep nesting", () => {
  throws(() => parse(`a = ${"[".repeat(500)}${"]".repeat(500)}\n`, "deep.hcl"), /Nesting too deep/);
});

Deno.test("parser accepts an empty file and CRLF line endings", () => {
  deepStrictEqual(parse("", "e.hcl").items, []);
  strictEqual(parse('a = 1\r\nb {\r\n  c = "d"\r\n}\r\n', "crlf.hcl").items.length, 2);
});

Deno.test("long operator and traversal chains count against the nesting limit", () => {
  throws(() => parse(`a = 1${" + 1".repeat(500)}\n`, "c.hcl"), /Nesting too deep/);
  throws(() => parse(`a = x${".y".repeat(500)}\n`, "c.hcl"), /Nesting too deep/);
  parse(`a = 1${" + 1".repeat(50)}\nb = x${".y".repeat(50)}\n`, "c.hcl");
});

Deno.test("interpolation text for runtime references follows Nomad's spacing rules", () => {
  const text = (src: string) => {
    const tpl = attr(`a = ${src}\n`).expr as TemplateExpr;
    const part = tpl.parts.find((p) => p.kind === "TemplateInterpolation");
    return part?.kind === "TemplateInterpolation" ? part.text : null;
  };
  strictEqual(text('"${ a.b }"'), " a.b ");
  strictEqual(text('"${~ a.b }"'), "a.b");
  strictEqual(text('"${ a.b ~}"'), " a.b");
  strictEqual(text("<<EOT\n${ a.b # comment\n}\nEOT"), " a.b");
});

Deno.test("a closing brace on the line of an argument or nested block is an error, as in HCL", () => {
  syntaxError(
    'meta {\n  d = "2" }\n',
    /^example\.nomad:2:11: Missing newline after argument; An argument definition must end/,
  );
  syntaxError(
    'job "a" {\n  group "g" {\n  } }\n',
    /^example\.nomad:3:5: Missing newline after block definition; A block definition must end/,
  );
  strictEqual(parse('meta { d = "2" }\n', "t.hcl").items.length, 1, "one-line blocks stay valid");
});
