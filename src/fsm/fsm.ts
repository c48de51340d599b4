/**
 * The deterministic state machine: `apply(index, entry)` changes the state store.
 * Everything non-deterministic (IDs, times) is already inside the entry.
 */

import { unreachable } from "../core/assert.ts";
import {
  type Allocation,
  allocClientTerminal,
  deepFreeze,
  type Evaluation,
  type Job,
} from "../structs/mod.ts";
import { JOB_TRACKED_VERSIONS, nsKey, type StateStore, type Txn } from "../state/mod.ts";
import type {
  AllocClientUpdateEntry,
  ApplyPlanResultsEntry,
  DeploymentAllocHealthEntry,
  DeploymentStatusUpdateEntry,
  JobDeregisterEntry,
  JobRegisterEntry,
  LogEntry,
  NodeRegisterEntry,
  NodeUpdateStatusEntry,
} from "./messages.ts";
import {
  applyAllocUpdateDesiredTransition,
  applyGarbageCollect,
  applyNodeDrainComplete,
  applyNodeUpdateDrain,
  applyNodeUpdateEligibility,
} from "./drain_apply.ts";
import { deletePeriodicLaunch, recordPeriodicLaunch } from "./periodic_apply.ts";
import {
  applyDeploymentPromotion,
  applyDeploymentStatusUpdate,
  applyHealthReport,
  countPlacement,
  reportTimeNs,
  upsertPlanDeployment,
} from "./deployment_apply.ts";
import { applySchedulerConfig } from "./scheduler_config_apply.ts";
import { applyVariable, type VarApplyResult } from "./variable_apply.ts";
import {
  applyServiceDeleteByAlloc,
  applyServiceDeleteByID,
  applyServiceUpsert,
  deregisterNode,
  deregisterStoppedAllocs,
} from "./service_apply.ts";

/** What applying an entry returns to the writer that proposed it. */
export interface ApplyResult {
  /** Raft index of the entry. */
  index: number;
  /** JobModifyIndex after a job write. */
  jobModifyIndex?: number;
  /** Evaluations created or updated by this entry (the server enqueues pending ones). */
  evals: Evaluation[];
  /** True when allocations became terminal or nodes changed: blocked evals may now fit. */
  capacityChanged: boolean;
  /** For a scheduler configuration write: whether it was stored (false: CAS mismatch). */
  updated?: boolean;
  /** For a variable write: what it came to. */
  variable?: VarApplyResult;
  /** For a service registration write: how many registrations it changed. */
  serviceRegistrations?: number;
}

/** Fields that the server sets; they do not count as a change of the job's spec. */
const SERVER_JOB_FIELDS = new Set([
  "Status",
  "StatusDescription",
  "Version",
  "SubmitTime",
  "CreateIndex",
  "ModifyIndex",
  "JobModifyIndex",
  "Stable",
]);

/** True when two jobs differ in anything a user specified. */
export function jobSpecChanged(a: Job, b: Job): boolean {
  const strip = (job: Job) =>
    JSON.stringify(job, (key, value) => (SERVER_JOB_FIELDS.has(key) ? undefined : value));
  return strip(a) !== strip(b);
}

/** Applies log entries to a state store. */
export class Fsm {
  readonly #state: StateStore;

  /** Wraps the store the FSM writes. */
  constructor(state: StateStore) {
    this.#state = state;
  }

  /** Applies one committed entry at `index`. */
  apply(index: number, entry: LogEntry): ApplyResult {
    return this.#state.transact(index, (txn) => {
      switch (entry.Type) {
        case "JobRegister":
          return applyJobRegister(txn, entry);
        case "JobDeregister":
          return applyJobDeregister(txn, entry);
        case "EvalUpdate":
          return { index, evals: upsertEvals(txn, entry.Evals), capacityChanged: false };
        case "NodeRegister":
          return applyNodeRegister(txn, entry);
        case "NodeUpdateStatus": {
          const result = applyNodeUpdateStatus(txn, entry);
          if (entry.Status === "down") deregisterNode(txn, entry.NodeID);
          return result;
        }
        case "ApplyPlanResults": {
          const result = applyPlanResults(txn, entry);
          deregisterStoppedAllocs(txn, entry.AllocsStopped.map((a) => a.ID));
          return result;
        }
        case "AllocClientUpdate": {
          const result = applyAllocClientUpdate(txn, entry);
          deregisterStoppedAllocs(txn, entry.Allocs.map((a) => a.ID));
          return result;
        }
        case "DeploymentStatusUpdate":
          return applyDeploymentStatusEntry(txn, entry);
        case "DeploymentPromotion":
          applyDeploymentPromotion(txn, entry);
          return {
            index,
            evals: upsertEvals(txn, entry.Eval === null ? [] : [entry.Eval]),
            capacityChanged: false,
          };
        case "DeploymentAllocHealth":
          return applyDeploymentAllocHealth(txn, entry);
        case "NodeUpdateDrain":
          applyNodeUpdateDrain(txn, entry);
          return { index, evals: [], capacityChanged: true };
        case "NodeDrainComplete":
          applyNodeDrainComplete(txn, entry);
          return { index, evals: [], capacityChanged: false };
        case "NodeUpdateEligibility":
          applyNodeUpdateEligibility(txn, entry);
          return { index, evals: upsertEvals(txn, entry.Evals), capacityChanged: true };
        case "AllocUpdateDesiredTransition":
          applyAllocUpdateDesiredTransition(txn, entry);
          return { index, evals: upsertEvals(txn, entry.Evals), capacityChanged: false };
        case "GarbageCollect":
          applyGarbageCollect(txn, entry);
          deregisterStoppedAllocs(txn, entry.Allocs);
          return { index, evals: [], capacityChanged: false };
        case "ReconcileJobSummaries":
          for (const job of txn.read("jobs").values()) txn.touchJob(job.Namespace, job.ID);
          return { index, evals: [], capacityChanged: false };
        case "SchedulerConfig":
          return {
            index,
            evals: [],
            capacityChanged: false,
            updated: applySchedulerConfig(txn, entry),
          };
        case "VarApply":
          return { index, evals: [], capacityChanged: false, variable: applyVariable(txn, entry) };
        case "ServiceRegistrationUpsert":
          return {
            index,
            evals: [],
            capacityChanged: false,
            serviceRegistrations: applyServiceUpsert(txn, entry),
          };
        case "ServiceRegistrationDeleteByID":
          return {
            index,
            evals: [],
            capacityChanged: false,
            serviceRegistrations: applyServiceDeleteByID(txn, entry) ? 1 : 0,
          };
        case "ServiceRegistrationDeleteByAlloc":
          return {
            index,
            evals: [],
            capacityChanged: false,
            serviceRegistrations: applyServiceDeleteByAlloc(txn, entry),
          };
        default:
          return unreachable(entry, "unknown log entry type");
      }
    });
  }
}

function upsertEvals(txn: Txn, evals: readonly Evaluation[]): Evaluation[] {
  const table = txn.write("evals");
  return evals.map((evaluation) => {
    const existing = table.get(evaluation.ID);
    const stored = deepFreeze({
      ...evaluation,
      CreateIndex: existing?.CreateIndex ?? txn.index,
      ModifyIndex: txn.index,
    });
    table.set(stored.ID, stored);
    txn.touchJob(stored.Namespace, stored.JobID);
    if (stored.QueuedAllocations !== null && stored.Status === "complete") {
      txn.setQueued(stored.Namespace, stored.JobID, stored.QueuedAllocations);
    }
    return stored;
  });
}

function storeJobVersion(txn: Txn, job: Job): void {
  const key = nsKey(job.Namespace, job.ID);
  txn.write("jobs").set(key, job);
  const versions = txn.read("jobVersions").get(key) ?? [];
  txn.write("jobVersions").set(key, [job, ...versions].slice(0, JOB_TRACKED_VERSIONS));
  txn.touchJob(job.Namespace, job.ID);
}

function applyJobRegister(txn: Txn, entry: JobRegisterEntry): ApplyResult {
  const key = nsKey(entry.Job.Namespace, entry.Job.ID);
  const existing = txn.read("jobs").get(key);
  let job: Job;
  if (existing !== undefined && !jobSpecChanged(existing, entry.Job)) {
    job = existing;
  } else {
    job = deepFreeze({
      ...entry.Job,
      Status: existing?.Status ?? "pending",
      Version: existing === undefined ? 0 : existing.Version + 1,
      SubmitTime: entry.SubmitTime,
      CreateIndex: existing?.CreateIndex ?? txn.index,
      ModifyIndex: txn.index,
      JobModifyIndex: txn.index,
    });
    storeJobVersion(txn, job);
  }
  recordPeriodicLaunch(txn, job, entry.SubmitTime);
  const evals = entry.Eval === null
    ? []
    : upsertEvals(txn, [{ ...entry.Eval, JobModifyIndex: job.JobModifyIndex }]);
  return { index: txn.index, jobModifyIndex: job.JobModifyIndex, evals, capacityChanged: false };
}

function applyJobDeregister(txn: Txn, entry: JobDeregisterEntry): ApplyResult {
  const key = nsKey(entry.Namespace, entry.JobID);
  const existing = txn.read("jobs").get(key);
  let jobModifyIndex = existing?.JobModifyIndex ?? 0;
  if (existing !== undefined && entry.Purge) {
    txn.write("jobs").delete(key);
    txn.write("jobVersions").delete(key);
    txn.write("jobSummaries").delete(key);
    deletePeriodicLaunch(txn, entry.Namespace, entry.JobID);
    // A purged child still changes its parent's Children counts.
    txn.touchJob(entry.Namespace, entry.JobID);
    jobModifyIndex = txn.index;
  } else if (existing !== undefined && !existing.Stop) {
    const stopped = deepFreeze({
      ...existing,
      Stop: true,
      Version: existing.Version + 1,
      SubmitTime: entry.SubmitTime,
      ModifyIndex: txn.index,
      JobModifyIndex: txn.index,
    });
    storeJobVersion(txn, stopped);
    jobModifyIndex = txn.index;
  }
  const evals = entry.Eval === null
    ? []
    : upsertEvals(txn, [{ ...entry.Eval, JobModifyIndex: jobModifyIndex }]);
  return { index: txn.index, jobModifyIndex, evals, capacityChanged: false };
}

function applyNodeRegister(txn: Txn, entry: NodeRegisterEntry): ApplyResult {
  const nodes = txn.write("nodes");
  const existing = nodes.get(entry.Node.ID);
  const events = existing?.Events ?? [{
    Message: "Node registered",
    Subsystem: "Cluster",
    Details: null,
    Timestamp: new Date(entry.UpdatedAt / 1e6).toISOString(),
    CreateIndex: txn.index,
  }];
  nodes.set(
    entry.Node.ID,
    deepFreeze({
      ...entry.Node,
      SchedulingEligibility: existing?.SchedulingEligibility ?? entry.Node.SchedulingEligibility,
      // A re-registering client does not know about its drain; the servers keep it.
      Drain: existing?.Drain ?? entry.Node.Drain,
      DrainStrategy: existing?.DrainStrategy ?? entry.Node.DrainStrategy,
      LastDrain: existing?.LastDrain ?? entry.Node.LastDrain,
      Events: events,
      StatusUpdatedAt: Math.floor(entry.UpdatedAt / 1e9),
      CreateIndex: existing?.CreateIndex ?? txn.index,
      ModifyIndex: txn.index,
    }),
  );
  return { index: txn.index, evals: upsertEvals(txn, entry.Evals), capacityChanged: true };
}

function applyNodeUpdateStatus(txn: Txn, entry: NodeUpdateStatusEntry): ApplyResult {
  const nodes = txn.write("nodes");
  const node = nodes.get(entry.NodeID);
  if (node !== undefined) {
    const events = entry.Event === null
      ? node.Events
      : [...(node.Events ?? []), { ...entry.Event, CreateIndex: txn.index }].slice(-10);
    nodes.set(
      node.ID,
      deepFreeze({
        ...node,
        Status: entry.Status,
        StatusUpdatedAt: Math.floor(entry.UpdatedAt / 1e9),
        Events: events,
        ModifyIndex: txn.index,
      }),
    );
  }
  return { index: txn.index, evals: upsertEvals(txn, entry.Evals), capacityChanged: true };
}

/** Keeps what the client owns, takes what the scheduler decided. */
function mergeServerAlloc(
  existing: Allocation | undefined,
  incoming: Allocation,
  job: Job | null,
  index: number,
) {
  if (existing === undefined) {
    return {
      ...incoming,
      Job: incoming.Job ?? job,
      CreateIndex: index,
      ModifyIndex: index,
      AllocModifyIndex: index,
    };
  }
  const serverSetsClientStatus = incoming.ClientStatus === "lost" ||
    incoming.ClientStatus === "unknown";
  return {
    ...incoming,
    Job: incoming.Job ?? job ?? existing.Job,
    ClientStatus: serverSetsClientStatus ? incoming.ClientStatus : existing.ClientStatus,
    ClientDescription: serverSetsClientStatus
      ? incoming.ClientDescription
      : existing.ClientDescription,
    TaskStates: existing.TaskStates,
    CreateIndex: existing.CreateIndex,
    CreateTime: existing.CreateTime,
    ModifyIndex: index,
    AllocModifyIndex: index,
  };
}

function applyPlanResults(txn: Txn, entry: ApplyPlanResultsEntry): ApplyResult {
  if (entry.Deployment !== undefined && entry.Deployment !== null) {
    upsertPlanDeployment(txn, entry.Deployment);
  }
  const allocs = txn.write("allocs");
  const updatedIDs = new Set(entry.AllocsUpdated.map((a) => a.ID));
  for (const incoming of [...entry.AllocsStopped, ...entry.AllocsUpdated]) {
    const existing = allocs.get(incoming.ID);
    // New allocations and in-place updates (re-stamped with this evaluation) run the plan's job.
    const inplace = existing !== undefined && updatedIDs.has(incoming.ID) &&
      incoming.EvalID === entry.EvalID && existing.EvalID !== entry.EvalID;
    const jobForNew = existing === undefined || inplace ? entry.Job : null;
    const merged = mergeServerAlloc(existing, incoming, jobForNew, txn.index);
    // Health is the client's: keep it unless the allocation moved to another deployment.
    if (existing !== undefined && existing.DeploymentID === incoming.DeploymentID) {
      merged.DeploymentStatus = existing.DeploymentStatus;
    }
    allocs.set(incoming.ID, deepFreeze(merged));
    countPlacement(txn, existing, merged);
    txn.touchJob(incoming.Namespace, incoming.JobID);
  }
  for (const update of entry.DeploymentUpdates ?? []) {
    applyDeploymentStatusUpdate(txn, update, entry.Deployment?.ModifyTime ?? 0);
  }
  const preempted = applyPreemptions(txn, entry);
  return {
    index: txn.index,
    evals: upsertEvals(txn, entry.PreemptionEvals ?? []),
    capacityChanged: entry.AllocsStopped.length > 0 || preempted > 0,
  };
}

// Marks preempted allocations evicted; returns how many changed.
function applyPreemptions(txn: Txn, entry: ApplyPlanResultsEntry): number {
  const diffs = entry.AllocsPreempted ?? [];
  if (diffs.length === 0) return 0;
  const allocs = txn.write("allocs");
  let changed = 0;
  for (const diff of diffs) {
    const existing = allocs.get(diff.ID);
    if (existing === undefined) continue;
    allocs.set(
      diff.ID,
      deepFreeze({
        ...existing,
        DesiredStatus: "evict" as const,
        DesiredDescription: diff.DesiredDescription,
        PreemptedByAllocation: diff.PreemptedByAllocation,
        ModifyTime: diff.ModifyTime,
        ModifyIndex: txn.index,
        AllocModifyIndex: txn.index,
      }),
    );
    txn.touchJob(existing.Namespace, existing.JobID);
    changed += 1;
  }
  return changed;
}

function applyAllocClientUpdate(txn: Txn, entry: AllocClientUpdateEntry): ApplyResult {
  const allocs = txn.write("allocs");
  let capacityChanged = false;
  for (const update of entry.Allocs) {
    const existing = allocs.get(update.ID);
    if (existing === undefined) continue;
    const terminal = allocClientTerminal(update);
    if (terminal && !allocClientTerminal(existing)) {
      capacityChanged = true;
    }
    allocs.set(
      update.ID,
      deepFreeze({
        ...existing,
        ClientStatus: update.ClientStatus,
        ClientDescription: update.ClientDescription,
        TaskStates: update.TaskStates,
        DeploymentStatus:
          update.DeploymentStatus === undefined || update.DeploymentStatus === null ||
            update.DeploymentStatus.Healthy === null
            ? existing.DeploymentStatus
            : applyHealthReport(txn, existing, {
              healthy: update.DeploymentStatus.Healthy,
              timestampNs: reportTimeNs(update.DeploymentStatus, update.ModifyTime),
            }),
        ModifyTime: update.ModifyTime,
        ModifyIndex: txn.index,
      }),
    );
    txn.touchJob(existing.Namespace, existing.JobID);
  }
  return { index: txn.index, evals: upsertEvals(txn, entry.Evals), capacityChanged };
}

function applyDeploymentStatusEntry(txn: Txn, entry: DeploymentStatusUpdateEntry): ApplyResult {
  const registered = entry.Job === null ? null : applyJobRegister(txn, {
    Type: "JobRegister",
    Job: entry.Job,
    Eval: null,
    SubmitTime: entry.UpdatedAt,
  });
  applyDeploymentStatusUpdate(txn, entry.Update, entry.UpdatedAt);
  const evals = entry.Eval === null ? [] : upsertEvals(txn, [{
    ...entry.Eval,
    JobModifyIndex: registered?.jobModifyIndex ?? entry.Eval.JobModifyIndex,
  }]);
  return {
    index: txn.index,
    evals,
    capacityChanged: false,
    ...(registered?.jobModifyIndex === undefined
      ? {}
      : { jobModifyIndex: registered.jobModifyIndex }),
  };
}

function applyDeploymentAllocHealth(txn: Txn, entry: DeploymentAllocHealthEntry): ApplyResult {
  const allocs = txn.write("allocs");
  const mark = (ids: readonly string[], healthy: boolean) => {
    for (const id of ids) {
      const alloc = allocs.get(id);
      if (alloc === undefined || alloc.DeploymentID !== entry.DeploymentID) continue;
      const status = applyHealthReport(txn, alloc, { healthy, timestampNs: entry.UpdatedAt });
      allocs.set(id, deepFreeze({ ...alloc, DeploymentStatus: status, ModifyIndex: txn.index }));
    }
  };
  mark(entry.HealthyAllocationIDs, true);
  mark(entry.UnhealthyAllocationIDs, false);
  if (entry.DeploymentUpdate === null) {
    return {
      index: txn.index,
      evals: upsertEvals(txn, entry.Eval === null ? [] : [entry.Eval]),
      capacityChanged: false,
    };
  }
  return applyDeploymentStatusEntry(txn, {
    Type: "DeploymentStatusUpdate",
    Update: entry.DeploymentUpdate,
    Job: entry.Job,
    Eval: entry.Eval,
    UpdatedAt: entry.UpdatedAt,
  });
}
