/** The typed Nomad HTTP client: one object with an accessor per endpoint group. */

import { AgentApi, SearchApi, StatusApi } from "./agent.ts";
import { AllocationsApi, EvaluationsApi } from "./allocations.ts";
import { AllocFsApi, ClientFsApi } from "./client_fs.ts";
import { DeploymentsApi } from "./deployments.ts";
import { type ClientConfig, configFromEnv, HttpCore } from "./http_core.ts";
import { JobsApi } from "./jobs.ts";
import { NodesApi } from "./nodes.ts";
import { OperatorApi } from "./operator.ts";
import { SystemApi } from "./system.ts";
import { VariablesApi } from "./variables.ts";
import { ServicesApi } from "./services.ts";

/**
 * Client for Nomad's /v1 HTTP API.
 *
 * @example
 * ```ts
 * import { NomadClient } from "./client.ts";
 * const client = NomadClient.fromEnv({ NOMAD_ADDR: "http://127.0.0.1:4646" });
 * client.address; // "http://127.0.0.1:4646"
 * ```
 */
export class NomadClient extends HttpCore {
  /** Builds a client from `NOMAD_ADDR`, `NOMAD_REGION`, `NOMAD_NAMESPACE`, `NOMAD_TOKEN`. */
  static fromEnv(
    env: Readonly<Record<string, string | undefined>>,
    overrides: Partial<ClientConfig> = {},
  ): NomadClient {
    return new NomadClient({ ...configFromEnv(env), ...withoutEmpty(overrides) });
  }

  /** Job endpoints. */
  get jobs(): JobsApi {
    return new JobsApi(this);
  }

  /** Allocation endpoints. */
  get allocations(): AllocationsApi {
    return new AllocationsApi(this);
  }

  /** Evaluation endpoints. */
  get evaluations(): EvaluationsApi {
    return new EvaluationsApi(this);
  }

  /** Deployment endpoints. */
  get deployments(): DeploymentsApi {
    return new DeploymentsApi(this);
  }

  /** Node endpoints. */
  get nodes(): NodesApi {
    return new NodesApi(this);
  }

  /** Operator endpoints (scheduler configuration). */
  get operator(): OperatorApi {
    return new OperatorApi(this);
  }

  /** System endpoints (garbage collection, summary reconciliation). */
  get system(): SystemApi {
    return new SystemApi(this);
  }

  /** Variables. */
  get variables(): VariablesApi {
    return new VariablesApi(this);
  }

  /** Native service registrations. */
  get services(): ServicesApi {
    return new ServicesApi(this);
  }

  /** Agent endpoints. */
  get agent(): AgentApi {
    return new AgentApi(this);
  }

  /** Leader and peers. */
  get status(): StatusApi {
    return new StatusApi(this);
  }

  /** Prefix search. */
  get search(): SearchApi {
    return new SearchApi(this);
  }

  /** Task logs and allocation files. */
  get fs(): ClientFsApi {
    return new ClientFsApi(this);
  }

  /** Allocation directory listing, stat and reads. */
  get allocFs(): AllocFsApi {
    return new AllocFsApi(this);
  }

  /** A copy of this client with some settings replaced (e.g. the job's namespace). */
  with(overrides: Partial<ClientConfig>): NomadClient {
    return new NomadClient({ ...this.config, ...overrides });
  }
}

/** Flags left empty must not override the environment. */
function withoutEmpty(overrides: Partial<ClientConfig>): Partial<ClientConfig> {
  const result: Partial<ClientConfig> = {};
  if (overrides.address) result.address = overrides.address;
  if (overrides.region) result.region = overrides.region;
  if (overrides.namespace) result.namespace = overrides.namespace;
  if (overrides.token) result.token = overrides.token;
  if (overrides.fetch) result.fetch = overrides.fetch;
  return result;
}
