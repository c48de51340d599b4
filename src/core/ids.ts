/** Identifiers in Nomad's UUID format, generated from an injected random source. */

import type { Rng } from "./rng.ts";

/**
 * Formats 16 random bytes as a Nomad-style UUID (8-4-4-4-12 lowercase hex).
 *
 * @example
 * ```ts
 * import { uuidFrom } from "./ids.ts";
 * import { seededRng } from "./rng.ts";
 * uuidFrom(seededRng(1)).length; // 36
 * ```
 */
export function uuidFrom(rng: Rng): string {
  const hex: string[] = [];
  for (let i = 0; i < 16; i++) hex.push(Math.floor(rng.next() * 256).toString(16).padStart(2, "0"));
  const s = hex.join("");
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** First 8 characters of an ID, as Nomad's CLI shows them. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** A function that returns a fresh unique ID each call. */
export type IdGenerator = () => string;
