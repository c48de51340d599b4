/** Raft log entries: every write to the cluster state is one of these. */

import type {
  Allocation,
  AllocClientStatus,
  AllocDeploymentStatus,
  Deployment,
  DeploymentStatusUpdate,
  DesiredTransition,
  DrainStrategy,
  Evaluation,
  Job,
  Node,
  NodeEvent,
  NodeStatus,
  SchedulerConfiguration,
  SchedulingEligibility,
  ServiceRegistration,
  TaskState,
  Variable,
} from "../structs/mod.ts";

/** Register or update a job, with the evaluation that schedules it. */
export interface JobRegisterEntry {
  Type: "JobRegister";
  Job: Job;
  Eval: Evaluation | null;
  /** Submit time in Unix nanoseconds, chosen by the leader before apply. */
  SubmitTime: number;
}

/** Stop (or purge) a job. */
export interface JobDeregisterEntry {
  Type: "JobDeregister";
  Namespace: string;
  JobID: string;
  Purge: boolean;
  Eval: Evaluation | null;
  SubmitTime: number;
}

/** Create or update evaluations. */
export interface EvalUpdateEntry {
  Type: "EvalUpdate";
  Evals: Evaluation[];
}

/** Register a node or refresh its fingerprint. */
export interface NodeRegisterEntry {
  Type: "NodeRegister";
  Node: Node;
  /** Time of registration in Unix nanoseconds. */
  UpdatedAt: number;
  Evals: Evaluation[];
}

/** Change a node's status (ready, down, ...). */
export interface NodeUpdateStatusEntry {
  Type: "NodeUpdateStatus";
  NodeID: string;
  Status: NodeStatus;
  UpdatedAt: number;
  Event: NodeEvent | null;
  Evals: Evaluation[];
}

/** Commit (part of) a scheduler's plan. Allocations carry no Job; `Job` is attached to new ones. */
export interface ApplyPlanResultsEntry {
  Type: "ApplyPlanResults";
  Job: Job | null;
  /** New and updated allocations (Job stripped). */
  AllocsUpdated: Allocation[];
  /** Allocations being stopped or evicted (Job stripped). */
  AllocsStopped: Allocation[];
  EvalID: string;
  /** A deployment created or changed by the plan (absent in older log entries). */
  Deployment?: Deployment | null;
  /** Deployment status changes made by the plan. */
  DeploymentUpdates?: DeploymentStatusUpdate[];
  /** Allocations the plan preempts (absent in older log entries). */
  AllocsPreempted?: PreemptedAllocationDiff[];
  /** Evaluations for the preempted allocations' jobs (Nomad's PreemptionEvals). */
  PreemptionEvals?: Evaluation[];
}

/** What changes on a preempted allocation (Nomad's AllocationDiff for preemptions). */
export interface PreemptedAllocationDiff {
  ID: string;
  PreemptedByAllocation: string;
  DesiredDescription: string;
  /** Unix nanoseconds. */
  ModifyTime: number;
}

/** What a client reports about one allocation. */
export interface ClientAllocUpdate {
  ID: string;
  ClientStatus: AllocClientStatus;
  ClientDescription: string;
  TaskStates: Record<string, TaskState> | null;
  /** Client time of the update in Unix nanoseconds. */
  ModifyTime: number;
  /** Deployment health the client determined (absent or null: unchanged). */
  DeploymentStatus?: AllocDeploymentStatus | null;
}

/** Client-side allocation status updates, plus evaluations they trigger. */
export interface AllocClientUpdateEntry {
  Type: "AllocClientUpdate";
  Allocs: ClientAllocUpdate[];
  Evals: Evaluation[];
}

/** Set or clear a node's drain strategy (Node.UpdateDrain). */
export interface NodeUpdateDrainEntry {
  Type: "NodeUpdateDrain";
  NodeID: string;
  /** null cancels the drain. */
  DrainStrategy: DrainStrategy | null;
  /** When cancelling: make the node eligible again. */
  MarkEligible: boolean;
  Meta: Record<string, string> | null;
  /** Unix nanoseconds. */
  UpdatedAt: number;
  Event: NodeEvent | null;
}

/** Finish the drains of nodes: strategy cleared, nodes stay ineligible. */
export interface NodeDrainCompleteEntry {
  Type: "NodeDrainComplete";
  NodeIDs: string[];
  UpdatedAt: number;
  Event: NodeEvent;
}

/** Mark a node eligible or ineligible for scheduling. */
export interface NodeUpdateEligibilityEntry {
  Type: "NodeUpdateEligibility";
  NodeID: string;
  Eligibility: SchedulingEligibility;
  UpdatedAt: number;
  Event: NodeEvent | null;
  Evals: Evaluation[];
}

/** Merge desired transitions into allocations (the drainer's migrate marks), with evals. */
export interface AllocUpdateDesiredTransitionEntry {
  Type: "AllocUpdateDesiredTransition";
  /** Allocation ID → fields to set (null fields are left alone). */
  Allocs: Record<string, DesiredTransition>;
  Evals: Evaluation[];
}

/** Garbage collection: delete evaluations, allocations, jobs, nodes and deployments. */
export interface GarbageCollectEntry {
  Type: "GarbageCollect";
  Evals: string[];
  Allocs: string[];
  Jobs: { Namespace: string; ID: string }[];
  Nodes: string[];
  /** Absent in entries written before deployments were collected. */
  Deployments?: string[];
}

/** Recompute every job summary from the allocations (`/v1/system/reconcile/summaries`). */
export interface ReconcileJobSummariesEntry {
  Type: "ReconcileJobSummaries";
}

/** Change a deployment's status; an auto-revert registers the stable job with it. */
export interface DeploymentStatusUpdateEntry {
  Type: "DeploymentStatusUpdate";
  Update: DeploymentStatusUpdate;
  /** The job version to register with the change (auto-revert), or null. */
  Job: Job | null;
  Eval: Evaluation | null;
  /** Unix nanoseconds. */
  UpdatedAt: number;
}

/** Promote the canaries of some (or all) task groups of a deployment. */
export interface DeploymentPromotionEntry {
  Type: "DeploymentPromotion";
  DeploymentID: string;
  All: boolean;
  Groups: string[] | null;
  Eval: Evaluation | null;
  UpdatedAt: number;
}

/** Set allocation health by hand (`health_check = "manual"`), with an optional status change. */
export interface DeploymentAllocHealthEntry {
  Type: "DeploymentAllocHealth";
  DeploymentID: string;
  HealthyAllocationIDs: string[];
  UnhealthyAllocationIDs: string[];
  DeploymentUpdate: DeploymentStatusUpdate | null;
  Job: Job | null;
  Eval: Evaluation | null;
  UpdatedAt: number;
}

/** Set the scheduler configuration; with `CAS` only when its ModifyIndex is the stored one. */
export interface SchedulerConfigEntry {
  Type: "SchedulerConfig";
  Config: SchedulerConfiguration;
  CAS: boolean;
}

/** A variable write (Nomad's VarApplyStateRequest). */
export interface VarApplyEntry {
  Type: "VarApply";
  Op: "set" | "cas" | "delete" | "delete-cas";
  /** Namespace, Path, Items (set) and, for check-and-set, the expected ModifyIndex. */
  Var: Pick<Variable, "Namespace" | "Path" | "Items" | "ModifyIndex">;
  /** Server time of the write (Unix ns). */
  NowNs: number;
}

/** Create or update native service registrations (Nomad's ServiceRegistrationUpsertRequest). */
export interface ServiceRegistrationUpsertEntry {
  Type: "ServiceRegistrationUpsert";
  Services: ServiceRegistration[];
}

/** Remove one service registration by namespace and ID. */
export interface ServiceRegistrationDeleteByIDEntry {
  Type: "ServiceRegistrationDeleteByID";
  Namespace: string;
  ID: string;
}

/** Remove every service registration of some allocations. */
export interface ServiceRegistrationDeleteByAllocEntry {
  Type: "ServiceRegistrationDeleteByAlloc";
  AllocIDs: string[];
}

/** Any log entry. */
export type LogEntry =
  | JobRegisterEntry
  | JobDeregisterEntry
  | EvalUpdateEntry
  | NodeRegisterEntry
  | NodeUpdateStatusEntry
  | ApplyPlanResultsEntry
  | AllocClientUpdateEntry
  | DeploymentStatusUpdateEntry
  | DeploymentPromotionEntry
  | DeploymentAllocHealthEntry
  | NodeUpdateDrainEntry
  | NodeDrainCompleteEntry
  | NodeUpdateEligibilityEntry
  | AllocUpdateDesiredTransitionEntry
  | GarbageCollectEntry
  | ReconcileJobSummariesEntry
  | SchedulerConfigEntry
  | VarApplyEntry
  | ServiceRegistrationUpsertEntry
  | ServiceRegistrationDeleteByIDEntry
  | ServiceRegistrationDeleteByAllocEntry;
