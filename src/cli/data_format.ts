/**
 * The CLI's `-json` / `-t` output (Nomad's command.Format): pretty JSON with
 * four-space indents, or a Go text/template executed against the API object,
 * through the same engine task templates use.
 */

import { goTemplate } from "../client/template/mod.ts";

/**
 * `data` formatted as JSON (`json`) or with Go template `template`; throws an
 * Error with Nomad's text when both or neither are given or the template fails.
 *
 * @example
 * ```ts
 * import { formatData } from "./data_format.ts";
 * formatData(false, "{{ .ID }}", { ID: "a1" }); // "a1"
 * ```
 */
export function formatData(json: boolean, template: string, data: unknown): string {
  if (json && template.length > 0) {
    throw new Error("Both json and template formatting are not allowed");
  }
  if (json) return JSON.stringify(data, null, 4);
  if (template.length === 0) throw new Error("no formatting option given");
  try {
    return goTemplate("", template).execute(data);
  } catch (err) {
    throw new Error(`Error formatting the data: ${(err as Error).message}`, { cause: err });
  }
}
