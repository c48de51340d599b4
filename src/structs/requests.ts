/** Request and response bodies of the HTTP/RPC API that several layers share. */

import type { Evaluation } from "./evaluation.ts";
import type { JobDiff } from "./diff.ts";
import type { FailedTaskGroupAllocs, PlanAnnotations } from "./plan.ts";

/** `PUT /v1/jobs` request fields the server reads. */
export interface JobRegisterRequest {
  Job: unknown;
  EnforceIndex?: boolean;
  JobModifyIndex?: number;
  EvalPriority?: number;
}

/** `PUT /v1/validate/job` response. */
export interface JobValidateResponse {
  DriverConfigValidated: boolean;
  ValidationErrors: string[] | null;
  Error: string;
  Warnings: string;
}

/** Response to a job write (register, deregister). */
export interface JobRegisterResponse {
  EvalID: string;
  EvalCreateIndex: number;
  JobModifyIndex: number;
  Warnings: string;
  Index: number;
  LastContact: number;
  KnownLeader: boolean;
}

/** `PUT /v1/job/:id/plan` response. */
export interface JobPlanResponse {
  Annotations: PlanAnnotations | null;
  FailedTGAllocs: FailedTaskGroupAllocs | null;
  JobModifyIndex: number;
  CreatedEvals: Evaluation[] | null;
  Diff: JobDiff | null;
  NextPeriodicLaunch: string;
  Warnings: string;
  Index: number;
}

/** Job.Dispatch as the server receives it (the HTTP layer decodes the base64 payload). */
export interface JobDispatchRequest {
  Namespace: string;
  JobID: string;
  Payload: Uint8Array;
  Meta: Record<string, string>;
  IdempotencyToken: string;
  IdPrefixTemplate: string;
}

/** `PUT /v1/job/:id/dispatch` reply, in Nomad's field order. */
export interface JobDispatchResponse {
  DispatchedJobID: string;
  EvalID: string;
  EvalCreateIndex: number;
  JobCreateIndex: number;
  Index: number;
}

/** `PUT /v1/job/:id/periodic/force` reply. */
export interface PeriodicForceResponse {
  EvalID: string;
  EvalCreateIndex: number;
  Index: number;
}
