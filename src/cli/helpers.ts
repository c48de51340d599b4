/**
 * Formatting and lookup helpers shared by several commands (Nomad's
 * `command/helpers.go` and friends): prefix resolution, allocation tables,
 * placement-failure metrics.
 */

import type { NomadClient } from "../api/mod.ts";
import type {
  Allocation,
  AllocationListStub,
  AllocationMetric,
  JobListStub,
} from "../structs/mod.ts";
import {
  formatList,
  formatTime,
  formatUnixNanoTime,
  limit,
  prettyTimeDiff,
  quote,
} from "./format.ts";

/** A user-facing failure: the message is printed as is and the command exits 1. */
export class CommandError extends Error {
  override name = "CommandError";
}

/** The message of any thrown value. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Trims a UUID prefix to an even number of hex digits (hyphens not counted),
 * since the servers match prefixes as bytes.
 */
export function sanitizeUUIDPrefix(prefix: string): string {
  const hyphens = (prefix.match(/-/g) ?? []).length;
  const remainder = (prefix.length - hyphens) % 2;
  return prefix.slice(0, prefix.length - remainder);
}

/** Job type with `/periodic` and `/parameterized` markers. */
export function jobTypeString(job: JobListStub): string {
  let type: string = job.Type;
  if (job.Periodic) type += "/periodic";
  if (job.ParameterizedJob) type += "/parameterized";
  return type;
}

/** Job status with ` (stopped)` for stopped jobs. */
export function jobStatusString(status: string, stop: boolean | undefined): string {
  return stop ? `${status} (stopped)` : status;
}

/** The job list table of `nomad job status`. */
export function createStatusListOutput(
  jobs: readonly JobListStub[],
  showNamespace: boolean,
): string {
  const header = showNamespace
    ? "ID|Namespace|Type|Priority|Status|Submit Date"
    : "ID|Type|Priority|Status|Submit Date";
  const rows = jobs.map((job) => {
    const cells = [
      job.ID,
      ...(showNamespace ? [job.JobSummary?.Namespace ?? job.Namespace] : []),
      jobTypeString(job),
      String(job.Priority),
      jobStatusString(job.Status, job.Stop),
      formatUnixNanoTime(job.SubmitTime),
    ];
    return cells.join("|");
  });
  return formatList([header, ...rows]);
}

/**
 * Resolves a job ID prefix to one job (Nomad's `JobIDByPrefix`): an exact
 * match wins over longer IDs sharing the prefix.
 */
export async function jobIdByPrefix(
  client: NomadClient,
  prefix: string,
): Promise<{ id: string; namespace: string }> {
  let jobs: JobListStub[];
  try {
    jobs = (await client.jobs.prefixList(prefix)).data;
  } catch (error) {
    if (errorMessage(error).includes("Permission denied")) return { id: prefix, namespace: "" };
    throw new CommandError(`Error querying job prefix ${quote(prefix)}: ${errorMessage(error)}`);
  }
  const all = client.config.namespace === "*";
  const first = jobs[0];
  if (first === undefined) {
    throw new CommandError(`No job(s) with prefix or ID ${quote(prefix)} found`);
  }
  if (jobs.length > 1) {
    const exact = prefix === first.ID;
    const sameIdElsewhere = all && jobs[1]?.ID === first.ID;
    if (!exact || sameIdElsewhere) {
      throw new CommandError(
        `Prefix ${quote(prefix)} matched multiple jobs\n\n${createStatusListOutput(jobs, all)}`,
      );
    }
  }
  return { id: first.ID, namespace: first.JobSummary?.Namespace ?? first.Namespace };
}

/** The allocation table of `job status` and friends. */
export function formatAllocListStubs(
  stubs: readonly AllocationListStub[],
  options: { verbose: boolean; length: number; nowMs: number },
): string {
  if (stubs.length === 0) return "No allocations placed";
  const { verbose, length, nowMs } = options;
  if (verbose) {
    const header =
      "ID|Eval ID|Node ID|Node Name|Task Group|Version|Desired|Status|Created|Modified";
    return formatList([
      header,
      ...stubs.map((a) =>
        [
          limit(a.ID, length),
          limit(a.EvalID, length),
          limit(a.NodeID, length),
          a.NodeName,
          a.TaskGroup,
          a.JobVersion,
          a.DesiredStatus,
          a.ClientStatus,
          formatUnixNanoTime(a.CreateTime),
          formatUnixNanoTime(a.ModifyTime),
        ].join("|")
      ),
    ]);
  }
  const header = "ID|Node ID|Task Group|Version|Desired|Status|Created|Modified";
  return formatList([
    header,
    ...stubs.map((a) =>
      [
        limit(a.ID, length),
        limit(a.NodeID, length),
        a.TaskGroup,
        a.JobVersion,
        a.DesiredStatus,
        a.ClientStatus,
        prettyTimeDiff(a.CreateTime / 1e6, nowMs),
        prettyTimeDiff(a.ModifyTime / 1e6, nowMs),
      ].join("|")
    ),
  ]);
}

/** The allocation table of `node status`, built from full allocations. */
export function formatAllocList(
  allocations: readonly Allocation[],
  options: { verbose: boolean; length: number; nowMs: number },
): string {
  if (allocations.length === 0) return "No allocations placed";
  const { verbose, length, nowMs } = options;
  const version = (a: Allocation) => a.Job?.Version ?? 0;
  if (verbose) {
    return formatList([
      "ID|Eval ID|Node ID|Task Group|Version|Desired|Status|Created|Modified",
      ...allocations.map((a) =>
        [
          limit(a.ID, length),
          limit(a.EvalID, length),
          limit(a.NodeID, length),
          a.TaskGroup,
          version(a),
          a.DesiredStatus,
          a.ClientStatus,
          formatUnixNanoTime(a.CreateTime),
          formatUnixNanoTime(a.ModifyTime),
        ].join("|")
      ),
    ]);
  }
  return formatList([
    "ID|Node ID|Task Group|Version|Desired|Status|Created|Modified",
    ...allocations.map((a) =>
      [
        limit(a.ID, length),
        limit(a.NodeID, length),
        a.TaskGroup,
        version(a),
        a.DesiredStatus,
        a.ClientStatus,
        prettyTimeDiff(a.CreateTime / 1e6, nowMs),
        prettyTimeDiff(a.ModifyTime / 1e6, nowMs),
      ].join("|")
    ),
  ]);
}

/** Task group names of failed placements, sorted. */
export function sortedTaskGroups(failed: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(failed).sort();
}

function sortedEntries(
  map: Readonly<Record<string, number>> | null | undefined,
): [string, number][] {
  return Object.entries(map ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Why allocations could not be placed, one `* ...` line per reason (Nomad's
 * `formatAllocMetrics`). With `scores`, the per-node score table follows.
 */
export function formatAllocMetrics(
  metric: AllocationMetric,
  scores: boolean,
  prefix: string,
): string {
  const lines: string[] = [];
  if (metric.NodesEvaluated === 0) lines.push(`${prefix}* No nodes were eligible for evaluation`);
  for (const [dc, available] of sortedEntries(metric.NodesAvailable)) {
    if (available === 0) lines.push(`${prefix}* No nodes are available in datacenter ${quote(dc)}`);
  }
  for (const [cls, n] of sortedEntries(metric.ClassFiltered)) {
    lines.push(`${prefix}* Class ${quote(cls)}: ${n} nodes excluded by filter`);
  }
  for (const [constraint, n] of sortedEntries(metric.ConstraintFiltered)) {
    lines.push(`${prefix}* Constraint ${quote(constraint)}: ${n} nodes excluded by filter`);
  }
  if (metric.NodesExhausted > 0) {
    lines.push(`${prefix}* Resources exhausted on ${metric.NodesExhausted} nodes`);
  }
  for (const [cls, n] of sortedEntries(metric.ClassExhausted)) {
    lines.push(`${prefix}* Class ${quote(cls)} exhausted on ${n} nodes`);
  }
  for (const [dimension, n] of sortedEntries(metric.DimensionExhausted)) {
    lines.push(`${prefix}* Dimension ${quote(dimension)} exhausted on ${n} nodes`);
  }
  for (const dimension of metric.QuotaExhausted ?? []) {
    lines.push(`${prefix}* Quota limit hit ${quote(dimension)}`);
  }
  let out = lines.join("\n");
  if (scores && (metric.ScoreMetaData ?? []).length > 0) {
    out += (out === "" ? "" : "\n") + scoreTable(metric);
  }
  return out;
}

function scoreTable(metric: AllocationMetric): string {
  const entries = metric.ScoreMetaData ?? [];
  const names = [...new Set(entries.flatMap((e) => Object.keys(e.Scores ?? {})))].sort();
  const rows = entries.map((e) =>
    [e.NodeID, ...names.map((n) => formatG3(e.Scores?.[n] ?? 0)), formatG3(e.NormScore)].join("|")
  );
  return formatList([["Node", ...names, "final score"].join("|"), ...rows]);
}

/** Go's `%.3g`. */
function formatG3(value: number): string {
  if (value === 0) return "0";
  const text = value.toPrecision(3);
  return text.includes("e") ? text : text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

/** `formatTime` for the CLI's own clock value. */
export function formatNow(nowMs: number): string {
  return formatTime(nowMs);
}
