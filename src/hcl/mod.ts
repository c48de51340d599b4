/**
 * HCL native syntax: lexer → parser (AST with source positions) → evaluator.
 * Generic: it knows nothing about Nomad. Pure: no I/O, no clock.
 *
 * @example
 * ```ts
 * import { evaluate, findAttribute, parse, STANDARD_FUNCTIONS } from "./mod.ts";
 * const body = parse('greeting = upper("hi ${name}")\n', "demo.hcl");
 * const attr = findAttribute(body, "greeting")!;
 * evaluate(attr.expr, { variables: { name: "nomad" }, functions: STANDARD_FUNCTIONS }); // "HI NOMAD"
 * ```
 *
 * @module
 */
export * from "./core.ts";
export {
  type DirectoryEntry,
  type FileSystemHost,
  type FunctionHost,
  functionLibrary,
  type RandomBytes,
  STANDARD_FUNCTIONS,
} from "./functions.ts";
export { formatString } from "./format.ts";
export { formatHcl } from "./fmt.ts";
