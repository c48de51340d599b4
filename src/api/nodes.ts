/** `/v1/nodes` and `/v1/node/:id/*` endpoints. */

import type {
  Allocation,
  DrainSpec,
  Node,
  NodeListStub,
  NodeUpdateResponse,
} from "../structs/mod.ts";
import type { HttpCore, QueryOptions, QueryResult, WriteOptions } from "./http_core.ts";

/** Node endpoints. */
export class NodesApi {
  #core: HttpCore;

  /** Wraps the shared HTTP core. */
  constructor(core: HttpCore) {
    this.#core = core;
  }

  /** Lists nodes in registration order, as the Go client's NodeIndexSort does. */
  async list(options: QueryOptions = {}): Promise<QueryResult<NodeListStub[]>> {
    const result = await this.#core.query<NodeListStub[] | null>("/v1/nodes", options);
    const data = [...(result.data ?? [])].sort((a, b) => a.CreateIndex - b.CreateIndex);
    return { ...result, data };
  }

  /** Lists nodes whose ID starts with `prefix`. */
  async prefixList(
    prefix: string,
    options: QueryOptions = {},
  ): Promise<QueryResult<NodeListStub[]>> {
    return await this.list({ ...options, prefix });
  }

  /** Reads one node. */
  async info(id: string, options: QueryOptions = {}): Promise<QueryResult<Node>> {
    return await this.#core.query<Node>(`/v1/node/${encodeURIComponent(id)}`, options);
  }

  /** Sets (`spec`) or cancels (null) a node's drain, as the Go client's UpdateDrainOpts. */
  async updateDrain(
    id: string,
    options: { spec: DrainSpec | null; markEligible: boolean; meta?: Record<string, string> },
    write: WriteOptions = {},
  ): Promise<QueryResult<NodeUpdateResponse>> {
    const body = {
      NodeID: id,
      DrainSpec: options.spec,
      MarkEligible: options.markEligible,
      Meta: options.meta ?? null,
    };
    const path = `/v1/node/${encodeURIComponent(id)}/drain`;
    return await this.#core.write<NodeUpdateResponse>("PUT", path, body, write);
  }

  /** Marks a node eligible or ineligible for scheduling. */
  async toggleEligibility(
    id: string,
    eligible: boolean,
    write: WriteOptions = {},
  ): Promise<QueryResult<NodeUpdateResponse>> {
    const body = { NodeID: id, Eligibility: eligible ? "eligible" : "ineligible" };
    const path = `/v1/node/${encodeURIComponent(id)}/eligibility`;
    return await this.#core.write<NodeUpdateResponse>("PUT", path, body, write);
  }

  /** Full allocations placed on a node, newest first. */
  async allocations(id: string, options: QueryOptions = {}): Promise<QueryResult<Allocation[]>> {
    const path = `/v1/node/${encodeURIComponent(id)}/allocations`;
    const result = await this.#core.query<Allocation[] | null>(path, options);
    const data = [...(result.data ?? [])].sort((a, b) => b.CreateIndex - a.CreateIndex);
    return { ...result, data };
  }
}
