/** Client nodes as the servers see them. */

import type { NetworkResource } from "./job.ts";

/** Node status values. */
export type NodeStatus = "initializing" | "ready" | "down" | "disconnected";
/** Whether new allocations may be placed on a node. */
export type SchedulingEligibility = "eligible" | "ineligible";

/** A driver's fingerprint on a node. */
export interface DriverInfo {
  Attributes: Record<string, string> | null;
  Detected: boolean;
  Healthy: boolean;
  HealthDescription: string;
  UpdateTime: string;
}

/** One instance of a fingerprinted device (a single GPU, say). */
export interface NodeDeviceInstance {
  ID: string;
  Healthy: boolean;
  HealthDescription: string;
  Locality: { PciBusID: string } | null;
}

/** A typed device attribute value as Nomad's plugins report it; one value field is set. */
export interface NodeDeviceAttribute {
  FloatVal?: number | null;
  IntVal?: number | null;
  StringVal?: string | null;
  BoolVal?: boolean | null;
  Unit?: string;
}

/** A group of identical devices on a node (`vendor/type/name`, e.g. `nvidia/gpu/1080ti`). */
export interface NodeDeviceResource {
  Vendor: string;
  Type: string;
  Name: string;
  Instances: NodeDeviceInstance[] | null;
  Attributes: Record<string, NodeDeviceAttribute> | null;
}

/** Resources a node offers. */
export interface NodeResources {
  Cpu: { CpuShares: number; TotalCpuCores: number; ReservableCpuCores: number[] | null };
  Memory: { MemoryMB: number };
  Disk: { DiskMB: number };
  Networks: NetworkResource[] | null;
  Devices: NodeDeviceResource[] | null;
  MinDynamicPort: number;
  MaxDynamicPort: number;
}

/** Resources held back from scheduling on a node. */
export interface NodeReservedResources {
  Cpu: { CpuShares: number };
  Memory: { MemoryMB: number };
  Disk: { DiskMB: number };
  Networks: { ReservedHostPorts: string };
}

/** An event in a node's history ("Node registered", "Node heartbeat missed"). */
export interface NodeEvent {
  Message: string;
  Subsystem: string;
  Details: Record<string, string> | null;
  Timestamp: string;
  CreateIndex: number;
}

/** What an operator asks of a drain (`nomad node drain -deadline`, `-ignore-system`). */
export interface DrainSpec {
  /** Nanoseconds after the start when remaining allocations are force-stopped; 0 none, < 0 now. */
  Deadline: number;
  IgnoreSystemJobs: boolean;
}

/** A node's ongoing drain. */
export interface DrainStrategy extends DrainSpec {
  /** RFC 3339 time after which allocations are force-stopped ("0001-01-01T00:00:00Z" when none). */
  ForceDeadline: string;
  /** RFC 3339 time the drain started. */
  StartedAt: string;
}

/** Metadata of a node's most recent drain (`LastDrain`). */
export interface DrainMetadata {
  StartedAt: string;
  UpdatedAt: string;
  Status: "draining" | "complete" | "canceled";
  AccessorID: string;
  Meta: Record<string, string> | null;
}

/** `PUT /v1/node/:id/drain` body (Nomad's api.NodeUpdateDrainRequest). */
export interface NodeUpdateDrainRequest {
  NodeID: string;
  /** null cancels the drain. */
  DrainSpec: DrainSpec | null;
  MarkEligible: boolean;
  Meta: Record<string, string> | null;
}

/** `PUT /v1/node/:id/eligibility` body. */
export interface NodeUpdateEligibilityRequest {
  NodeID: string;
  Eligibility: string;
}

/** Nomad's NodeDrainUpdateResponse and NodeEligibilityUpdateResponse. */
export interface NodeUpdateResponse {
  NodeModifyIndex: number;
  EvalIDs: string[] | null;
  EvalCreateIndex: number;
  Index: number;
}

/** A client node. */
export interface Node {
  ID: string;
  SecretID: string;
  Datacenter: string;
  Name: string;
  HTTPAddr: string;
  TLSEnabled: boolean;
  Attributes: Record<string, string>;
  NodeResources: NodeResources;
  ReservedResources: NodeReservedResources;
  Links: Record<string, string> | null;
  Meta: Record<string, string>;
  NodeClass: string;
  NodePool: string;
  ComputedClass: string;
  Drain: boolean;
  DrainStrategy: DrainStrategy | null;
  SchedulingEligibility: SchedulingEligibility;
  Status: NodeStatus;
  StatusDescription: string;
  StatusUpdatedAt: number;
  Events: NodeEvent[] | null;
  Drivers: Record<string, DriverInfo>;
  HostVolumes: Record<string, { Path: string; ReadOnly: boolean }> | null;
  HostNetworks: null;
  LastDrain: DrainMetadata | null;
  CreateIndex: number;
  ModifyIndex: number;
}

/** `GET /v1/nodes` entry. */
export interface NodeListStub {
  Address: string;
  ID: string;
  Attributes: Record<string, string> | null;
  Datacenter: string;
  Name: string;
  NodeClass: string;
  NodePool: string;
  Version: string;
  Drain: boolean;
  SchedulingEligibility: SchedulingEligibility;
  Status: NodeStatus;
  StatusDescription: string;
  Drivers: Record<string, DriverInfo>;
  HostVolumes: Node["HostVolumes"];
  NodeResources: NodeResources | null;
  ReservedResources: NodeReservedResources | null;
  LastDrain: DrainMetadata | null;
  CreateIndex: number;
  ModifyIndex: number;
}

/** Builds a node's list stub; attributes and resources only when asked for. */
export function nodeListStub(
  node: Node,
  options: { attributes?: boolean; resources?: boolean } = {},
): NodeListStub {
  const address = node.HTTPAddr.split(":")[0] ?? "";
  return {
    Address: address,
    ID: node.ID,
    Attributes: options.attributes
      ? { "os.name": node.Attributes["os.name"] ?? "", ...node.Attributes }
      : null,
    Datacenter: node.Datacenter,
    Name: node.Name,
    NodeClass: node.NodeClass,
    NodePool: node.NodePool,
    Version: node.Attributes["nomad.version"] ?? "",
    Drain: node.Drain,
    SchedulingEligibility: node.SchedulingEligibility,
    Status: node.Status,
    StatusDescription: node.StatusDescription,
    Drivers: node.Drivers,
    HostVolumes: node.HostVolumes,
    NodeResources: options.resources ? node.NodeResources : null,
    ReservedResources: options.resources ? node.ReservedResources : null,
    LastDrain: node.LastDrain,
    CreateIndex: node.CreateIndex,
    ModifyIndex: node.ModifyIndex,
  };
}

/** Node encoded for the API: no SecretID, as Nomad's nodeExt does. */
export function nodeForApi(node: Node): Omit<Node, "SecretID"> {
  const { SecretID: _secret, ...rest } = node;
  return rest;
}

/** True when a node can receive new allocations. */
export function nodeSchedulable(
  node: Pick<Node, "Status" | "SchedulingEligibility" | "Drain">,
): boolean {
  return node.Status === "ready" && node.SchedulingEligibility === "eligible" && !node.Drain;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isStringMap = (v: unknown): boolean =>
  isRecord(v) && Object.values(v).every((x) => typeof x === "string");

/**
 * Checks the shape of a node a client registers over RPC, so a malformed
 * node never reaches the scheduler; returns one sentence per problem.
 */
export function nodeRegistrationErrors(value: unknown): string[] {
  if (!isRecord(value)) return ["node must be an object"];
  const errors: string[] = [];
  for (const field of ["ID", "SecretID", "Name", "Datacenter", "NodePool", "HTTPAddr"]) {
    const v = value[field];
    if (typeof v !== "string" || (v === "" && field !== "HTTPAddr")) {
      errors.push(`missing or invalid ${field}`);
    }
  }
  for (const field of ["NodeClass", "ComputedClass", "StatusDescription"]) {
    if (typeof value[field] !== "string") errors.push(`missing or invalid ${field}`);
  }
  if (!["initializing", "ready"].includes(value.Status as string)) {
    errors.push(`invalid Status ${JSON.stringify(value.Status)}`);
  }
  if (!["eligible", "ineligible"].includes(value.SchedulingEligibility as string)) {
    errors.push(`invalid SchedulingEligibility ${JSON.stringify(value.SchedulingEligibility)}`);
  }
  if (!isStringMap(value.Attributes)) errors.push("Attributes must map strings to strings");
  if (!isStringMap(value.Meta)) errors.push("Meta must map strings to strings");
  if (!isRecord(value.Drivers) || !Object.values(value.Drivers).every(isRecord)) {
    errors.push("Drivers must map driver names to driver info");
  }
  const res = value.NodeResources;
  const num = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v >= 0;
  if (
    !isRecord(res) || !isRecord(res.Cpu) || !num(res.Cpu.CpuShares) || !isRecord(res.Memory) ||
    !num(res.Memory.MemoryMB) || !isRecord(res.Disk) || !num(res.Disk.DiskMB) ||
    !num(res.MinDynamicPort) || !num(res.MaxDynamicPort) ||
    !(res.Networks === null || Array.isArray(res.Networks)) ||
    !(res.Devices === null || Array.isArray(res.Devices))
  ) {
    errors.push("NodeResources is missing or malformed");
  }
  const reserved = value.ReservedResources;
  if (
    !isRecord(reserved) || !isRecord(reserved.Cpu) || !num(reserved.Cpu.CpuShares) ||
    !isRecord(reserved.Memory) || !num(reserved.Memory.MemoryMB) || !isRecord(reserved.Disk) ||
    !num(reserved.Disk.DiskMB) || !isRecord(reserved.Networks) ||
    typeof reserved.Networks.ReservedHostPorts !== "string"
  ) {
    errors.push("ReservedResources is missing or malformed");
  }
  return errors;
}
