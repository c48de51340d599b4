/** Random sources passed into pure code so that it stays deterministic under test. */

/** A source of uniformly distributed numbers in [0, 1). */
export interface Rng {
  /** Next number in [0, 1). */
  next(): number;
}

/**
 * A small deterministic generator (mulberry32) for tests and simulations.
 *
 * @example
 * ```ts
 * import { seededRng } from "./rng.ts";
 * const a = seededRng(7).next();
 * const b = seededRng(7).next();
 * a === b; // true
 * ```
 */
export function seededRng(seed: number): Rng {
  let state = seed >>> 0;
  return {
    next(): number {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** Integer in [min, max] inclusive. */
export function randomInt(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng.next() * (max - min + 1));
}
