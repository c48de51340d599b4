/**
 * Parsing one agent configuration file (HCL, or JSON) into a partial
 * AgentConfig, with positioned errors. Loaded only when a `-config` file is
 * given, so an agent started without one never loads the HCL parser.
 */

import { assert, NS_PER_HOUR, parseDuration } from "../core/mod.ts";
import {
  bodyToValue,
  didYouMean,
  HclSyntaxError,
  type JsonNode,
  parse,
  parseJson,
  type Range,
  toBoolValue,
  toNumberValue,
  toStringValue,
  type Value,
} from "../hcl/core.ts";
import {
  deepMerge,
  type DrainOnShutdownConfig,
  isPlainObject,
  type ParsedAgentConfig,
  type PartialAgentConfig,
  type SchedulerConfig,
} from "./config.ts";
import { type Check, type Kind, type Table, TOP } from "./config_schema.ts";

// ---------------------------------------------------------------------------
// Decoding: file keys (snake_case) → AgentConfig fields, driven by the tables
// in config_schema.ts.

/** Where each key was written, for error messages. */
interface DecodeState {
  readonly filename: string;
  /** Key path → range; HCL fills it up front, JSON as each key is decoded. */
  readonly positions: Map<string, Range>;
  /** JSON only: where each key of each decoded object was written. */
  readonly keyRanges: WeakMap<object, ReadonlyMap<string, Range>>;
  readonly warnings: string[];
}

/**
 * Notes that `object[key]` is now decoded at `path`. A JSON path can occur
 * more than once (a block written as a list of objects), so the range is set
 * as each occurrence is decoded: errors then point at the one at fault.
 */
function enterKey(
  state: DecodeState,
  object: object,
  key: string,
  path: readonly string[],
): void {
  const range = state.keyRanges.get(object)?.get(key);
  if (range !== undefined) state.positions.set(path.join("\u0000"), range);
}

function rangeOf(state: DecodeState, path: readonly string[]): Range {
  const key = path.join("\u0000");
  const known = state.positions.get(key);
  if (known !== undefined) return known;
  // A labeled HCL block is recorded under its labels: use the first one below `path`.
  for (const [recorded, range] of state.positions) {
    if (recorded.startsWith(`${key}\u0000`)) return range;
  }
  // Only the root has no key; every decoded key was recorded above.
  const start = { line: 1, column: 1, offset: 0 };
  return { filename: state.filename, start, end: start };
}

function typeError(state: DecodeState, path: readonly string[], want: string): never {
  throw new HclSyntaxError(
    "Incorrect attribute value type",
    `Inappropriate value for "${path.join(".")}": ${want} is required.`,
    rangeOf(state, path),
  );
}

function convert(value: unknown, kind: Kind, path: readonly string[], state: DecodeState): unknown {
  try {
    switch (kind) {
      case "string":
        return toStringValue(value as Value);
      case "int": {
        const n = toNumberValue(value as Value);
        return Number.isInteger(n) ? n : typeError(state, path, "a whole number");
      }
      case "number":
        return toNumberValue(value as Value);
      case "bool":
        return toBoolValue(value as Value);
      case "duration":
        return durationOf(value, path, state);
      case "strings":
        return Array.isArray(value)
          ? value.map((v) => toStringValue(v as Value))
          : typeError(state, path, "a list of strings");
      case "stringMap":
        return stringMapOf(value, path, state);
      case "size":
        return sizeOf(value, path, state);
      case "raw":
        return rawObjectOf(value, path, state);
      case "blocks":
        return (Array.isArray(value) ? value : [value]).map((v) => rawObjectOf(v, path, state));
    }
  } catch (error) {
    if (error instanceof TypeError) {
      typeError(state, path, error.message.replace(/^an? (.*) is required.*$/, "a $1"));
    }
    throw error;
  }
}

/** HCL 1 JSON may write a block as a list of objects; they merge in order. */
function rawObjectOf(
  value: unknown,
  path: readonly string[],
  state: DecodeState,
): Record<string, unknown> {
  if (isPlainObject(value)) return value;
  if (Array.isArray(value) && value.every(isPlainObject)) {
    return value.reduce<Record<string, unknown>>(
      (a, b) => deepMerge(a, b) as Record<string, unknown>,
      {},
    );
  }
  return typeError(state, path, "a block or object");
}

const SIZE_UNITS: Readonly<Record<string, number>> = {
  "": 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** "100GB", "10 MiB" or a number of bytes → bytes. */
function sizeOf(value: unknown, path: readonly string[], state: DecodeState): number {
  if (typeof value === "number" && Number.isInteger(value) && value >= 0) return value;
  const match = typeof value === "string"
    ? /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value)
    : null;
  const unit = match === null ? undefined : SIZE_UNITS[match[2]!.toLowerCase()];
  if (match === null || unit === undefined) {
    return typeError(state, path, 'a size such as "100MB" or "1GiB"');
  }
  return Math.round(Number(match[1]) * unit);
}

function checked(
  value: unknown,
  check: Check | undefined,
  path: readonly string[],
  state: DecodeState,
): unknown {
  const problem = check?.(value);
  if (problem === undefined || problem === null) return value;
  throw new HclSyntaxError(
    "Invalid value",
    `Invalid value for "${path.join(".")}": ${problem}; got ${JSON.stringify(value)}.`,
    rangeOf(state, path),
  );
}

function durationOf(value: unknown, path: readonly string[], state: DecodeState): number {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  const ns = typeof value === "string" ? parseDuration(value) : undefined;
  return ns ?? typeError(state, path, 'a duration such as "30s" or "5m"');
}

function stringMapOf(
  value: unknown,
  path: readonly string[],
  state: DecodeState,
): Record<string, string> {
  const objects = Array.isArray(value) ? value : [value];
  const out: Record<string, string> = {};
  for (const object of objects) {
    if (!isPlainObject(object)) return typeError(state, path, "a map of strings");
    for (const [k, v] of Object.entries(object)) {
      enterKey(state, object, k, [...path, k]);
      if (typeof v === "object" && v !== null) typeError(state, [...path, k], "a string");
      out[k] = toStringValue(v as Value);
    }
  }
  return out;
}

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split(".");
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (!isPlainObject(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

function unknownKey(state: DecodeState, path: readonly string[], table: Table): never {
  const name = path[path.length - 1]!;
  const suggestion = didYouMean(name, Object.keys(table).filter((k) => table[k] !== "ignored"));
  const where = path.length > 1 ? ` in the ${path.slice(0, -1).join(".")} block` : "";
  throw new HclSyntaxError(
    "Unsupported argument",
    `An argument named "${name}" is not expected here${where}.${
      suggestion === null ? "" : ` Did you mean "${suggestion}"?`
    }`,
    rangeOf(state, path),
  );
}

/** Decodes one block (or a list of repeated blocks, merged in order) by `table`. */
function decodeTable(
  value: unknown,
  table: Table,
  path: readonly string[],
  state: DecodeState,
): Record<string, unknown> {
  let out: Record<string, unknown> = {};
  for (const object of Array.isArray(value) ? value : [value]) {
    if (!isPlainObject(object)) typeError(state, path, "a block");
    for (const [key, item] of Object.entries(object)) {
      const at = [...path, key];
      enterKey(state, object, key, at);
      const spec = Object.hasOwn(table, key) ? table[key] : undefined;
      if (spec === undefined) unknownKey(state, at, table);
      if (spec === "ignored") {
        state.warnings.push(
          `${state.filename}: "${at.join(".")}" is not supported yet and was ignored`,
        );
      } else if ("warn" in spec) {
        state.warnings.push(`${state.filename}: "${at.join(".")}" ${spec.warn}`);
        setPath(out, spec.field, convert(item, spec.kind, at, state));
      } else if ("section" in spec) {
        out = deepMerge(out, {
          [spec.section]: decodeTable(item, spec.table, at, state),
        }) as Record<string, unknown>;
      } else if ("labeled" in spec) {
        out = deepMerge(out, {
          [spec.labeled]: decodeLabeled(item, spec.table, at, state),
        }) as Record<string, unknown>;
      } else {
        setPath(out, spec[0], checked(convert(item, spec[1], at, state), spec[2], at, state));
      }
    }
  }
  return out;
}

/** `plugin "a" {}` / `{"plugin": {"a": {}}}` / `{"plugin": [{"a": {}}]}` → `{ a: {...} }`. */
function decodeLabeled(
  value: unknown,
  table: Table,
  path: readonly string[],
  state: DecodeState,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const object of Array.isArray(value) ? value : [value]) {
    if (!isPlainObject(object)) typeError(state, path, "a labeled block");
    for (const [label, body] of Object.entries(object)) {
      enterKey(state, object, label, [...path, label]);
      out[label] = deepMerge(out[label], decodeTable(body, table, [...path, label], state));
    }
  }
  return out;
}

/**
 * Parses one agent configuration file (HCL, or JSON when the name ends in
 * `.json` or the text starts with `{`). Pure: the caller reads the file.
 * Unknown keys are errors with `file:line:column`; known-but-unsupported keys
 * are accepted and listed in `warnings`.
 *
 * @example
 * ```ts
 * import { parseAgentConfigFile } from "./config_parse.ts";
 * const { config } = parseAgentConfigFile('server {\n  enabled = true\n}\n', "server.hcl");
 * config.server?.enabled; // true
 * ```
 */
export function parseAgentConfigFile(source: string, filename: string): ParsedAgentConfig {
  const state: DecodeState = {
    filename,
    positions: new Map(),
    keyRanges: new WeakMap(),
    warnings: [],
  };
  let value: unknown;
  if (filename.endsWith(".json") || source.trimStart().startsWith("{")) {
    const { json } = parseJson(source, filename);
    assert(json !== undefined, "parseJson keeps the JSON tree of the body it returns");
    value = jsonData(json, state.keyRanges);
  } else {
    // Agent files are HCL 1 in Nomad: no variables or functions, quoted keys allowed.
    const body = parse(source, filename, { quotedAttributeNames: true });
    value = bodyToValue(body, { variables: {}, functions: {} }, {
      onRange: (path, range) => state.positions.set(path.join("\u0000"), range),
    });
  }
  const config = decodeTable(value, TOP, [], state) as PartialAgentConfig;
  fillLabeledDefaults(config);
  return { config, warnings: state.warnings };
}

const SCHEDULER_DEFAULTS: SchedulerConfig = {
  schedulerAlgorithm: "binpack",
  memoryOversubscriptionEnabled: false,
  rejectJobRegistration: false,
  pauseEvalBroker: false,
  preemptionConfig: {
    systemSchedulerEnabled: true,
    sysbatchSchedulerEnabled: true,
    batchSchedulerEnabled: false,
    serviceSchedulerEnabled: false,
  },
};

const DRAIN_DEFAULTS: DrainOnShutdownConfig = {
  deadline: NS_PER_HOUR,
  force: false,
  ignoreSystemJobs: false,
};

/** Labeled blocks are whole entries, not overrides: give their unset fields defaults. */
function fillLabeledDefaults(config: PartialAgentConfig): void {
  for (const plugin of Object.values(config.plugins ?? {})) {
    if (plugin === undefined) continue;
    plugin.config ??= {};
    plugin.args ??= [];
  }
  for (const volume of Object.values(config.client?.hostVolumes ?? {})) {
    if (volume === undefined) continue;
    volume.path ??= "";
    volume.readOnly ??= false;
  }
  const scheduler = config.server?.defaultSchedulerConfig;
  if (scheduler !== undefined && scheduler !== null) {
    // A block that is written is a whole scheduler configuration: Nomad's defaults fill the rest.
    config.server!.defaultSchedulerConfig = deepMerge(
      SCHEDULER_DEFAULTS,
      scheduler,
    ) as SchedulerConfig;
  }
  const drain = config.client?.drainOnShutdown;
  if (drain !== undefined && drain !== null) {
    config.client!.drainOnShutdown = deepMerge(DRAIN_DEFAULTS, drain) as DrainOnShutdownConfig;
  }
  for (const network of Object.values(config.client?.hostNetworks ?? {})) {
    if (network === undefined) continue;
    network.cidr ??= "";
    network.interface ??= "";
    network.reservedPorts ??= "";
  }
}

/**
 * A JSON value as plain data, exactly as `JSON.parse` gives it (strings are
 * literal: Nomad reads agent files with HCL 1, which has no templates), with
 * the range of every object's keys noted in `keyRanges`.
 */
function jsonData(node: JsonNode, keyRanges: WeakMap<object, ReadonlyMap<string, Range>>): unknown {
  if (node.kind === "array") return node.items.map((item) => jsonData(item, keyRanges));
  if (node.kind !== "object") return node.value;
  const out: Record<string, unknown> = {};
  const ranges = new Map<string, Range>();
  for (const property of node.properties) {
    // Defined, not assigned, so that "__proto__" is an ordinary key as in JSON.parse;
    // a repeated key keeps its first place and its last value, also as in JSON.parse.
    Object.defineProperty(out, property.name, {
      value: jsonData(property.value, keyRanges),
      enumerable: true,
      writable: true,
      configurable: true,
    });
    ranges.set(property.name, property.nameRange);
  }
  keyRanges.set(out, ranges);
  return out;
}
