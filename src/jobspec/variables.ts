/**
 * Input variables (`variable "name" {}`, `variables {}`) and `locals {}`.
 * Values come from, lowest priority first: the default, `NOMAD_VAR_<name>` in
 * the environment, variable files in order, then `-var name=value` flags.
 * Behaviour and wording follow Nomad's jobspec2 as observed.
 */

import {
  type Attribute,
  attributesOf,
  type Block,
  bodyContent,
  convertToType,
  type EvalContext,
  evaluate,
  type Expression,
  findAttribute,
  HclSyntaxError,
  type HclType,
  impliedType,
  isComplexType,
  jsonValue,
  parse,
  parseExpressionText,
  parseJson,
  parseTypeExpression,
  type Range,
  type ScopedBlock,
  STANDARD_FUNCTIONS,
  toBoolValue,
  type Value,
  type ValueObject,
  walkExpression,
} from "../hcl/mod.ts";
import { JobspecError } from "./errors.ts";

/** One declared input variable. */
export interface VariableDeclaration {
  readonly name: string;
  /** The declared type, else the type the default implies; null when neither exists. */
  readonly type: HclType | null;
  /** `undefined` when there is no default (the variable must then be set). */
  readonly defaultValue: Value | undefined;
  readonly range: Range;
  readonly validations: readonly ScopedBlock[];
}

/** A variable definitions file (`-var-file`): HCL `name = value` lines, or JSON when named `.json`. */
export interface VarFile {
  readonly filename: string;
  readonly source: string;
}

/** Where variable values come from besides defaults. */
export interface VariableSources {
  /** `-var name=value` flags (highest priority). */
  readonly variables?: Readonly<Record<string, string>>;
  /** The environment; `NOMAD_VAR_<name>` entries are used (lowest priority after defaults). */
  readonly env?: Readonly<Record<string, string>>;
  /** `-var-file` contents, applied in order. */
  readonly varFiles?: readonly VarFile[];
}

/** A context with the standard functions and no variables, for literal-ish values. */
export const LITERAL_CONTEXT: EvalContext = { variables: {}, functions: STANDARD_FUNCTIONS };

/** Nomad's `variable` block takes no `sensitive` or `nullable` (unlike Terraform). */
const VARIABLE_SCHEMA = {
  attributes: ["type", "default", "description"],
  blocks: { validation: {} },
};

const VALIDATION_SCHEMA = { attributes: ["condition", "error_message"] };

const DOCS_URL = "https://developer.hashicorp.com/nomad/docs/reference/hcl2/variables";

/** Collects `variable` and `variables` declarations from the top level of a job file. */
export function collectDeclarations(
  blocks: readonly ScopedBlock[],
): Map<string, VariableDeclaration> {
  const out = new Map<string, VariableDeclaration>();
  const add = (decl: VariableDeclaration) => {
    const previous = out.get(decl.name);
    if (previous !== undefined) {
      throw new HclSyntaxError(
        "Duplicate variable declaration",
        `A variable named "${decl.name}" was already declared at ${
          where(previous.range)
        }. Variable names must be unique within a job.`,
        decl.range,
      );
    }
    out.set(decl.name, decl);
  };
  for (const scoped of blocks) {
    const { block } = scoped;
    if (block.type === "variable") add(declaration(scoped));
    if (block.type !== "variables") continue;
    for (const attr of attributesOf(block.body)) {
      const defaultValue = evaluate(attr.expr, LITERAL_CONTEXT);
      add({
        name: attr.name,
        type: impliedType(defaultValue),
        defaultValue,
        range: attr.nameRange,
        validations: [],
      });
    }
  }
  return out;
}

function declaration(scoped: ScopedBlock): VariableDeclaration {
  const { block } = scoped;
  const content = bodyContent(block.body, VARIABLE_SCHEMA, LITERAL_CONTEXT);
  const typeAttr = content.attributes.get("type");
  const declared = typeAttr === undefined
    ? null
    : parseTypeExpression(typeAttr.expr, { exact: true });
  const defaultAttr = content.attributes.get("default");
  let defaultValue: Value | undefined;
  if (defaultAttr !== undefined) {
    const raw = evaluate(defaultAttr.expr, LITERAL_CONTEXT);
    defaultValue = declared === null ? raw : typed(raw, declared, {
      range: defaultAttr.expr.range,
      summary: "Invalid default value for variable",
      detail: "This default value is not compatible with the variable's type constraint",
    });
  }
  const validations = content.blocks.filter((b) => b.block.type === "validation");
  for (const v of validations) bodyContent(v.block.body, VALIDATION_SCHEMA, LITERAL_CONTEXT);
  return {
    name: block.labels[0]!.value,
    type: declared ?? (defaultValue === undefined ? null : impliedType(defaultValue)),
    defaultValue,
    range: block.typeRange,
    validations,
  };
}

function where(range: Range): string {
  return `${range.filename}:${range.start.line}:${range.start.column}`;
}

/** How to report a value that does not fit a variable's type. */
interface TypeProblem {
  readonly range: Range;
  readonly summary: string;
  readonly detail: string;
}

function typed(value: Value, type: HclType, problem: TypeProblem): Value {
  try {
    return convertToType(value, type);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    throw new HclSyntaxError(
      problem.summary,
      `${problem.detail}: ${error.message}.`,
      problem.range,
    );
  }
}

/**
 * Evaluates a value that may use neither variables nor functions (var files,
 * command-line values), with Nomad's messages.
 */
function constantValue(expr: Expression): Value {
  walkExpression(expr, (e) => {
    if (e.kind === "FunctionCall") {
      throw new HclSyntaxError(
        "Function calls not allowed",
        "Functions may not be called here.",
        e.range,
      );
    }
    if (e.kind === "Variable") {
      throw new HclSyntaxError("Variables not allowed", "Variables may not be used here.", e.range);
    }
  });
  return evaluate(expr, { variables: {}, functions: {} });
}

/**
 * A `-var` / environment string: kept as a string for primitive and untyped
 * variables, parsed as an HCL expression for complex types.
 */
function fromString(raw: string, decl: VariableDeclaration, from: "arguments" | "env"): Value {
  const type = decl.type;
  const summary = from === "arguments"
    ? "Invalid argument value for -var variable"
    : "Invalid value for variable";
  const detail = from === "arguments"
    ? `The received arg value for ${decl.name} is not compatible with the variable's type constraint`
    : `The value for ${decl.name} is not compatible with the variable's type constraint`;
  const filename = `<value for var.${decl.name} from ${from}>`;
  const start = { line: 1, column: 1, offset: 0 };
  let range: Range = { filename, start, end: start };
  let value: Value = raw;
  if (type !== null && isComplexType(type)) {
    const expr = parseExpressionText(raw, filename);
    range = expr.range;
    value = constantValue(expr);
  }
  return type === null ? value : typed(value, type, { range, summary, detail });
}

function undefinedVariable(name: string): JobspecError {
  return new JobspecError(
    `Undefined -var variable: A "${name}" variable was passed in the command line but was not found in known variables. To declare variable "${name}", place this block in your job file: variable "${name}" {}`,
  );
}

/** Values of one `-var-file`, checked against the declarations. */
function varFileValues(file: VarFile, decls: Map<string, VariableDeclaration>): Map<string, Value> {
  const out = new Map<string, Value>();
  const json = file.filename.endsWith(".json");
  const body = json ? parseJson(file.source, file.filename) : parse(file.source, file.filename);
  // Strings in a JSON variable file are literal text, not templates.
  const entries = json
    ? (body.json?.properties ?? []).map((p) => ({
      name: p.name,
      nameRange: p.nameRange,
      range: p.value.range,
      value: () => jsonValue(p.value),
    }))
    : attributesOf(body).map((a) => ({
      name: a.name,
      nameRange: a.nameRange,
      range: a.expr.range,
      value: () => constantValue(a.expr),
    }));
  for (const entry of entries) {
    const decl = decls.get(entry.name);
    if (decl === undefined) {
      throw new HclSyntaxError(
        "Undefined variable",
        `A "${entry.name}" variable was set but was not found in known variables. To declare variable "${entry.name}", place this block in your job file: variable "${entry.name}" {}`,
        entry.nameRange,
      );
    }
    const value = entry.value();
    out.set(
      entry.name,
      decl.type === null ? value : typed(value, decl.type, {
        range: entry.range,
        summary: "Invalid value for variable",
        detail: `The value for ${entry.name} is not compatible with the variable's type constraint`,
      }),
    );
  }
  return out;
}

/** Computes every declared variable's value by precedence, then runs validations. */
export function resolveVariables(
  decls: Map<string, VariableDeclaration>,
  sources: VariableSources,
): ValueObject {
  const values = new Map<string, Value>();
  for (const decl of decls.values()) {
    if (decl.defaultValue !== undefined) values.set(decl.name, decl.defaultValue);
    const fromEnv = sources.env?.[`NOMAD_VAR_${decl.name}`];
    if (fromEnv !== undefined) values.set(decl.name, fromString(fromEnv, decl, "env"));
  }
  for (const file of sources.varFiles ?? []) {
    for (const [name, value] of varFileValues(file, decls)) values.set(name, value);
  }
  for (const [name, raw] of Object.entries(sources.variables ?? {})) {
    const decl = decls.get(name);
    if (decl === undefined) throw undefinedVariable(name);
    values.set(name, fromString(raw, decl, "arguments"));
  }
  const out: ValueObject = {};
  for (const decl of decls.values()) {
    if (!values.has(decl.name)) {
      throw new HclSyntaxError(
        `Unset variable "${decl.name}"`,
        `A used variable must be set or have a default value; see ${DOCS_URL}  for details.`,
        decl.range,
      );
    }
    out[decl.name] = values.get(decl.name)!;
  }
  for (const decl of decls.values()) validate(decl, out[decl.name]!);
  return out;
}

function validate(decl: VariableDeclaration, value: Value): void {
  const ctx: EvalContext = {
    variables: { var: { [decl.name]: value } },
    functions: STANDARD_FUNCTIONS,
  };
  for (const scoped of decl.validations) {
    const condition = findAttribute(scoped.block.body, "condition");
    const message = findAttribute(scoped.block.body, "error_message");
    if (condition === undefined || message === undefined) {
      throw new HclSyntaxError(
        "Missing required argument",
        `The argument "${condition === undefined ? "condition" : "error_message"}" is required.`,
        scoped.block.openBraceRange,
      );
    }
    const ok = evaluate(condition.expr, ctx);
    let passed: boolean;
    try {
      passed = ok !== null && toBoolValue(ok);
    } catch {
      throw new HclSyntaxError(
        "Invalid variable validation result",
        "The validation condition must produce a bool.",
        condition.expr.range,
      );
    }
    if (!passed) {
      const text = String(evaluate(message.expr, LITERAL_CONTEXT));
      const rule = scoped.block.typeRange;
      throw new HclSyntaxError(
        "Invalid value for variable",
        `${text} This was checked by the validation rule at ${where(rule)}.`,
        condition.expr.range,
      );
    }
  }
}

/** Names `expr` reads as `local.<name>` or `local["<name>"]`. */
function localReferences(attr: Attribute): Set<string> {
  const names = new Set<string>();
  walkExpression(attr.expr, (e) => {
    if (e.kind === "GetAttr" && e.target.kind === "Variable" && e.target.name === "local") {
      names.add(e.name);
    }
    if (
      e.kind === "Index" && e.target.kind === "Variable" && e.target.name === "local" &&
      e.key.kind === "Literal" && typeof e.key.value === "string"
    ) {
      names.add(e.key.value);
    }
  });
  return names;
}

/** Evaluates all `locals` blocks in dependency order; `ctx` already holds `var`. */
export function evaluateLocals(blocks: readonly Block[], ctx: EvalContext): ValueObject {
  const pending = new Map<string, Attribute>();
  for (const block of blocks) {
    for (const attr of attributesOf(block.body)) {
      const previous = pending.get(attr.name);
      if (previous !== undefined) {
        throw new HclSyntaxError(
          "Duplicate local value definition",
          `A local value named "${attr.name}" was already defined at ${where(previous.nameRange)}.`,
          attr.nameRange,
        );
      }
      pending.set(attr.name, attr);
    }
  }
  const references = new Map<string, string[]>();
  for (const attr of pending.values()) references.set(attr.name, [...localReferences(attr)]);
  const locals: ValueObject = {};
  // Each round evaluates at least one local, so there are at most `size` rounds.
  while (pending.size > 0) {
    const ready = [...pending.values()].filter((attr) =>
      references.get(attr.name)!.every((name) => !pending.has(name))
    );
    if (ready.length === 0) {
      const attr = pending.values().next().value!;
      throw new HclSyntaxError(
        "Circular reference",
        `The local value "${attr.name}" refers to itself, directly or through other local values.`,
        attr.nameRange,
      );
    }
    for (const attr of ready) {
      locals[attr.name] = evaluate(attr.expr, {
        ...ctx,
        variables: { ...ctx.variables, local: locals },
      });
      pending.delete(attr.name);
    }
  }
  return locals;
}
