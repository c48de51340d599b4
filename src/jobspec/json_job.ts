/** Job files written as API JSON: `{"Job": {...}}` or a bare Job object. */

import { isObject, type JsonObject } from "../structs/decode.ts";
import { HclSyntaxError, type Pos } from "../hcl/mod.ts";

/** Line and column of `offset` in `source` (both 1-based). */
function positionAt(source: string, offset: number): Pos {
  const before = source.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - (before.lastIndexOf("\n") + 1) + 1;
  return { line, column, offset };
}

/**
 * Parses JSON, reporting syntax errors as `file:line:column`.
 *
 * @example
 * ```ts
 * import { parseJsonText } from "./json_job.ts";
 * parseJsonText('{"a": 1}', "a.json"); // { a: 1 }
 * ```
 */
export function parseJsonText(source: string, filename: string): unknown {
  try {
    return JSON.parse(source);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    const match = /position (\d+)/.exec(error.message);
    const start = positionAt(source, match === null ? 0 : Number(match[1]));
    const detail = error.message.replace(/ in JSON at position \d+.*$/, "").replace(
      / \(line \d+ column \d+\)$/,
      "",
    );
    throw new HclSyntaxError("Invalid JSON", detail, { filename, start, end: start });
  }
}

/**
 * Reads a JSON job file. Accepts the API form `{"Job": {...}}` and a bare Job.
 * HCL's JSON syntax (`{"job": {"name": {...}}}`) is not supported yet.
 */
export function parseJsonJob(source: string, filename: string): JsonObject {
  const parsed = parseJsonText(source, filename);
  const start = { line: 1, column: 1, offset: 0 };
  const range = { filename, start, end: start };
  if (!isObject(parsed)) {
    throw new HclSyntaxError("Invalid job file", "A JSON job file must hold an object.", range);
  }
  if (isObject(parsed.Job)) return parsed.Job;
  if ("job" in parsed && !("ID" in parsed) && !("TaskGroups" in parsed)) {
    throw new HclSyntaxError(
      "Unsupported JSON job syntax",
      'HCL JSON syntax ({"job": {...}}) is not supported yet; use the API form {"Job": {"ID": ..., "TaskGroups": [...]}} (see nomad job run -output).',
      range,
    );
  }
  return parsed;
}
