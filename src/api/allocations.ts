/** `/v1/allocations`, `/v1/allocation/:id` and `/v1/evaluation(s)` endpoints. */

import type { Allocation, AllocationListStub, Evaluation } from "../structs/mod.ts";
import { execAllocation, type ExecOptions } from "./allocations_exec.ts";
import type { HttpCore, QueryOptions, QueryResult } from "./http_core.ts";
import { byCreateIndexDescending } from "./jobs.ts";

/** Allocation endpoints. */
export class AllocationsApi {
  #core: HttpCore;

  /** Wraps the shared HTTP core. */
  constructor(core: HttpCore) {
    this.#core = core;
  }

  /** Lists allocations, newest first (`prefix` filters by ID prefix). */
  async list(options: QueryOptions = {}): Promise<QueryResult<AllocationListStub[]>> {
    const result = await this.#core.query<AllocationListStub[] | null>("/v1/allocations", options);
    return { ...result, data: byCreateIndexDescending(result.data ?? []) };
  }

  /** Lists allocations whose ID starts with `prefix`. */
  async prefixList(
    prefix: string,
    options: QueryOptions = {},
  ): Promise<QueryResult<AllocationListStub[]>> {
    return await this.list({ ...options, prefix });
  }

  /** Sends a signal to one task of a running allocation, or to all when `task` is empty. */
  async signal(id: string, request: { task: string; signal: string }): Promise<void> {
    await this.#core.write("PUT", `/v1/client/allocation/${encodeURIComponent(id)}/signal`, {
      Task: request.task,
      Signal: request.signal,
    });
  }

  /** Restarts one task, the running tasks, or all tasks of an allocation. */
  async restart(id: string, request: { taskName: string; allTasks: boolean }): Promise<void> {
    await this.#core.write("PUT", `/v1/client/allocation/${encodeURIComponent(id)}/restart`, {
      TaskName: request.taskName,
      AllTasks: request.allTasks,
    });
  }

  /** Stops an allocation so that it is migrated (replaced); returns the evaluation. */
  async stop(
    id: string,
    options: { noShutdownDelay?: boolean } = {},
  ): Promise<{ EvalID: string; Index: number }> {
    const params: Record<string, string> = {};
    if (options.noShutdownDelay === true) params["no_shutdown_delay"] = "true";
    const result = await this.#core.write<{ EvalID: string; Index: number }>(
      "PUT",
      `/v1/allocation/${encodeURIComponent(id)}/stop`,
      undefined,
      { params },
    );
    return result.data;
  }

  /** Runs a command in a task over the exec WebSocket; resolves with its exit code. */
  exec(id: string, options: ExecOptions): Promise<number> {
    return execAllocation(this.#core, id, options);
  }

  /** Reads one allocation. */
  async info(id: string, options: QueryOptions = {}): Promise<QueryResult<Allocation>> {
    return await this.#core.query<Allocation>(`/v1/allocation/${encodeURIComponent(id)}`, options);
  }
}

/** Evaluation endpoints. */
export class EvaluationsApi {
  #core: HttpCore;

  /** Wraps the shared HTTP core. */
  constructor(core: HttpCore) {
    this.#core = core;
  }

  /** Lists evaluations, newest first. */
  async list(options: QueryOptions = {}): Promise<QueryResult<Evaluation[]>> {
    const result = await this.#core.query<Evaluation[] | null>("/v1/evaluations", options);
    return { ...result, data: byCreateIndexDescending(result.data ?? []) };
  }

  /** Reads one evaluation; pass `index`/`waitMs` to block until it changes. */
  async info(id: string, options: QueryOptions = {}): Promise<QueryResult<Evaluation>> {
    return await this.#core.query<Evaluation>(`/v1/evaluation/${encodeURIComponent(id)}`, options);
  }

  /** Allocations created or changed by an evaluation, newest first. */
  async allocations(
    id: string,
    options: QueryOptions = {},
  ): Promise<QueryResult<AllocationListStub[]>> {
    const path = `/v1/evaluation/${encodeURIComponent(id)}/allocations`;
    const result = await this.#core.query<AllocationListStub[] | null>(path, options);
    return { ...result, data: byCreateIndexDescending(result.data ?? []) };
  }
}
