/** `/v1/operator/*` endpoints: the cluster's scheduler configuration. */

import type { SchedulerConfiguration } from "../structs/mod.ts";
import type { HttpCore, QueryOptions, QueryResult, WriteOptions } from "./http_core.ts";

/** `GET /v1/operator/scheduler/configuration` body. */
export interface SchedulerConfigurationResponse {
  SchedulerConfig: SchedulerConfiguration | null;
  Index: number;
  LastContact: number;
  KnownLeader: boolean;
}

/** `PUT /v1/operator/scheduler/configuration` body. */
export interface SchedulerSetConfigurationResponse {
  /** False when a check-and-set found another ModifyIndex. */
  Updated: boolean;
  Index: number;
}

/** Path of the scheduler configuration endpoint. */
const SCHEDULER_CONFIGURATION = "/v1/operator/scheduler/configuration";

/** Operator endpoints. */
export class OperatorApi {
  #core: HttpCore;

  /** Wraps the shared HTTP core. */
  constructor(core: HttpCore) {
    this.#core = core;
  }

  /** The scheduler configuration (Nomad's SchedulerGetConfiguration). */
  async schedulerGetConfiguration(
    options: QueryOptions = {},
  ): Promise<QueryResult<SchedulerConfigurationResponse>> {
    return await this.#core.query<SchedulerConfigurationResponse>(SCHEDULER_CONFIGURATION, options);
  }

  /** Replaces the scheduler configuration (Nomad's SchedulerSetConfiguration). */
  async schedulerSetConfiguration(
    config: SchedulerConfiguration,
    options: WriteOptions = {},
  ): Promise<SchedulerSetConfigurationResponse> {
    const result = await this.#core.write<SchedulerSetConfigurationResponse>(
      "PUT",
      SCHEDULER_CONFIGURATION,
      config,
      options,
    );
    return result.data;
  }

  /**
   * Replaces the scheduler configuration only if its ModifyIndex is still
   * `config.ModifyIndex` (Nomad's SchedulerCASConfiguration, `?cas=`).
   */
  async schedulerCasConfiguration(
    config: SchedulerConfiguration,
    options: WriteOptions = {},
  ): Promise<SchedulerSetConfigurationResponse> {
    const result = await this.#core.write<SchedulerSetConfigurationResponse>(
      "PUT",
      SCHEDULER_CONFIGURATION,
      config,
      { ...options, params: { ...options.params, cas: String(config.ModifyIndex) } },
    );
    return result.data;
  }
}
