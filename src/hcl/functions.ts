/**
 * HCL's function library as Nomad's job parser offers it (the go-cty standard
 * library plus Nomad's additions). Functions are pure: whatever touches files
 * or needs randomness takes it from a {@linkcode FunctionHost}. They throw
 * `TypeError` / `RangeError` (or the positioned errors in fn/errors.ts), which
 * the evaluator turns into `file:line:column` diagnostics.
 */

import type { HclFunction } from "./evaluator.ts";
import { COLLECTION_FUNCTIONS } from "./fn/collections.ts";
import { CONVERSION_FUNCTIONS } from "./fn/conversion.ts";
import { CRYPTO_FUNCTIONS, type RandomBytes, randomFunctions } from "./fn/crypto.ts";
import { DATETIME_FUNCTIONS } from "./fn/datetime.ts";
import { ENCODING_FUNCTIONS } from "./fn/encoding.ts";
import { filesystemFunctions, type FileSystemHost } from "./fn/filesystem.ts";
import { NETWORK_FUNCTIONS } from "./fn/network.ts";
import { NUMERIC_FUNCTIONS } from "./fn/numeric.ts";
import { STRING_FUNCTIONS } from "./fn/strings.ts";
import { templatefileFunction } from "./fn/templatefile.ts";
import { YAML_FUNCTIONS } from "./fn/yaml.ts";

export type { DirectoryEntry, FileSystemHost } from "./fn/filesystem.ts";
export type { RandomBytes } from "./fn/crypto.ts";

/** Everything impure the functions may use; each capability is optional. */
export interface FunctionHost extends FileSystemHost {
  /** Random bytes for `uuidv4` and `bcrypt`'s salt. */
  randomBytes?: RandomBytes;
}

/**
 * The full function table, with impure functions bound to `host`. Functions
 * whose capability the host lacks still exist (the name is known) but fail
 * with an error that says what is missing.
 *
 * @example
 * ```ts
 * import { functionLibrary } from "./functions.ts";
 * const fns = functionLibrary({ readFile: (path) => `contents of ${path}` });
 * fns.file!(["a.txt"]); // "contents of a.txt"
 * ```
 */
export function functionLibrary(host: FunctionHost): Readonly<Record<string, HclFunction>> {
  const all: Record<string, HclFunction> = {
    ...COLLECTION_FUNCTIONS,
    ...CONVERSION_FUNCTIONS,
    ...CRYPTO_FUNCTIONS,
    ...DATETIME_FUNCTIONS,
    ...ENCODING_FUNCTIONS,
    ...NETWORK_FUNCTIONS,
    ...NUMERIC_FUNCTIONS,
    ...STRING_FUNCTIONS,
    ...YAML_FUNCTIONS,
    ...filesystemFunctions(host),
    ...randomFunctions(host.randomBytes),
  };
  all.templatefile = templatefileFunction(host, () => table);
  const sorted: Record<string, HclFunction> = {};
  for (const name of Object.keys(all).sort()) sorted[name] = all[name]!;
  const table = Object.freeze(sorted);
  return table;
}

/** The function table with no host: file access and randomness fail with a clear error. */
export const STANDARD_FUNCTIONS: Readonly<Record<string, HclFunction>> = functionLibrary({});
