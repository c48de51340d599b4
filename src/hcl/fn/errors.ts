/**
 * Errors a function throws so that the evaluator can position them the way
 * HCL does: at the offending argument, or at the whole call.
 */

/**
 * A problem with one argument: HCL reports it at that argument as
 * `Invalid function argument; Invalid value for "<parameter>" parameter: <message>.`
 *
 * @example
 * ```ts
 * import { FunctionArgumentError } from "./errors.ts";
 * const error = new FunctionArgumentError(0, "num", "a number is required");
 * error.argumentIndex; // 0
 * ```
 */
export class FunctionArgumentError extends TypeError {
  override name = "FunctionArgumentError";
  /** 0-based position of the argument in the call. */
  readonly argumentIndex: number;
  /** The parameter's documented name, e.g. `str`. */
  readonly parameter: string;

  /** Builds the error; `message` has no trailing period. */
  constructor(argumentIndex: number, parameter: string, message: string) {
    super(message);
    this.argumentIndex = argumentIndex;
    this.parameter = parameter;
  }
}

/**
 * A call with too few or too many arguments. `summary` is HCL's
 * ("Not enough function arguments" / "Too many function arguments") and
 * `argumentIndex` the first surplus argument, or -1 for the closing parenthesis.
 *
 * @example
 * ```ts
 * import { FunctionArityError } from "./errors.ts";
 * new FunctionArityError("Too many function arguments", 'Function "abs" expects only 1 argument(s).', 1).summary;
 * // "Too many function arguments"
 * ```
 */
export class FunctionArityError extends TypeError {
  override name = "FunctionArityError";
  /** The diagnostic's short title. */
  readonly summary: string;
  /** 0-based position of the first surplus argument, or -1 for the end of the call. */
  readonly argumentIndex: number;

  /** Builds the error; `message` is the diagnostic's detail. */
  constructor(summary: string, message: string, argumentIndex: number) {
    super(message);
    this.summary = summary;
    this.argumentIndex = argumentIndex;
  }
}
