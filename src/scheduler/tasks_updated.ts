/**
 * Whether a job update requires replacing a group's allocations (destructive)
 * or can be applied to them in place. Follows Nomad's tasksUpdated.
 */

import type { Job, NetworkResource, Task, TaskGroup } from "../structs/mod.ts";

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return Object.keys(value).length === 0;
  return false;
}

/**
 * Structural equality for JSON-shaped values where null, absent, `[]` and `{}`
 * are the same (the API and canonicalization may produce either).
 *
 * @example
 * ```ts
 * import { looselyEqual } from "./tasks_updated.ts";
 * looselyEqual({ a: null }, { a: {} }); // true
 * ```
 */
export function looselyEqual(a: unknown, b: unknown): boolean {
  if (isEmpty(a) && isEmpty(b)) return true;
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => looselyEqual(x, b[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!looselyEqual(ao[k], bo[k])) return false;
  return true;
}

// Dynamic port values are assigned by the scheduler, so only their labels matter.
function portMap(n: NetworkResource): unknown[] {
  return [
    ...(n.ReservedPorts ?? []).map((p) => [p.Label, p.Value, p.To, p.HostNetwork]),
    ...(n.DynamicPorts ?? []).map((p) => [p.Label, -1, p.To, p.HostNetwork]),
  ];
}

function networksUpdated(
  a: readonly NetworkResource[] | null,
  b: readonly NetworkResource[] | null,
): boolean {
  const x = a ?? [];
  const y = b ?? [];
  if (x.length !== y.length) return true;
  return x.some((an, i) => {
    const bn = y[i];
    if (bn === undefined) return true;
    return an.Mode !== bn.Mode || an.MBits !== bn.MBits || an.Hostname !== bn.Hostname ||
      !looselyEqual(an.DNS, bn.DNS) || !looselyEqual(portMap(an), portMap(bn));
  });
}

function combinedMeta(job: Job, tg: TaskGroup, task: Task): Record<string, string> {
  return { ...(job.Meta ?? {}), ...(tg.Meta ?? {}), ...(task.Meta ?? {}) };
}

function groupUpdated(jobA: Job, a: TaskGroup, jobB: Job, b: TaskGroup): boolean {
  if (a.Tasks.length !== b.Tasks.length) return true;
  if (!looselyEqual(a.EphemeralDisk, b.EphemeralDisk)) return true;
  if (networksUpdated(a.Networks, b.Networks)) return true;
  const affinities = (job: Job, g: TaskGroup) => [
    ...(job.Affinities ?? []),
    ...(g.Affinities ?? []),
    ...g.Tasks.flatMap((t) => t.Affinities ?? []),
  ];
  if (!looselyEqual(affinities(jobA, a), affinities(jobB, b))) return true;
  const spreads = (job: Job, g: TaskGroup) => [...(job.Spreads ?? []), ...(g.Spreads ?? [])];
  if (!looselyEqual(spreads(jobA, a), spreads(jobB, b))) return true;
  return !looselyEqual(a.Volumes, b.Volumes);
}

function resourcesUpdated(a: Task, b: Task): boolean {
  const x = a.Resources;
  const y = b.Resources;
  return x.CPU !== y.CPU || x.Cores !== y.Cores || x.MemoryMB !== y.MemoryMB ||
    x.MemoryMaxMB !== y.MemoryMaxMB || !looselyEqual(x.Devices, y.Devices) ||
    networksUpdated(x.Networks, y.Networks);
}

function taskUpdated(a: Task, b: Task): boolean {
  return a.Driver !== b.Driver || a.User !== b.User || !looselyEqual(a.Config, b.Config) ||
    !looselyEqual(a.Env, b.Env) || !looselyEqual(a.Artifacts, b.Artifacts) ||
    !looselyEqual(a.Templates, b.Templates) || !looselyEqual(a.VolumeMounts, b.VolumeMounts) ||
    !looselyEqual(a.Lifecycle, b.Lifecycle) || resourcesUpdated(a, b) ||
    a.LogConfig.Disabled !== b.LogConfig.Disabled ||
    (a.RestartPolicy?.RenderTemplates ?? false) !== (b.RestartPolicy?.RenderTemplates ?? false);
}

/**
 * True when the group's allocations must be replaced to move from `jobA` to
 * `jobB`: the number of tasks, ephemeral disk, networks or ports, affinities,
 * spreads, volumes, or any task's driver, user, config, env, artifacts,
 * templates, volume mounts, lifecycle, meta (job+group+task), resources or
 * log collection changed. A group missing from either job counts as updated.
 *
 * @example
 * ```ts
 * import { tasksUpdated } from "./tasks_updated.ts";
 * // tasksUpdated(oldJob, newJobWithNewImage, "web") → true
 * ```
 */
export function tasksUpdated(jobA: Job, jobB: Job, group: string): boolean {
  const a = jobA.TaskGroups.find((g) => g.Name === group);
  const b = jobB.TaskGroups.find((g) => g.Name === group);
  if (a === undefined || b === undefined) return true;
  if (groupUpdated(jobA, a, jobB, b)) return true;
  for (const at of a.Tasks) {
    const bt = b.Tasks.find((t) => t.Name === at.Name);
    if (bt === undefined || taskUpdated(at, bt)) return true;
    if (!looselyEqual(combinedMeta(jobA, a, at), combinedMeta(jobB, b, bt))) return true;
  }
  return false;
}
