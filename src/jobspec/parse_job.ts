/** HCL job file → api.Job JSON, the shape `nomad job run -output` prints under "Job". */

import type { JsonObject } from "../structs/decode.ts";
import { bodyContent, type EvalContext, HclSyntaxError, parse, parseJson } from "../hcl/mod.ts";
import { type JobFileHost, jobFunctions } from "./functions.ts";
import { shapeJob } from "./api_shape.ts";
import { decodeJob } from "./job.ts";
import { parseJsonJob } from "./json_job.ts";
import {
  collectDeclarations,
  evaluateLocals,
  LITERAL_CONTEXT,
  resolveVariables,
  type VarFile,
} from "./variables.ts";

/** Inputs besides the job file text. */
export interface ParseJobOptions extends JobFileHost {
  /** Name used in error messages (`<filename>:<line>:<column>: ...`). */
  readonly filename: string;
  /** `-var name=value` flags. */
  readonly variables?: Readonly<Record<string, string>>;
  /** Environment, for `NOMAD_VAR_<name>`. */
  readonly env?: Readonly<Record<string, string>>;
  /** `-var-file` files, in command-line order. */
  readonly varFiles?: readonly VarFile[];
  /**
   * Receives one warning per stanza kind the job uses that Nomad accepts but
   * this agent does not act on (vault, consul, connect, multiregion, ...).
   */
  readonly onWarning?: (message: string) => void;
}

const ROOT_SCHEMA = {
  blocks: {
    job: { labels: ["name"] },
    variable: { labels: ["name"] },
    variables: {},
    locals: {},
  },
};

/**
 * Parses a job file (HCL, or API JSON when the text starts with `{`) into
 * api.Job JSON with Nomad's PascalCase field names and durations in
 * nanoseconds, every field present in Go order as `nomad job run -output`
 * prints it. Defaults are not filled in; `canonicalizeJob` does that.
 *
 * @example
 * ```ts
 * import { parseJob } from "./parse_job.ts";
 * const job = parseJob('job "web" {\n  group "g" {\n    task "t" {\n      driver = "raw_exec"\n    }\n  }\n}\n', {
 *   filename: "web.nomad.hcl",
 * });
 * job.ID; // "web"
 * ```
 */
export function parseJob(source: string, options: ParseJobOptions): JsonObject {
  // Like Nomad's jobspec2, a `.json` path means HCL's JSON syntax; API JSON
  // (`{"Job": ...}`, what `job run -json` takes) is still recognised.
  const hclJson = options.filename.endsWith(".json") && !isApiJson(source);
  if (!hclJson && source.trimStart().startsWith("{")) {
    return parseJsonJob(source, options.filename);
  }
  const body = hclJson ? parseJson(source, options.filename) : parse(source, options.filename);
  const root = bodyContent(body, ROOT_SCHEMA, LITERAL_CONTEXT);
  const jobs = root.blocks.filter((b) => b.block.type === "job");
  if (jobs.length === 0) {
    throw new HclSyntaxError(
      "Missing job block",
      'A job file must contain one job block, e.g. job "example" { ... }.',
      body.range,
    );
  }
  if (jobs.length > 1) {
    throw new HclSyntaxError(
      "Duplicate job block",
      "A job file may contain only one job block.",
      jobs[1]!.block.typeRange,
    );
  }
  const declarations = collectDeclarations(root.blocks);
  const variables = resolveVariables(declarations, options);
  const functions = jobFunctions(options);
  const withVars: EvalContext = { variables: { var: variables }, functions };
  const localBlocks = root.blocks.filter((b) => b.block.type === "locals").map((b) => b.block);
  const locals = evaluateLocals(localBlocks, withVars);
  const ctx: EvalContext = {
    variables: { var: variables, local: locals },
    functions,
  };
  const onWarning = options.onWarning;
  const job = decodeJob(
    { block: jobs[0]!.block, ctx },
    onWarning === undefined ? {} : { onWarning },
  );
  return shapeJob(job);
}

/** Whether JSON text is an API job (`{"Job": ...}` or a bare job with `ID`/`TaskGroups`). */
function isApiJson(source: string): boolean {
  try {
    const value: unknown = JSON.parse(source);
    if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
    return ["Job", "ID", "TaskGroups"].some((key) => Object.hasOwn(value, key));
  } catch {
    return false;
  }
}
