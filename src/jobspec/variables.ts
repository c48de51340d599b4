/**
 * Input variables (`variable "name" {}`, `variables {}`) and `locals {}`.
 * Values come from, lowest priority first: the default, `NOMAD_VAR_<name>` in
 * the environment, variable files in order, then `-var name=value` flags.
 */

import {
  type Attribute,
  attributesOf,
  type Block,
  bodyContent,
  convertToType,
  type EvalContext,
  evaluate,
  findAttribute,
  HclSyntaxError,
  type HclType,
  isComplexType,
  parse,
  parseExpressionText,
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
  readonly type: HclType | null;
  /** `undefined` when there is no default (the variable must then be set). */
  readonly defaultValue: Value | undefined;
  readonly range: Range;
  readonly validations: readonly ScopedBlock[];
}

/** A variable definitions file (`-var-file`): HCL `name = value` lines or a JSON object. */
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

const VARIABLE_SCHEMA = {
  attributes: ["type", "default", "description", "sensitive", "nullable"],
  blocks: { validation: {} },
};

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
      add({
        name: attr.name,
        type: null,
        defaultValue: evaluate(attr.expr, LITERAL_CONTEXT),
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
  const type = typeAttr === undefined ? null : parseTypeExpression(typeAttr.expr);
  const defaultAttr = content.attributes.get("default");
  let defaultValue: Value | undefined;
  if (defaultAttr !== undefined) {
    const raw = evaluate(defaultAttr.expr, LITERAL_CONTEXT);
    defaultValue = type === null ? raw : typed(raw, type, defaultAttr.expr.range, "default");
  }
  return {
    name: block.labels[0]!.value,
    type,
    defaultValue,
    range: block.typeRange,
    validations: content.blocks.filter((b) => b.block.type === "validation"),
  };
}

function where(range: Range): string {
  return `${range.filename}:${range.start.line}:${range.start.column}`;
}

function typed(value: Value, type: HclType, range: Range, what: string): Value {
  try {
    return convertToType(value, type);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    throw new HclSyntaxError(
      "Invalid value for variable",
      `The ${what} value is not suitable: ${error.message}.`,
      range,
    );
  }
}

/** Parses a `-var` / environment string: literal for primitive types, HCL syntax for complex ones. */
function fromString(raw: string, decl: VariableDeclaration, source: string): Value {
  try {
    if (decl.type === null) return raw;
    if (!isComplexType(decl.type)) return convertToType(raw, decl.type);
    const expr = parseExpressionText(raw, `<value for var.${decl.name}>`);
    return convertToType(evaluate(expr, LITERAL_CONTEXT), decl.type);
  } catch (error) {
    if (!(error instanceof TypeError) && !(error instanceof HclSyntaxError)) throw error;
    throw new JobspecError(`Invalid value for ${source} variable "${decl.name}": ${error.message}`);
  }
}

function undefinedVariable(name: string, how: string): JobspecError {
  return new JobspecError(
    `Undefined ${how} variable: A "${name}" variable was ${
      how === "-var" ? "passed in using the -var flag" : "set in a variable file"
    }, but was not found in known variables. To declare variable "${name}", place this block in your job file: variable "${name}" {}`,
  );
}

/** Values of `-var-file` files, checked against the declarations. */
function varFileValues(file: VarFile, decls: Map<string, VariableDeclaration>): Map<string, Value> {
  const out = new Map<string, Value>();
  if (file.source.trimStart().startsWith("{")) {
    const parsed = JSON.parse(file.source) as ValueObject;
    for (const [name, value] of Object.entries(parsed)) {
      const decl = decls.get(name);
      if (decl === undefined) throw undefinedVariable(name, "-var-file");
      out.set(name, decl.type === null ? value : typed(value, decl.type, decl.range, `"${name}"`));
    }
    return out;
  }
  const body = parse(file.source, file.filename);
  const content = bodyContent(
    body,
    { attributes: attributesOf(body).map((a) => a.name) },
    LITERAL_CONTEXT,
  );
  for (const attr of content.attributes.values()) {
    const decl = decls.get(attr.name);
    if (decl === undefined) {
      throw new HclSyntaxError(
        "Undefined variable",
        `A "${attr.name}" variable was set but was not found in known variables. To declare variable "${attr.name}", place this block in your job file: variable "${attr.name}" {}`,
        attr.nameRange,
      );
    }
    const value = evaluate(attr.expr, LITERAL_CONTEXT);
    out.set(
      attr.name,
      decl.type === null ? value : typed(value, decl.type, attr.expr.range, `"${attr.name}"`),
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
    if (fromEnv !== undefined) values.set(decl.name, fromString(fromEnv, decl, "environment"));
  }
  for (const file of sources.varFiles ?? []) {
    for (const [name, value] of varFileValues(file, decls)) values.set(name, value);
  }
  for (const [name, raw] of Object.entries(sources.variables ?? {})) {
    const decl = decls.get(name);
    if (decl === undefined) throw undefinedVariable(name, "-var");
    values.set(name, fromString(raw, decl, "-var"));
  }
  const out: ValueObject = {};
  for (const decl of decls.values()) {
    if (!values.has(decl.name)) {
      throw new HclSyntaxError(
        `Unset variable "${decl.name}"`,
        "A used variable must be set or have a default value; see https://developer.hashicorp.com/nomad/docs/job-specification/hcl2/variables for details.",
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
    if (condition === undefined) {
      throw new HclSyntaxError(
        "Missing required argument",
        'The argument "condition" is required.',
        scoped.block.openBraceRange,
      );
    }
    const ok = evaluate(condition.expr, ctx);
    let passed: boolean;
    try {
      passed = toBoolValue(ok);
    } catch {
      throw new HclSyntaxError(
        "Invalid variable validation result",
        "The validation condition must produce a bool.",
        condition.expr.range,
      );
    }
    if (!passed) {
      const text = message === undefined ? "" : String(evaluate(message.expr, LITERAL_CONTEXT));
      throw new HclSyntaxError(
        "Invalid value for variable",
        `${text} (validation of var.${decl.name})`.trim(),
        condition.expr.range,
      );
    }
  }
}

/** Names `expr` reads as `local.<name>`. */
function localReferences(attr: Attribute): Set<string> {
  const names = new Set<string>();
  walkExpression(attr.expr, (e) => {
    if (e.kind === "GetAttr" && e.target.kind === "Variable" && e.target.name === "local") {
      names.add(e.name);
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
  const locals: ValueObject = {};
  while (pending.size > 0) {
    const ready = [...pending.values()].filter((attr) =>
      [...localReferences(attr)].every((name) => !pending.has(name))
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
