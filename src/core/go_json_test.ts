import { strictEqual } from "node:assert";
import { goJson } from "./go_json.ts";

Deno.test("goJson escapes HTML characters like Go and JSON.parse reads them back", () => {
  const value = { cmd: "a && b > c < d", sep: "\u2028" };
  const text = goJson(value, 2);
  strictEqual(text.includes("&"), false);
  strictEqual(text.includes("\\u0026\\u0026"), true);
  strictEqual(text.includes("\\u003e"), true);
  strictEqual(JSON.stringify(JSON.parse(text)), JSON.stringify(value));
});
