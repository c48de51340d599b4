/** The HCL function table a job file is evaluated with. */

import { type HclFunction, STANDARD_FUNCTIONS } from "../hcl/mod.ts";

/** What the file-reading functions (`file`, `templatefile`, ...) may touch. */
export interface JobFileHost {
  /** Reads a file; relative paths are relative to the job file's directory. */
  readFile?: (path: string) => string;
}

/** The functions available to a job file, given what the host allows. */
export function jobFunctions(_host: JobFileHost): Readonly<Record<string, HclFunction>> {
  return STANDARD_FUNCTIONS;
}
