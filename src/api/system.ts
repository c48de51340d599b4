/** `/v1/system/*` endpoints. */

import type { HttpCore, WriteOptions } from "./http_core.ts";

/** System endpoints. */
export class SystemApi {
  #core: HttpCore;

  /** Wraps the shared HTTP core. */
  constructor(core: HttpCore) {
    this.#core = core;
  }

  /** Runs the garbage collector now (`PUT /v1/system/gc`). */
  async garbageCollect(options: WriteOptions = {}): Promise<void> {
    await this.#core.write<null>("PUT", "/v1/system/gc", undefined, options);
  }

  /** Recomputes job summaries (`PUT /v1/system/reconcile/summaries`). */
  async reconcileSummaries(options: WriteOptions = {}): Promise<void> {
    await this.#core.write<null>("PUT", "/v1/system/reconcile/summaries", undefined, options);
  }
}
