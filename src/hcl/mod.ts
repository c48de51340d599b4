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
export type * from "./ast.ts";
export { formatDiagnostic, HclSyntaxError } from "./errors.ts";
export {
  type Token,
  tokenize,
  type TokenizeOptions,
  tokenizeTemplate,
  type TokenType,
} from "./lexer.ts";
export type { ParseOptions } from "./cursor.ts";
export { parse } from "./parser.ts";
export { jsonBody, jsonValue, parseJson } from "./json.ts";
export { parseExpressionText } from "./parse_expression.ts";
export {
  type EvalContext,
  evaluate,
  getAttr,
  type HclFunction,
  index,
  type LazyArgument,
  withVariables,
} from "./evaluator.ts";
export {
  type DirectoryEntry,
  type FileSystemHost,
  type FunctionHost,
  functionLibrary,
  type RandomBytes,
  STANDARD_FUNCTIONS,
} from "./functions.ts";
export { formatString } from "./format.ts";
export { printExpression } from "./print.ts";
export {
  convertToType,
  type HclType,
  impliedType,
  isComplexType,
  parseTypeExpression,
  type TypeExpressionOptions,
  typeToString,
} from "./types.ts";
export {
  attributesOf,
  type BlockSchema,
  blocksOf,
  type BodyContent,
  bodyContent,
  type BodySchema,
  bodyToValue,
  type BodyToValueOptions,
  expandDynamicBlocks,
  findAttribute,
  type ScopedBlock,
  staticString,
} from "./body.ts";
export {
  describeValue,
  formatNumber,
  isValueObject,
  toBoolValue,
  toNumberValue,
  toStringValue,
  typeName,
  type Value,
  type ValueObject,
  valuesEqual,
} from "./values.ts";
export { walkExpression } from "./walk.ts";
export { formatHcl } from "./fmt.ts";
export { didYouMean, editDistance } from "./suggest.ts";
