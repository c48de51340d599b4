/**
 * The HCL native-syntax tree. Every node carries its source range so that
 * decoders can report `file:line:column` for any problem they find later.
 */

/** A point in a source file; `line` and `column` are 1-based, `offset` is 0-based. */
export interface Pos {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

/** The span of a node: `start` inclusive, `end` exclusive. */
export interface Range {
  readonly filename: string;
  readonly start: Pos;
  readonly end: Pos;
}

/** A sequence of attributes and blocks, in source order. */
export interface Body {
  readonly kind: "Body";
  readonly items: readonly (Attribute | Block)[];
  readonly range: Range;
  /**
   * Set for a body written in HCL's JSON syntax: its properties, which
   * `bodyContent` sorts into attributes and blocks by the schema. `items`
   * then reads every property as an attribute.
   */
  readonly json?: JsonObjectNode;
}

/** A JSON value with positions (HCL's JSON syntax). */
export type JsonNode =
  | JsonObjectNode
  | { readonly kind: "array"; readonly items: readonly JsonNode[]; readonly range: Range }
  | { readonly kind: "string"; readonly value: string; readonly range: Range }
  | { readonly kind: "number"; readonly value: number; readonly range: Range }
  | { readonly kind: "bool"; readonly value: boolean; readonly range: Range }
  | { readonly kind: "null"; readonly value: null; readonly range: Range };

/** A JSON object; duplicate names are kept in order. */
export interface JsonObjectNode {
  readonly kind: "object";
  readonly properties: readonly JsonProperty[];
  readonly range: Range;
}

/** One `"name": value` of a JSON object. */
export interface JsonProperty {
  readonly name: string;
  readonly nameRange: Range;
  readonly value: JsonNode;
}

/** `name = expression`. */
export interface Attribute {
  readonly kind: "Attribute";
  readonly name: string;
  readonly nameRange: Range;
  readonly expr: Expression;
  readonly range: Range;
}

/** A block label with where it was written. */
export interface Label {
  readonly value: string;
  readonly range: Range;
}

/** `type "label" label2 { body }`. */
export interface Block {
  readonly kind: "Block";
  readonly type: string;
  readonly typeRange: Range;
  readonly labels: readonly Label[];
  readonly body: Body;
  readonly openBraceRange: Range;
  readonly range: Range;
}

/** Any HCL expression. */
export type Expression =
  | LiteralExpr
  | TemplateExpr
  | TupleExpr
  | ObjectExpr
  | VariableExpr
  | GetAttrExpr
  | IndexExpr
  | SplatExpr
  | FunctionCallExpr
  | UnaryExpr
  | BinaryExpr
  | ConditionalExpr
  | ParensExpr
  | ForExpr;

/** A number, boolean, null or plain string value. */
export interface LiteralExpr {
  readonly kind: "Literal";
  readonly value: string | number | boolean | null;
  readonly range: Range;
}

/** A quoted string or heredoc, possibly with interpolations and directives. */
export interface TemplateExpr {
  readonly kind: "Template";
  readonly parts: readonly TemplatePart[];
  readonly heredoc: boolean;
  readonly range: Range;
}

/** One piece of a template. */
export type TemplatePart =
  | TemplateLiteral
  | TemplateInterpolation
  | TemplateIf
  | TemplateFor;

/** Literal text of a template, escapes already resolved. */
export interface TemplateLiteral {
  readonly kind: "TemplateLiteral";
  readonly value: string;
  readonly range: Range;
}

/**
 * `${ expr }`. `text` is what stays between `${` and `}` when `expr` is a
 * reference resolved only at runtime: the source, keeping the spaces inside
 * the braces unless a strip marker or a comment sits between them and the
 * reference (observed from Nomad).
 */
export interface TemplateInterpolation {
  readonly kind: "TemplateInterpolation";
  readonly expr: Expression;
  readonly text: string;
  readonly range: Range;
}

/** `%{ if cond }...%{ else }...%{ endif }`. */
export interface TemplateIf {
  readonly kind: "TemplateIf";
  readonly condition: Expression;
  readonly then: readonly TemplatePart[];
  readonly else: readonly TemplatePart[];
  readonly range: Range;
}

/** `%{ for k, v in coll }...%{ endfor }`. */
export interface TemplateFor {
  readonly kind: "TemplateFor";
  readonly keyVar: string | null;
  readonly valueVar: string;
  readonly collection: Expression;
  readonly body: readonly TemplatePart[];
  readonly range: Range;
}

/** `[a, b, c]`. */
export interface TupleExpr {
  readonly kind: "Tuple";
  readonly items: readonly Expression[];
  readonly range: Range;
}

/** One `key = value` (or `key: value`) of an object constructor. */
export interface ObjectItem {
  readonly key: Expression;
  readonly value: Expression;
}

/** `{ k = v, "k2": v2 }`. A bare identifier key is a literal string key. */
export interface ObjectExpr {
  readonly kind: "Object";
  readonly items: readonly ObjectItem[];
  readonly range: Range;
}

/** A root variable reference such as `var` in `var.x`. */
export interface VariableExpr {
  readonly kind: "Variable";
  readonly name: string;
  readonly range: Range;
  /** Exact source text, kept for references resolved at runtime (`attr.kernel.name`). */
  readonly source?: string;
}

/** `target.name`. */
export interface GetAttrExpr {
  readonly kind: "GetAttr";
  readonly target: Expression;
  readonly name: string;
  readonly range: Range;
  /** Exact source text of the whole traversal up to here. */
  readonly source?: string;
}

/** `target[key]` (also the legacy `target.0`). */
export interface IndexExpr {
  readonly kind: "Index";
  readonly target: Expression;
  readonly key: Expression;
  readonly range: Range;
  /** Exact source text of the whole traversal up to here. */
  readonly source?: string;
}

/** One step applied to each element by a splat. */
export type SplatStep =
  | { readonly kind: "Attr"; readonly name: string }
  | { readonly kind: "Index"; readonly key: Expression };

/** `source[*].a.b` or `source.*.a`. */
export interface SplatExpr {
  readonly kind: "Splat";
  readonly source: Expression;
  readonly steps: readonly SplatStep[];
  readonly range: Range;
}

/** `name(arg, arg...)`. */
export interface FunctionCallExpr {
  readonly kind: "FunctionCall";
  readonly name: string;
  readonly nameRange: Range;
  readonly args: readonly Expression[];
  readonly expandFinal: boolean;
  readonly range: Range;
}

/** Unary operators. */
export type UnaryOp = "-" | "!";

/** `-x` or `!x`. */
export interface UnaryExpr {
  readonly kind: "Unary";
  readonly op: UnaryOp;
  readonly operand: Expression;
  readonly range: Range;
}

/** Binary operators, loosest-binding first. */
export type BinaryOp =
  | "||"
  | "&&"
  | "=="
  | "!="
  | "<"
  | ">"
  | "<="
  | ">="
  | "+"
  | "-"
  | "*"
  | "/"
  | "%";

/** `left op right`. */
export interface BinaryExpr {
  readonly kind: "Binary";
  readonly op: BinaryOp;
  readonly left: Expression;
  readonly right: Expression;
  readonly range: Range;
}

/** `condition ? then : else`. */
export interface ConditionalExpr {
  readonly kind: "Conditional";
  readonly condition: Expression;
  readonly then: Expression;
  readonly else: Expression;
  readonly range: Range;
}

/** `( expr )`, kept so object keys in parentheses are evaluated, not taken literally. */
export interface ParensExpr {
  readonly kind: "Parens";
  readonly expr: Expression;
  readonly range: Range;
}

/** `[for k, v in coll : value if cond]` or `{for k, v in coll : key => value... if cond}`. */
export interface ForExpr {
  readonly kind: "For";
  readonly keyVar: string | null;
  readonly valueVar: string;
  readonly collection: Expression;
  readonly keyExpr: Expression | null;
  readonly valueExpr: Expression;
  readonly condition: Expression | null;
  readonly grouping: boolean;
  readonly range: Range;
}
