/** `/v1/vars` and `/v1/var/:path`: Nomad Variables. */

import { ApiError } from "./errors.ts";
import type { HttpCore, QueryOptions, QueryResult, WriteOptions } from "./http_core.ts";
import type { Variable, VariableMetadata } from "../structs/mod.ts";

/** A check-and-set write found a different index on the server (HTTP 409). */
export class VariableConflictError extends Error {
  override name = "VariableConflictError";
  /** The index the write expected. */
  readonly checkIndex: number;
  /** The variable as the server has it (ModifyIndex 0 when it does not exist). */
  readonly conflict: Variable;

  constructor(checkIndex: number, conflict: Variable) {
    super(`cas conflict: expected ModifyIndex ${checkIndex}; found ${conflict.ModifyIndex}`);
    this.checkIndex = checkIndex;
    this.conflict = conflict;
  }
}

/** Variable endpoints. */
export class VariablesApi {
  #core: HttpCore;

  /** Wraps the shared HTTP core. */
  constructor(core: HttpCore) {
    this.#core = core;
  }

  /** Lists variable metadata, optionally under a path prefix. */
  list(options: QueryOptions = {}): Promise<QueryResult<VariableMetadata[]>> {
    return this.#core.query<VariableMetadata[]>("/v1/vars", options);
  }

  /** Reads one variable. */
  read(path: string, options: QueryOptions = {}): Promise<QueryResult<Variable>> {
    return this.#core.query<Variable>(`/v1/var/${path}`, options);
  }

  /**
   * Writes a variable. With `checkIndex` the write only happens when the
   * stored ModifyIndex matches (0: only when it does not exist yet).
   */
  async put(
    variable: Pick<Variable, "Namespace" | "Path" | "Items">,
    checkIndex: number | null,
    options: WriteOptions = {},
  ): Promise<Variable> {
    const params = {
      ...options.params,
      ...(checkIndex === null ? {} : { cas: String(checkIndex) }),
    };
    try {
      const result = await this.#core.write<Variable>("PUT", `/v1/var/${variable.Path}`, variable, {
        ...options,
        params,
      });
      return result.data;
    } catch (error) {
      throw conflictOrError(error, checkIndex);
    }
  }

  /** Deletes a variable, checking its index when `checkIndex` is given. */
  async delete(path: string, checkIndex: number | null, options: WriteOptions = {}): Promise<void> {
    const params = {
      ...options.params,
      ...(checkIndex === null ? {} : { cas: String(checkIndex) }),
    };
    try {
      await this.#core.write<null>("DELETE", `/v1/var/${path}`, undefined, { ...options, params });
    } catch (error) {
      // 204 No Content is the success answer of a delete.
      if (error instanceof ApiError && error.statusCode === 204) return;
      throw conflictOrError(error, checkIndex);
    }
  }
}

function conflictOrError(error: unknown, checkIndex: number | null): unknown {
  if (error instanceof ApiError && error.statusCode === 409) {
    try {
      return new VariableConflictError(checkIndex ?? 0, JSON.parse(error.body) as Variable);
    } catch {
      return error;
    }
  }
  return error;
}
