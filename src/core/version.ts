/** This build's version. `deno.json`'s "version" must match (checked by a test). */

/** Version reported by `nomad version`, `/v1/agent/self` and the `nomad.version` attribute. */
export const NOMAD_VERSION = "0.1.0";

/** Revision: this is the Deno/TypeScript implementation, not a Go build. */
export const NOMAD_REVISION = "deno-ts";
