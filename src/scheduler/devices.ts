/**
 * Devices: matching a task's `device "vendor/type/name"` requests (with their
 * constraints on `${device.*}` targets) against a node's fingerprinted device
 * groups, the feasibility check ("missing devices") and the assignment of free
 * healthy instances, as Nomad's DeviceChecker and deviceAllocator do.
 */

import type {
  AllocatedDeviceResource,
  Allocation,
  Constraint,
  Node,
  NodeDeviceAttribute,
  NodeDeviceResource,
  RequestedDevice,
  TaskGroup,
} from "../structs/mod.ts";
import { allocTerminal } from "../structs/mod.ts";
import { checkConstraint, type ResolvedTarget } from "./constraints.ts";
import { checkVersionConstraint } from "./version_constraint.ts";

/** Nomad's `ConstraintFiltered` key for a node without the requested devices. */
export const FILTER_MISSING_DEVICES = "missing devices";
/** Nomad's `DimensionExhausted` key when no device group has enough free instances. */
export const DIMENSION_DEVICES = "devices: no devices match request";

/** How many instances a request asks for; Nomad defaults a missing count to 1. */
export function requestedCount(request: RequestedDevice): number {
  return typeof request.Count === "number" && request.Count > 0 ? request.Count : 1;
}

/**
 * True when a device group is what the request's name asks for: "type",
 * "vendor/type" or "vendor/type/name".
 *
 * @example
 * ```ts
 * import { deviceNameMatches } from "./devices.ts";
 * const gpu = { Vendor: "nvidia", Type: "gpu", Name: "1080ti", Instances: null, Attributes: null };
 * deviceNameMatches(gpu, "nvidia/gpu"); // true
 * ```
 */
export function deviceNameMatches(device: NodeDeviceResource, request: string): boolean {
  const parts = request.split("/");
  if (parts.length === 1) return parts[0] === device.Type;
  if (parts.length === 2) return parts[0] === device.Vendor && parts[1] === device.Type;
  if (parts.length === 3) {
    return parts[0] === device.Vendor && parts[1] === device.Type && parts[2] === device.Name;
  }
  return false;
}

/** Binary and decimal byte units, hertz and watts, in their base unit. */
const UNIT_SCALE: Record<string, { family: string; scale: number }> = {
  B: { family: "byte", scale: 1 },
  KB: { family: "byte", scale: 1e3 },
  MB: { family: "byte", scale: 1e6 },
  GB: { family: "byte", scale: 1e9 },
  TB: { family: "byte", scale: 1e12 },
  KiB: { family: "byte", scale: 1024 },
  MiB: { family: "byte", scale: 1024 ** 2 },
  GiB: { family: "byte", scale: 1024 ** 3 },
  TiB: { family: "byte", scale: 1024 ** 4 },
  Hz: { family: "hertz", scale: 1 },
  KHz: { family: "hertz", scale: 1e3 },
  MHz: { family: "hertz", scale: 1e6 },
  GHz: { family: "hertz", scale: 1e9 },
  mW: { family: "watt", scale: 1e-3 },
  W: { family: "watt", scale: 1 },
  kW: { family: "watt", scale: 1e3 },
};

/** A device attribute or literal reduced to a comparable value. */
export type AttributeValue =
  | { kind: "number"; value: number; unit: string }
  | { kind: "bool"; value: boolean }
  | { kind: "string"; value: string };

const NUMBER_WITH_UNIT = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([A-Za-z]*)$/;

/** Parses a constraint literal like "4 GiB", "true" or "Tesla" (Nomad's ParseAttribute). */
export function parseAttributeLiteral(text: string): AttributeValue {
  const trimmed = text.trim();
  if (trimmed === "true" || trimmed === "false") return { kind: "bool", value: trimmed === "true" };
  const m = NUMBER_WITH_UNIT.exec(trimmed);
  if (m !== null && (m[2] === "" || UNIT_SCALE[m[2] ?? ""] !== undefined)) {
    return { kind: "number", value: Number(m[1]), unit: m[2] ?? "" };
  }
  return { kind: "string", value: text };
}

function fromAttribute(a: NodeDeviceAttribute): AttributeValue | null {
  const unit = a.Unit ?? "";
  if (typeof a.IntVal === "number") return { kind: "number", value: a.IntVal, unit };
  if (typeof a.FloatVal === "number") return { kind: "number", value: a.FloatVal, unit };
  if (typeof a.BoolVal === "boolean") return { kind: "bool", value: a.BoolVal };
  if (typeof a.StringVal === "string") return { kind: "string", value: a.StringVal };
  return null;
}

function resolveDeviceTarget(target: string, device: NodeDeviceResource): AttributeValue | null {
  if (!target.startsWith("${")) return parseAttributeLiteral(target);
  switch (target) {
    case "${device.model}":
      return { kind: "string", value: device.Name };
    case "${device.vendor}":
      return { kind: "string", value: device.Vendor };
    case "${device.type}":
      return { kind: "string", value: device.Type };
    case "${device.ids}":
      return { kind: "string", value: (device.Instances ?? []).map((i) => i.ID).join(",") };
  }
  if (target.startsWith("${device.attr.") && target.endsWith("}")) {
    const attribute = device.Attributes?.[target.slice(14, -1)];
    return attribute === undefined ? null : fromAttribute(attribute);
  }
  return null;
}

// -1, 0, 1, or null when the values cannot be compared (different kinds or unit families).
function compareValues(a: AttributeValue, b: AttributeValue): number | null {
  if (a.kind === "number" && b.kind === "number") {
    const ua = UNIT_SCALE[a.unit];
    const ub = UNIT_SCALE[b.unit];
    // A bare number takes the other side's unit, so "${device.attr.memory} >= 4096" works.
    const left = a.value * (ua?.scale ?? ub?.scale ?? 1);
    const right = b.value * (ub?.scale ?? ua?.scale ?? 1);
    if (ua !== undefined && ub !== undefined && ua.family !== ub.family) return null;
    return Math.sign(left - right);
  }
  if (a.kind === "bool" && b.kind === "bool") return a.value === b.value ? 0 : null;
  if (a.kind === "string" && b.kind === "string") {
    return a.value === b.value ? 0 : a.value < b.value ? -1 : 1;
  }
  return null;
}

function valueString(v: AttributeValue): string {
  return String(v.value);
}

/** Evaluates one device constraint (Nomad's checkAttributeConstraint). */
export function meetsDeviceConstraint(c: Constraint, device: NodeDeviceResource): boolean {
  const l = resolveDeviceTarget(c.LTarget, device);
  const r = resolveDeviceTarget(c.RTarget, device);
  switch (c.Operand) {
    case "!=":
    case "not": {
      if (l === null && r === null) return false;
      if (l === null || r === null) return true;
      const v = compareValues(l, r);
      return v !== null && v !== 0;
    }
    case "=":
    case "==":
    case "is":
    case "<":
    case "<=":
    case ">":
    case ">=": {
      if (l === null || r === null) return false;
      const v = compareValues(l, r);
      if (v === null) return false;
      if (c.Operand === "<") return v < 0;
      if (c.Operand === "<=") return v <= 0;
      if (c.Operand === ">") return v > 0;
      if (c.Operand === ">=") return v >= 0;
      return v === 0;
    }
    case "version":
    case "semver":
      return l !== null && r !== null &&
        checkVersionConstraint(valueString(l), valueString(r), c.Operand);
    default: {
      const found = (v: AttributeValue | null): ResolvedTarget =>
        v === null ? { value: "", found: false } : { value: valueString(v), found: true };
      return checkConstraint(c.Operand, found(l), found(r));
    }
  }
}

/** True when the device group has the request's name and meets its constraints. */
export function deviceMatches(device: NodeDeviceResource, request: RequestedDevice): boolean {
  if (!deviceNameMatches(device, request.Name)) return false;
  return (request.Constraints ?? []).every((c) => meetsDeviceConstraint(c, device));
}

function healthyIDs(device: NodeDeviceResource): string[] {
  return (device.Instances ?? []).filter((i) => i.Healthy).map((i) => i.ID);
}

/** Every device request of the group's tasks, with the task it belongs to. */
export function taskGroupDeviceRequests(
  tg: TaskGroup,
): { task: string; request: RequestedDevice }[] {
  return tg.Tasks.flatMap((t) =>
    (t.Resources.Devices ?? []).map((request) => ({ task: t.Name, request }))
  );
}

/**
 * Feasibility, ignoring what other allocations use: every request can be met
 * by a distinct share of the node's healthy instances. Fails with
 * {@linkcode FILTER_MISSING_DEVICES}.
 */
export function nodeHasDevices(node: Node, tg: TaskGroup): boolean {
  const requests = taskGroupDeviceRequests(tg);
  if (requests.length === 0) return true;
  const devices = node.NodeResources.Devices ?? [];
  const left = devices.map((d) => healthyIDs(d).length);
  for (const { request } of requests) {
    const want = requestedCount(request);
    const index = devices.findIndex((d, i) => (left[i] ?? 0) >= want && deviceMatches(d, request));
    if (index === -1) return false;
    left[index] = (left[index] ?? 0) - want;
  }
  return true;
}

function deviceKey(d: { Vendor: string; Type: string; Name: string }, id: string): string {
  return `${d.Vendor}/${d.Type}/${d.Name}/${id}`;
}

/** The device instances held by non-terminal allocations, as `vendor/type/name/id` keys. */
export function usedDeviceInstances(allocs: readonly Allocation[]): Set<string> {
  const used = new Set<string>();
  for (const alloc of allocs) {
    if (allocTerminal(alloc)) continue;
    for (const task of Object.values(alloc.AllocatedResources?.Tasks ?? {})) {
      for (const d of task.Devices ?? []) for (const id of d.DeviceIDs) used.add(deviceKey(d, id));
    }
  }
  return used;
}

/** Devices assigned per task, or why they could not be. */
export type DeviceAssignment =
  | { ok: true; byTask: Record<string, AllocatedDeviceResource[]> }
  | { ok: false; dimension: string };

/**
 * Assigns free healthy instances to each request of the group's tasks, taking
 * the first matching device group with enough free instances. `proposed` are
 * the node's other allocations (existing plus planned).
 */
export function assignDevices(
  node: Node,
  tg: TaskGroup,
  proposed: readonly Allocation[],
): DeviceAssignment {
  const byTask: Record<string, AllocatedDeviceResource[]> = {};
  const requests = taskGroupDeviceRequests(tg);
  if (requests.length === 0) return { ok: true, byTask };
  const used = usedDeviceInstances(proposed);
  for (const { task, request } of requests) {
    const want = requestedCount(request);
    let assigned: AllocatedDeviceResource | null = null;
    for (const device of node.NodeResources.Devices ?? []) {
      const free = healthyIDs(device).filter((id) => !used.has(deviceKey(device, id)));
      if (free.length < want || !deviceMatches(device, request)) continue;
      const ids = free.slice(0, want);
      for (const id of ids) used.add(deviceKey(device, id));
      assigned = { Vendor: device.Vendor, Type: device.Type, Name: device.Name, DeviceIDs: ids };
      break;
    }
    if (assigned === null) return { ok: false, dimension: DIMENSION_DEVICES };
    (byTask[task] ??= []).push(assigned);
  }
  return { ok: true, byTask };
}

/**
 * "device oversubscribed" when some device instance is held by two of the
 * allocations (Nomad's DeviceAccounter collision); null when they fit.
 */
export function deviceOversubscription(allocs: readonly Allocation[]): string | null {
  const seen = new Set<string>();
  for (const alloc of allocs) {
    if (allocTerminal(alloc)) continue;
    for (const task of Object.values(alloc.AllocatedResources?.Tasks ?? {})) {
      for (const d of task.Devices ?? []) {
        for (const id of d.DeviceIDs) {
          const key = deviceKey(d, id);
          if (seen.has(key)) return "device oversubscribed";
          seen.add(key);
        }
      }
    }
  }
  return null;
}
