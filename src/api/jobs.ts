/** `/v1/jobs` and `/v1/job/:id/*` endpoints. */

import type {
  AllocationListStub,
  Evaluation,
  Job,
  JobDispatchResponse,
  JobListStub,
  JobPlanResponse,
  JobSummary,
  PeriodicForceResponse,
} from "../structs/mod.ts";
import { encodeBase64 } from "../core/base64.ts";
import type { HttpCore, QueryOptions, QueryResult, WriteOptions } from "./http_core.ts";
import type {
  Deployment,
  JobDeregisterResponse,
  JobPayload,
  JobRegisterResponse,
  JobValidateResponse,
  JobVersionsResponse,
  RegisterOptions,
} from "./types.ts";

/** Sorts newest first by CreateIndex, as the Go client's AllocIndexSort/EvalIndexSort do. */
export function byCreateIndexDescending<T extends { CreateIndex: number }>(items: T[]): T[] {
  return [...items].sort((a, b) => b.CreateIndex - a.CreateIndex);
}

/** Job endpoints. */
export class JobsApi {
  #core: HttpCore;

  /** Wraps the shared HTTP core. */
  constructor(core: HttpCore) {
    this.#core = core;
  }

  /** Lists jobs sorted by ID (`prefix` in options filters by ID prefix). */
  async list(options: QueryOptions = {}): Promise<QueryResult<JobListStub[]>> {
    const result = await this.#core.query<JobListStub[] | null>("/v1/jobs", options);
    const data = [...(result.data ?? [])].sort((a, b) => compareStrings(a.ID, b.ID));
    return { ...result, data };
  }

  /** Lists jobs whose ID starts with `prefix`. */
  async prefixList(
    prefix: string,
    options: QueryOptions = {},
  ): Promise<QueryResult<JobListStub[]>> {
    return await this.list({ ...options, prefix });
  }

  /** Registers (creates or updates) a job. */
  async register(
    job: JobPayload,
    options: RegisterOptions = {},
    write: WriteOptions = {},
  ): Promise<QueryResult<JobRegisterResponse>> {
    const body: Record<string, unknown> = { Job: job };
    if (options.enforceIndex) {
      body["EnforceIndex"] = true;
      body["JobModifyIndex"] = options.modifyIndex ?? 0;
    }
    if (options.policyOverride) body["PolicyOverride"] = true;
    if (options.preserveCounts) body["PreserveCounts"] = true;
    if (options.evalPriority !== undefined && options.evalPriority > 0) {
      body["EvalPriority"] = options.evalPriority;
    }
    if (options.submission !== undefined) body["Submission"] = options.submission;
    return await this.#core.write<JobRegisterResponse>("PUT", "/v1/jobs", body, write);
  }

  /** Dry-runs the scheduler on a job (`PUT /v1/job/:id/plan`), with the diff when asked. */
  async plan(
    job: JobPayload,
    options: { diff?: boolean; policyOverride?: boolean } = {},
    write: WriteOptions = {},
  ): Promise<JobPlanResponse> {
    const id = typeof job["ID"] === "string" ? job["ID"] : "";
    const body = {
      Job: job,
      Diff: options.diff ?? true,
      PolicyOverride: options.policyOverride ?? false,
    };
    return (await this.#core.write<JobPlanResponse>("PUT", `${jobPath(id)}/plan`, body, write))
      .data;
  }

  /** Checks a job without registering it (`PUT /v1/validate/job`). */
  async validate(job: JobPayload, write: WriteOptions = {}): Promise<JobValidateResponse> {
    return (await this.#core.write<JobValidateResponse>(
      "PUT",
      "/v1/validate/job",
      { Job: job },
      write,
    ))
      .data;
  }

  /** Parses HCL server-side (`PUT /v1/jobs/parse`). */
  async parse(
    hcl: string,
    options: { canonicalize?: boolean; variables?: string } = {},
    write: WriteOptions = {},
  ): Promise<JobPayload> {
    const body = {
      JobHCL: hcl,
      Canonicalize: options.canonicalize ?? false,
      Variables: options.variables ?? "",
    };
    return (await this.#core.write<JobPayload>("PUT", "/v1/jobs/parse", body, write)).data;
  }

  /** Reads one job. */
  async info(id: string, options: QueryOptions = {}): Promise<QueryResult<Job>> {
    return await this.#core.query<Job>(jobPath(id), options);
  }

  /** Stops a job (`purge` removes it entirely). */
  async deregister(
    id: string,
    options: {
      purge?: boolean;
      global?: boolean;
      evalPriority?: number;
      noShutdownDelay?: boolean;
    } = {},
    write: WriteOptions = {},
  ): Promise<QueryResult<JobDeregisterResponse>> {
    const params = {
      purge: String(options.purge ?? false),
      global: String(options.global ?? false),
      eval_priority: String(options.evalPriority ?? 0),
      no_shutdown_delay: String(options.noShutdownDelay ?? false),
      ...write.params,
    };
    return await this.#core.write<JobDeregisterResponse>("DELETE", jobPath(id), undefined, {
      ...write,
      params,
    });
  }

  /** Allocations of a job, newest first; `all` includes those of older job instances. */
  async allocations(
    id: string,
    all = false,
    options: QueryOptions = {},
  ): Promise<QueryResult<AllocationListStub[]>> {
    const params = { all: String(all), ...options.params };
    const result = await this.#core.query<AllocationListStub[] | null>(
      `${jobPath(id)}/allocations`,
      {
        ...options,
        params,
      },
    );
    return { ...result, data: byCreateIndexDescending(result.data ?? []) };
  }

  /** Evaluations of a job, newest first. */
  async evaluations(id: string, options: QueryOptions = {}): Promise<QueryResult<Evaluation[]>> {
    const result = await this.#core.query<Evaluation[] | null>(
      `${jobPath(id)}/evaluations`,
      options,
    );
    return { ...result, data: byCreateIndexDescending(result.data ?? []) };
  }

  /** Allocation counts per task group. */
  async summary(id: string, options: QueryOptions = {}): Promise<QueryResult<JobSummary>> {
    return await this.#core.query<JobSummary>(`${jobPath(id)}/summary`, options);
  }

  /** Registers a stored version's spec again (`PUT /v1/job/:id/revert`). */
  async revert(
    id: string,
    version: number,
    options: { enforcePriorVersion?: number } = {},
    write: WriteOptions = {},
  ): Promise<JobRegisterResponse> {
    const body: Record<string, unknown> = { JobID: id, JobVersion: version };
    if (options.enforcePriorVersion !== undefined) {
      body["EnforcePriorVersion"] = options.enforcePriorVersion;
    }
    return (await this.#core.write<JobRegisterResponse>(
      "PUT",
      `${jobPath(id)}/revert`,
      body,
      write,
    ))
      .data;
  }

  /** Sets one group's count (`POST /v1/job/:id/scale`). */
  async scale(
    id: string,
    group: string,
    count: number,
    message = "",
    write: WriteOptions = {},
  ): Promise<JobRegisterResponse> {
    const body = { Count: count, Target: { Group: group }, Message: message };
    return (await this.#core.write<JobRegisterResponse>(
      "POST",
      `${jobPath(id)}/scale`,
      body,
      write,
    ))
      .data;
  }

  /** All versions of a job. */
  async versions(
    id: string,
    options: QueryOptions & { diffs?: boolean } = {},
  ): Promise<QueryResult<JobVersionsResponse<Job>>> {
    const params = { diffs: String(options.diffs ?? false), ...options.params };
    return await this.#core.query<JobVersionsResponse<Job>>(`${jobPath(id)}/versions`, {
      ...options,
      params,
    });
  }

  /** The job's most recent deployment, or null. */
  async latestDeployment(
    id: string,
    options: QueryOptions = {},
  ): Promise<QueryResult<Deployment | null>> {
    return await this.#core.query<Deployment | null>(`${jobPath(id)}/deployment`, options);
  }

  /**
   * Dispatches a parameterized job (`PUT /v1/job/:id/dispatch`); an idempotency
   * token goes in the query, as the Go client sends it.
   */
  async dispatch(
    id: string,
    request: {
      meta?: Record<string, string>;
      payload?: Uint8Array;
      idPrefixTemplate?: string;
      idempotencyToken?: string;
    } = {},
    write: WriteOptions = {},
  ): Promise<JobDispatchResponse> {
    const body = {
      JobID: id,
      Payload: request.payload === undefined || request.payload.length === 0
        ? null
        : encodeBase64(request.payload),
      Meta: request.meta ?? {},
      IdPrefixTemplate: request.idPrefixTemplate ?? "",
    };
    const params = { ...write.params };
    if (request.idempotencyToken) params["idempotency_token"] = request.idempotencyToken;
    return (await this.#core.write<JobDispatchResponse>("PUT", `${jobPath(id)}/dispatch`, body, {
      ...write,
      params,
    })).data;
  }

  /** Launches a periodic job now (`PUT /v1/job/:id/periodic/force`). */
  async periodicForce(id: string, write: WriteOptions = {}): Promise<PeriodicForceResponse> {
    return (await this.#core.write<PeriodicForceResponse>(
      "PUT",
      `${jobPath(id)}/periodic/force`,
      undefined,
      write,
    )).data;
  }
}

/** `/v1/job/<escaped id>`: IDs may contain `/` (dispatched and periodic children). */
export function jobPath(id: string): string {
  return `/v1/job/${encodeURIComponent(id)}`;
}

/** Byte-wise string order, like Go's `<` on strings. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
