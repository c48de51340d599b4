/**
 * Executes a parsed template against data, with Go's text/template semantics:
 * truth, field and map access, variables, pipelines, range/with/if, nested
 * templates and Go's error texts (`template: name:line:col: executing ...`).
 */

import {
  type Arg,
  argString,
  type Command,
  commandString,
  type ControlNode,
  type Node,
  type Pipe,
  type Tree,
  type TreeSet,
} from "./parser.ts";
import { formatValue, goTypeName, isGoMap, isPlainObject, mapEntries } from "./format.ts";

/** Kinds of parameters the executor checks before calling a function. */
export type ParamKind = "any" | "string" | "int" | "number" | "bool";

/** A function callable from templates; throwing fails the call with Go's "error calling". */
export interface TemplateFunction {
  params: readonly ParamKind[];
  /** The kind of extra arguments; absent: the function takes exactly `params`. */
  variadic?: ParamKind;
  call(args: unknown[]): unknown;
}

/** What `{{.Missing}}` does on a map: Go's `missingkey` option. */
export type MissingKey = "default" | "zero" | "error";

/** An execution failure, in Go's words. */
export class TemplateExecError extends Error {
  /** Wraps `message`. */
  constructor(message: string) {
    super(message);
    this.name = "TemplateExecError";
  }
}

/** Bounds on one execution. */
export const MAX_EXEC_DEPTH = 1000;
/** Output beyond this many characters fails the execution. */
export const MAX_OUTPUT_CHARS = 16 * 1024 * 1024;
/** Range iterations per execution (bounds hostile `loop`/range over large ints). */
export const MAX_RANGE_ITERATIONS = 10_000_000;

/** Functions the executor implements itself (they need lazy or reflective arguments). */
export const BUILTIN_NAMES: ReadonlySet<string> = new Set(["and", "or", "not", "call"]);

class Break {}
class Continue {}

interface Variable {
  name: string;
  value: unknown;
}

/** Executes template `name` of `trees` with `data` as dot. */
export function execute(
  trees: TreeSet,
  name: string,
  data: unknown,
  options: { functions: ReadonlyMap<string, TemplateFunction>; missingKey: MissingKey },
): string {
  const tree = trees.get(name);
  if (tree === undefined) {
    throw new TemplateExecError(
      `template: no template "${name}" associated with template "${name}"`,
    );
  }
  const state = new State(trees, tree, options);
  // Go's Execute(w, nil) has no dot at all: fields of it are "no value".
  const dot = data === null ? undefined : data;
  state.walkList(dot, tree.root, [{ name: "$", value: dot }]);
  return state.output();
}

class State {
  readonly #trees: TreeSet;
  readonly #functions: ReadonlyMap<string, TemplateFunction>;
  readonly #missingKey: MissingKey;
  #tree: Tree;
  #at: { pos: number; text: string } = { pos: 0, text: "" };
  #out: string[] = [];
  #size = 0;
  #depth = 0;
  #iterations = 0;

  constructor(
    trees: TreeSet,
    tree: Tree,
    options: { functions: ReadonlyMap<string, TemplateFunction>; missingKey: MissingKey },
  ) {
    this.#trees = trees;
    this.#tree = tree;
    this.#functions = options.functions;
    this.#missingKey = options.missingKey;
  }

  output(): string {
    return this.#out.join("");
  }

  #write(text: string): void {
    this.#size += text.length;
    if (this.#size > MAX_OUTPUT_CHARS) this.#fail(`output exceeds ${MAX_OUTPUT_CHARS} characters`);
    this.#out.push(text);
  }

  #setAt(pos: number, text: string): void {
    this.#at = { pos, text };
  }

  /** Go's error with its position: `template: name:line:col: executing "name" at <ctx>: msg`. */
  #fail(message: string): never {
    const source = this.#tree.source.slice(0, this.#at.pos);
    const line = 1 + (source.match(/\n/g)?.length ?? 0);
    const column = this.#at.pos - (source.lastIndexOf("\n") + 1);
    let context = this.#at.text;
    if (context.length > 20) context = `${context.slice(0, 20)}...`;
    throw new TemplateExecError(
      `template: ${this.#tree.name}:${line}:${column}: executing "${this.#tree.name}" at <${context}>: ${message}`,
    );
  }

  walkList(dot: unknown, nodes: readonly Node[], vars: Variable[]): void {
    for (const node of nodes) this.#walk(dot, node, vars);
  }

  #walk(dot: unknown, node: Node, vars: Variable[]): void {
    switch (node.type) {
      case "text":
        return this.#write(node.text);
      case "action": {
        const value = this.#evalPipeline(dot, node.pipe, vars);
        if (node.pipe.decl.length === 0) this.#write(printable(value));
        return;
      }
      case "if":
      case "with": {
        const scope = vars.length;
        const value = this.#evalPipeline(dot, node.pipe, vars);
        const body = truth(value) ? node.list : node.elseList;
        if (body !== null) {
          this.walkList(node.type === "with" && truth(value) ? value : dot, body, vars);
        }
        vars.length = scope;
        return;
      }
      case "range":
        return this.#walkRange(dot, node, vars);
      case "template":
        return this.#walkTemplate(dot, node, vars);
      case "break":
        throw new Break();
      case "continue":
        throw new Continue();
    }
  }

  #walkRange(dot: unknown, node: ControlNode, vars: Variable[]): void {
    const scope = vars.length;
    const pipe = node.pipe;
    const value = this.#evalPipeline(dot, { ...pipe, decl: [] }, vars);
    const items = this.#rangeItems(value);
    for (const [key, item] of items) {
      if (++this.#iterations > MAX_RANGE_ITERATIONS) {
        this.#fail(`range exceeds ${MAX_RANGE_ITERATIONS} iterations`);
      }
      this.#declareRange(pipe, vars, key, item);
      try {
        this.walkList(item, node.list, vars);
      } catch (err) {
        if (err instanceof Break) break;
        if (!(err instanceof Continue)) throw err;
      } finally {
        if (!pipe.isAssign) vars.length = scope + pipe.decl.length;
      }
    }
    vars.length = scope;
    if (items.length === 0 && node.elseList !== null) this.walkList(dot, node.elseList, vars);
  }

  #declareRange(pipe: Pipe, vars: Variable[], key: unknown, item: unknown): void {
    const values = pipe.decl.length === 2 ? [key, item] : [item];
    pipe.decl.forEach((name, i) => {
      if (pipe.isAssign) this.#setVariable(vars, name, values[i]);
      else vars.push({ name, value: values[i] });
    });
  }

  #rangeItems(value: unknown): [unknown, unknown][] {
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value.map((v, i) => [i, v]);
    const entries = mapEntries(value);
    if (entries !== null) return entries;
    if (typeof value === "number" && Number.isInteger(value)) {
      if (value > MAX_RANGE_ITERATIONS) {
        this.#fail(`range exceeds ${MAX_RANGE_ITERATIONS} iterations`);
      }
      return Array.from({ length: Math.max(0, value) }, (_, i) => [i, i]);
    }
    return this.#fail(`range can't iterate over ${formatValue(value)}`);
  }

  #walkTemplate(dot: unknown, node: Extract<Node, { type: "template" }>, vars: Variable[]): void {
    this.#setAt(
      node.pos,
      `{{template "${node.name}"${
        node.pipe ? " " + node.pipe.cmds.map(commandString).join(" | ") : ""
      }}}`,
    );
    const tree = this.#trees.get(node.name);
    if (tree === undefined) this.#fail(`template "${node.name}" not defined`);
    if (this.#depth >= MAX_EXEC_DEPTH) {
      this.#fail(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    }
    const value = node.pipe === null ? undefined : this.#evalPipeline(dot, node.pipe, vars);
    const saved = this.#tree;
    this.#depth++;
    this.#tree = tree;
    try {
      this.walkList(value, tree.root, [{ name: "$", value }]);
    } finally {
      this.#tree = saved;
      this.#depth--;
    }
  }

  #evalPipeline(dot: unknown, pipe: Pipe, vars: Variable[]): unknown {
    let value: unknown = undefined;
    let first = true;
    for (const cmd of pipe.cmds) {
      value = this.#evalCommand(dot, cmd, vars, first ? NO_FINAL : value);
      first = false;
    }
    for (const name of pipe.decl) {
      if (pipe.isAssign) this.#setVariable(vars, name, value);
      else vars.push({ name, value });
    }
    return value;
  }

  #setVariable(vars: Variable[], name: string, value: unknown): void {
    for (let i = vars.length - 1; i >= 0; i--) {
      if (vars[i]!.name === name) {
        vars[i] = { name, value };
        return;
      }
    }
    this.#fail(`undefined variable: ${name}`);
  }

  #variable(vars: Variable[], name: string): unknown {
    for (let i = vars.length - 1; i >= 0; i--) if (vars[i]!.name === name) return vars[i]!.value;
    return this.#fail(`undefined variable: ${name}`);
  }

  #evalCommand(dot: unknown, cmd: Command, vars: Variable[], final: unknown): unknown {
    const first = cmd.args[0]!;
    switch (first.type) {
      case "field":
        this.#setAt(first.pos, argString(first));
        return this.#evalFields(dot, dot, first.idents, cmd.args, final, vars);
      case "variable": {
        this.#setAt(first.pos, argString(first));
        const value = this.#variable(vars, first.idents[0]!);
        if (first.idents.length === 1) {
          this.#notAFunction(cmd, final);
          return value;
        }
        return this.#evalFields(dot, value, first.idents.slice(1), cmd.args, final, vars);
      }
      case "chain": {
        this.#setAt(first.pos, argString(first));
        const receiver = this.#evalArg(dot, first.node, vars);
        return this.#evalFields(dot, receiver, first.idents, cmd.args, final, vars);
      }
      case "identifier":
        return this.#evalFunction(dot, first, cmd, vars, final);
      case "pipe":
        this.#notAFunction(cmd, final);
        return this.#evalPipeline(dot, first.pipe, [...vars]);
    }
    this.#setAt(first.pos, argString(first));
    this.#notAFunction(cmd, final);
    if (first.type === "nil") this.#fail("nil is not a command");
    return this.#evalArg(dot, first, vars);
  }

  #notAFunction(cmd: Command, final: unknown): void {
    if (cmd.args.length > 1 || final !== NO_FINAL) {
      this.#fail(`can't give argument to non-function ${argString(cmd.args[0]!)}`);
    }
  }

  /** `.A.B.C` on `receiver`; the last one may be a method taking the command's arguments. */
  #evalFields(
    dot: unknown,
    receiver: unknown,
    idents: readonly string[],
    args: readonly Arg[],
    final: unknown,
    vars: Variable[],
  ): unknown {
    let value = receiver;
    idents.forEach((ident, i) => {
      const last = i === idents.length - 1;
      value = this.#evalField(dot, ident, value, last ? args : [], last ? final : NO_FINAL, vars);
    });
    return value;
  }

  #evalField(
    dot: unknown,
    name: string,
    receiver: unknown,
    args: readonly Arg[],
    final: unknown,
    vars: Variable[],
  ): unknown {
    if (receiver === undefined) {
      if (this.#missingKey === "error") this.#fail(`nil data; no entry for key "${name}"`);
      return undefined;
    }
    if (receiver === null) this.#fail(`nil pointer evaluating interface {}.${name}`);
    const hasArgs = args.length > 1 || final !== NO_FINAL;
    const method = methodOf(receiver, name);
    if (method !== null) {
      const values = args.slice(1).map((a) => this.#evalArg(dot, a, vars));
      if (final !== NO_FINAL) values.push(final);
      try {
        return method.apply(receiver, values);
      } catch (err) {
        return this.#fail(`error calling ${name}: ${errorText(err)}`);
      }
    }
    if (isPlainObject(receiver) || isGoMap(receiver) || receiver instanceof Map) {
      if (hasArgs) this.#fail(`${name} is not a method but has arguments`);
      const found = mapLookup(receiver, name);
      if (found.found) return found.value;
      if (this.#missingKey === "error") this.#fail(`map has no entry for key "${name}"`);
      return undefined;
    }
    if (typeof receiver === "object" && Object.hasOwn(receiver as object, name)) {
      if (hasArgs) this.#fail(`${name} has arguments but cannot be invoked as function`);
      return (receiver as Record<string, unknown>)[name];
    }
    // A value reached through a map or slice has Go's static type interface {}.
    const type = typeof receiver === "object" ? goTypeName(receiver) : "interface {}";
    return this.#fail(`can't evaluate field ${name} in type ${type}`);
  }

  #evalFunction(
    dot: unknown,
    ident: Extract<Arg, { type: "identifier" }>,
    cmd: Command,
    vars: Variable[],
    final: unknown,
  ): unknown {
    this.#setAt(ident.pos, ident.name);
    const argNodes = cmd.args.slice(1);
    if (ident.name === "and" || ident.name === "or") {
      return this.#evalAndOr(ident.name, dot, argNodes, vars, final);
    }
    const fn = this.#functions.get(ident.name);
    if (ident.name === "not") return this.#evalNot(dot, argNodes, vars, final);
    if (fn === undefined) return this.#fail(`"${ident.name}" is not a defined function`);
    const count = argNodes.length + (final !== NO_FINAL ? 1 : 0);
    if (fn.variadic === undefined ? count !== fn.params.length : count < fn.params.length) {
      const want = fn.variadic === undefined
        ? `${fn.params.length}`
        : `at least ${fn.params.length}`;
      this.#fail(`wrong number of args for ${ident.name}: want ${want} got ${count}`);
    }
    const values: unknown[] = argNodes.map((node, i) =>
      this.#checked(this.#evalArg(dot, node, vars), kindAt(fn, i), node)
    );
    if (final !== NO_FINAL) values.push(this.#checked(final, kindAt(fn, values.length), null));
    this.#setAt(cmd.pos, commandString(cmd));
    try {
      return fn.call(values);
    } catch (err) {
      if (err instanceof TemplateExecError) throw err;
      return this.#fail(`error calling ${ident.name}: ${errorText(err)}`);
    }
  }

  #evalAndOr(
    name: "and" | "or",
    dot: unknown,
    argNodes: readonly Arg[],
    vars: Variable[],
    final: unknown,
  ): unknown {
    const count = argNodes.length + (final !== NO_FINAL ? 1 : 0);
    if (count < 1) this.#fail(`wrong number of args for ${name}: want at least 1 got 0`);
    let value: unknown = undefined;
    for (const node of argNodes) {
      value = nilForMissing(this.#evalArg(dot, node, vars));
      if (name === "and" ? !truth(value) : truth(value)) return value;
    }
    return final !== NO_FINAL ? final : value;
  }

  #evalNot(dot: unknown, argNodes: readonly Arg[], vars: Variable[], final: unknown): boolean {
    const count = argNodes.length + (final !== NO_FINAL ? 1 : 0);
    if (count !== 1) this.#fail(`wrong number of args for not: want 1 got ${count}`);
    return !truth(argNodes.length === 1 ? this.#evalArg(dot, argNodes[0]!, vars) : final);
  }

  #checked(value: unknown, kind: ParamKind, node: Arg | null): unknown {
    if (node !== null && node.type !== "pipe") this.#setAt(node.pos, argString(node));
    switch (kind) {
      case "any":
        return nilForMissing(value);
      case "string":
        if (typeof value === "string") return value;
        break;
      case "int":
        if (typeof value === "number" && Number.isInteger(value)) return value;
        break;
      case "number":
        if (typeof value === "number") return value;
        break;
      case "bool":
        if (typeof value === "boolean") return value;
        break;
    }
    const expected = kind === "int" ? "int" : kind === "number" ? "float64" : kind;
    if (value === undefined || value === null) {
      return this.#fail(`invalid value; expected ${expected}`);
    }
    if (node !== null && ["number", "string", "bool"].includes(node.type)) {
      return this.#fail(`expected ${expected}; found ${argString(node)}`);
    }
    return this.#fail(`wrong type for value; expected ${expected}; got ${goTypeName(value)}`);
  }

  #evalArg(dot: unknown, node: Arg, vars: Variable[]): unknown {
    this.#setAt(node.pos, argString(node));
    switch (node.type) {
      case "dot":
        return dot;
      case "nil":
        return null;
      case "bool":
      case "number":
      case "string":
        return node.value;
      case "field":
        return this.#evalFields(dot, dot, node.idents, [node], NO_FINAL, vars);
      case "variable": {
        const value = this.#variable(vars, node.idents[0]!);
        return this.#evalFields(dot, value, node.idents.slice(1), [node], NO_FINAL, vars);
      }
      case "chain": {
        const receiver = this.#evalArg(dot, node.node, vars);
        return this.#evalFields(dot, receiver, node.idents, [node], NO_FINAL, vars);
      }
      case "pipe":
        return this.#evalPipeline(dot, node.pipe, [...vars]);
      case "identifier":
        return this.#evalFunction(dot, node, { pos: node.pos, args: [node] }, vars, NO_FINAL);
    }
  }
}

/** Marks "no value piped in" (distinct from a piped-in `undefined`). */
const NO_FINAL: unique symbol = Symbol("no final");

function kindAt(fn: TemplateFunction, index: number): ParamKind {
  return fn.params[index] ?? fn.variadic ?? "any";
}

function nilForMissing(value: unknown): unknown {
  return value === undefined ? null : value;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A method callable on `receiver` (a function on a class instance, never map data). */
function methodOf(receiver: unknown, name: string): ((...args: unknown[]) => unknown) | null {
  if (typeof receiver !== "object" || receiver === null || isPlainObject(receiver)) return null;
  if (Array.isArray(receiver) || name === "constructor" || name === "goMapEntries") return null;
  const candidate = (receiver as Record<string, unknown>)[name];
  return typeof candidate === "function" ? candidate as (...args: unknown[]) => unknown : null;
}

function mapLookup(receiver: object, name: string): { found: boolean; value?: unknown } {
  if (receiver instanceof Map) {
    return receiver.has(name) ? { found: true, value: receiver.get(name) } : { found: false };
  }
  if (isGoMap(receiver)) {
    const entry = receiver.goMapEntries().find(([k]) => k === name);
    return entry === undefined ? { found: false } : { found: true, value: entry[1] };
  }
  return Object.hasOwn(receiver, name)
    ? { found: true, value: (receiver as Record<string, unknown>)[name] }
    : { found: false };
}

/** Go's truth: false, 0, nil, "" and empty slices and maps are false. */
export function truth(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0;
  if (typeof value === "string") return value.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  const entries = mapEntries(value);
  if (entries !== null) return entries.length > 0;
  return true;
}

/** What an action prints: Go's `<no value>` for a missing or nil value, else `%v`. */
function printable(value: unknown): string {
  return value === undefined || value === null ? "<no value>" : formatValue(value);
}
