/**
 * Job diffs as `nomad job plan` shows them (Nomad's JobDiff / TaskGroupDiff /
 * TaskDiff / ObjectDiff / FieldDiff), computed generically over the job's
 * JSON shape: primitive fields (and maps of them, as `Meta[key]`) become
 * field diffs, nested structs become object diffs named after the field,
 * lists become set diffs, and groups and tasks are matched by name.
 */

import type { Job } from "./job.ts";
import type { DesiredUpdates } from "./plan.ts";

/** How a diff node changed. */
export type DiffType = "Added" | "Deleted" | "Edited" | "None";

/** One primitive value. */
export interface FieldDiff {
  Type: DiffType;
  Name: string;
  Old: string;
  New: string;
  Annotations: string[] | null;
}

/** A nested object (or a set of primitives). */
export interface ObjectDiff {
  Type: DiffType;
  Name: string;
  Fields: FieldDiff[] | null;
  Objects: ObjectDiff[] | null;
}

/** A task. */
export interface TaskDiff extends ObjectDiff {
  Annotations: string[] | null;
}

/** A task group; `Updates` counts the scheduler's planned changes by kind. */
export interface TaskGroupDiff extends ObjectDiff {
  Tasks: TaskDiff[] | null;
  Updates: Record<string, number> | null;
}

/** A whole job. */
export interface JobDiff {
  Type: DiffType;
  ID: string;
  Fields: FieldDiff[] | null;
  Objects: ObjectDiff[] | null;
  TaskGroups: TaskGroupDiff[] | null;
}

type Obj = Record<string, unknown>;

/** Fields that change on every submission or are not part of the spec. */
const JOB_FILTER = new Set([
  "ID",
  "Status",
  "StatusDescription",
  "Version",
  "Stable",
  "CreateIndex",
  "ModifyIndex",
  "JobModifyIndex",
  "Update",
  "SubmitTime",
  "NomadTokenID",
  "VaultToken",
  "TaskGroups",
]);
const GROUP_FILTER = new Set(["Name", "Tasks"]);
const TASK_FILTER = new Set(["Name"]);
/** Map fields that flatten into `Name[key]` fields. */
const MAP_FIELDS = new Set(["Meta", "Env", "Labels", "Options"]);
/** Object-set names: the singular Nomad shows for each element. */
const SINGULAR: Readonly<Record<string, string>> = {
  Constraints: "Constraint",
  Affinities: "Affinity",
  Spreads: "Spread",
  Services: "Service",
  Checks: "Check",
  Templates: "Template",
  Artifacts: "Artifact",
  Networks: "Network",
  VolumeMounts: "VolumeMount",
  ReservedPorts: "Static Port",
  DynamicPorts: "Dynamic Port",
  Devices: "Device",
  Identities: "Identity",
  Actions: "Action",
  Targets: "SpreadTarget",
};

/**
 * The diff from `old` to `next` (either may be null for an added or removed
 * job). `contextual` also lists unchanged fields, as Nomad's `-verbose` does.
 *
 * @example
 * ```ts
 * import { jobDiff } from "./diff.ts";
 * const a = { ID: "web", Priority: 50, TaskGroups: [] } as never;
 * const b = { ID: "web", Priority: 70, TaskGroups: [] } as never;
 * jobDiff(a, b, false).Fields; // [{ Type: "Edited", Name: "Priority", Old: "50", New: "70", Annotations: null }]
 * ```
 */
export function jobDiff(old: Job | null, next: Job | null, contextual: boolean): JobDiff {
  const a = (old ?? null) as Obj | null;
  const b = (next ?? null) as Obj | null;
  const type: DiffType = a === null
    ? (b === null ? "None" : "Added")
    : b === null
    ? "Deleted"
    : "None";
  // Like Nomad, a job's, group's or task's own fields list only changes; the
  // objects below them are contextual when asked.
  const fields = fieldDiffs(flatten(a, JOB_FILTER), flatten(b, JOB_FILTER), false);
  const objects = objectDiffs(a, b, JOB_FILTER, contextual);
  const groups = namedDiffs(
    list(a, "TaskGroups"),
    list(b, "TaskGroups"),
    (x, y) => groupDiff(x, y, contextual),
  );
  return {
    Type: type !== "None" ? type : edited([...fields, ...objects, ...groups]),
    ID: String((b ?? a)?.ID ?? ""),
    Fields: orNull(fields),
    Objects: orNull(objects),
    TaskGroups: orNull(groups),
  };
}

function groupDiff(a: Obj | null, b: Obj | null, contextual: boolean): TaskGroupDiff {
  const base = memberDiff(String((b ?? a)!.Name), a, b, GROUP_FILTER, contextual);
  const tasks = namedDiffs(
    list(a, "Tasks"),
    list(b, "Tasks"),
    (x, y) => taskDiff(x, y, contextual),
  );
  const type = base.Type !== "None" ? base.Type : edited(tasks);
  return { ...base, Type: type, Tasks: orNull(tasks), Updates: null };
}

function taskDiff(a: Obj | null, b: Obj | null, contextual: boolean): TaskDiff {
  const base = memberDiff(String((b ?? a)!.Name), a, b, TASK_FILTER, contextual);
  return { ...base, Annotations: null };
}

/** A group or task: added, deleted, or edited when anything below changed. */
function memberDiff(
  name: string,
  a: Obj | null,
  b: Obj | null,
  filter: ReadonlySet<string>,
  contextual: boolean,
): ObjectDiff {
  const fields = fieldDiffs(flatten(a, filter), flatten(b, filter), false);
  const objects = objectDiffs(a, b, filter, contextual);
  const type: DiffType = a === null
    ? "Added"
    : b === null
    ? "Deleted"
    : edited([...fields, ...objects]);
  return { Type: type, Name: name, Fields: orNull(fields), Objects: orNull(objects) };
}

/**
 * A nested object: Added when only additions, Deleted when only removals,
 * Edited otherwise, null when nothing changed (as Nomad's primitive object diff).
 */
function objectDiff(
  name: string,
  a: Obj | null,
  b: Obj | null,
  contextual: boolean,
): ObjectDiff | null {
  const fields = fieldDiffs(flatten(a, NONE), flatten(b, NONE), contextual);
  const objects = objectDiffs(a, b, NONE, contextual);
  const type = classify([...fields, ...objects]);
  if (type === "None") return null;
  return { Type: type, Name: name, Fields: orNull(fields), Objects: orNull(objects) };
}

const NONE: ReadonlySet<string> = new Set();

function classify(children: readonly { Type: DiffType }[]): DiffType {
  const has = (t: DiffType) => children.some((c) => c.Type === t);
  if (has("Edited") || (has("Added") && has("Deleted"))) return "Edited";
  return has("Added") ? "Added" : has("Deleted") ? "Deleted" : "None";
}

/** Nested structs, lists and `Config` of two objects, in field order. */
function objectDiffs(
  a: Obj | null,
  b: Obj | null,
  filter: ReadonlySet<string>,
  contextual: boolean,
): ObjectDiff[] {
  const out: ObjectDiff[] = [];
  for (const key of keysOf(a, b)) {
    if (filter.has(key) || MAP_FIELDS.has(key)) continue;
    const x = a?.[key] ?? null;
    const y = b?.[key] ?? null;
    if (key === "Config" && (isObj(x) || isObj(y))) {
      const d = configDiff(x as Obj | null, y as Obj | null, contextual);
      if (d !== null) out.push(d);
    } else if (Array.isArray(x) || Array.isArray(y)) {
      out.push(...setDiff(key, (x ?? []) as unknown[], (y ?? []) as unknown[], contextual));
    } else if (isObj(x) || isObj(y)) {
      const d = objectDiff(key, x as Obj | null, y as Obj | null, contextual);
      if (d !== null) out.push(d);
    }
  }
  return out;
}

/** A list: primitives as one set object, objects as one added/deleted object each. */
function setDiff(key: string, a: unknown[], b: unknown[], contextual: boolean): ObjectDiff[] {
  if (a.every(isPrimitive) && b.every(isPrimitive)) {
    const old = new Set(a.map(goString));
    const now = new Set(b.map(goString));
    const fields: FieldDiff[] = [];
    for (const v of old) {
      if (!now.has(v)) fields.push(field("Deleted", key, v, ""));
      else if (contextual) fields.push(field("None", key, v, v));
    }
    for (const v of now) if (!old.has(v)) fields.push(field("Added", key, "", v));
    if (fields.length === 0) return [];
    const added = fields.some((f) => f.Type === "Added");
    const removed = fields.some((f) => f.Type === "Deleted");
    // An unchanged set is left out even when contextual, as in Nomad.
    if (!added && !removed) return [];
    const type: DiffType = added && removed ? "Edited" : added ? "Added" : "Deleted";
    return [{ Type: type, Name: key, Fields: sortFields(fields), Objects: null }];
  }
  const name = SINGULAR[key] ?? key;
  const oldKeys = new Map(a.map((v) => [stableKey(v), v]));
  const newKeys = new Map(b.map((v) => [stableKey(v), v]));
  const out: ObjectDiff[] = [];
  for (const [k, v] of oldKeys) {
    const d = objectDiff(name, v as Obj, newKeys.get(k) as Obj ?? null, contextual);
    if (d !== null) out.push(d);
  }
  for (const [k, v] of newKeys) {
    const d = oldKeys.has(k) ? null : objectDiff(name, null, v as Obj, contextual);
    if (d !== null) out.push(d);
  }
  return out.sort(compareObjects);
}

/** Driver config: every leaf, flattened with `[i]` and `.` paths, as one "Config" object. */
function configDiff(a: Obj | null, b: Obj | null, contextual: boolean): ObjectDiff | null {
  const fields = fieldDiffs(flattenAll(a), flattenAll(b), contextual);
  const type = classify(fields);
  if (type === "None") return null;
  return { Type: type, Name: "Config", Fields: orNull(fields), Objects: null };
}

function flattenAll(value: unknown, prefix = "", out: Map<string, string> = new Map()) {
  if (value === null || value === undefined) return out;
  if (Array.isArray(value)) value.forEach((v, i) => flattenAll(v, `${prefix}[${i}]`, out));
  else if (isObj(value)) {
    for (const [k, v] of Object.entries(value)) {
      flattenAll(v, prefix === "" ? k : `${prefix}.${k}`, out);
    }
  } else out.set(prefix, goString(value));
  return out;
}

/** Primitive fields of one object, and its string maps as `Name[key]`. */
function flatten(obj: Obj | null, filter: ReadonlySet<string>): Map<string, string> {
  const out = new Map<string, string>();
  if (obj === null) return out;
  for (const [key, value] of Object.entries(obj)) {
    if (filter.has(key)) continue;
    if (isPrimitive(value) && value !== null) out.set(key, goString(value));
    else if (MAP_FIELDS.has(key) && isObj(value)) {
      for (const [k, v] of Object.entries(value)) {
        if (isPrimitive(v)) out.set(`${key}[${k}]`, goString(v));
      }
    }
  }
  return out;
}

function fieldDiffs(
  a: Map<string, string>,
  b: Map<string, string>,
  contextual: boolean,
): FieldDiff[] {
  const out: FieldDiff[] = [];
  for (const name of new Set([...a.keys(), ...b.keys()])) {
    const old = a.get(name) ?? "";
    const now = b.get(name) ?? "";
    if (old === now) {
      if (contextual) out.push(field("None", name, old, now));
    } else if (old === "") out.push(field("Added", name, "", now));
    else if (now === "") out.push(field("Deleted", name, old, ""));
    else out.push(field("Edited", name, old, now));
  }
  return sortFields(out);
}

/** Groups or tasks matched by `Name`, sorted by name. */
function namedDiffs<T extends { Type: DiffType; Name: string }>(
  a: Obj[],
  b: Obj[],
  diff: (a: Obj | null, b: Obj | null) => T,
): T[] {
  const byName = new Map<string, [Obj | null, Obj | null]>();
  for (const x of a) byName.set(String(x.Name), [x, null]);
  for (const y of b) byName.set(String(y.Name), [byName.get(String(y.Name))?.[0] ?? null, y]);
  return [...byName.values()].map(([x, y]) => diff(x, y)).sort((p, q) =>
    p.Name < q.Name ? -1 : p.Name > q.Name ? 1 : 0
  );
}

function field(type: DiffType, name: string, old: string, now: string): FieldDiff {
  return { Type: type, Name: name, Old: old, New: now, Annotations: null };
}

function sortFields(fields: FieldDiff[]): FieldDiff[] {
  return fields.sort((a, b) =>
    a.Name !== b.Name
      ? cmp(a.Name, b.Name)
      : a.Old !== b.Old
      ? cmp(a.Old, b.Old)
      : cmp(a.New, b.New)
  );
}

const TYPE_RANK: Readonly<Record<DiffType, number>> = { Edited: 0, Added: 1, Deleted: 2, None: 3 };

function compareObjects(a: ObjectDiff, b: ObjectDiff): number {
  if (a.Type !== b.Type) return TYPE_RANK[a.Type] - TYPE_RANK[b.Type];
  if (a.Name !== b.Name) return cmp(a.Name, b.Name);
  return cmp(JSON.stringify(a.Fields), JSON.stringify(b.Fields));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** "Edited" if anything below changed, else "None". */
function edited(children: readonly { Type: DiffType }[]): DiffType {
  return children.some((c) => c.Type !== "None") ? "Edited" : "None";
}

function keysOf(a: Obj | null, b: Obj | null): string[] {
  return [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])];
}

function list(obj: Obj | null, key: string): Obj[] {
  const v = obj?.[key];
  return Array.isArray(v) ? (v as Obj[]) : [];
}

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isPrimitive(v: unknown): boolean {
  return v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean";
}

/** A value as Go's `%v` prints it. */
function goString(v: unknown): string {
  return v === null || v === undefined ? "" : String(v);
}

/** Content key of a list element, independent of key order. */
function stableKey(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableKey).join(",")}]`;
  if (isObj(v)) {
    return `{${
      Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stableKey(v[k])}`).join(",")
    }}`;
  }
  return JSON.stringify(v ?? null);
}

function orNull<T>(items: T[]): T[] | null {
  return items.length === 0 ? null : items;
}

/** Annotation on a task or count field: what the change forces. */
export const FORCES_CREATE = "forces create";
export const FORCES_DESTROY = "forces destroy";
export const FORCES_IN_PLACE = "forces in-place update";
export const FORCES_DESTRUCTIVE = "forces create/destroy update";

const UPDATE_NAMES: ReadonlyArray<[keyof DesiredUpdates, string]> = [
  ["Ignore", "ignore"],
  ["Place", "create"],
  ["Migrate", "migrate"],
  ["Stop", "destroy"],
  ["Canary", "canary"],
  ["InPlaceUpdate", "in-place update"],
  ["DestructiveUpdate", "create/destroy update"],
];

/** Objects whose change alone does not force a new allocation. */
const IN_PLACE_OBJECTS = new Set(["Service", "Constraint", "Affinity", "Spread"]);

/**
 * The diff with the scheduler's planned updates per group and what each
 * task change forces, as `nomad job plan` shows them.
 */
export function annotateDiff(
  diff: JobDiff,
  desired: Readonly<Record<string, DesiredUpdates>> | null,
): JobDiff {
  const groups = diff.TaskGroups?.map((tg) => {
    const counts = desired?.[tg.Name];
    const updates: Record<string, number> = {};
    for (const [key, name] of UPDATE_NAMES) {
      if ((counts?.[key] ?? 0) > 0) updates[name] = counts![key];
    }
    const fields = tg.Fields?.map((f) => f.Name === "Count" ? annotateCount(f) : f) ?? null;
    const tasks = tg.Tasks?.map((t) => annotateTask(t, tg.Type)) ?? null;
    return {
      ...tg,
      Fields: fields,
      Tasks: tasks,
      Updates: Object.keys(updates).length > 0 ? updates : null,
    };
  }) ?? null;
  return { ...diff, TaskGroups: groups };
}

function annotateCount(f: FieldDiff): FieldDiff {
  const old = Number(f.Old || 0);
  const now = Number(f.New || 0);
  if (old === now) return f;
  return {
    ...f,
    Annotations: [...(f.Annotations ?? []), now > old ? FORCES_CREATE : FORCES_DESTROY],
  };
}

function annotateTask(task: TaskDiff, groupType: DiffType): TaskDiff {
  if (task.Type === "None") return task;
  if (groupType === "Added" || groupType === "Deleted") {
    if (task.Type === "Added") return { ...task, Annotations: [FORCES_CREATE] };
    if (task.Type === "Deleted") return { ...task, Annotations: [FORCES_DESTROY] };
  }
  const destructive = (task.Fields ?? []).some((f) => f.Name !== "KillTimeout") ||
    (task.Objects ?? []).some((o) =>
      o.Name === "LogConfig"
        ? (o.Fields ?? []).some((f) => f.Name === "Disabled")
        : !IN_PLACE_OBJECTS.has(o.Name)
    );
  return { ...task, Annotations: [destructive ? FORCES_DESTRUCTIVE : FORCES_IN_PLACE] };
}
