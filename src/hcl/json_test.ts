import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { bodyContent, bodyToValue } from "./body.ts";
import { HclSyntaxError } from "./errors.ts";
import { evaluate } from "./evaluator.ts";
import { jsonValue, parseJson } from "./json.ts";
import { STANDARD_FUNCTIONS } from "./functions.ts";
import { parseTypeExpression, typeToString } from "./types.ts";

const ctx = { variables: { var: { image: "redis:7" } }, functions: STANDARD_FUNCTIONS };

Deno.test("a JSON body reads properties as arguments until a schema says otherwise", () => {
  const body = parseJson('{"//": "note", "a": 1, "b": "x-${var.image}"}', "a.json");
  deepStrictEqual(bodyToValue(body, ctx), { a: 1, b: "x-redis:7" });
});

Deno.test("a JSON body resolves blocks and labels against the schema", () => {
  const src = JSON.stringify({
    job: { web: { group: [{ a: { count: 2 } }, { b: {} }], meta: { k: "v" } } },
  });
  const root = bodyContent(parseJson(src, "j.json"), { blocks: { job: { labels: ["n"] } } }, ctx);
  strictEqual(root.blocks.length, 1);
  const job = root.blocks[0]!.block;
  deepStrictEqual(job.labels.map((l) => l.value), ["web"]);
  const content = bodyContent(job.body, {
    attributes: ["meta"],
    blocks: { group: { labels: ["name"] } },
  }, ctx);
  deepStrictEqual(content.blocks.map((b) => b.block.labels[0]!.value), ["a", "b"]);
  deepStrictEqual(evaluate(content.attributes.get("meta")!.expr, ctx), { k: "v" });
});

Deno.test("repeated JSON blocks come from arrays and duplicate keys", () => {
  const src = '{"task": {"a": {}}, "task": {"b": {}}, "port": [{"x": {}}, {"y": {}}]}';
  const content = bodyContent(parseJson(src, "t.json"), {
    blocks: { task: { labels: ["name"] }, port: { labels: ["name"] } },
  }, ctx);
  deepStrictEqual(content.blocks.map((b) => b.block.labels[0]!.value), ["a", "b", "x", "y"]);
});

Deno.test("JSON dynamic blocks expand with iterators and labels", () => {
  const src = JSON.stringify({
    dynamic: {
      port: {
        for_each: "${[8080, 9090]}",
        iterator: "p",
        labels: ["port-${p.key}"],
        content: { to: "${p.value}" },
      },
    },
  });
  const content = bodyContent(
    parseJson(src, "d.json"),
    { blocks: { port: { labels: ["n"] } } },
    ctx,
  );
  deepStrictEqual(content.blocks.map((b) => b.block.labels[0]!.value), ["port-0", "port-1"]);
  const first = content.blocks[0]!;
  const inner = bodyContent(first.block.body, { attributes: ["to"] }, first.ctx);
  strictEqual(evaluate(inner.attributes.get("to")!.expr, first.ctx), 8080);
});

Deno.test("a JSON string is a type expression where a type is expected", () => {
  const body = parseJson('{"type": "map(list(number))"}', "v.json");
  const expr = body.items[0]!.kind === "Attribute" ? body.items[0]!.expr : null;
  ok(expr !== null);
  strictEqual(typeToString(parseTypeExpression(expr)), "map(list(number))");
});

Deno.test("JSON values read literally keep ${ text", () => {
  const body = parseJson('{"a": ["${x}", {"b": null}]}', "v.json");
  deepStrictEqual(jsonValue(body.json!.properties[0]!.value), ["${x}", { b: null }]);
});

Deno.test("bad JSON reports file, line and column", () => {
  const cases: [string, RegExp][] = [
    ['{"a": }', /x\.json:1:7: Invalid JSON value/],
    ['{"a": 1,\n "b" 2}', /x\.json:2:6: Missing property value colon/],
    ["[1]", /x\.json:1:1: Root value must be object/],
    ['{"a": "\\q"}', /x\.json:1:8: Invalid escape sequence/],
    ['{"a": 1} x', /x\.json:1:10: Extraneous data after value/],
    ["[".repeat(1000), /Nesting too deep/],
  ];
  for (const [src, pattern] of cases) throws(() => parseJson(src, "x.json"), pattern);
});

Deno.test("a JSON block whose value is not an object is reported at the value", () => {
  const body = parseJson('{"group": "nope"}', "g.json");
  throws(
    () => bodyContent(body, { blocks: { group: { labels: ["name"] } } }, ctx),
    (e: unknown) =>
      e instanceof HclSyntaxError && /^g\.json:1:11: Incorrect JSON value type/.test(e.message),
  );
});
