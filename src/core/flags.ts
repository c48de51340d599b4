/**
 * A command-line flag parser with the semantics of Go's `flag` package, which
 * Nomad's CLI and agent use:
 *
 * - `-flag`, `--flag`, `-flag=value`, and `-flag value` for non-boolean flags;
 * - boolean flags take a value only as `-flag=false` (`-flag false` leaves
 *   `false` as a positional argument);
 * - parsing stops at the first non-flag argument, at `-` and after `--`;
 * - an unknown flag is an error: `flag provided but not defined: -x`;
 * - `-h`/`-help` (when not defined) request help.
 *
 * On an error the message is written to `output` and `usage` is called, as Go
 * does with `ContinueOnError`; {@linkcode FlagSet.parse} never throws.
 *
 * @module
 */

import { formatDuration, parseDuration } from "./clock.ts";
import { quote } from "./go_quote.ts";

/** A parsed flag's current value. */
export interface FlagValue<T> {
  /** The value: the default until the flag is set. */
  readonly value: T;
  /** True once the flag appeared on the command line. */
  readonly isSet: boolean;
}

/** Why parsing failed. */
export type FlagErrorKind = "undefined" | "syntax" | "missing-value" | "invalid-value" | "help";

/** A parse failure; the message is Go's. */
export class FlagError extends Error {
  override name = "FlagError";
  /** What went wrong. */
  readonly kind: FlagErrorKind;

  /** Creates the error. */
  constructor(kind: FlagErrorKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

/** Outcome of {@linkcode FlagSet.parse}. */
export type FlagParseResult =
  | { ok: true; args: string[] }
  | { ok: false; error: FlagError };

/** Where a FlagSet reports errors and how it prints usage. */
export interface FlagSetOptions {
  /** Receives each error message (one line, no newline). Default: standard error. */
  output?: (message: string) => void;
  /** Called after an error or on `-h`. Default: print `Usage of <name>:` and the defaults. */
  usage?: () => void;
}

interface FlagDefinition {
  readonly name: string;
  readonly usage: string;
  readonly isBool: boolean;
  readonly typeName: string;
  readonly defaultText: string;
  /** Applies a value; returns Go's error text ("parse error") on failure. */
  set(text: string): string | undefined;
  isSet: boolean;
}

/** Longest argument list accepted, a guard against runaway input. */
export const MAX_FLAG_ARGS = 100_000;

/**
 * A set of typed flag definitions.
 *
 * @example
 * ```ts
 * import { FlagSet } from "./flags.ts";
 * const flags = new FlagSet("job run", { output: () => {}, usage: () => {} });
 * const detach = flags.bool("detach", false, "Return immediately.");
 * const vars = flags.stringList("var", "Variable, repeatable.");
 * const result = flags.parse(["-detach", "-var", "a=1", "-var=b=2", "job.hcl"]);
 * // detach.value === true, vars.value = ["a=1", "b=2"], result.args = ["job.hcl"]
 * ```
 */
export class FlagSet {
  /** Name used in the default usage line. */
  readonly name: string;
  #flags = new Map<string, FlagDefinition>();
  #args: string[] = [];
  #parsed = false;
  #output: (message: string) => void;
  #usage: () => void;

  /** Creates an empty set. */
  constructor(name: string, options: FlagSetOptions = {}) {
    this.name = name;
    this.#output = options.output ?? ((message) => console.error(message));
    this.#usage = options.usage ?? (() => console.error(`Usage of ${name}:\n${this.defaults()}`));
  }

  /** Defines a string flag. */
  string(name: string, defaultValue = "", usage = ""): FlagValue<string> {
    return this.#define<string>(name, usage, defaultValue, {
      typeName: "string",
      defaultText: defaultValue === "" ? "" : quote(defaultValue),
      convert: (text) => ({ value: text }),
    });
  }

  /** Defines a boolean flag (`-name`, `-name=true|false|1|0|t|f`). */
  bool(name: string, defaultValue = false, usage = ""): FlagValue<boolean> {
    return this.#define<boolean>(name, usage, defaultValue, {
      typeName: "",
      isBool: true,
      defaultText: defaultValue ? "true" : "",
      convert: parseGoBool,
    });
  }

  /** Defines an integer flag (Go syntax: `10`, `-3`, `0x1f`, `0o17`, `1_000`). */
  int(name: string, defaultValue = 0, usage = ""): FlagValue<number> {
    return this.#define<number>(name, usage, defaultValue, {
      typeName: "int",
      defaultText: defaultValue === 0 ? "" : String(defaultValue),
      convert: parseGoInt,
    });
  }

  /** Defines a duration flag (`5s`, `1m30s`); the value is in nanoseconds. */
  duration(name: string, defaultNs = 0, usage = ""): FlagValue<number> {
    return this.#define<number>(name, usage, defaultNs, {
      typeName: "duration",
      defaultText: defaultNs === 0 ? "" : formatDuration(defaultNs),
      convert: (text) => {
        const ns = parseDuration(text);
        return ns === undefined ? { error: "parse error" } : { value: ns };
      },
    });
  }

  /** Defines a repeatable string flag; each occurrence appends. */
  stringList(name: string, usage = ""): FlagValue<string[]> {
    const values: string[] = [];
    return this.#define<string[]>(name, usage, values, {
      typeName: "value",
      defaultText: "",
      convert: (text) => ({ value: [text] }),
      accumulate: true,
    });
  }

  /** Defines a flag handled by a callback that returns an error text or nothing. */
  func(name: string, usage: string, apply: (text: string) => string | void): void {
    this.#register({
      name,
      usage,
      isBool: false,
      typeName: "value",
      defaultText: "",
      isSet: false,
      set: (text) => apply(text) ?? undefined,
    });
  }

  /** Parses `args`; on success the remaining positional arguments are returned. */
  parse(args: readonly string[]): FlagParseResult {
    if (args.length > MAX_FLAG_ARGS) {
      return this.#fail(new FlagError("syntax", `too many arguments: ${args.length}`));
    }
    this.#parsed = true;
    const rest = [...args];
    while (rest.length > 0) {
      const outcome = this.#parseOne(rest);
      if (outcome === "stop") break;
      if (outcome instanceof FlagError) {
        this.#args = rest;
        return this.#fail(outcome);
      }
    }
    this.#args = rest;
    return { ok: true, args: [...rest] };
  }

  /** Positional arguments left after {@linkcode parse}. */
  args(): string[] {
    return [...this.#args];
  }

  /** True once {@linkcode parse} ran. */
  parsed(): boolean {
    return this.#parsed;
  }

  /** True when the named flag was given on the command line. */
  isSet(name: string): boolean {
    return this.#flags.get(name)?.isSet ?? false;
  }

  /** True when a flag with this name is defined. */
  has(name: string): boolean {
    return this.#flags.has(name);
  }

  /** The flag table in Go's `PrintDefaults` layout, sorted by name. */
  defaults(): string {
    const names = [...this.#flags.keys()].sort();
    return names.map((name) => formatDefault(this.#flags.get(name)!)).join("");
  }

  #parseOne(rest: string[]): "stop" | "continue" | FlagError {
    const arg = rest[0] ?? "";
    if (arg.length < 2 || arg[0] !== "-") return "stop";
    let minuses = 1;
    if (arg[1] === "-") {
      minuses = 2;
      if (arg.length === 2) {
        rest.shift();
        return "stop";
      }
    }
    let name = arg.slice(minuses);
    if (name === "" || name[0] === "-" || name[0] === "=") {
      return new FlagError("syntax", `bad flag syntax: ${arg}`);
    }
    rest.shift();
    let value: string | undefined;
    const eq = name.indexOf("=", 1);
    if (eq > 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    return this.#apply(name, value, rest);
  }

  #apply(name: string, inline: string | undefined, rest: string[]): "continue" | FlagError {
    const flag = this.#flags.get(name);
    if (flag === undefined) {
      if (name === "help" || name === "h") return new FlagError("help", "flag: help requested");
      return new FlagError("undefined", `flag provided but not defined: -${name}`);
    }
    if (flag.isBool) {
      const error = flag.set(inline ?? "true");
      if (error !== undefined) {
        return new FlagError(
          "invalid-value",
          inline === undefined
            ? `invalid boolean flag ${name}: ${error}`
            : `invalid boolean value ${quote(inline)} for -${name}: ${error}`,
        );
      }
    } else {
      let value = inline;
      if (value === undefined && rest.length > 0) value = rest.shift();
      if (value === undefined) {
        return new FlagError("missing-value", `flag needs an argument: -${name}`);
      }
      const error = flag.set(value);
      if (error !== undefined) {
        return new FlagError(
          "invalid-value",
          `invalid value ${quote(value)} for flag -${name}: ${error}`,
        );
      }
    }
    flag.isSet = true;
    return "continue";
  }

  #fail(error: FlagError): FlagParseResult {
    if (error.kind !== "help") this.#output(error.message);
    this.#usage();
    return { ok: false, error };
  }

  #define<T>(
    name: string,
    usage: string,
    initial: T,
    spec: {
      typeName: string;
      defaultText: string;
      convert: (text: string) => { value: T } | { error: string };
      isBool?: boolean;
      accumulate?: boolean;
    },
  ): FlagValue<T> {
    const state = { value: initial, isSet: false };
    const definition: FlagDefinition = {
      name,
      usage,
      isBool: spec.isBool ?? false,
      typeName: spec.typeName,
      defaultText: spec.defaultText,
      get isSet(): boolean {
        return state.isSet;
      },
      set isSet(flag: boolean) {
        state.isSet = flag;
      },
      set(text: string): string | undefined {
        if (spec.accumulate) {
          (state.value as unknown as string[]).push(text);
          return undefined;
        }
        const converted = spec.convert(text);
        if ("error" in converted) return converted.error;
        state.value = converted.value;
        return undefined;
      },
    };
    this.#register(definition);
    return state;
  }

  #register(definition: FlagDefinition): void {
    if (this.#flags.has(definition.name)) {
      throw new Error(`${this.name} flag redefined: ${definition.name}`);
    }
    this.#flags.set(definition.name, definition);
  }
}

/** Go's `strconv.ParseBool`. */
export function parseGoBool(text: string): { value: boolean } | { error: string } {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(text)) return { value: true };
  if (["0", "f", "F", "FALSE", "false", "False"].includes(text)) return { value: false };
  return { error: "parse error" };
}

/** Go's `strconv.ParseInt(text, 0, 64)` limited to JavaScript's safe integers. */
export function parseGoInt(text: string): { value: number } | { error: string } {
  const match = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(
    text,
  );
  if (match === null) return { error: "parse error" };
  const sign = match[1] === "-" ? -1n : 1n;
  const body = match[2] ?? "";
  if (body.includes("_") && !/^(0[xXbBoO]_?)?[0-9a-fA-F]+(_[0-9a-fA-F]+)*$/.test(body)) {
    return { error: "parse error" };
  }
  const digits = body.replace(/_/g, "");
  const legacyOctal = /^0[0-7]+$/.test(digits);
  const value = sign * BigInt(legacyOctal ? `0o${digits.slice(1)}` : digits);
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    return { error: "value out of range" };
  }
  return { value: Number(value) };
}

function formatDefault(flag: FlagDefinition): string {
  let line = `  -${flag.name}`;
  if (flag.typeName !== "") line += ` ${flag.typeName}`;
  line += line.length <= 4 ? "\t" : "\n    \t";
  line += flag.usage.replaceAll("\n", "\n    \t");
  if (flag.defaultText !== "") line += ` (default ${flag.defaultText})`;
  return line + "\n";
}
