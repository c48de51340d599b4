/**
 * Native service discovery: the registrations clients write for
 * `service { provider = "nomad" }` blocks, as Nomad's API returns them.
 */

/** One registered instance of a service (Nomad's ServiceRegistration). */
export interface ServiceRegistration {
  /** `_nomad-task-<alloc>-<task or group-name>-<service>-<port label>`. */
  ID: string;
  ServiceName: string;
  Namespace: string;
  NodeID: string;
  Datacenter: string;
  JobID: string;
  AllocID: string;
  Tags: string[] | null;
  Address: string;
  Port: number;
  CreateIndex: number;
  ModifyIndex: number;
}

/** A service name and the union of its instances' tags (`GET /v1/services`). */
export interface ServiceRegistrationStub {
  ServiceName: string;
  Tags: string[];
}

/** The services of one namespace (`GET /v1/services` entries). */
export interface ServiceRegistrationListStub {
  Namespace: string;
  Services: ServiceRegistrationStub[];
}

/** Longest service name Nomad's job validation accepts (a DNS label, RFC 1123). */
export const MAX_SERVICE_NAME_LENGTH = 63;
/** Most registrations one upsert request may carry. */
export const MAX_SERVICE_REGISTRATIONS_PER_REQUEST = 1024;

const STRING_FIELDS = [
  "ID",
  "ServiceName",
  "Namespace",
  "NodeID",
  "Datacenter",
  "JobID",
  "AllocID",
  "Address",
] as const;

/**
 * Every problem with a registration a client sends (empty when valid). Nomad
 * rejects unspecified addresses ("invalid service registration address").
 *
 * @example
 * ```ts
 * import { serviceRegistrationErrors } from "./service_registration.ts";
 * serviceRegistrationErrors({ ID: "" }); // ["missing ID", ...]
 * ```
 */
export function serviceRegistrationErrors(input: unknown): string[] {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return ["service registration must be an object"];
  }
  const value = input as Record<string, unknown>;
  const errors: string[] = [];
  for (const field of STRING_FIELDS) {
    if (typeof value[field] !== "string") errors.push(`${field} must be a string`);
  }
  for (const field of ["ID", "ServiceName", "Namespace", "NodeID", "AllocID"] as const) {
    if (value[field] === "") errors.push(`missing ${field}`);
  }
  const port = value.Port;
  if (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65535) {
    errors.push("Port must be an integer between 0 and 65535");
  }
  const tags = value.Tags;
  if (tags !== null && tags !== undefined) {
    if (!Array.isArray(tags) || tags.some((t) => typeof t !== "string")) {
      errors.push("Tags must be a list of strings");
    }
  }
  if (value.Address === "0.0.0.0" || value.Address === "::" || value.Address === "[::]") {
    errors.push("invalid service registration address");
  }
  return errors;
}

/** The registration with only its own fields (indexes zeroed; the FSM sets them). */
export function normalizeServiceRegistration(input: ServiceRegistration): ServiceRegistration {
  return {
    ID: input.ID,
    ServiceName: input.ServiceName,
    Namespace: input.Namespace,
    NodeID: input.NodeID,
    Datacenter: input.Datacenter,
    JobID: input.JobID,
    AllocID: input.AllocID,
    Tags: input.Tags === null || input.Tags === undefined ? null : [...input.Tags],
    Address: input.Address,
    Port: input.Port,
    CreateIndex: 0,
    ModifyIndex: 0,
  };
}

/** True when two registrations describe the same instance (tags compared as sets, as Nomad). */
export function sameServiceRegistration(a: ServiceRegistration, b: ServiceRegistration): boolean {
  const tags = (r: ServiceRegistration) => [...new Set(r.Tags ?? [])].sort().join("\u0000");
  return a.ID === b.ID && a.ServiceName === b.ServiceName && a.Namespace === b.Namespace &&
    a.NodeID === b.NodeID && a.Datacenter === b.Datacenter && a.JobID === b.JobID &&
    a.AllocID === b.AllocID && a.Address === b.Address && a.Port === b.Port &&
    tags(a) === tags(b);
}

/**
 * Groups registrations by namespace, then service name, with the union of
 * their tags; namespaces, names and tags sorted.
 */
export function serviceListStubs(
  registrations: readonly ServiceRegistration[],
): ServiceRegistrationListStub[] {
  const byNamespace = new Map<string, Map<string, Set<string>>>();
  for (const r of registrations) {
    let names = byNamespace.get(r.Namespace);
    if (names === undefined) byNamespace.set(r.Namespace, names = new Map());
    let tags = names.get(r.ServiceName);
    if (tags === undefined) names.set(r.ServiceName, tags = new Set());
    for (const tag of r.Tags ?? []) tags.add(tag);
  }
  return [...byNamespace.keys()].sort().map((namespace) => {
    const names = byNamespace.get(namespace)!;
    return {
      Namespace: namespace,
      Services: [...names.keys()].sort().map((name) => ({
        ServiceName: name,
        Tags: [...names.get(name)!].sort(),
      })),
    };
  });
}
