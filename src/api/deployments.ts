/** `/v1/deployments` and `/v1/deployment/*` endpoints. */

import type { AllocationListStub, Deployment, DeploymentUpdateResponse } from "../structs/mod.ts";
import type { HttpCore, QueryOptions, QueryResult, WriteOptions } from "./http_core.ts";

/** Deployment endpoints. */
export class DeploymentsApi {
  #core: HttpCore;

  /** Wraps the shared HTTP core. */
  constructor(core: HttpCore) {
    this.#core = core;
  }

  /** Lists deployments, newest first (`prefix` in options filters by ID prefix). */
  async list(options: QueryOptions = {}): Promise<QueryResult<Deployment[]>> {
    const result = await this.#core.query<Deployment[] | null>("/v1/deployments", options);
    const data = [...(result.data ?? [])].sort((a, b) => b.CreateIndex - a.CreateIndex);
    return { ...result, data };
  }

  /** Lists deployments whose ID starts with `prefix`. */
  async prefixList(prefix: string, options: QueryOptions = {}): Promise<QueryResult<Deployment[]>> {
    return await this.list({ ...options, prefix });
  }

  /** One deployment. */
  async info(id: string, options: QueryOptions = {}): Promise<QueryResult<Deployment>> {
    return await this.#core.query<Deployment>(`/v1/deployment/${encodeURIComponent(id)}`, options);
  }

  /** The deployment's allocations. */
  async allocations(
    id: string,
    options: QueryOptions = {},
  ): Promise<QueryResult<AllocationListStub[]>> {
    const result = await this.#core.query<AllocationListStub[] | null>(
      `/v1/deployment/allocations/${encodeURIComponent(id)}`,
      options,
    );
    return { ...result, data: result.data ?? [] };
  }

  /** Promotes every group's canaries. */
  async promoteAll(id: string, write: WriteOptions = {}): Promise<DeploymentUpdateResponse> {
    return await this.#write("promote", id, { DeploymentID: id, All: true }, write);
  }

  /** Promotes the canaries of the named groups. */
  async promoteGroups(
    id: string,
    groups: readonly string[],
    write: WriteOptions = {},
  ): Promise<DeploymentUpdateResponse> {
    return await this.#write("promote", id, { DeploymentID: id, Groups: groups }, write);
  }

  /** Marks the deployment failed (auto-reverting when configured). */
  async fail(id: string, write: WriteOptions = {}): Promise<DeploymentUpdateResponse> {
    return await this.#write("fail", id, { DeploymentID: id }, write);
  }

  /** Pauses (`pause` true) or resumes the deployment. */
  async pause(
    id: string,
    pause: boolean,
    write: WriteOptions = {},
  ): Promise<DeploymentUpdateResponse> {
    return await this.#write("pause", id, { DeploymentID: id, Pause: pause }, write);
  }

  async #write(
    action: string,
    id: string,
    body: unknown,
    write: WriteOptions,
  ): Promise<DeploymentUpdateResponse> {
    const path = `/v1/deployment/${action}/${encodeURIComponent(id)}`;
    return (await this.#core.write<DeploymentUpdateResponse>("PUT", path, body, write)).data;
  }
}
