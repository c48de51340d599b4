/** Go (RE2) regular expression syntax translated to JavaScript's, for `regex_replace`. */

/**
 * Compiles a Go regular expression: `(?P<name>...)` groups, a leading
 * `(?flags)` group (i, m, s), `\A`, `\z` and `\Q...\E` are translated.
 *
 * @example
 * ```ts
 * import { goRegExp } from "./regexp.ts";
 * goRegExp("(?i)(?P<word>a+)", "g").exec("xAa")?.groups?.word; // "Aa"
 * ```
 */
export function goRegExp(pattern: string, flags: string): RegExp {
  let source = pattern;
  let extra = "";
  const leading = /^\(\?([imsU]+)\)/.exec(source);
  if (leading !== null) {
    if (leading[1]!.includes("U")) {
      throw new RangeError("error parsing regexp: flag U is not supported");
    }
    extra = leading[1]!;
    source = source.slice(leading[0].length);
  }
  source = source
    .replace(
      /\\Q(.*?)(?:\\E|$)/gs,
      (_m, literal: string) => literal.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&"),
    )
    .replaceAll("(?P<", "(?<")
    .replaceAll("\\A", "^")
    .replaceAll("\\z", "$(?![\\s\\S])");
  for (const unicode of ["u", ""]) {
    try {
      return new RegExp(source, flags + extra + unicode);
    } catch (error) {
      if (unicode === "" && error instanceof SyntaxError) {
        throw new RangeError(
          `error parsing regexp: ${error.message.replace(/^Invalid regular expression: /, "")}`,
        );
      }
    }
  }
  throw new RangeError(`error parsing regexp: ${pattern}`);
}
