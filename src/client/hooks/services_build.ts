/**
 * Pure parts of native service registration: which services an allocation
 * registers, their IDs, addresses (Nomad's address_mode rules for a task
 * without a driver network) and the registrations sent to the servers.
 */

import type {
  Allocation,
  Node,
  Service,
  ServiceCheck,
  ServiceRegistration,
} from "../../structs/mod.ts";
import { interpolate, nodeVariables } from "../task_env.ts";

/** Nomad's prefix of service IDs registered for allocations. */
export const NOMAD_TASK_SERVICE_PREFIX = "_nomad-task-";

/** The services of `owner` (a task, or the group) that this client registers itself. */
export function nomadServices(services: readonly Service[] | null): Service[] {
  return (services ?? []).filter((s) => s.Provider === "nomad");
}

/**
 * Nomad's registration ID: `_nomad-task-<alloc>-<owner>-<service>-<port label>`,
 * where the owner is the task name or `group-<group name>`.
 *
 * @example
 * ```ts
 * import { serviceID } from "./services_build.ts";
 * serviceID("a1", "web", { Name: "api", PortLabel: "http" }); // "_nomad-task-a1-web-api-http"
 * ```
 */
export function serviceID(
  allocID: string,
  owner: string,
  service: Pick<Service, "Name" | "PortLabel">,
): string {
  return `${NOMAD_TASK_SERVICE_PREFIX}${allocID}-${owner}-${service.Name}-${service.PortLabel}`;
}

/** The owner part of a group service's ID. */
export function groupOwner(group: string): string {
  return `group-${group}`;
}

/** Interpolation variables of group services (no task): node, alloc, ports and meta. */
export function groupEnv(alloc: Allocation, node: Node): Record<string, string> {
  const job = alloc.Job;
  const group = job?.TaskGroups.find((g) => g.Name === alloc.TaskGroup);
  const vars: Record<string, string> = {
    ...nodeVariables(node),
    NOMAD_ALLOC_ID: alloc.ID,
    NOMAD_SHORT_ALLOC_ID: alloc.ID.slice(0, 8),
    NOMAD_ALLOC_NAME: alloc.Name,
    NOMAD_ALLOC_INDEX: /\[(\d+)\]$/.exec(alloc.Name)?.[1] ?? "0",
    NOMAD_GROUP_NAME: alloc.TaskGroup,
    NOMAD_JOB_ID: alloc.JobID,
    NOMAD_JOB_NAME: job?.Name ?? alloc.JobID,
    NOMAD_JOB_PARENT_ID: job?.ParentID ?? "",
    NOMAD_DC: node.Datacenter,
    NOMAD_NAMESPACE: alloc.Namespace,
    NOMAD_REGION: job?.Region ?? "global",
  };
  for (const port of alloc.AllocatedResources?.Shared.Ports ?? []) {
    const label = port.Label.replace(/[^a-zA-Z0-9_]/g, "_");
    vars[`NOMAD_PORT_${label}`] = String(port.To > 0 ? port.To : port.Value);
    vars[`NOMAD_HOST_PORT_${label}`] = String(port.Value);
    vars[`NOMAD_IP_${label}`] = port.HostIP;
    vars[`NOMAD_ADDR_${label}`] = `${port.HostIP}:${port.Value}`;
  }
  for (const [k, v] of Object.entries({ ...job?.Meta, ...group?.Meta })) {
    vars[`NOMAD_META_${k}`] = v;
  }
  return vars;
}

/** A resolved address, or why it could not be resolved (Nomad's texts). */
export type AddressResult = { address: string; port: number } | { error: string };

interface PortEntry {
  label: string;
  hostIP: string;
  value: number;
  to: number;
}

function allocPorts(alloc: Allocation): PortEntry[] {
  const shared = alloc.AllocatedResources?.Shared;
  const ports: PortEntry[] = (shared?.Ports ?? []).map((p) => ({
    label: p.Label,
    hostIP: p.HostIP,
    value: p.Value,
    to: p.To,
  }));
  // Older task-level networks carry their ports inline.
  const networks = [
    ...(shared?.Networks ?? []),
    ...Object.values(alloc.AllocatedResources?.Tasks ?? {}).flatMap((t) => t.Networks ?? []),
  ];
  for (const network of networks) {
    for (const p of [...(network.ReservedPorts ?? []), ...(network.DynamicPorts ?? [])]) {
      if (ports.some((known) => known.label === p.Label)) continue;
      ports.push({ label: p.Label, hostIP: network.IP, value: p.Value, to: p.To });
    }
  }
  return ports;
}

/**
 * Resolves the address of a service or check (Nomad's GetAddress, for tasks
 * without a driver network or allocation network status).
 */
export function resolveAddress(
  input: { address: string; addressMode: string; portLabel: string },
  alloc: Allocation,
): AddressResult {
  const { address, portLabel } = input;
  const ports = allocPorts(alloc);
  const mode = input.addressMode || "auto";
  switch (mode) {
    case "auto": {
      if (address === "") return resolveAddress({ ...input, addressMode: "host" }, alloc);
      if (portLabel === "") return { address, port: 0 };
      const mapped = ports.find((p) => p.label === portLabel);
      if (mapped !== undefined) return { address, port: mapped.value };
      if (!/^\d+$/.test(portLabel)) {
        return {
          error: `invalid port: "${portLabel}": not a valid port mapping or numeric port`,
        };
      }
      return { address, port: Number(portLabel) };
    }
    case "host": {
      if (address !== "") {
        return { error: `cannot use custom advertise address with "host" address mode` };
      }
      const networks = alloc.AllocatedResources?.Shared.Networks ?? [];
      if (portLabel === "") {
        return networks.length === 1
          ? { address: networks[0]!.IP, port: 0 }
          : { address: "", port: 0 };
      }
      const mapped = ports.find((p) => p.label === portLabel);
      if (mapped !== undefined) return { address: mapped.hostIP, port: mapped.value };
      if (!/^-?\d+$/.test(portLabel)) {
        return { error: `invalid port "${portLabel}": port label not found` };
      }
      const port = Number(portLabel);
      if (port <= 0) return { error: `invalid port: "${portLabel}": port must be >0` };
      return { address: "", port };
    }
    case "driver":
      if (address !== "") {
        return { error: `cannot use custom advertise address with "driver" address mode` };
      }
      return { error: `cannot use address_mode="driver": no driver network exists` };
    case "alloc":
    case "alloc_ipv6":
      if (address !== "") {
        return { error: `cannot use custom advertise address with "alloc" address mode` };
      }
      return { error: `cannot use address_mode="alloc": no allocation network status reported` };
    default:
      return { error: `invalid address mode "${mode}"` };
  }
}

/** The address a check probes: its own port/mode, else the service's (Nomad's checker). */
export function checkAddress(
  check: Pick<ServiceCheck, "PortLabel" | "AddressMode">,
  service: Pick<Service, "Address" | "PortLabel">,
  alloc: Allocation,
): AddressResult {
  const mode = check.AddressMode || (service.Address !== "" ? "auto" : "host");
  return resolveAddress({
    address: service.Address,
    addressMode: mode,
    portLabel: check.PortLabel || service.PortLabel,
  }, alloc);
}

/**
 * The registration of one service instance (name and tags interpolated;
 * canary tags while the allocation is a canary), or why it cannot be built.
 */
export function buildRegistration(
  input: { alloc: Allocation; node: Node; owner: string; env: Record<string, string> },
  service: Service,
): { registration: ServiceRegistration } | { error: string } {
  const { alloc, node, env } = input;
  const name = interpolate(service.Name, env);
  const resolved = resolveAddress({
    address: interpolate(service.Address, env),
    addressMode: service.AddressMode,
    portLabel: interpolate(service.PortLabel, env),
  }, alloc);
  if ("error" in resolved) {
    return { error: `unable to get address for service "${name}": ${resolved.error}` };
  }
  const canary = alloc.DeploymentStatus?.Canary === true && (service.CanaryTags ?? []).length > 0;
  const tags = (canary ? service.CanaryTags : service.Tags)?.map((t) => interpolate(t, env)) ??
    null;
  return {
    registration: {
      ID: serviceID(alloc.ID, input.owner, { Name: name, PortLabel: service.PortLabel }),
      ServiceName: name,
      Namespace: alloc.Namespace,
      NodeID: node.ID,
      Datacenter: node.Datacenter,
      JobID: alloc.JobID,
      AllocID: alloc.ID,
      Tags: tags,
      Address: resolved.address,
      Port: resolved.port,
      CreateIndex: 0,
      ModifyIndex: 0,
    },
  };
}
