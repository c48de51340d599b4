import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { bodyContent, bodyToValue } from "./body.ts";
import { didYouMean, editDistance } from "./suggest.ts";
import type { EvalContext } from "./evaluator.ts";
import { STANDARD_FUNCTIONS } from "./functions.ts";
import { parse } from "./parser.ts";
import { convertToType, parseTypeExpression, typeToString } from "./types.ts";
import { parseExpressionText } from "./parse_expression.ts";

const ctx: EvalContext = {
  variables: { var: { ports: ["http", "grpc"] } },
  functions: STANDARD_FUNCTIONS,
};

const schema = {
  attributes: ["count", "meta"],
  blocks: { task: { labels: ["name"] }, network: {}, meta: {} },
};

Deno.test("didYouMean suggests close names only", () => {
  strictEqual(editDistance("kitten", "sitting"), 3);
  strictEqual(didYouMean("cuont", ["count", "task"]), "count");
  strictEqual(didYouMean("zzzzzz", ["count"]), null);
});

Deno.test("bodyContent returns attributes and blocks that fit the schema", () => {
  const content = bodyContent(parse('count = 2\ntask "a" {\n}\nmeta {\n}\n', "b.hcl"), schema, ctx);
  deepStrictEqual([...content.attributes.keys()], ["count"]);
  deepStrictEqual(content.blocks.map((b) => b.block.type), ["task", "meta"]);
});

Deno.test("bodyContent reports an unsupported argument with a suggestion", () => {
  throws(
    () => bodyContent(parse("\n  cuont = 1\n", "g.hcl"), schema, ctx),
    /^HclSyntaxError: g\.hcl:2:3: Unsupported argument; An argument named "cuont" is not expected here\. Did you mean "count"\?$/,
  );
});

Deno.test("bodyContent explains argument-versus-block mix-ups", () => {
  throws(
    () => bodyContent(parse("task = 1\n", "g.hcl"), schema, ctx),
    /Did you mean to define a block of type "task"\?/,
  );
  throws(
    () => bodyContent(parse("count {\n}\n", "g.hcl"), schema, ctx),
    /Unsupported block type; Blocks of type "count" are not expected here\. Did you mean to define argument "count"\?/,
  );
});

Deno.test("bodyContent checks the number of labels", () => {
  throws(
    () => bodyContent(parse("task {\n}\n", "g.hcl"), schema, ctx),
    /g\.hcl:1:6: Missing name for task; All task blocks must have 1 labels \(name\)\./,
  );
  throws(
    () => bodyContent(parse('network "web" {\n}\n', "g.hcl"), schema, ctx),
    /g\.hcl:1:9: Extraneous label for network; No labels are expected for network blocks\./,
  );
});

Deno.test("bodyContent expands dynamic blocks with their iterator", () => {
  const src =
    'dynamic "task" {\n  for_each = var.ports\n  iterator = p\n  labels = [p.value]\n  content {\n    count = p.key\n  }\n}\n';
  const content = bodyContent(parse(src, "d.hcl"), schema, ctx);
  deepStrictEqual(content.blocks.map((b) => b.block.labels[0]!.value), ["http", "grpc"]);
  deepStrictEqual(content.blocks.map((b) => bodyToValue(b.block.body, b.ctx)), [{ count: 0 }, {
    count: 1,
  }]);
});

Deno.test("bodyToValue nests labels and turns repeated blocks into lists", () => {
  const src = [
    'image = "redis"',
    "port_map {",
    "  http = 8080",
    "}",
    "mount {",
    '  type = "bind"',
    "}",
    "mount {",
    '  type = "volume"',
    "}",
    'labels "a" {',
    "  x = 1",
    "}",
    'labels "b" {',
    "  x = 2",
    "}",
    "",
  ].join("\n");
  deepStrictEqual(bodyToValue(parse(src, "c.hcl"), ctx), {
    image: "redis",
    port_map: { http: 8080 },
    mount: [{ type: "bind" }, { type: "volume" }],
    labels: { a: { x: 1 }, b: { x: 2 } },
  });
});

Deno.test("type constraints parse and convert values", () => {
  const type = parseTypeExpression(
    parseExpressionText("object({ a = number, b = optional(list(string)) })", "t"),
    {},
  );
  strictEqual(typeToString(type), "object({a = number, b = optional(list(string))})");
  deepStrictEqual(convertToType({ a: "3", c: 1 }, type), { a: 3, b: null });
  deepStrictEqual(
    convertToType([1, true], parseTypeExpression(parseExpressionText("list(string)", "t"))),
    ["1", "true"],
  );
  throws(
    () => convertToType("x", parseTypeExpression(parseExpressionText("number", "t"))),
    TypeError,
  );
  throws(
    () => parseTypeExpression(parseExpressionText("strnig", "t")),
    /Invalid type specification/,
  );
});
