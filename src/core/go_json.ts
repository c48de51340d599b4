/** JSON text as Go's encoding/json writes it. */

const GO_ESCAPES: Readonly<Record<string, string>> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/**
 * `JSON.stringify` with Go's HTML-safe escaping of `<`, `>`, `&`, U+2028 and
 * U+2029, so output matches Nomad's byte for byte (`json.MarshalIndent`).
 *
 * @example
 * ```ts
 * import { goJson } from "./go_json.ts";
 * goJson({ a: "x && y" }); // '{"a":"x \\u0026\\u0026 y"}'
 * ```
 */
export function goJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c]!);
}
