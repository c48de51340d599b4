/** Allocations: a task group placed on a node, with its client-side state. */

import type { Job, NetworkResource } from "./job.ts";

/** What the servers want an allocation to do. */
export type AllocDesiredStatus = "run" | "stop" | "evict";
/** What the client reports about an allocation. */
export type AllocClientStatus = "pending" | "running" | "complete" | "failed" | "lost" | "unknown";
/** A task's state. */
export type TaskStateName = "pending" | "running" | "dead";

/** Terminal client statuses: the allocation will not run again. */
export const TERMINAL_CLIENT_STATUSES: readonly AllocClientStatus[] = [
  "complete",
  "failed",
  "lost",
];

/** One event in a task's life ("Received", "Started", "Terminated", ...). */
export interface TaskEvent {
  Type: string;
  Time: number;
  Message: string;
  DisplayMessage: string;
  Details: Record<string, string>;
  FailsTask: boolean;
  RestartReason: string;
  SetupError: string;
  DriverError: string;
  DriverMessage: string;
  ExitCode: number;
  Signal: number;
  KillReason: string;
  KillTimeout: number;
  KillError: string;
  StartDelay: number;
  DownloadError: string;
  ValidationError: string;
  FailedSibling: string;
  TaskSignalReason: string;
  TaskSignal: string;
  GenericSource: string;
}

/** The state of one task in an allocation. */
export interface TaskState {
  State: TaskStateName;
  Failed: boolean;
  Restarts: number;
  LastRestart: string | null;
  StartedAt: string | null;
  FinishedAt: string | null;
  Events: TaskEvent[] | null;
}

/** A port assigned to an allocation. */
export interface AllocatedPortMapping {
  Label: string;
  Value: number;
  To: number;
  HostIP: string;
}

/** Device instances assigned to one task from one node device group. */
export interface AllocatedDeviceResource {
  Vendor: string;
  Type: string;
  Name: string;
  DeviceIDs: string[];
}

/** Resources assigned to one task. */
export interface AllocatedTaskResources {
  Cpu: { CpuShares: number; ReservedCores: number[] | null };
  Memory: { MemoryMB: number; MemoryMaxMB: number };
  Networks: NetworkResource[] | null;
  Devices: AllocatedDeviceResource[] | null;
}

/** Resources shared by the tasks of an allocation. */
export interface AllocatedSharedResources {
  Networks: NetworkResource[] | null;
  DiskMB: number;
  Ports: AllocatedPortMapping[] | null;
}

/** Everything assigned to an allocation. */
export interface AllocatedResources {
  Tasks: Record<string, AllocatedTaskResources>;
  TaskLifecycles: Record<string, { Hook: string; Sidecar: boolean } | null> | null;
  Shared: AllocatedSharedResources;
}

/** Why the scheduler could not place, and how it scored nodes. */
export interface AllocationMetric {
  NodesEvaluated: number;
  NodesFiltered: number;
  NodesInPool: number;
  NodesAvailable: Record<string, number> | null;
  ClassFiltered: Record<string, number> | null;
  ConstraintFiltered: Record<string, number> | null;
  NodesExhausted: number;
  ClassExhausted: Record<string, number> | null;
  DimensionExhausted: Record<string, number> | null;
  QuotaExhausted: string[] | null;
  ResourcesExhausted: Record<string, unknown> | null;
  ScoreMetaData: { NodeID: string; Scores: Record<string, number>; NormScore: number }[] | null;
  AllocationTime: number;
  CoalescedFailures: number;
}

/** Requested transitions set by operators/drainer. */
export interface DesiredTransition {
  Migrate: boolean | null;
  Reschedule: boolean | null;
  ForceReschedule: boolean | null;
  NoShutdownDelay: boolean | null;
}

/** One reschedule of an allocation. */
export interface RescheduleEvent {
  RescheduleTime: number;
  PrevAllocID: string;
  PrevNodeID: string;
  Delay: number;
}

/** History of reschedules that led to an allocation. */
export interface RescheduleTracker {
  Events: RescheduleEvent[] | null;
}

/** One recorded change of an allocation's field, with its time (Nomad's AllocState). */
export interface AllocState {
  Field: "ClientStatus";
  Value: string;
  /** RFC 3339 time of the change. */
  Time: string;
}

/** An allocation. */
export interface Allocation {
  ID: string;
  Namespace: string;
  EvalID: string;
  Name: string;
  NodeID: string;
  NodeName: string;
  JobID: string;
  Job: Job | null;
  TaskGroup: string;
  AllocatedResources: AllocatedResources | null;
  Metrics: AllocationMetric | null;
  DesiredStatus: AllocDesiredStatus;
  DesiredDescription: string;
  DesiredTransition: DesiredTransition;
  ClientStatus: AllocClientStatus;
  ClientDescription: string;
  TaskStates: Record<string, TaskState> | null;
  PreviousAllocation: string;
  NextAllocation: string;
  DeploymentID: string;
  DeploymentStatus: null | {
    Healthy: boolean | null;
    Timestamp: string;
    Canary: boolean;
    ModifyIndex: number;
  };
  RescheduleTracker: RescheduleTracker | null;
  FollowupEvalID: string;
  PreemptedAllocations: string[] | null;
  PreemptedByAllocation: string;
  /** Client status changes the servers recorded (unknown/running around a disconnect). */
  AllocStates?: AllocState[] | null;
  CreateIndex: number;
  ModifyIndex: number;
  AllocModifyIndex: number;
  CreateTime: number;
  ModifyTime: number;
}

/** `GET /v1/allocations` entry. */
export interface AllocationListStub {
  ID: string;
  EvalID: string;
  Name: string;
  Namespace: string;
  NodeID: string;
  NodeName: string;
  JobID: string;
  JobType: string;
  JobVersion: number;
  TaskGroup: string;
  AllocatedResources: AllocatedResources | null;
  DesiredStatus: AllocDesiredStatus;
  DesiredDescription: string;
  ClientStatus: AllocClientStatus;
  ClientDescription: string;
  DesiredTransition: DesiredTransition;
  TaskStates: Record<string, TaskState> | null;
  DeploymentStatus: Allocation["DeploymentStatus"];
  FollowupEvalID: string;
  NextAllocation: string;
  RescheduleTracker: RescheduleTracker | null;
  PreemptedAllocations: string[] | null;
  PreemptedByAllocation: string;
  CreateIndex: number;
  ModifyIndex: number;
  CreateTime: number;
  ModifyTime: number;
}

/** True when the allocation will never run (again). */
export function allocTerminal(alloc: Pick<Allocation, "DesiredStatus" | "ClientStatus">): boolean {
  return alloc.DesiredStatus !== "run" || TERMINAL_CLIENT_STATUSES.includes(alloc.ClientStatus);
}

/** True when the client side has finished with the allocation. */
export function allocClientTerminal(alloc: Pick<Allocation, "ClientStatus">): boolean {
  return TERMINAL_CLIENT_STATUSES.includes(alloc.ClientStatus);
}

/** Builds the list stub of an allocation. */
export function allocationListStub(alloc: Allocation): AllocationListStub {
  return {
    ID: alloc.ID,
    EvalID: alloc.EvalID,
    Name: alloc.Name,
    Namespace: alloc.Namespace,
    NodeID: alloc.NodeID,
    NodeName: alloc.NodeName,
    JobID: alloc.JobID,
    JobType: alloc.Job?.Type ?? "",
    JobVersion: alloc.Job?.Version ?? 0,
    TaskGroup: alloc.TaskGroup,
    AllocatedResources: null,
    DesiredStatus: alloc.DesiredStatus,
    DesiredDescription: alloc.DesiredDescription,
    ClientStatus: alloc.ClientStatus,
    ClientDescription: alloc.ClientDescription,
    DesiredTransition: alloc.DesiredTransition,
    TaskStates: alloc.TaskStates,
    DeploymentStatus: alloc.DeploymentStatus,
    FollowupEvalID: alloc.FollowupEvalID,
    NextAllocation: alloc.NextAllocation,
    RescheduleTracker: alloc.RescheduleTracker,
    PreemptedAllocations: alloc.PreemptedAllocations,
    PreemptedByAllocation: alloc.PreemptedByAllocation,
    CreateIndex: alloc.CreateIndex,
    ModifyIndex: alloc.ModifyIndex,
    CreateTime: alloc.CreateTime,
    ModifyTime: alloc.ModifyTime,
  };
}

/** A task event with every field at its zero value, then `fields` applied. */
export function newTaskEvent(
  type: string,
  timeNs: number,
  fields: Partial<TaskEvent> = {},
): TaskEvent {
  return {
    Type: type,
    Time: timeNs,
    Message: "",
    DisplayMessage: "",
    Details: {},
    FailsTask: false,
    RestartReason: "",
    SetupError: "",
    DriverError: "",
    DriverMessage: "",
    ExitCode: 0,
    Signal: 0,
    KillReason: "",
    KillTimeout: 0,
    KillError: "",
    StartDelay: 0,
    DownloadError: "",
    ValidationError: "",
    FailedSibling: "",
    TaskSignalReason: "",
    TaskSignal: "",
    GenericSource: "",
    ...fields,
  };
}

/** Zero desired transition. */
export function emptyDesiredTransition(): DesiredTransition {
  return { Migrate: null, Reschedule: null, ForceReschedule: null, NoShutdownDelay: null };
}

/** Empty allocation metric. */
export function emptyAllocationMetric(): AllocationMetric {
  return {
    NodesEvaluated: 0,
    NodesFiltered: 0,
    NodesInPool: 0,
    NodesAvailable: {},
    ClassFiltered: null,
    ConstraintFiltered: null,
    NodesExhausted: 0,
    ClassExhausted: null,
    DimensionExhausted: null,
    QuotaExhausted: null,
    ResourcesExhausted: null,
    ScoreMetaData: null,
    AllocationTime: 0,
    CoalescedFailures: 0,
  };
}
