/**
 * The parser of Go's text/template syntax: tokens into a tree of text, actions
 * and control structures, with `define`d and `block` templates kept by name.
 */

import { lex, LexError, type Token } from "./lexer.ts";

/** A parsing failure, in Go's words: `template: name:line: message`. */
export class TemplateParseError extends SyntaxError {
  /** Records the failure of template `name` at `line`. */
  constructor(name: string, line: number, message: string) {
    super(`template: ${name}:${line}: ${message}`);
    this.name = "TemplateParseError";
  }
}

/** An operand of a command. */
export type Arg =
  | { type: "field"; pos: number; idents: string[] }
  | { type: "variable"; pos: number; idents: string[] }
  | { type: "chain"; pos: number; node: Arg; idents: string[] }
  | { type: "identifier"; pos: number; name: string }
  | { type: "dot"; pos: number }
  | { type: "nil"; pos: number }
  | { type: "bool"; pos: number; value: boolean }
  | { type: "number"; pos: number; text: string; value: number; isInt: boolean }
  | { type: "string"; pos: number; text: string; value: string }
  | { type: "pipe"; pos: number; pipe: Pipe };

/** One command of a pipeline: a function or value with its arguments. */
export interface Command {
  pos: number;
  args: Arg[];
}

/** A pipeline with its optional variable declarations. */
export interface Pipe {
  pos: number;
  line: number;
  isAssign: boolean;
  decl: string[];
  cmds: Command[];
}

/** A node of a template body. */
export type Node =
  | { type: "text"; pos: number; text: string }
  | { type: "action"; pos: number; line: number; pipe: Pipe }
  | ControlNode
  | { type: "template"; pos: number; line: number; name: string; pipe: Pipe | null }
  | { type: "break" | "continue"; pos: number; line: number };

/** `if`, `with` or `range` with its body and optional else branch. */
export interface ControlNode {
  type: "if" | "with" | "range";
  pos: number;
  line: number;
  pipe: Pipe;
  list: Node[];
  elseList: Node[] | null;
}

/** A parsed template body with the source it came from (for error positions). */
export interface Tree {
  name: string;
  source: string;
  root: Node[];
}

/** Every template a source defines, by name; the main one under `name`. */
export type TreeSet = Map<string, Tree>;

const MAX_NESTING = 1000; // bounds the parser's recursion on hostile input

/** Parses `source` as template `name`; `functions` are the names that may be called. */
export function parse(
  name: string,
  source: string,
  options: { functions: ReadonlySet<string>; leftDelim?: string; rightDelim?: string },
): TreeSet {
  let tokens: Token[];
  try {
    tokens = lex(source, options.leftDelim, options.rightDelim);
  } catch (err) {
    if (err instanceof LexError) throw new TemplateParseError(name, err.line, err.message);
    throw err;
  }
  return new Parser(name, source, tokens, options.functions).parse();
}

type EndMarker = { type: "end"; line: number; pos: number } | {
  type: "else";
  line: number;
  pos: number;
};

class Parser {
  readonly #name: string;
  readonly #source: string;
  readonly #tokens: Token[];
  readonly #functions: ReadonlySet<string>;
  #i = 0;
  #vars: string[] = ["$"];
  #rangeDepth = 0;
  #depth = 0;
  readonly #trees: TreeSet = new Map();

  constructor(name: string, source: string, tokens: Token[], functions: ReadonlySet<string>) {
    this.#name = name;
    this.#source = source;
    this.#tokens = tokens;
    this.#functions = functions;
  }

  parse(): TreeSet {
    const root: Node[] = [];
    while (this.#peek().kind !== "eof") {
      if (this.#peek().kind === "leftDelim" && this.#isDefine()) {
        this.#definition();
        continue;
      }
      const node = this.#textOrAction();
      if (node.type === "end" || node.type === "else") {
        this.#fail(`unexpected {{${node.type}}}`, node.line);
      } else if (node.type !== "comment") root.push(node);
    }
    const main = { name: this.#name, source: this.#source, root };
    // A main template of only whitespace does not replace a defined one of the same name.
    if (!this.#trees.has(this.#name) || !isEmpty(root)) this.#trees.set(this.#name, main);
    return this.#trees;
  }

  #fail(message: string, line = this.#current().line): never {
    throw new TemplateParseError(this.#name, line, message);
  }

  #current(): Token {
    return this.#tokens[Math.max(0, this.#i - 1)] ?? this.#tokens[0]!;
  }

  #peek(): Token {
    return this.#tokens[this.#i]!;
  }

  #next(): Token {
    const token = this.#tokens[this.#i]!;
    if (token.kind !== "eof") this.#i++;
    return token;
  }

  #peekNonSpace(): Token {
    let j = this.#i;
    while (this.#tokens[j]!.kind === "space") j++;
    return this.#tokens[j]!;
  }

  #nextNonSpace(): Token {
    let token = this.#next();
    while (token.kind === "space") token = this.#next();
    return token;
  }

  #isDefine(): boolean {
    let j = this.#i + 1;
    while (this.#tokens[j]?.kind === "space") j++;
    const token = this.#tokens[j];
    return token?.kind === "keyword" && token.value === "define";
  }

  #expect(kind: Token["kind"], context: string): Token {
    const token = this.#nextNonSpace();
    if (token.kind !== kind) this.#unexpected(token, context);
    return token;
  }

  #unexpected(token: Token, context: string): never {
    if (token.kind === "eof") this.#fail("unexpected EOF", token.line);
    this.#fail(`unexpected ${describe(token)} in ${context}`, token.line);
  }

  #definition(): void {
    this.#next(); // left delimiter
    this.#nextNonSpace(); // "define"
    const nameToken = this.#nextNonSpace();
    if (nameToken.kind !== "string" && nameToken.kind !== "rawString") {
      this.#unexpected(nameToken, "define clause");
    }
    this.#expect("rightDelim", "define clause");
    const name = unquote(nameToken, (m) => this.#fail(m));
    const saved = this.#vars;
    this.#vars = ["$"];
    const { list, end } = this.#itemList();
    this.#vars = saved;
    if (end.type !== "end") this.#fail("unexpected {{else}}", end.line);
    this.#addTree(name, list);
  }

  #addTree(name: string, root: Node[]): void {
    const existing = this.#trees.get(name);
    if (existing !== undefined && !isEmpty(existing.root) && !isEmpty(root)) {
      this.#fail(`template: multiple definition of template "${name}"`);
    }
    if (existing === undefined || !isEmpty(root)) {
      this.#trees.set(name, { name, source: this.#source, root });
    }
  }

  /** Nodes up to `{{end}}` or `{{else}}`, which is returned too. */
  #itemList(): { list: Node[]; end: EndMarker } {
    if (++this.#depth > MAX_NESTING) this.#fail(`template nesting deeper than ${MAX_NESTING}`);
    const list: Node[] = [];
    while (this.#peekNonSpace().kind !== "eof") {
      const node = this.#textOrAction();
      if (node.type === "end" || node.type === "else") {
        this.#depth--;
        return { list, end: node };
      } else if (node.type !== "comment") list.push(node);
    }
    this.#fail("unexpected EOF", this.#peek().line);
  }

  #textOrAction():
    | Node
    | { type: "comment" }
    | EndMarker {
    const token = this.#next();
    if (token.kind === "text") return { type: "text", pos: token.pos, text: token.value };
    if (token.kind === "comment") return { type: "comment" };
    if (token.kind === "leftDelim") return this.#action();
    this.#unexpected(token, "input");
  }

  #action(): Node | EndMarker {
    const save = this.#i;
    const token = this.#nextNonSpace();
    if (token.kind === "keyword") {
      switch (token.value) {
        case "end":
          this.#expect("rightDelim", "end");
          return { type: "end", line: token.line, pos: token.pos };
        case "else":
          return this.#else(token);
        case "if":
        case "with":
        case "range":
          return this.#control(token.value, token);
        case "template":
          return this.#template(token, false);
        case "block":
          return this.#template(token, true);
        case "break":
        case "continue":
          return this.#breakOrContinue(token.value, token);
      }
    }
    this.#i = save;
    const pipe = this.#pipeline("command", "rightDelim");
    return { type: "action", pos: token.pos, line: token.line, pipe };
  }

  #else(token: Token): { type: "else"; line: number; pos: number } {
    // `{{else if ...}}` / `{{else with ...}}`: leave the keyword for the caller.
    const next = this.#peekNonSpace();
    if (next.kind === "keyword" && (next.value === "if" || next.value === "with")) {
      return { type: "else", line: token.line, pos: token.pos };
    }
    this.#expect("rightDelim", "else");
    return { type: "else", line: token.line, pos: token.pos };
  }

  #breakOrContinue(kind: "break" | "continue", token: Token): Node {
    const next = this.#nextNonSpace();
    if (next.kind !== "rightDelim") this.#unexpected(next, `{{${kind}}}`);
    if (this.#rangeDepth === 0) this.#fail(`{{${kind}}} outside {{range}}`, token.line);
    return { type: kind, pos: token.pos, line: token.line };
  }

  #control(kind: "if" | "with" | "range", token: Token): Node {
    const vars = this.#vars.length;
    const pipe = this.#pipeline(kind, "rightDelim");
    if (kind === "range") this.#rangeDepth++;
    const body = this.#itemList();
    if (kind === "range") this.#rangeDepth--;
    let elseList: Node[] | null = null;
    if (body.end.type === "else") {
      const next = this.#peekNonSpace();
      if (kind !== "range" && next.kind === "keyword" && next.value === kind) {
        // `{{else if}}` is an `if` inside the else branch sharing our `{{end}}`.
        this.#nextNonSpace();
        elseList = [this.#control(kind, next)];
      } else if (next.kind === "keyword" && (next.value === "if" || next.value === "with")) {
        this.#fail(`unexpected <${next.value}> in else`, next.line);
      } else {
        const other = this.#itemList();
        if (other.end.type !== "end") this.#fail("expected end; found {{else}}", other.end.line);
        elseList = other.list;
      }
    }
    this.#vars = this.#vars.slice(0, vars);
    return { type: kind, pos: token.pos, line: token.line, pipe, list: body.list, elseList };
  }

  #template(token: Token, isBlock: boolean): Node {
    const context = isBlock ? "block clause" : "template clause";
    const nameToken = this.#nextNonSpace();
    if (nameToken.kind !== "string" && nameToken.kind !== "rawString") {
      this.#unexpected(nameToken, context);
    }
    const name = unquote(nameToken, (m) => this.#fail(m));
    let pipe: Pipe | null = null;
    if (this.#peekNonSpace().kind !== "rightDelim") pipe = this.#pipeline(context, "rightDelim");
    else this.#nextNonSpace();
    if (isBlock) {
      const saved = this.#vars;
      this.#vars = ["$"];
      const body = this.#itemList();
      this.#vars = saved;
      if (body.end.type !== "end") this.#fail("unexpected {{else}}", body.end.line);
      this.#addTree(name, body.list);
    }
    return { type: "template", pos: nameToken.pos, line: token.line, name, pipe };
  }

  /** A pipeline up to `end` (consumed), with `$x :=` / `$x =` / `$i, $v :=` declarations. */
  #pipeline(context: string, end: "rightDelim" | "rightParen"): Pipe {
    const start = this.#peekNonSpace();
    const pipe: Pipe = { pos: start.pos, line: start.line, isAssign: false, decl: [], cmds: [] };
    this.#declarations(pipe, context);
    for (;;) {
      const token = this.#nextNonSpace();
      if (token.kind === end) {
        this.#checkPipeline(pipe, context);
        return pipe;
      }
      if (isOperandStart(token)) {
        this.#i--;
        pipe.cmds.push(this.#command());
        continue;
      }
      this.#unexpected(token, context);
    }
  }

  #declarations(pipe: Pipe, context: string): void {
    const first = this.#peekNonSpace();
    if (first.kind !== "variable") return;
    const save = this.#i;
    this.#nextNonSpace();
    const after = this.#peekNonSpace();
    if (after.kind === "declare" || after.kind === "assign") {
      this.#nextNonSpace();
      pipe.isAssign = after.kind === "assign";
      pipe.decl.push(first.value);
      if (!pipe.isAssign) this.#vars.push(first.value);
      return;
    }
    if (after.kind === "comma" && context === "range") {
      this.#nextNonSpace();
      const second = this.#nextNonSpace();
      const op = this.#nextNonSpace();
      if (op.kind === "comma") this.#fail(`too many declarations in ${context}`);
      if (second.kind !== "variable" || (op.kind !== "declare" && op.kind !== "assign")) {
        this.#fail(`range can only initialize variables`);
      }
      pipe.isAssign = op.kind === "assign";
      pipe.decl.push(first.value, second.value);
      if (!pipe.isAssign) this.#vars.push(first.value, second.value);
      return;
    }
    if (after.kind === "comma") this.#fail(`too many declarations in ${context}`);
    this.#i = save;
  }

  #checkPipeline(pipe: Pipe, context: string): void {
    if (pipe.cmds.length === 0) this.#fail(`missing value for ${context}`);
    for (const cmd of pipe.cmds.slice(1)) {
      const first = cmd.args[0]!;
      if (["bool", "dot", "nil", "number", "string"].includes(first.type)) {
        this.#fail(`non executable command in pipeline stage ${pipe.cmds.indexOf(cmd) + 1}`);
      }
    }
  }

  #command(): Command {
    const cmd: Command = { pos: this.#peekNonSpace().pos, args: [] };
    for (;;) {
      while (this.#peek().kind === "space") this.#next();
      const operand = this.#operand();
      if (operand !== null) cmd.args.push(operand);
      const token = this.#next();
      if (token.kind === "space") continue;
      if (token.kind === "rightDelim" || token.kind === "rightParen") this.#i--;
      else if (token.kind !== "pipe") this.#unexpected(token, "operand");
      break;
    }
    if (cmd.args.length === 0) this.#fail("empty command");
    return cmd;
  }

  #operand(): Arg | null {
    const node = this.#term();
    if (node === null) return null;
    if (this.#peek().kind !== "field") return node;
    // Go places a chain at its first extra field (`.B` of `.A.B`).
    const pos = this.#peek().pos;
    const idents: string[] = [];
    while (this.#peek().kind === "field") idents.push(this.#next().value.slice(1));
    if (node.type === "field") return { ...node, pos, idents: [...node.idents, ...idents] };
    if (node.type === "variable") return { ...node, pos, idents: [...node.idents, ...idents] };
    if (["bool", "string", "number", "nil", "dot"].includes(node.type)) {
      this.#fail(`unexpected . after term ${JSON.stringify(argString(node))}`);
    }
    return { type: "chain", pos, node, idents };
  }

  #term(): Arg | null {
    const save = this.#i;
    const token = this.#next();
    switch (token.kind) {
      case "identifier":
        if (!this.#functions.has(token.value)) this.#fail(`function "${token.value}" not defined`);
        return { type: "identifier", pos: token.pos, name: token.value };
      case "dot":
        return { type: "dot", pos: token.pos };
      case "nil":
        return { type: "nil", pos: token.pos };
      case "variable":
        if (!this.#vars.includes(token.value)) this.#fail(`undefined variable "${token.value}"`);
        return { type: "variable", pos: token.pos, idents: [token.value] };
      case "field":
        return { type: "field", pos: token.pos, idents: [token.value.slice(1)] };
      case "bool":
        return { type: "bool", pos: token.pos, value: token.value === "true" };
      case "number":
        return this.#number(token);
      case "string":
      case "rawString":
      case "char":
        if (token.kind === "char") return this.#number(token);
        return {
          type: "string",
          pos: token.pos,
          text: token.value,
          value: unquote(token, (m) => this.#fail(m)),
        };
      case "leftParen": {
        if (++this.#depth > MAX_NESTING) this.#fail(`template nesting deeper than ${MAX_NESTING}`);
        const pipe = this.#pipeline("parenthesized pipeline", "rightParen");
        this.#depth--;
        return { type: "pipe", pos: token.pos, pipe };
      }
    }
    this.#i = save;
    return null;
  }

  #number(token: Token): Arg {
    if (token.kind === "char") {
      const ch = unquoteChar(token.value.slice(1, -1), (m) => this.#fail(m));
      return { type: "number", pos: token.pos, text: token.value, value: ch, isInt: true };
    }
    const value = parseGoNumber(token.value);
    if (value === null) this.#fail(`illegal number syntax: ${JSON.stringify(token.value)}`);
    return { type: "number", pos: token.pos, text: token.value, ...value };
  }
}

function isEmpty(nodes: Node[]): boolean {
  return nodes.every((n) => n.type === "text" && n.text.trim() === "");
}

function isOperandStart(token: Token): boolean {
  return [
    "identifier",
    "dot",
    "nil",
    "variable",
    "field",
    "bool",
    "number",
    "string",
    "rawString",
    "char",
    "leftParen",
  ].includes(token.kind);
}

/** How Go names a token in "unexpected X in Y". */
function describe(token: Token): string {
  if (token.kind === "eof") return "EOF";
  if (token.kind === "keyword") return `<${token.value}>`;
  if (token.kind === "rightDelim" || token.kind === "leftDelim") return JSON.stringify(token.value);
  if (token.value.length > 10) return `${JSON.stringify(token.value.slice(0, 10))}...`;
  return JSON.stringify(token.value);
}

/** Parses a Go number literal: ints (with 0x/0o/0b, `_`) and floats. */
export function parseGoNumber(text: string): { value: number; isInt: boolean } | null {
  const clean = text.replace(/_/g, "");
  const sign = clean.startsWith("-") ? -1 : 1;
  const body = clean.replace(/^[+-]/, "");
  let value: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(body)) value = parseInt(body.slice(2), 16);
  else if (/^0[bB][01]+$/.test(body)) value = parseInt(body.slice(2), 2);
  else if (/^0[oO][0-7]+$/.test(body)) value = parseInt(body.slice(2), 8);
  else if (/^0[0-7]+$/.test(body)) value = parseInt(body.slice(1), 8);
  else if (/^[0-9]+$/.test(body)) value = parseInt(body, 10);
  else if (/^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(body)) {
    const float = sign * Number(body);
    return { value: float, isInt: Number.isInteger(float) && !/[.eE]/.test(body) };
  } else return null;
  return { value: sign * value, isInt: true };
}

function unquote(token: Token, fail: (message: string) => never): string {
  if (token.kind === "rawString") return token.value.slice(1, -1).replace(/\r/g, "");
  return unquoteInterpreted(token.value.slice(1, -1), fail);
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  '"': '"',
  "'": "'",
};

function unquoteInterpreted(body: string, fail: (message: string) => never): string {
  return body.replace(
    /\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g,
    (_, esc: string) => {
      const simple = SIMPLE_ESCAPES[esc];
      if (simple !== undefined) return simple;
      if (/^[xuU]/.test(esc)) return String.fromCodePoint(parseInt(esc.slice(1), 16));
      if (/^[0-7]{3}$/.test(esc)) return String.fromCharCode(parseInt(esc, 8));
      return fail(`invalid syntax`);
    },
  );
}

function unquoteChar(body: string, fail: (message: string) => never): number {
  const text = body.startsWith("\\") ? unquoteInterpreted(body, fail) : body;
  if ([...text].length !== 1) fail(`malformed character constant: '${body}'`);
  return text.codePointAt(0)!;
}

/** How Go prints an argument node in error contexts. */
export function argString(arg: Arg): string {
  switch (arg.type) {
    case "field":
      return arg.idents.map((i) => `.${i}`).join("");
    case "variable":
      return arg.idents.join(".");
    case "chain":
      return argString(arg.node) + arg.idents.map((i) => `.${i}`).join("");
    case "identifier":
      return arg.name;
    case "dot":
      return ".";
    case "nil":
      return "nil";
    case "bool":
      return String(arg.value);
    case "number":
    case "string":
      return arg.text;
    case "pipe":
      return `(${pipeString(arg.pipe)})`;
  }
}

/** How Go prints a command in error contexts. */
export function commandString(cmd: Command): string {
  return cmd.args.map(argString).join(" ");
}

/** How Go prints a pipeline in error contexts. */
export function pipeString(pipe: Pipe): string {
  const decl = pipe.decl.length > 0 ? `${pipe.decl.join(", ")} ${pipe.isAssign ? "=" : ":="} ` : "";
  return decl + pipe.cmds.map(commandString).join(" | ");
}
