/** Job validation with Nomad's messages; every problem is reported, not only the first. */

import { MAX_JOB_COUNT } from "../core/bounds.ts";
import { formatMultiError } from "../core/errors.ts";
import { parseCron, timeZoneError } from "../core/cron.ts";
import {
  type Job,
  JOB_TYPES,
  RECONCILE_OPTIONS,
  type Task,
  type TaskArtifact,
  type TaskGroup,
} from "./job.ts";

/** Options for {@linkcode validateJob}. */
export interface ValidateJobOptions {
  /** Driver names this cluster knows; tasks naming another driver are rejected. */
  knownDrivers?: readonly string[];
  /** Highest accepted priority (server `job_max_priority`). */
  maxPriority?: number;
}

const CONSTRAINT_OPERANDS = [
  "=",
  "==",
  "is",
  "!=",
  "not",
  "<",
  "<=",
  ">",
  ">=",
  "regexp",
  "version",
  "semver",
  "set_contains",
  "set_contains_all",
  "set_contains_any",
  "is_set",
  "is_not_set",
  "distinct_hosts",
  "distinct_property",
];

/**
 * Returns every validation problem of a canonicalized job (empty when valid).
 *
 * @example
 * ```ts
 * import { canonicalizeJob } from "./canonicalize.ts";
 * import { validateJob } from "./validate.ts";
 * validateJob(canonicalizeJob({ ID: "a b" })); // ["Job ID contains a space", "Missing job task groups"]
 * ```
 */
export function validateJob(job: Job, options: ValidateJobOptions = {}): string[] {
  const errors: string[] = [];
  const maxPriority = options.maxPriority ?? 100;
  if (job.Region === "") errors.push("Missing job region");
  if (job.ID === "") errors.push("Missing job ID");
  else if (job.ID.includes(" ")) errors.push("Job ID contains a space");
  else if (job.ID.includes("\0")) errors.push("Job ID contains a null character");
  if (job.Name === "") errors.push("Missing job name");
  if (job.Namespace === "") errors.push("Job must be in a namespace");
  if (!(JOB_TYPES as readonly string[]).includes(job.Type)) {
    errors.push(`Invalid job type: "${job.Type}"`);
  }
  if (job.Priority < 1 || job.Priority > maxPriority) {
    errors.push(`Job priority must be between [1, ${maxPriority}]`);
  }
  if (job.Datacenters.length === 0) errors.push("Missing job datacenters");
  for (const dc of job.Datacenters) {
    if (dc === "") errors.push("Job datacenter must be non-empty string");
  }
  if (job.TaskGroups.length === 0) errors.push("Missing job task groups");
  errors.push(...constraintErrors(job.Constraints));
  const seen = new Map<string, number>();
  job.TaskGroups.forEach((group, index) => {
    if (group.Name === "") errors.push(`Job task group ${index + 1} missing name`);
    else if (seen.has(group.Name)) {
      errors.push(
        `Job task group ${index + 1} redefines '${group.Name}' from group ${
          seen.get(group.Name)! + 1
        }`,
      );
    } else seen.set(group.Name, index);
    const groupErrors = validateTaskGroup(group, job, options);
    if (groupErrors.length > 0) {
      errors.push(
        `Task group ${group.Name} validation failed: ${formatMultiError(groupErrors).trimEnd()}`,
      );
    }
  });
  // Nomad checks the periodic and parameterized blocks after the task groups.
  errors.push(...periodicErrors(job), ...parameterizedErrors(job));
  return errors;
}

function validateTaskGroup(group: TaskGroup, job: Job, options: ValidateJobOptions): string[] {
  const errors: string[] = [];
  if (group.Count < 0) {
    errors.push(`Task group count can't be negative: current value is ${group.Count}`);
  }
  if (group.Count > MAX_JOB_COUNT) {
    errors.push(`Task group count must be <= ${MAX_JOB_COUNT}: current value is ${group.Count}`);
  }
  if (group.Tasks.length === 0) errors.push("Missing tasks for task group");
  errors.push(...constraintErrors(group.Constraints));
  const rp = group.RestartPolicy;
  if (rp.Mode !== "fail" && rp.Mode !== "delay") {
    errors.push(`Unsupported restart mode: "${rp.Mode}"`);
  }
  if (rp.Attempts < 0) {
    errors.push(`Restart attempts can't be negative: current value is ${rp.Attempts}`);
  }
  if (rp.Delay < 0) errors.push("Restart delay can't be negative");
  if (group.EphemeralDisk.SizeMB < 10) {
    errors.push(`Minimum DiskMB value is 10; got ${group.EphemeralDisk.SizeMB}`);
  }
  if ((job.Type === "system" || job.Type === "sysbatch") && group.Count > 1) {
    errors.push(
      `Job task group ${group.Name} has count ${group.Count}. Count cannot exceed 1 with system scheduler`,
    );
  }
  errors.push(...networkErrors(group));
  errors.push(...disconnectErrors(group, job));
  errors.push(...scalingErrors(group));
  const names = new Set<string>();
  group.Tasks.forEach((task, index) => {
    if (task.Name === "") errors.push(`Task ${index + 1} missing name`);
    else if (names.has(task.Name)) errors.push(`Task ${index + 1} redefines '${task.Name}'`);
    names.add(task.Name);
    const taskErrors = [...validateTask(task, options), ...volumeMountErrors(task, group)];
    if (taskErrors.length > 0) {
      errors.push(`Task ${task.Name} validation failed: ${formatMultiError(taskErrors).trimEnd()}`);
    }
  });
  return errors;
}

/** Nomad's checks of the `disconnect` block and its legacy group fields. */
function disconnectErrors(group: TaskGroup, job: Job): string[] {
  const d = group.Disconnect;
  if (d === null) return [];
  const errors: string[] = [];
  if (group.MaxClientDisconnect !== null) {
    errors.push(
      "Task group cannot be configured with both max_client_disconnect and disconnect.lost_after",
    );
  }
  if (group.StopAfterClientDisconnect !== null) {
    errors.push(
      "Task group cannot be configured with both stop_after_client_disconnect and disconnect.stop_after",
    );
  }
  if (group.PreventRescheduleOnLost) {
    errors.push(
      "Task group cannot be configured with both prevent_reschedule_on_lost and disconnect.replace",
    );
  }
  if (d.StopOnClientAfter !== null) {
    if (d.StopOnClientAfter < 0) errors.push("stop_after cannot be a negative duration");
    if (job.Type !== "service" && job.Type !== "batch") {
      errors.push("stop_after can only be used with service or batch job types");
    }
  }
  if (d.LostAfter < 0) errors.push("lost_after cannot be a negative duration");
  if (d.StopOnClientAfter !== null && d.LostAfter !== 0) {
    errors.push("Disconnect cannot be configured with both lost_after and stop_after");
  }
  if (!(RECONCILE_OPTIONS as readonly string[]).includes(d.Reconcile)) {
    errors.push(`reconcile option is invalid: ${d.Reconcile}`);
  }
  return errors;
}

/** Nomad's validateScalingPolicy: bounds that make sense and hold the group's count. */
function scalingErrors(group: TaskGroup): string[] {
  const s = group.Scaling;
  if (s === null) return [];
  const errors: string[] = [];
  const invalid = (message: string) => errors.push(`Scaling policy invalid: ${message}`);
  if (s.Max < 0) invalid("maximum count must be specified and non-negative");
  else if (s.Max < s.Min) invalid("maximum count must not be less than minimum count");
  if (s.Min < 0) invalid("minimum count must be specified and non-negative");
  if (s.Max < group.Count) {
    invalid("task group count must not be greater than maximum count in scaling policy");
  }
  if (group.Count < s.Min) {
    invalid("task group count must not be less than minimum count in scaling policy");
  }
  return errors;
}

function validateTask(task: Task, options: ValidateJobOptions): string[] {
  const errors: string[] = [];
  if (task.Driver === "") errors.push("Missing task driver");
  else if (options.knownDrivers !== undefined && !options.knownDrivers.includes(task.Driver)) {
    errors.push(
      `driver: unknown driver "${task.Driver}" (known drivers: ${options.knownDrivers.join(", ")})`,
    );
  }
  if (task.KillTimeout < 0) errors.push("KillTimeout must be a positive value");
  if (task.ShutdownDelay < 0) errors.push("ShutdownDelay must be a positive value");
  if (task.DispatchPayload !== null && escapesTaskLocal(task.DispatchPayload.File)) {
    errors.push("Dispatch Payload validation failed: destination escapes allocation directory");
  }
  const r = task.Resources;
  if (r.CPU < 1 && r.Cores === 0) errors.push(`Minimum CPU value is 1; got ${r.CPU}`);
  if (r.MemoryMB < 10) errors.push(`Minimum MemoryMB value is 10; got ${r.MemoryMB}`);
  if (r.MemoryMaxMB !== 0 && r.MemoryMaxMB < r.MemoryMB) {
    errors.push(
      `MemoryMaxMB value (${r.MemoryMaxMB}) should be larger than MemoryMB value (${r.MemoryMB})`,
    );
  }
  if (task.LogConfig.MaxFiles < 1) {
    errors.push(`minimum number of files is 1; got ${task.LogConfig.MaxFiles}`);
  }
  if (task.LogConfig.MaxFileSizeMB < 1) {
    errors.push(`minimum file size is 1MB; got ${task.LogConfig.MaxFileSizeMB}`);
  }
  (task.Artifacts ?? []).forEach((artifact, i) => {
    const problems = artifactErrors(artifact);
    if (problems.length > 0) {
      errors.push(`Artifact ${i + 1} validation failed: ${formatMultiError(problems).trimEnd()}`);
    }
  });
  errors.push(...constraintErrors(task.Constraints));
  return errors;
}

/** Nomad's TaskArtifact.Validate: source, mode, destination and checksum. */
function artifactErrors(artifact: TaskArtifact): string[] {
  const errors: string[] = [];
  if (artifact.GetterSource === "") errors.push("source must be specified");
  if (!["", "any", "file", "dir"].includes(artifact.GetterMode)) {
    errors.push(
      `invalid artifact mode ${
        JSON.stringify(artifact.GetterMode)
      }; must be one of: any, file, dir`,
    );
  }
  if (escapesAlloc("task", artifact.RelativeDest)) {
    errors.push("destination escapes allocation directory");
  }
  const checksum = artifact.GetterOptions?.["checksum"];
  // A checksum with ${...} is only known once interpolated on the client.
  if (checksum !== undefined && !checksum.includes("${")) {
    const error = checksumError(checksum.trim());
    if (error !== null) errors.push(error);
  }
  return errors;
}

const CHECKSUM_BYTES: Record<string, number> = { md5: 16, sha1: 20, sha256: 32, sha512: 64 };

function checksumError(check: string): string | null {
  if (check === "") return "checksum value cannot be empty";
  const parts = check.split(":");
  if (parts.length !== 2) {
    return `checksum must be given as "type:value"; got ${JSON.stringify(check)}`;
  }
  const [type, value] = parts as [string, string];
  if (value.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(value)) {
    const bad = value.search(/[^0-9a-fA-F]/);
    return bad >= 0
      ? `invalid checksum: encoding/hex: invalid byte: U+${
        value.codePointAt(bad)!.toString(16).toUpperCase().padStart(4, "0")
      } ${JSON.stringify(value[bad])}`.replace(/"(.)"$/, "'$1'")
      : "invalid checksum: encoding/hex: odd length hex string";
  }
  const expected = CHECKSUM_BYTES[type];
  if (expected === undefined) return `unsupported checksum type: ${type}`;
  if (value.length / 2 !== expected) return `invalid ${type} checksum: ${value}`;
  return null;
}

/** Nomad's check that a task's volume_mount names one of its group's volumes. */
function volumeMountErrors(task: Task, group: TaskGroup): string[] {
  return (task.VolumeMounts ?? []).flatMap((mount, i) =>
    group.Volumes?.[mount.Volume] === undefined
      ? [`Volume Mount (${i}) references undefined volume ${mount.Volume}`]
      : []
  );
}

/** Whether `path`, taken relative to `prefix` inside an allocation directory, leaves it. */
function escapesAlloc(prefix: string, path: string): boolean {
  const parts: string[] = [];
  for (const part of `${prefix}/${path}`.split("/")) {
    if (part === "" || part === ".") continue;
    if (part !== "..") parts.push(part);
    else if (parts.pop() === undefined) return true;
  }
  return false;
}

function constraintErrors(constraints: Job["Constraints"]): string[] {
  const errors: string[] = [];
  for (const c of constraints ?? []) {
    if (!CONSTRAINT_OPERANDS.includes(c.Operand)) {
      errors.push(`Unknown constraint type "${c.Operand}"`);
      continue;
    }
    if (c.Operand === "regexp") {
      try {
        new RegExp(c.RTarget);
      } catch (err) {
        errors.push(`Regular expression failed to compile: ${(err as Error).message}`);
      }
    }
    const needsLeft = !["distinct_hosts"].includes(c.Operand);
    if (needsLeft && c.LTarget === "") {
      errors.push(`No LTarget provided but is required by constraint`);
    }
  }
  return errors;
}

function networkErrors(group: TaskGroup): string[] {
  const errors: string[] = [];
  const labels = new Set<string>();
  const statics = new Set<number>();
  for (const net of group.Networks ?? []) {
    for (const port of [...(net.ReservedPorts ?? []), ...(net.DynamicPorts ?? [])]) {
      if (port.Label === "") errors.push("Port label cannot be empty");
      if (labels.has(port.Label)) errors.push(`Found a port label collision: ${port.Label}`);
      labels.add(port.Label);
      if (port.Value < 0 || port.Value > 65535) {
        errors.push(`Port ${port.Label} (${port.Value}) cannot be outside 0-65535`);
      }
      if (port.To < -1 || port.To > 65535) {
        errors.push(`Port ${port.Label} mapped to ${port.To} must be within -1-65535`);
      }
    }
    for (const port of net.ReservedPorts ?? []) {
      if (statics.has(port.Value)) {
        errors.push(`Static port ${port.Value} already reserved by another port`);
      }
      statics.add(port.Value);
    }
  }
  if ((group.Networks ?? []).length > 1) {
    errors.push("Only one network resource may be defined per task group");
  }
  return errors;
}

/** True when `file`, joined under `task/local/`, leaves the allocation directory. */
function escapesTaskLocal(file: string): boolean {
  const parts: string[] = ["task", "local"];
  for (const part of file.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) return true;
      parts.pop();
    } else parts.push(part);
  }
  return parts.length === 0;
}

/** Nomad's periodic checks: batch-only, one of cron/crons, valid specs and time zone. */
function periodicErrors(job: Job): string[] {
  const p = job.Periodic;
  if (p === null || !p.Enabled) return [];
  const errors: string[] = [];
  if (job.Type !== "batch" && job.Type !== "sysbatch") {
    errors.push(`Periodic can only be used with "batch" or "sysbatch" scheduler`);
  }
  const specs = p.Specs ?? [];
  if (p.Spec !== "" && specs.length > 0) errors.push("Only cron or crons may be used");
  if (p.Spec === "" && specs.length === 0) errors.push("Must specify a spec");
  const zoneError = timeZoneError(p.TimeZone);
  if (zoneError !== null) errors.push(`Invalid time zone "${p.TimeZone}": ${zoneError}`);
  if (p.SpecType !== "cron") {
    errors.push(`Unknown periodic specification type "${p.SpecType}"`);
    return errors;
  }
  for (const spec of p.Spec === "" ? specs : [p.Spec, ...specs]) {
    try {
      parseCron(spec);
    } catch (error) {
      errors.push(`Invalid cron spec "${spec}": ${(error as Error).message}`);
    }
  }
  return errors;
}

/** Nomad's parameterized checks: batch-only, payload mode, disjoint meta keys. */
function parameterizedErrors(job: Job): string[] {
  const d = job.ParameterizedJob;
  if (d === null || job.Dispatched) return [];
  const errors: string[] = [];
  if (job.Type !== "batch" && job.Type !== "sysbatch") {
    errors.push(`Parameterized job can only be used with "batch" or "sysbatch" scheduler`);
  }
  if (!["optional", "required", "forbidden"].includes(d.Payload)) {
    errors.push(`Unknown payload requirement: "${d.Payload}"`);
  }
  const optional = new Set(d.MetaOptional ?? []);
  const both = (d.MetaRequired ?? []).filter((key) => optional.has(key));
  if (both.length > 0) {
    errors.push(
      `Required and optional meta keys should be disjoint. Following keys exist in both: [${
        both.join(" ")
      }]`,
    );
  }
  return errors;
}
