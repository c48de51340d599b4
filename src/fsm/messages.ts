/** Raft log entries: every write to the cluster state is one of these. */

import type {
  Allocation,
  AllocClientStatus,
  Evaluation,
  Job,
  Node,
  NodeEvent,
  NodeStatus,
  TaskState,
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
}

/** What a client reports about one allocation. */
export interface ClientAllocUpdate {
  ID: string;
  ClientStatus: AllocClientStatus;
  ClientDescription: string;
  TaskStates: Record<string, TaskState> | null;
  /** Client time of the update in Unix nanoseconds. */
  ModifyTime: number;
}

/** Client-side allocation status updates, plus evaluations they trigger. */
export interface AllocClientUpdateEntry {
  Type: "AllocClientUpdate";
  Allocs: ClientAllocUpdate[];
  Evals: Evaluation[];
}

/** Any log entry. */
export type LogEntry =
  | JobRegisterEntry
  | JobDeregisterEntry
  | EvalUpdateEntry
  | NodeRegisterEntry
  | NodeUpdateStatusEntry
  | ApplyPlanResultsEntry
  | AllocClientUpdateEntry;
