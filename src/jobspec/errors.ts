/** Job-file problems that have no place in a file (e.g. a bad `-var` on the command line). */

/**
 * A problem with the inputs of a job file rather than its text, such as a
 * `-var` naming an undeclared variable. Problems in the file itself are
 * `HclSyntaxError`s carrying `file:line:column`.
 *
 * @example
 * ```ts
 * import { JobspecError } from "./errors.ts";
 * new JobspecError('Undefined -var variable: A "foo" variable was passed ...');
 * ```
 */
export class JobspecError extends Error {
  override name = "JobspecError";
}
