/**
 * Parses the files of `env = true` templates: `KEY=value` lines as Nomad reads
 * them (go-envparse): blank lines and `#` comments skipped, an optional
 * `export `, values unquoted (trimmed, ` #` starts a comment), 'single-quoted'
 * (literal) or "double-quoted" (backslash escapes).
 */

/** Most variables one env file may define. */
export const MAX_ENV_FILE_VARIABLES = 10_000;

const KEY = /^[A-Za-z_][A-Za-z0-9_.]*$/;

const ESCAPES: Readonly<Record<string, string>> = {
  n: "\n",
  t: "\t",
  r: "\r",
  "\\": "\\",
  '"': '"',
  "$": "$",
  "`": "`",
};

function doubleQuoted(text: string, line: number): string {
  let out = "";
  for (let i = 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      if (text.slice(i + 1).trim() !== "" && !text.slice(i + 1).trim().startsWith("#")) {
        throw new SyntaxError(`line ${line}: unexpected text after quoted value`);
      }
      return out;
    }
    if (c === "\\" && i + 1 < text.length) {
      const next = text[++i]!;
      out += ESCAPES[next] ?? `\\${next}`;
    } else out += c;
  }
  throw new SyntaxError(`line ${line}: unterminated quoted value`);
}

function value(raw: string, line: number): string {
  const text = raw.trim();
  if (text.startsWith('"')) return doubleQuoted(text, line);
  if (text.startsWith("'")) {
    const end = text.indexOf("'", 1);
    if (end < 0) throw new SyntaxError(`line ${line}: unterminated quoted value`);
    return text.slice(1, end);
  }
  const comment = text.search(/\s#/);
  return (comment < 0 ? text : text.slice(0, comment)).trim();
}

/**
 * The variables defined by `text`; throws SyntaxError naming the line.
 *
 * @example
 * ```ts
 * import { parseEnvFile } from "./env_file.ts";
 * parseEnvFile('A=1\nexport B="two words"\n# note\n'); // { A: "1", B: "two words" }
 * ```
 */
export function parseEnvFile(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  let count = 0;
  for (const [index, rawLine] of text.split(/\r?\n/).entries()) {
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#")) continue;
    const body = line.startsWith("export ") ? line.slice("export ".length).trimStart() : line;
    const eq = body.indexOf("=");
    if (eq < 0) throw new SyntaxError(`line ${index + 1}: missing =`);
    const key = body.slice(0, eq).trim();
    if (!KEY.test(key)) {
      throw new SyntaxError(`line ${index + 1}: invalid key ${JSON.stringify(key)}`);
    }
    if (++count > MAX_ENV_FILE_VARIABLES) {
      throw new RangeError(`more than ${MAX_ENV_FILE_VARIABLES} variables`);
    }
    vars[key] = value(body.slice(eq + 1), index + 1);
  }
  return vars;
}
