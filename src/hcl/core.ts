/**
 * The HCL language without its function library or formatter: parse (native
 * and JSON syntax), evaluate, check bodies against schemas. Readers that never
 * call functions (agent configuration, ACL policies) import this, so an agent
 * does not load the function library's dependencies (node:crypto, yaml).
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
export { didYouMean, editDistance } from "./suggest.ts";
