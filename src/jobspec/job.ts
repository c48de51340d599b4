/** The `job "id" { ... }` block. */

import type { JsonObject } from "../structs/decode.ts";
import type { ScopedBlock } from "../hcl/mod.ts";
import { decodeStruct } from "./decode.ts";

/** Options for {@linkcode decodeJob}. */
export interface DecodeJobOptions {
  /** Receives one warning per stanza this agent accepts but does not run. */
  readonly onWarning?: (message: string) => void;
}

/**
 * Decodes the job block into api.Job JSON as Nomad's job file parser does,
 * before the api shape (nulls, field order) is applied.
 */
export function decodeJob(scoped: ScopedBlock, options: DecodeJobOptions = {}): JsonObject {
  const run = options.onWarning === undefined
    ? { warned: new Set<string>() }
    : { onWarning: options.onWarning, warned: new Set<string>() };
  return decodeStruct("Job", scoped, run);
}
