/**
 * What the HTTP API needs from the agent. The agent wires the server and
 * client into this shape; tests can build one around a bare state store.
 */

import type { ExecSession } from "../../drivers/driver.ts";
import type { StateStore } from "../state/mod.ts";
import type {
  Allocation,
  DeploymentUpdateResponse,
  JobDispatchRequest,
  JobDispatchResponse,
  JobPlanResponse,
  JobRegisterRequest,
  JobRegisterResponse,
  JobValidateResponse,
  NodeUpdateDrainRequest,
  NodeUpdateEligibilityRequest,
  NodeUpdateResponse,
  PeriodicForceResponse,
  SchedulerConfiguration,
  TaskState,
  Variable,
} from "../structs/mod.ts";

/** One chunk of a task log: bytes at `offset` of a rotated file; `null` is an idle heartbeat. */
export type LogChunk = { file: string; offset: number; data: Uint8Array } | null;

/** What the logs API may ask of a local allocation. */
export interface LogRequestOptions {
  task: string;
  type: "stdout" | "stderr";
  origin: "start" | "end";
  offset: number;
  follow: boolean;
  signal: AbortSignal;
}

/** A file or directory of an allocation directory (Nomad's `AllocFileInfo`). */
export interface AllocFileInfo {
  Name: string;
  IsDir: boolean;
  Size: number;
  FileMode: string;
  ModTime: string;
  ContentType?: string;
}

/** Bytes of a file stream ending at `offset`, or a file event; `null` is a heartbeat. */
export type FileChunk = { offset: number; data: Uint8Array; event: string } | null;

/**
 * The fs API of one allocation. Expected failures have a `kind`: "escape",
 * "not_found", "prohibited", "is_dir" or "io", and Nomad's text as message.
 */
export interface AllocFs {
  list(path: string): Promise<AllocFileInfo[]>;
  stat(path: string): Promise<AllocFileInfo>;
  /** A readable file: refuses directories, escapes and task secrets. */
  open(path: string): Promise<{ hostPath: string; size: number }>;
  stream(
    hostPath: string,
    options: { offset: number; limit: number; follow: boolean; signal: AbortSignal },
  ): AsyncGenerator<FileChunk>;
}

/** An allocation run by this agent's client. */
export interface LocalAllocation {
  alloc: Allocation;
  taskNames: string[];
  /** The task's log bytes, following new output when asked. */
  logs(options: LogRequestOptions): AsyncGenerator<LogChunk>;
  /** The allocation directory (`/v1/client/fs/*`); failures carry a `kind` (see AllocFsErrorKind). */
  readonly fs?: AllocFs;
  /** Current task states, by task name. */
  readonly taskStates?: () => Record<string, TaskState>;
  /** `nomad alloc exec`: a command in a running task (throws a coded error when refused). */
  readonly exec?: (request: { task: string; command: string[]; tty: boolean }) => Promise<
    ExecSession
  >;
  /** `nomad alloc signal`: one task, or every task when `task` is empty. */
  readonly signal?: (task: string, signal: string) => Promise<void>;
  /** `nomad alloc restart`: one task, or the running (or all) tasks. */
  readonly restart?: (task: string, allTasks: boolean) => Promise<void>;
}

/** The agent as the HTTP API sees it. */
export interface HttpBackend {
  /** The server's state store (null on a client-only agent). */
  readonly state: StateStore | null;
  /**
   * On a client-only agent: sends a request this agent cannot answer to a
   * server (over RPC) and returns the server's response.
   */
  readonly forward?: (request: Request) => Promise<Response>;
  /** Job.Register. */
  jobRegister(request: JobRegisterRequest): Promise<JobRegisterResponse>;
  /** Job.Revert: registers a stored version's spec again. */
  jobRevert(
    namespace: string,
    id: string,
    request: { JobVersion: number; EnforcePriorVersion: number | null },
  ): Promise<JobRegisterResponse>;
  /** Job.Scale: sets one group's count. */
  jobScale(
    namespace: string,
    id: string,
    request: { Group: string; Count: number | null },
  ): Promise<JobRegisterResponse>;
  /** Job.Plan: what registering the job would do, committing nothing. */
  jobPlan(job: unknown, diff: boolean): Promise<JobPlanResponse>;
  /** Job.Dispatch: a dispatched child of a parameterized job. */
  jobDispatch(request: JobDispatchRequest): Promise<JobDispatchResponse>;
  /** Job.PeriodicForce: launches a periodic job now. */
  periodicForce(namespace: string, id: string): Promise<PeriodicForceResponse>;
  /** Job.Validate. */
  jobValidate(job: unknown): JobValidateResponse;
  /** Job.Deregister. */
  jobDeregister(
    namespace: string,
    jobID: string,
    options: { purge: boolean },
  ): Promise<JobRegisterResponse>;
  /** Node.UpdateDrain. */
  nodeUpdateDrain(request: NodeUpdateDrainRequest): Promise<NodeUpdateResponse>;
  /** Node.UpdateEligibility. */
  nodeUpdateEligibility(request: NodeUpdateEligibilityRequest): Promise<NodeUpdateResponse>;
  /** System.GarbageCollect (forced). */
  systemGarbageCollect(): Promise<{ Index: number }>;
  /** Operator.SchedulerSetConfiguration: stores the configuration; with `cas`, only if its ModifyIndex matches. */
  schedulerSetConfiguration(
    config: SchedulerConfiguration,
    cas: number | null,
  ): Promise<{ Updated: boolean; Index: number }>;
  /** System.ReconcileJobSummaries. */
  reconcileJobSummaries(): Promise<{ Index: number }>;
  /** Deployment.Promote. */
  deploymentPromote(
    id: string,
    request: { all: boolean; groups: readonly string[] },
  ): Promise<DeploymentUpdateResponse>;
  /** Deployment.Fail. */
  deploymentFail(id: string): Promise<DeploymentUpdateResponse>;
  /** Deployment.SetAllocHealth. */
  deploymentSetAllocHealth(
    id: string,
    request: { healthy: readonly string[]; unhealthy: readonly string[] },
  ): Promise<DeploymentUpdateResponse>;
  /** Deployment.Pause (pause false resumes). */
  deploymentPause(id: string, pause: boolean): Promise<DeploymentUpdateResponse>;
  /** `GET /v1/agent/self` body. */
  agentSelf(): Record<string, unknown>;
  /** `GET /v1/agent/members` body. */
  agentMembers(): Record<string, unknown>;
  /** `GET /v1/agent/health` parts. */
  health(): {
    client?: { ok: boolean; message: string };
    server?: { ok: boolean; message: string };
  };
  /** Leader RPC address. */
  leader(): string;
  /** Raft peers' RPC addresses. */
  peers(): string[];
  /** Region of this agent. */
  readonly region: string;
  /** Variables.Apply: set, check-and-set, delete or check-and-delete a variable. */
  variableApply(
    op: "set" | "cas" | "delete" | "delete-cas",
    variable: Pick<Variable, "Namespace" | "Path" | "Items" | "ModifyIndex">,
  ): Promise<{ Output: Variable | null; Conflict: Variable | null; Index: number }>;
  /** An allocation run by this agent's client, if any. */
  localAllocation(allocID: string): LocalAllocation | undefined;
  /** Host resource usage of this agent's client (absent without a client). */
  readonly clientStats?: () => Promise<unknown>;
  /**
   * Destroys finished allocations on this agent's client (all, or one); false
   * when that one is not here or still running. Absent without a client.
   */
  readonly clientGc?: (allocID?: string) => Promise<boolean>;
  /** Resource usage of an allocation this agent's client runs; undefined when not here. */
  readonly allocStats?: (allocID: string) => Promise<unknown | undefined>;
  /** ServiceRegistration.DeleteByID for operators (Nomad's 500 when it does not exist). */
  readonly serviceRegistrationDelete?: (
    namespace: string,
    id: string,
  ) => Promise<{ Index: number }>;
  /** Latest check results of an allocation this agent's client runs; undefined when not here. */
  readonly allocChecks?: (allocID: string) => Record<string, unknown> | undefined;
  /**
   * Alloc.Stop: marks the allocation for migration and creates an evaluation;
   * undefined when the allocation does not exist. Absent without a server.
   */
  readonly allocStop?: (
    allocID: string,
    options: { noShutdownDelay: boolean },
  ) => Promise<{ EvalID: string; Index: number } | undefined>;
  /** The static UI: returns the file body and content type for a path under /ui, or undefined. */
  uiAsset(
    path: string,
  ): Promise<{ body: Uint8Array<ArrayBuffer>; contentType: string } | undefined>;
}
