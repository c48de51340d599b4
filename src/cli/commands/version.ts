/** `nomad version`: prints the version the way Nomad does (`Nomad v1.2.3` first). */

import { NOMAD_REVISION, NOMAD_VERSION } from "../../core/version.ts";
import type { Command } from "../cli.ts";

/** This build's version. */
export const VERSION: string = NOMAD_VERSION;

/** Revision line: this is the Deno/TypeScript implementation, not a Go build. */
export const REVISION = NOMAD_REVISION;

/** The text of `nomad version` and `nomad -v`. */
export function versionText(): string {
  return `Nomad v${VERSION}\nRevision ${REVISION}`;
}

/** `nomad version`. */
export const versionCommand: Command = {
  name: "version",
  synopsis: "Prints the Nomad version",
  help: () => "Usage: nomad version\n\n  Prints the Nomad version",
  run(_args, ctx) {
    ctx.ui.output(versionText());
    return Promise.resolve(0);
  },
};
