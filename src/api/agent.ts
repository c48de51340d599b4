/** `/v1/agent/*`, `/v1/status/*` and `/v1/search` endpoints. */

import type { HttpCore, QueryOptions } from "./http_core.ts";
import type {
  AgentHealthResponse,
  AgentSelf,
  SearchContext,
  SearchResponse,
  ServerMembers,
} from "./types.ts";

/** Endpoints about the agent the client talks to. */
export class AgentApi {
  #core: HttpCore;

  /** Wraps the shared HTTP core. */
  constructor(core: HttpCore) {
    this.#core = core;
  }

  /** The agent's configuration, member record and stats. */
  async self(options: QueryOptions = {}): Promise<AgentSelf> {
    return (await this.#core.query<AgentSelf>("/v1/agent/self", options)).data;
  }

  /** Servers known through gossip. */
  async members(options: QueryOptions = {}): Promise<ServerMembers> {
    return (await this.#core.query<ServerMembers>("/v1/agent/members", options)).data;
  }

  /** Client and server health; a 500 still carries the JSON report. */
  async health(options: QueryOptions = {}): Promise<AgentHealthResponse> {
    return (await this.#core.query<AgentHealthResponse>("/v1/agent/health", options)).data;
  }
}

/** Cluster status endpoints. */
export class StatusApi {
  #core: HttpCore;

  /** Wraps the shared HTTP core. */
  constructor(core: HttpCore) {
    this.#core = core;
  }

  /** RPC address of the leader (of `region`, when given). */
  async leader(region?: string): Promise<string> {
    const options: QueryOptions = region !== undefined && region !== "" ? { region } : {};
    return (await this.#core.query<string>("/v1/status/leader", options)).data ?? "";
  }

  /** RPC addresses of the Raft peers. */
  async peers(): Promise<string[]> {
    return (await this.#core.query<string[] | null>("/v1/status/peers")).data ?? [];
  }
}

/** Prefix search over IDs (`PUT /v1/search`). */
export class SearchApi {
  #core: HttpCore;

  /** Wraps the shared HTTP core. */
  constructor(core: HttpCore) {
    this.#core = core;
  }

  /** IDs starting with `prefix` in `context` (or all contexts). */
  async prefixSearch(prefix: string, context: SearchContext): Promise<SearchResponse> {
    const body = { Prefix: prefix, Context: context };
    const result = await this.#core.write<SearchResponse>("PUT", "/v1/search", body);
    return result.data ?? { Matches: {}, Truncations: {} };
  }
}
