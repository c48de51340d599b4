/**
 * Invariant checks. A failed assertion is a bug: it is never caught, and the
 * process should stop rather than limp on with a broken invariant.
 */

/** Raised when an invariant does not hold. */
export class AssertionError extends Error {
  override name = "AssertionError";
}

/**
 * Throws an {@linkcode AssertionError} when `condition` is false.
 *
 * @example
 * ```ts
 * import { assert } from "./assert.ts";
 * assert(1 + 1 === 2, "arithmetic works");
 * ```
 */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** Marks code that must be unreachable for exhaustive `switch` statements. */
export function unreachable(value: never, message = "unreachable"): never {
  throw new AssertionError(`${message}: ${JSON.stringify(value)}`);
}
