/** Copying and freezing: objects read from the state store are frozen; copy before changing. */

/**
 * Deep-copies a JSON-shaped value.
 *
 * @example
 * ```ts
 * import { deepCopy } from "./copy.ts";
 * const a = { x: [1] };
 * deepCopy(a).x !== a.x; // true
 * ```
 */
export function deepCopy<T>(value: T): T {
  return structuredClone(value);
}

/** Freezes a value and everything it holds; returns it for chaining. */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  return value;
}
