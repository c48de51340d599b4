/** `/v1/services` and `/v1/service/:name`: native service discovery. */

import type { HttpCore, QueryOptions, QueryResult, WriteOptions } from "./http_core.ts";
import type { ServiceRegistration, ServiceRegistrationListStub } from "../structs/mod.ts";

/** Service registration endpoints. */
export class ServicesApi {
  #core: HttpCore;

  /** Wraps the shared HTTP core. */
  constructor(core: HttpCore) {
    this.#core = core;
  }

  /** Service names and tags, grouped by namespace (`prefix` filters names). */
  list(options: QueryOptions = {}): Promise<QueryResult<ServiceRegistrationListStub[]>> {
    return this.#core.query<ServiceRegistrationListStub[]>("/v1/services", options);
  }

  /** The registered instances of one service. */
  get(name: string, options: QueryOptions = {}): Promise<QueryResult<ServiceRegistration[]>> {
    return this.#core.query<ServiceRegistration[]>(
      `/v1/service/${encodeURIComponent(name)}`,
      options,
    );
  }

  /** Removes one registration by service name and ID. */
  async delete(name: string, id: string, options: WriteOptions = {}): Promise<void> {
    await this.#core.write<null>(
      "DELETE",
      `/v1/service/${encodeURIComponent(name)}/${encodeURIComponent(id)}`,
      undefined,
      options,
    );
  }
}
