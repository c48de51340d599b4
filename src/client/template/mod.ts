/**
 * Go text/template as Nomad's `template` block (consul-template) and the CLI's
 * `-t` flag use it: parse once, execute against data with a set of functions.
 *
 * @example
 * ```ts
 * import { goTemplate } from "./mod.ts";
 * goTemplate("t", "{{ range . }}{{ . }},{{ end }}").execute([1, 2]); // "1,2,"
 * ```
 *
 * @module
 */

import { GO_BUILTINS } from "./builtins.ts";
import { BUILTIN_NAMES, execute, type MissingKey, type TemplateFunction } from "./exec.ts";
import { parse, type TreeSet } from "./parser.ts";
import { type FunctionContext, TEMPLATE_FUNCTIONS, templateFunctions } from "./funcs.ts";
import { type Dependency, type DependencyData, DependencyRecorder } from "./sources.ts";

export { TemplateExecError } from "./exec.ts";
export type { MissingKey, ParamKind, TemplateFunction } from "./exec.ts";
export { TemplateParseError } from "./parser.ts";
export { formatValue, type GoMap, sprintf } from "./format.ts";
export { GO_BUILTINS } from "./builtins.ts";

/** Options of {@linkcode goTemplate}. */
export interface GoTemplateOptions {
  /** Functions beyond Go's builtins (their names are fixed at parse time). */
  functions?: ReadonlyMap<string, TemplateFunction>;
  leftDelim?: string;
  rightDelim?: string;
  /** Go's `missingkey` option; consul-template's `error_on_missing_key` sets "error". */
  missingKey?: MissingKey;
}

/** A parsed template. */
export interface GoTemplate {
  readonly name: string;
  /**
   * Executes the template with `data` as dot. `functions` replaces implementations
   * of functions named at parse time (e.g. ones bound to a render's context).
   */
  execute(data: unknown, functions?: ReadonlyMap<string, TemplateFunction>): string;
}

/** Parses `source` as template `name`; throws TemplateParseError with Go's text. */
export function goTemplate(
  name: string,
  source: string,
  options: GoTemplateOptions = {},
): GoTemplate {
  const base = new Map([...GO_BUILTINS, ...(options.functions ?? [])]);
  const names = new Set([...base.keys(), ...BUILTIN_NAMES]);
  const trees: TreeSet = parse(name, source, {
    functions: names,
    ...(options.leftDelim !== undefined ? { leftDelim: options.leftDelim } : {}),
    ...(options.rightDelim !== undefined ? { rightDelim: options.rightDelim } : {}),
  });
  const missingKey = options.missingKey ?? "default";
  return {
    name,
    execute(data, functions) {
      const all = functions === undefined ? base : new Map([...base, ...functions]);
      return execute(trees, name, data, { functions: all, missingKey });
    },
  };
}

export {
  dependencyKey,
  type DependencyValue,
  fetchDependency,
  type LookupOptions,
  type TemplateService,
  type TemplateServiceSummary,
  type TemplateSources,
  type TemplateVariable,
} from "./sources.ts";
export { type FunctionContext, TEMPLATE_FUNCTIONS } from "./funcs.ts";
export type { Dependency, DependencyData };
export { DependencyRecorder };

/** Parses a Nomad `template` block's text with consul-template's functions. */
export function nomadTemplate(
  name: string,
  source: string,
  options: { leftDelim?: string; rightDelim?: string; errMissingKey?: boolean } = {},
): GoTemplate {
  return goTemplate(name, source, {
    functions: TEMPLATE_FUNCTIONS,
    ...(options.leftDelim ? { leftDelim: options.leftDelim } : {}),
    ...(options.rightDelim ? { rightDelim: options.rightDelim } : {}),
    missingKey: options.errMissingKey === true ? "error" : "default",
  });
}

/** One render of a Nomad template: its text, or what data it still lacks. */
export interface NomadRender {
  output: string;
  /** Every dependency the render looked up, by key. */
  used: Map<string, Dependency>;
  /** Dependencies not fetched yet (or blocking and absent); the output is incomplete. */
  missing: Map<string, Dependency>;
}

/** Renders `template` against fetched `data` (consul-template's multi-phase execution). */
export function renderNomadTemplate(
  template: GoTemplate,
  context: Omit<FunctionContext, "recorder"> & { data: DependencyData },
): NomadRender {
  const recorder = new DependencyRecorder(context.data);
  const output = template.execute(undefined, templateFunctions({ ...context, recorder }));
  return { output, used: recorder.used, missing: recorder.missing };
}
