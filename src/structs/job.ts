/**
 * Job specification types with Nomad's JSON field names (api.Job / structs.Job).
 * Durations are integer nanoseconds, as on Nomad's wire.
 */

/** Job types the schedulers know. */
export const JOB_TYPES = ["service", "batch", "system", "sysbatch"] as const;
/** One of {@linkcode JOB_TYPES}. */
export type JobType = typeof JOB_TYPES[number];

/** Job status as Nomad derives it from its allocations and evaluations. */
export type JobStatus = "pending" | "running" | "dead";

/** A placement requirement: `LTarget Operand RTarget`. */
export interface Constraint {
  LTarget: string;
  RTarget: string;
  Operand: string;
}

/** A placement preference with a weight in -100..100. */
export interface Affinity {
  LTarget: string;
  RTarget: string;
  Operand: string;
  Weight: number;
}

/** One target of a spread block. */
export interface SpreadTarget {
  Value: string;
  Percent: number;
}

/** Spread allocations over the values of an attribute. */
export interface Spread {
  Attribute: string;
  Weight: number;
  SpreadTarget: SpreadTarget[] | null;
}

/** Client-side restart behaviour for a task. */
export interface RestartPolicy {
  Attempts: number;
  Interval: number;
  Delay: number;
  Mode: "fail" | "delay";
  RenderTemplates: boolean;
}

/** Server-side rescheduling of failed allocations. */
export interface ReschedulePolicy {
  Attempts: number;
  Interval: number;
  Delay: number;
  DelayFunction: "constant" | "exponential" | "fibonacci" | "";
  MaxDelay: number;
  Unlimited: boolean;
}

/** Rolling update and deployment settings. */
export interface UpdateStrategy {
  Stagger: number;
  MaxParallel: number;
  HealthCheck: "checks" | "task_states" | "manual" | "";
  MinHealthyTime: number;
  HealthyDeadline: number;
  ProgressDeadline: number;
  Canary: number;
  AutoRevert: boolean;
  AutoPromote: boolean;
}

/** Migration settings used when a node drains. */
export interface MigrateStrategy {
  MaxParallel: number;
  HealthCheck: string;
  MinHealthyTime: number;
  HealthyDeadline: number;
}

/** Local disk requested by a task group. */
export interface EphemeralDisk {
  Sticky: boolean;
  SizeMB: number;
  Migrate: boolean;
}

/** A port requested in a network block. */
export interface Port {
  Label: string;
  Value: number;
  To: number;
  HostNetwork: string;
  IgnoreCollision?: boolean;
}

/** DNS settings of a network block. */
export interface DNSConfig {
  Servers: string[] | null;
  Searches: string[] | null;
  Options: string[] | null;
}

/** A group or task network request, and after placement its assignment. */
export interface NetworkResource {
  Mode: string;
  Device: string;
  CIDR: string;
  IP: string;
  Hostname: string;
  MBits: number;
  DNS: DNSConfig | null;
  ReservedPorts: Port[] | null;
  DynamicPorts: Port[] | null;
}

/** A device request (`device "nvidia/gpu" { count = 1 }`). */
export interface RequestedDevice {
  Name: string;
  Count: number;
  Constraints: Constraint[] | null;
  Affinities: Affinity[] | null;
}

/** Resources a task asks for. */
export interface Resources {
  CPU: number;
  Cores: number;
  MemoryMB: number;
  MemoryMaxMB: number;
  DiskMB: number;
  IOPS: number;
  Networks: NetworkResource[] | null;
  Devices: RequestedDevice[] | null;
}

/** Log rotation for a task's stdout/stderr. */
export interface LogConfig {
  MaxFiles: number;
  MaxFileSizeMB: number;
  Disabled: boolean;
}

/** Task lifecycle hook (`prestart`, `poststart`, `poststop`) and sidecar flag. */
export interface TaskLifecycle {
  Hook: string;
  Sidecar: boolean;
}

/** `check_restart`: restart the task after `Limit` consecutive failed checks. */
export interface CheckRestart {
  Limit: number;
  /** Nanoseconds after a (re)start during which failures do not count. */
  Grace: number;
  IgnoreWarnings: boolean;
}

/** A service check. */
export interface ServiceCheck {
  Name: string;
  Type: string;
  Command: string;
  Args: string[] | null;
  Path: string;
  Protocol: string;
  PortLabel: string;
  Method: string;
  Interval: number;
  Timeout: number;
  InitialStatus: string;
  TLSSkipVerify: boolean;
  Header: Record<string, string[]> | null;
  Body: string;
  TaskName: string;
  OnUpdate: string;
  SuccessBeforePassing: number;
  FailuresBeforeCritical: number;
  /** host, driver, alloc, or "" (the service's address). */
  AddressMode?: string;
  /** The check's `check_restart`, merged over its service's. */
  CheckRestart?: CheckRestart | null;
}

/** A service registration request. */
export interface Service {
  Name: string;
  TaskName: string;
  PortLabel: string;
  AddressMode: string;
  Address: string;
  Tags: string[] | null;
  CanaryTags: string[] | null;
  Checks: ServiceCheck[] | null;
  Meta: Record<string, string> | null;
  Provider: string;
  OnUpdate: string;
  /** The service's `check_restart`, the default for its checks. */
  CheckRestart?: CheckRestart | null;
}

/** A template rendered into the task directory. */
export interface Template {
  SourcePath: string;
  DestPath: string;
  EmbeddedTmpl: string;
  ChangeMode: string;
  ChangeSignal: string;
  Splay: number;
  Perms: string;
  LeftDelim: string;
  RightDelim: string;
  Envvars: boolean;
  Once: boolean;
  ErrMissingKey: boolean;
  /** What `change_mode = "script"` runs in the task after a re-render. */
  ChangeScript?: TemplateChangeScript | null;
  /** Quiescence bounds (ns) before a re-render after data changes. */
  Wait?: TemplateWaitConfig | null;
  /** Owner of the rendered file (unset or negative: the agent's user). */
  Uid?: number | null;
  Gid?: number | null;
  /** Vault lease grace (ns); parsed for compatibility, unused without Vault. */
  VaultGrace?: number;
}

/** A template's `change_script` block. */
export interface TemplateChangeScript {
  Command: string;
  Args: string[] | null;
  /** Nanoseconds. */
  Timeout: number;
  FailOnError: boolean;
  RunOnFirstRender?: boolean;
}

/** A template's `wait` block (nanoseconds; null: unset). */
export interface TemplateWaitConfig {
  Min: number | null;
  Max: number | null;
}

/** An artifact downloaded into the task directory. */
export interface TaskArtifact {
  GetterSource: string;
  GetterOptions: Record<string, string> | null;
  GetterHeaders: Record<string, string> | null;
  GetterMode: string;
  RelativeDest: string;
}

/** A group volume request. */
export interface VolumeRequest {
  Name: string;
  Type: string;
  Source: string;
  ReadOnly: boolean;
}

/** Where a task mounts a group volume. */
export interface VolumeMount {
  Volume: string;
  Destination: string;
  ReadOnly: boolean;
  PropagationMode: string;
}

/** The smallest unit of work: one process, container or VM. */
export interface Task {
  Name: string;
  Driver: string;
  User: string;
  Config: Record<string, unknown> | null;
  Constraints: Constraint[] | null;
  Affinities: Affinity[] | null;
  Env: Record<string, string> | null;
  Services: Service[] | null;
  Resources: Resources;
  RestartPolicy: RestartPolicy | null;
  Meta: Record<string, string> | null;
  KillTimeout: number;
  LogConfig: LogConfig;
  Artifacts: TaskArtifact[] | null;
  Templates: Template[] | null;
  VolumeMounts: VolumeMount[] | null;
  Leader: boolean;
  ShutdownDelay: number;
  KillSignal: string;
  Kind: string;
  Lifecycle: TaskLifecycle | null;
  /** Where a dispatched job's payload is written (under the task's `local/`). */
  DispatchPayload: DispatchPayloadConfig | null;
}

/** `dispatch_payload { file = "..." }` of a task. */
export interface DispatchPayloadConfig {
  File: string;
}

/** Tasks placed together on one node. */
export interface TaskGroup {
  Name: string;
  Count: number;
  Constraints: Constraint[] | null;
  Affinities: Affinity[] | null;
  Spreads: Spread[] | null;
  Tasks: Task[];
  RestartPolicy: RestartPolicy;
  ReschedulePolicy: ReschedulePolicy | null;
  EphemeralDisk: EphemeralDisk;
  Update: UpdateStrategy | null;
  Migrate: MigrateStrategy | null;
  Networks: NetworkResource[] | null;
  Services: Service[] | null;
  Volumes: Record<string, VolumeRequest> | null;
  Meta: Record<string, string> | null;
  ShutdownDelay: number | null;
  StopAfterClientDisconnect: number | null;
  MaxClientDisconnect: number | null;
  PreventRescheduleOnLost: boolean;
  /** The `disconnect` block (Nomad 1.8+); null when absent. */
  Disconnect: DisconnectStrategy | null;
  /** The group's horizontal `scaling` policy; null when absent. */
  Scaling: ScalingPolicy | null;
}

/** How a disconnected allocation is reconciled when its node comes back. */
export type ReconcileOption =
  | "best_score"
  | "keep_original"
  | "keep_replacement"
  | "longest_running";

/** The `reconcile` values Nomad accepts. */
export const RECONCILE_OPTIONS: readonly ReconcileOption[] = [
  "best_score",
  "keep_original",
  "keep_replacement",
  "longest_running",
];

/** A group's `disconnect` block: behaviour while its client is out of touch. */
export interface DisconnectStrategy {
  /** How long the servers wait for the client before allocations are lost (ns; 0: unset). */
  LostAfter: number;
  /** How long the client keeps allocations running while disconnected (ns). */
  StopOnClientAfter: number | null;
  /** Whether a replacement is placed while the allocation is unknown (default true). */
  Replace: boolean | null;
  /** Which of an original and its replacement survives a reconnect. */
  Reconcile: string;
}

/** A group's `scaling` block (horizontal policy). */
export interface ScalingPolicy {
  ID: string;
  Type: string;
  /** `{Namespace, Job, Group}` of the group it scales. */
  Target: Record<string, string> | null;
  Policy: Record<string, unknown> | null;
  Min: number;
  /** -1 when the job file gave none (validation then fails, as in Nomad). */
  Max: number;
  Enabled: boolean;
  CreateIndex: number;
  ModifyIndex: number;
}

/** Cron launching of a periodic job. */
export interface PeriodicConfig {
  Enabled: boolean;
  Spec: string;
  Specs: string[] | null;
  SpecType: string;
  ProhibitOverlap: boolean;
  TimeZone: string;
}

/** Last launch of a periodic job (Nomad's periodic_launch table); the FSM records it. */
export interface PeriodicLaunch {
  Namespace: string;
  ID: string;
  /** Launch time in Unix nanoseconds. */
  Launch: number;
  CreateIndex: number;
  ModifyIndex: number;
}

/** Dispatch settings of a parameterized job. */
export interface ParameterizedJobConfig {
  Payload: string;
  MetaRequired: string[] | null;
  MetaOptional: string[] | null;
}

/** A job: the unit users submit. */
export interface Job {
  Region: string;
  Namespace: string;
  ID: string;
  ParentID: string;
  Name: string;
  Type: JobType;
  Priority: number;
  AllAtOnce: boolean;
  Datacenters: string[];
  NodePool: string;
  Constraints: Constraint[] | null;
  Affinities: Affinity[] | null;
  Spreads: Spread[] | null;
  TaskGroups: TaskGroup[];
  Update: UpdateStrategy;
  Periodic: PeriodicConfig | null;
  ParameterizedJob: ParameterizedJobConfig | null;
  Dispatched: boolean;
  DispatchIdempotencyToken: string;
  Payload: string | null;
  Meta: Record<string, string> | null;
  Stop: boolean;
  Status: JobStatus;
  StatusDescription: string;
  Stable: boolean;
  Version: number;
  SubmitTime: number;
  CreateIndex: number;
  ModifyIndex: number;
  JobModifyIndex: number;
}

/** Nomad's job list entry (`GET /v1/jobs`). */
export interface JobListStub {
  ID: string;
  ParentID: string;
  Name: string;
  Namespace: string;
  Datacenters: string[];
  NodePool: string;
  Multiregion: null;
  Type: JobType;
  Priority: number;
  Periodic: boolean;
  ParameterizedJob: boolean;
  Stop: boolean;
  Status: JobStatus;
  StatusDescription: string;
  JobSummary: JobSummary | null;
  CreateIndex: number;
  ModifyIndex: number;
  JobModifyIndex: number;
  SubmitTime: number;
  Meta: Record<string, string> | null;
}

/** Per task group allocation counts by client status. */
export interface TaskGroupSummary {
  Queued: number;
  Complete: number;
  Failed: number;
  Running: number;
  Starting: number;
  Lost: number;
  Unknown: number;
}

/** Counts of a parameterized/periodic job's children. */
export interface JobChildrenSummary {
  Pending: number;
  Running: number;
  Dead: number;
}

/** `GET /v1/job/:id/summary`. */
export interface JobSummary {
  JobID: string;
  Namespace: string;
  Summary: Record<string, TaskGroupSummary>;
  Children: JobChildrenSummary;
  CreateIndex: number;
  ModifyIndex: number;
}

/** Builds the list stub of a job. */
export function jobListStub(job: Job, summary: JobSummary | null): JobListStub {
  return {
    ID: job.ID,
    ParentID: job.ParentID,
    Name: job.Name,
    Namespace: job.Namespace,
    Datacenters: job.Datacenters,
    NodePool: job.NodePool,
    Multiregion: null,
    Type: job.Type,
    Priority: job.Priority,
    Periodic: job.Periodic !== null,
    ParameterizedJob: isParameterizedJob(job),
    Stop: job.Stop,
    Status: job.Status,
    StatusDescription: job.StatusDescription,
    JobSummary: summary,
    CreateIndex: job.CreateIndex,
    ModifyIndex: job.ModifyIndex,
    JobModifyIndex: job.JobModifyIndex,
    SubmitTime: job.SubmitTime,
    Meta: job.Meta,
  };
}

/** An empty task group summary. */
export function emptyTaskGroupSummary(): TaskGroupSummary {
  return { Queued: 0, Complete: 0, Failed: 0, Running: 0, Starting: 0, Lost: 0, Unknown: 0 };
}

/** Nomad's IsParameterized: a parameterized job that is not itself a dispatched child. */
export function isParameterizedJob(job: Pick<Job, "ParameterizedJob" | "Dispatched">): boolean {
  return job.ParameterizedJob !== null && !job.Dispatched;
}

/** Nomad's IsPeriodicActive: periodic, enabled, not stopped, not parameterized. */
export function isPeriodicActive(job: Job): boolean {
  return job.Periodic !== null && job.Periodic.Enabled && !job.Stop && !isParameterizedJob(job);
}

/** One group in `GET /v1/job/:id/scale`. */
export interface TaskGroupScaleStatus {
  Desired: number;
  Placed: number;
  Running: number;
  Healthy: number;
  Unhealthy: number;
  /** Scaling events (none are recorded yet: null). */
  Events: unknown[] | null;
}

/** `GET /v1/job/:id/scale` (Nomad's JobScaleStatus). */
export interface JobScaleStatus {
  JobID: string;
  Namespace: string;
  JobCreateIndex: number;
  JobModifyIndex: number;
  JobStopped: boolean;
  TaskGroups: Record<string, TaskGroupScaleStatus>;
}
