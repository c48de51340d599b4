/** The HCL function table a job file is evaluated with. */

import { type FunctionHost, functionLibrary, type HclFunction } from "../hcl/mod.ts";

/**
 * What the impure functions may use: `file`, `fileexists`, `fileset`,
 * `filebase64`, `abspath`, `pathexpand` read through it; `uuidv4` and
 * `bcrypt` draw from `randomBytes`. Relative paths are relative to the job
 * file's directory. Without a capability the functions needing it fail with
 * a clear error; the CLI and the HTTP API supply real ones.
 */
export type JobFileHost = FunctionHost;

/**
 * The functions available to a job file, given what the host allows.
 *
 * @example
 * ```ts
 * import { jobFunctions } from "./functions.ts";
 * jobFunctions({}).upper!(["web"]); // "WEB"
 * ```
 */
export function jobFunctions(host: JobFileHost): Readonly<Record<string, HclFunction>> {
  return functionLibrary(host);
}
