/**
 * Template data sources on top of the client's server calls: `nomadVar*` read
 * Variables.List (a single variable is a prefix list filtered to its exact
 * path), `nomadService*` read ServiceRegistration lists. Every lookup is a
 * blocking query after `minIndex`, so the template hook can wait for changes.
 */

import type { ServiceRegistration, Variable } from "../../structs/mod.ts";
import type { ServerApi } from "../server_api.ts";
import type {
  TemplateService,
  TemplateServiceSummary,
  TemplateSources,
  TemplateVariable,
} from "./sources.ts";

/** The server calls templates need. */
export type TemplateServerApi = Pick<ServerApi, "readVariables" | "readServiceRegistrations">;

function templateVariable(variable: Variable): TemplateVariable {
  return {
    Namespace: variable.Namespace,
    Path: variable.Path,
    Items: { ...(variable.Items ?? {}) },
    CreateIndex: variable.CreateIndex,
    ModifyIndex: variable.ModifyIndex,
    CreateTime: variable.CreateTime,
    ModifyTime: variable.ModifyTime,
  };
}

function templateService(service: ServiceRegistration): TemplateService {
  return {
    ID: service.ID,
    Name: service.ServiceName,
    Namespace: service.Namespace,
    NodeID: service.NodeID,
    Datacenter: service.Datacenter,
    JobID: service.JobID,
    AllocID: service.AllocID,
    Tags: [...(service.Tags ?? [])],
    Address: service.Address,
    Port: service.Port,
  };
}

/** Service names with the union of their instances' tags, sorted like Nomad's list. */
function serviceSummaries(
  namespace: string,
  services: readonly ServiceRegistration[],
): TemplateServiceSummary[] {
  const tags = new Map<string, Set<string>>();
  for (const service of services) {
    const set = tags.get(service.ServiceName) ?? new Set<string>();
    for (const tag of service.Tags ?? []) set.add(tag);
    tags.set(service.ServiceName, set);
  }
  return [...tags.keys()].sort().map((name) => ({
    Name: name,
    Namespace: namespace,
    Tags: [...tags.get(name)!].sort(),
  }));
}

/**
 * Template sources backed by `api` (in process or over RPC).
 *
 * @example
 * ```ts ignore
 * import { serverTemplateSources } from "./server_sources.ts";
 * const sources = serverTemplateSources(serverApi);
 * const { variable } = await sources.variable("nomad/jobs/web", {
 *   namespace: "default", minIndex: 0, signal: new AbortController().signal,
 * });
 * ```
 */
export function serverTemplateSources(api: TemplateServerApi): TemplateSources {
  return {
    async variable(path, { namespace, minIndex, signal }) {
      const { variables, index } = await api.readVariables(namespace, path, { minIndex, signal });
      const found = variables.find((v) => v.Path === path);
      return { variable: found === undefined ? null : templateVariable(found), index };
    },
    async variables(prefix, { namespace, minIndex, signal }) {
      const { variables, index } = await api.readVariables(namespace, prefix, { minIndex, signal });
      return { variables: variables.map(templateVariable), index };
    },
    async service(name, { namespace, minIndex, signal }) {
      const { services, index } = await api.readServiceRegistrations(namespace, name, {
        minIndex,
        signal,
      });
      return { services: services.map(templateService), index };
    },
    async services({ namespace, minIndex, signal }) {
      const { services, index } = await api.readServiceRegistrations(namespace, "", {
        minIndex,
        signal,
      });
      return { services: serviceSummaries(namespace, services), index };
    },
  };
}
