/** Evaluations: requests to the schedulers to reconcile a job with the cluster. */

import type { AllocationMetric } from "./allocation.ts";

/** Evaluation status values. */
export type EvalStatus = "blocked" | "pending" | "complete" | "failed" | "canceled";

/** Why an evaluation was created. */
export const EVAL_TRIGGERS = {
  jobRegister: "job-register",
  jobDeregister: "job-deregister",
  periodicJob: "periodic-job",
  nodeUpdate: "node-update",
  nodeDrain: "node-drain",
  allocStop: "alloc-stop",
  allocFailure: "alloc-failure",
  rollingUpdate: "rolling-update",
  deploymentWatcher: "deployment-watcher",
  failedFollowUp: "failed-follow-up",
  maxPlanAttempts: "max-plan-attempts",
  queuedAllocs: "queued-allocs",
  retryFailedAlloc: "alloc-failure",
  jobScaling: "job-scaling",
} as const;

/** An evaluation. */
export interface Evaluation {
  ID: string;
  Namespace: string;
  Priority: number;
  Type: string;
  TriggeredBy: string;
  JobID: string;
  JobModifyIndex: number;
  NodeID: string;
  NodeModifyIndex: number;
  DeploymentID: string;
  Status: EvalStatus;
  StatusDescription: string;
  Wait: number;
  WaitUntil: string | null;
  NextEval: string;
  PreviousEval: string;
  BlockedEval: string;
  RelatedEvals: null;
  FailedTGAllocs: Record<string, AllocationMetric> | null;
  ClassEligibility: Record<string, boolean> | null;
  QuotaLimitReached: string;
  EscapedComputedClass: boolean;
  AnnotatePlan: boolean;
  QueuedAllocations: Record<string, number> | null;
  SnapshotIndex: number;
  CreateIndex: number;
  ModifyIndex: number;
  CreateTime: number;
  ModifyTime: number;
}

/** True when the evaluation will not be processed again. */
export function evalTerminal(evaluation: Pick<Evaluation, "Status">): boolean {
  return evaluation.Status === "complete" || evaluation.Status === "failed" ||
    evaluation.Status === "canceled";
}

/** A pending evaluation with zero-valued optional fields. */
export function newEvaluation(
  fields:
    & Pick<Evaluation, "ID" | "Namespace" | "Priority" | "Type" | "TriggeredBy" | "JobID">
    & Partial<Evaluation>,
): Evaluation {
  return {
    JobModifyIndex: 0,
    NodeID: "",
    NodeModifyIndex: 0,
    DeploymentID: "",
    Status: "pending",
    StatusDescription: "",
    Wait: 0,
    WaitUntil: null,
    NextEval: "",
    PreviousEval: "",
    BlockedEval: "",
    RelatedEvals: null,
    FailedTGAllocs: null,
    ClassEligibility: null,
    QuotaLimitReached: "",
    EscapedComputedClass: false,
    AnnotatePlan: false,
    QueuedAllocations: null,
    SnapshotIndex: 0,
    CreateIndex: 0,
    ModifyIndex: 0,
    CreateTime: 0,
    ModifyTime: 0,
    ...fields,
  };
}
