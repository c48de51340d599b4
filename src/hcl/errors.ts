/** Diagnostics for HCL files, formatted `<file>:<line>:<column>: <summary>; <detail>`. */

import type { Range } from "./ast.ts";

/**
 * A problem in an HCL file at a known place. Syntax, evaluation and decoding
 * problems all use this one type, so a caller catches every "your file is
 * wrong here" failure with one `instanceof` check.
 *
 * @example
 * ```ts
 * import { HclSyntaxError } from "./errors.ts";
 * const pos = { line: 12, column: 5, offset: 200 };
 * const err = new HclSyntaxError("Invalid expression", "expected the start of an expression", {
 *   filename: "example.nomad",
 *   start: pos,
 *   end: pos,
 * });
 * err.message; // "example.nomad:12:5: Invalid expression; expected the start of an expression"
 * ```
 */
export class HclSyntaxError extends SyntaxError {
  override name = "HclSyntaxError";
  /** Short title of the problem, e.g. "Unsupported argument". */
  readonly summary: string;
  /** The longer explanation after the summary. */
  readonly detail: string;
  /** Where the problem is. */
  readonly range: Range;

  /** Builds the error; the message carries the file name and 1-based line and column. */
  constructor(summary: string, detail: string, range: Range, options?: ErrorOptions) {
    super(formatDiagnostic(summary, detail, range), options);
    this.summary = summary;
    this.detail = detail;
    this.range = range;
  }

  /** Name of the file the problem is in. */
  get filename(): string {
    return this.range.filename;
  }

  /** 1-based line of the problem. */
  get line(): number {
    return this.range.start.line;
  }

  /** 1-based column of the problem. */
  get column(): number {
    return this.range.start.column;
  }
}

/** Formats one diagnostic as `<file>:<line>:<column>: <summary>; <detail>`. */
export function formatDiagnostic(summary: string, detail: string, range: Range): string {
  const where = `${range.filename}:${range.start.line}:${range.start.column}`;
  return detail === "" ? `${where}: ${summary}` : `${where}: ${summary}; ${detail}`;
}
