/**
 * Deterministic deployment writes: plan deployments, status changes (with job
 * stability on success), promotions, and the counters that allocation
 * placements and health reports move (Nomad's updateDeploymentWithAlloc).
 */

import {
  type Allocation,
  type AllocDeploymentStatus,
  deepFreeze,
  type Deployment,
  type DeploymentState,
  type DeploymentStatusUpdate,
  runningDescription,
  ZERO_TIME,
} from "../structs/mod.ts";
import { formatRfc3339Nano, parseRfc3339Ns } from "../scheduler/mod.ts";
import { nsKey, type Txn } from "../state/mod.ts";
import type { DeploymentPromotionEntry } from "./messages.ts";

function store(txn: Txn, deployment: Deployment, nowNs: number): void {
  txn.write("deployments").set(
    deployment.ID,
    deepFreeze({ ...deployment, ModifyIndex: txn.index, ModifyTime: nowNs }),
  );
}

/**
 * Stores a plan's deployment. An existing deployment keeps its counters
 * (placed, healthy, canaries, deadline): the plan's copy may be older than
 * health reports applied since the scheduler's snapshot.
 */
export function upsertPlanDeployment(txn: Txn, incoming: Deployment): void {
  const existing = txn.read("deployments").get(incoming.ID);
  if (existing === undefined) {
    txn.write("deployments").set(
      incoming.ID,
      deepFreeze({ ...incoming, CreateIndex: txn.index, ModifyIndex: txn.index }),
    );
    return;
  }
  const groups: Record<string, DeploymentState> = {};
  for (const [name, state] of Object.entries(incoming.TaskGroups)) {
    const old = existing.TaskGroups[name];
    groups[name] = old === undefined ? state : {
      ...state,
      Promoted: old.Promoted || state.Promoted,
      PlacedCanaries: old.PlacedCanaries,
      PlacedAllocs: old.PlacedAllocs,
      HealthyAllocs: old.HealthyAllocs,
      UnhealthyAllocs: old.UnhealthyAllocs,
      RequireProgressBy: old.RequireProgressBy,
    };
  }
  const merged = { ...existing, TaskGroups: groups, StatusDescription: existing.StatusDescription };
  store(txn, merged, incoming.ModifyTime);
}

/** Marks one stored version of a job stable or not. */
export function setJobStability(
  txn: Txn,
  job: { namespace: string; id: string; version: number; stable: boolean },
): void {
  const key = nsKey(job.namespace, job.id);
  const current = txn.read("jobs").get(key);
  if (current !== undefined && current.Version === job.version && current.Stable !== job.stable) {
    txn.write("jobs").set(key, deepFreeze({ ...current, Stable: job.stable }));
  }
  const versions = txn.read("jobVersions").get(key);
  if (versions === undefined) return;
  const updated = versions.map((v) =>
    v.Version === job.version && v.Stable !== job.stable
      ? deepFreeze({ ...v, Stable: job.stable })
      : v
  );
  txn.write("jobVersions").set(key, updated);
}

/** Applies a status change; a successful deployment marks its job version stable. */
export function applyDeploymentStatusUpdate(
  txn: Txn,
  update: DeploymentStatusUpdate,
  nowNs: number,
): void {
  const existing = txn.read("deployments").get(update.DeploymentID);
  if (existing === undefined) return;
  store(txn, {
    ...existing,
    Status: update.Status,
    StatusDescription: update.StatusDescription,
  }, nowNs);
  if (update.Status === "successful") {
    setJobStability(txn, {
      namespace: existing.Namespace,
      id: existing.JobID,
      version: existing.JobVersion,
      stable: true,
    });
  }
}

/** Marks the chosen groups promoted (the server checked the canaries beforehand). */
export function applyDeploymentPromotion(txn: Txn, entry: DeploymentPromotionEntry): void {
  const existing = txn.read("deployments").get(entry.DeploymentID);
  if (existing === undefined) return;
  const wanted = new Set(entry.Groups ?? []);
  const groups: Record<string, DeploymentState> = {};
  for (const [name, state] of Object.entries(existing.TaskGroups)) {
    const promote = (entry.All || wanted.has(name)) && state.DesiredCanaries > 0;
    groups[name] = promote ? { ...state, Promoted: true } : state;
  }
  const promoted = { ...existing, TaskGroups: groups };
  const description = existing.Status === "running"
    ? runningDescription(promoted)
    : existing.StatusDescription;
  store(txn, { ...promoted, StatusDescription: description }, entry.UpdatedAt);
}

function withDeadline(state: DeploymentState, candidateNs: number): DeploymentState {
  if (state.ProgressDeadline === 0) return state;
  const current = state.RequireProgressBy === ZERO_TIME
    ? 0
    : parseRfc3339Ns(state.RequireProgressBy) ?? 0;
  const next = candidateNs + state.ProgressDeadline;
  return next > current ? { ...state, RequireProgressBy: formatRfc3339Nano(next) } : state;
}

/** Counts a new placement (or an allocation moved into the deployment). */
export function countPlacement(
  txn: Txn,
  existing: Allocation | undefined,
  incoming: Allocation,
): void {
  if (incoming.DeploymentID === "" || existing?.DeploymentID === incoming.DeploymentID) return;
  const deployment = txn.read("deployments").get(incoming.DeploymentID);
  const state = deployment?.TaskGroups[incoming.TaskGroup];
  if (deployment === undefined || state === undefined) return;
  let next: DeploymentState = { ...state, PlacedAllocs: state.PlacedAllocs + 1 };
  if (incoming.DeploymentStatus?.Canary === true) {
    next.PlacedCanaries = [...(state.PlacedCanaries ?? []), incoming.ID];
  }
  if (state.RequireProgressBy === ZERO_TIME) next = withDeadline(next, incoming.ModifyTime);
  store(txn, {
    ...deployment,
    TaskGroups: { ...deployment.TaskGroups, [incoming.TaskGroup]: next },
  }, incoming.ModifyTime);
}

/**
 * The allocation's deployment status after a health report, counting the
 * change in its deployment. Reports for allocations outside a deployment, or
 * that repeat the known health, change nothing.
 */
export function applyHealthReport(
  txn: Txn,
  alloc: Allocation,
  report: { healthy: boolean; timestampNs: number },
): AllocDeploymentStatus | null {
  const previous = alloc.DeploymentStatus;
  if (alloc.DeploymentID === "" || previous?.Healthy === report.healthy) return previous;
  const status: AllocDeploymentStatus = {
    Healthy: report.healthy,
    Timestamp: formatRfc3339Nano(report.timestampNs),
    Canary: previous?.Canary ?? false,
    ModifyIndex: txn.index,
  };
  const deployment = txn.read("deployments").get(alloc.DeploymentID);
  const state = deployment?.TaskGroups[alloc.TaskGroup];
  if (deployment === undefined || state === undefined) return status;
  const wasHealthy = previous?.Healthy === true;
  const wasUnhealthy = previous?.Healthy === false;
  let next: DeploymentState = {
    ...state,
    HealthyAllocs: state.HealthyAllocs + (report.healthy ? 1 : 0) - (wasHealthy ? 1 : 0),
    UnhealthyAllocs: state.UnhealthyAllocs + (report.healthy ? 0 : 1) - (wasUnhealthy ? 1 : 0),
  };
  if (report.healthy) next = withDeadline(next, report.timestampNs);
  store(txn, {
    ...deployment,
    TaskGroups: { ...deployment.TaskGroups, [alloc.TaskGroup]: next },
  }, report.timestampNs);
  return status;
}

/** Timestamp of a client health report in Unix nanoseconds (the update time when unparsable). */
export function reportTimeNs(status: AllocDeploymentStatus, fallbackNs: number): number {
  return parseRfc3339Ns(status.Timestamp) ?? fallbackNs;
}
