/** Pure formatting of `nomad job status` sections from API objects. */

import type { Deployment } from "../../api/mod.ts";
import type { Evaluation, Job, JobSummary } from "../../structs/mod.ts";
import { effectiveTimeZone, nextLaunchTime, zoneOffsetMs } from "../../core/cron.ts";
import {
  formatGoDuration,
  formatKV,
  formatList,
  formatTime,
  formatUnixNanoTime,
  limit,
} from "../format.ts";
import { formatAllocMetrics, jobStatusString, sortedTaskGroups } from "../helpers.ts";

/** Task groups shown in "Placement Failure" before deferring to `eval status`. */
export const MAX_FAILED_TASK_GROUPS = 5;

/** True for periodic jobs (the API job has a periodic block). */
export function isPeriodic(job: Job): boolean {
  return job.Periodic !== null && job.Periodic !== undefined;
}

/** True for parameterized (dispatchable) jobs that are not themselves dispatched. */
export function isParameterized(job: Job): boolean {
  return job.ParameterizedJob !== null && job.ParameterizedJob !== undefined && !job.Dispatched;
}

/**
 * "Next Periodic Launch" value: the next launch in the job's time zone and how
 * far off it is, or null when the job will not launch again.
 */
export function nextPeriodicLaunchText(job: Job, nowMs: number): string | null {
  const periodic = job.Periodic;
  if (periodic === null || periodic === undefined) return null;
  const zone = effectiveTimeZone(periodic.TimeZone ?? "");
  const specs = periodic.Spec ? [periodic.Spec] : [...(periodic.Specs ?? [])];
  let next: number | null;
  try {
    next = nextLaunchTime(specs, nowMs, zone);
  } catch {
    return null;
  }
  if (next === null) return null;
  const offsetMinutes = Math.round(zoneOffsetMs(next, zone) / 60_000);
  const untilNs = (Math.floor(next / 1000) - Math.floor(nowMs / 1000)) * 1e9;
  return `${formatTime(next, offsetMinutes)} (${formatGoDuration(untilNs)} from now)`;
}

/** The `Key = Value` header of a job; `nowMs` dates a periodic job's next launch. */
export function formatJobBasics(job: Job, nowMs?: number): string {
  const lines = [
    `ID|${job.ID}`,
    `Name|${job.Name}`,
    `Submit Date|${formatUnixNanoTime(job.SubmitTime)}`,
    `Type|${job.Type}`,
    `Priority|${job.Priority}`,
    `Datacenters|${(job.Datacenters ?? []).join(",")}`,
    `Namespace|${job.Namespace}`,
    `Node Pool|${job.NodePool ?? ""}`,
    `Status|${jobStatusString(job.Status, job.Stop)}`,
    `Periodic|${isPeriodic(job)}`,
    `Parameterized|${isParameterized(job)}`,
  ];
  if (job.DispatchIdempotencyToken) lines.push(`Idempotency Token|${job.DispatchIdempotencyToken}`);
  if (isPeriodic(job) && !isParameterized(job) && job.Stop) {
    lines.push("Next Periodic Launch|none (job stopped)");
  } else if (isPeriodic(job) && !isParameterized(job) && nowMs !== undefined) {
    const next = nextPeriodicLaunchText(job, nowMs);
    if (next !== null) lines.push(`Next Periodic Launch|${next}`);
  }
  return formatKV(lines);
}

/** The per-task-group summary table, sorted by group name. */
export function formatSummaryTable(summary: JobSummary): string {
  const groups = Object.keys(summary.Summary ?? {}).sort();
  const rows = groups.map((group) => {
    const s = summary.Summary[group];
    if (s === undefined) return group;
    return [group, s.Queued, s.Starting, s.Running, s.Failed, s.Complete, s.Lost, s.Unknown ?? 0]
      .join("|");
  });
  return formatList(["Task Group|Queued|Starting|Running|Failed|Complete|Lost|Unknown", ...rows]);
}

/** The children (periodic/parameterized) summary table. */
export function formatChildrenTable(summary: JobSummary): string {
  const c = summary.Children;
  return formatList(["Pending|Running|Dead", `${c.Pending}|${c.Running}|${c.Dead}`]);
}

/** Evaluations table shown with `-evals` or `-verbose`. */
export function formatEvaluations(evals: readonly Evaluation[], length: number): string {
  const rows = evals.map((e) => {
    const failures = e.Status === "blocked"
      ? "N/A - In Progress"
      : String(Object.keys(e.FailedTGAllocs ?? {}).length > 0);
    return [limit(e.ID, length), e.Priority, e.TriggeredBy, e.Status, failures].join("|");
  });
  return formatList(["ID|Priority|Triggered By|Status|Placement Failures", ...rows]);
}

/**
 * The evaluation whose placement failures are still pending: the newest
 * evaluation with failures, reported only while some evaluation is blocked.
 */
export function latestFailedPlacement(evals: readonly Evaluation[]): Evaluation | undefined {
  let latest: Evaluation | undefined;
  let blocked = false;
  for (const evaluation of evals) {
    if (evaluation.Status === "blocked") blocked = true;
    if (Object.keys(evaluation.FailedTGAllocs ?? {}).length === 0) continue;
    if (latest === undefined || latest.CreateIndex < evaluation.CreateIndex) latest = evaluation;
  }
  return blocked ? latest : undefined;
}

/** The "Placement Failure" block: `Task Group "x":` and its metric lines per group. */
export function formatPlacementFailures(evaluation: Evaluation): string {
  const failed = evaluation.FailedTGAllocs ?? {};
  const groups = sortedTaskGroups(failed);
  const parts: string[] = [];
  groups.slice(0, MAX_FAILED_TASK_GROUPS).forEach((group, i) => {
    const metric = failed[group];
    if (metric === undefined) return;
    parts.push(`Task Group "${group}":`);
    parts.push(formatAllocMetrics(metric, false, "  "));
    if (i !== groups.length - 1) parts.push("");
  });
  if (groups.length > MAX_FAILED_TASK_GROUPS) {
    parts.push(
      `\nPlacement failures truncated. To see remainder run:\nnomad eval-status ${evaluation.ID}`,
    );
  }
  return parts.join("\n");
}

/** The "Latest Deployment" block. */
export function formatDeployment(deployment: Deployment, length: number): string {
  const base = formatKV([
    `ID|${limit(deployment.ID, length)}`,
    `Status|${deployment.Status}`,
    `Description|${deployment.StatusDescription}`,
  ]);
  const groups = deployment.TaskGroups ?? {};
  if (Object.keys(groups).length === 0) return base;
  return `${base}\n\nDeployed\n${formatDeploymentGroups(deployment)}`;
}

/** The "Deployed" table of a deployment's task groups. */
export function formatDeploymentGroups(deployment: Deployment): string {
  const groups = deployment.TaskGroups ?? {};
  const names = Object.keys(groups).sort();
  const canaries = names.some((n) => (groups[n]?.DesiredCanaries ?? 0) > 0);
  const autoRevert = names.some((n) => groups[n]?.AutoRevert);
  let header = "Task Group|";
  if (autoRevert) header += "Auto Revert|";
  if (canaries) header += "Promoted|";
  header += "Desired|";
  if (canaries) header += "Canaries|";
  header += "Placed|Healthy|Unhealthy|Progress Deadline";
  const rows = names.map((name) => {
    const s = groups[name];
    if (s === undefined) return name;
    const cells: (string | number | boolean)[] = [name];
    if (autoRevert) cells.push(s.AutoRevert);
    if (canaries) cells.push(s.DesiredCanaries > 0 ? s.Promoted : "N/A");
    cells.push(s.DesiredTotal);
    if (canaries) cells.push(s.DesiredCanaries);
    cells.push(s.PlacedAllocs, s.HealthyAllocs, s.UnhealthyAllocs, deadline(s.RequireProgressBy));
    return cells.join("|");
  });
  return formatList([header, ...rows]);
}

function deadline(requireProgressBy: string | null): string {
  if (requireProgressBy === null || requireProgressBy.startsWith("0001-")) return "N/A";
  const ms = Date.parse(requireProgressBy);
  return Number.isNaN(ms) ? "N/A" : formatUnixNanoTime(ms * 1e6);
}
