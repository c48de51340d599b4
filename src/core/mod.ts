/** Core building blocks shared by every layer: ids, clock, rng, logger, errors, asserts, bounds. */
export * from "./assert.ts";
export * from "./errors.ts";
export * from "./ids.ts";
export * from "./rng.ts";
export * from "./clock.ts";
export * from "./logger.ts";
export * from "./bounds.ts";
export * from "./base64.ts";
export * from "./version.ts";
