/**
 * `templatefile(path, vars)`: renders a file as an HCL template with `vars` as
 * its variables. Nomad's job parser lacks it; we offer it because Terraform
 * users expect it and job files read better with it than with
 * `replace(file(...))` chains. References to anything not in `vars` stay as
 * `${...}` text, like runtime references in the job file itself.
 */

import { Cursor } from "../cursor.ts";
import { evaluate, type HclFunction } from "../evaluator.ts";
import { tokenizeTemplate } from "../lexer.ts";
import { parseTemplate } from "../parse_template.ts";
import { isValueObject, toStringValue } from "../values.ts";
import { defineFunction } from "./args.ts";
import { type FileSystemHost, readText } from "./filesystem.ts";

/** The function, evaluating templates with `functions()` minus itself. */
export function templatefileFunction(
  host: FileSystemHost,
  functions: () => Readonly<Record<string, HclFunction>>,
): HclFunction {
  return defineFunction("templatefile", { params: ["path", "vars"] }, (a) => {
    const path = a.string(0);
    const vars = a.value(1);
    if (!isValueObject(vars)) throw a.error(1, "Invalid vars value: must be a map or object");
    const text = readText(host, path);
    const template = parseTemplate(new Cursor(tokenizeTemplate(text, path), text, {}));
    const { templatefile: _self, ...rest } = functions();
    return toStringValue(evaluate(template, { variables: vars, functions: rest }));
  });
}
