/** Nomad Variables: small sets of key/value items stored at paths, per namespace. */

/** A variable's metadata (`GET /v1/vars` entries). */
export interface VariableMetadata {
  Namespace: string;
  Path: string;
  CreateIndex: number;
  ModifyIndex: number;
  /** Unix nanoseconds. */
  CreateTime: number;
  ModifyTime: number;
}

/** A variable with its items (`GET /v1/var/:path`). */
export interface Variable extends VariableMetadata {
  Items: Record<string, string> | null;
}

/** Nomad's limit on a variable's items: keys plus values. */
export const MAX_VARIABLE_BYTES = 65536;

const VALID_PATH = /^[a-zA-Z0-9\-_~/]{1,128}$/;

/** Nomad's path rules: characters, length, and the reserved `nomad/` tree. */
export function variablePathError(path: string): string | null {
  if (path.length === 0) return "variable requires path";
  if (!VALID_PATH.test(path)) return `invalid path ${JSON.stringify(path)}`;
  const parts = path.split("/");
  if (parts[0] !== "nomad") return null;
  if (parts.length === 1) {
    return '"nomad" is a reserved top-level directory path, but you may write variables to "nomad/jobs", "nomad/job-templates", "nomad/sentinel", or below';
  }
  if (parts[1] === "jobs" || parts[1] === "sentinel") return null;
  if (parts[1] === "job-templates") {
    return parts.length === 3
      ? null
      : '"nomad/job-templates" is a reserved directory path, but you may write variables at the level below it, for example, "nomad/job-templates/template-name"';
  }
  return 'only paths at "nomad/jobs" or "nomad/job-templates" and below are valid paths under the top-level "nomad" directory';
}

/** Why a variable may not be written, or null (Nomad's VariableDecrypted.Validate). */
export function variableError(
  variable: Pick<Variable, "Namespace" | "Path" | "Items">,
): string | null {
  if (variable.Namespace === "*") return 'can not target wildcard ("*")namespace';
  const items = Object.entries(variable.Items ?? {});
  if (items.length === 0) return "empty variables are invalid";
  const encoder = new TextEncoder();
  const size = items.reduce(
    (sum, [k, v]) => sum + encoder.encode(k).length + encoder.encode(v).length,
    0,
  );
  if (size > MAX_VARIABLE_BYTES) return "variables are limited to 64KiB in total size";
  return variablePathError(variable.Path);
}

/** The metadata of a variable (list entries carry no items). */
export function variableMetadata(variable: Variable): VariableMetadata {
  const { Items: _items, ...meta } = variable;
  return meta;
}
