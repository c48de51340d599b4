/**
 * Expected failures that reach the user as a clear message. HTTP handlers map
 * a {@linkcode CodedError} to its status code and plain-text body, as Nomad does.
 */

/** An error with an HTTP-style status code (400 bad input, 404 not found, ...). */
export class CodedError extends Error {
  override name = "CodedError";
  /** HTTP status code that this error maps to. */
  readonly code: number;

  /**
   * @example
   * ```ts
   * import { CodedError } from "./errors.ts";
   * const err = new CodedError(404, "job not found");
   * ```
   */
  constructor(code: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** Input failed validation; `errors` lists every problem found, not only the first. */
export class ValidationError extends CodedError {
  override name = "ValidationError";
  /** Each validation problem as one sentence. */
  readonly errors: readonly string[];

  /** Builds the Nomad-style multi-error message ("N errors occurred:\n\t* ..."). */
  constructor(errors: readonly string[]) {
    super(400, formatMultiError(errors));
    this.errors = errors;
  }
}

/**
 * Formats errors like Go's go-multierror, which Nomad prints for validation.
 *
 * @example
 * ```ts
 * import { formatMultiError } from "./errors.ts";
 * formatMultiError(["a", "b"]); // "2 errors occurred:\n\t* a\n\t* b\n\n"
 * ```
 */
export function formatMultiError(errors: readonly string[]): string {
  if (errors.length === 1) return `1 error occurred:\n\t* ${errors[0]}\n\n`;
  return `${errors.length} errors occurred:\n${errors.map((e) => `\t* ${e}`).join("\n")}\n\n`;
}
