/**
 * Wire shapes of /v1 responses that are not part of the core data model in
 * `src/structs` (registration results, agent info, members, search, frames).
 */

/** A job as sent to the API: any JSON object with Nomad's field names. */
export type JobPayload = Record<string, unknown>;

/** The original job source sent with a registration (`api.JobSubmission`). */
export interface JobSubmission {
  Source: string;
  Format: "hcl2" | "json" | "hcl1" | string;
  VariableFlags?: Record<string, string>;
  Variables?: string;
}

/** Options of `PUT /v1/jobs` beyond the job itself. */
export interface RegisterOptions {
  /** Only register when the job's modify index equals `modifyIndex` (0: only if new). */
  enforceIndex?: boolean;
  modifyIndex?: number;
  policyOverride?: boolean;
  preserveCounts?: boolean;
  evalPriority?: number;
  submission?: JobSubmission;
}

/** Response of job registration, scaling and revert. */
export interface JobRegisterResponse {
  EvalID: string;
  EvalCreateIndex: number;
  JobModifyIndex: number;
  Warnings: string;
  Index?: number;
}

/** Response of `PUT /v1/validate/job`. */
export interface JobValidateResponse {
  DriverConfigValidated: boolean;
  ValidationErrors: string[] | null;
  Error: string;
  Warnings: string;
}

/** Response of `DELETE /v1/job/:id`. */
export interface JobDeregisterResponse {
  EvalID: string;
  EvalCreateIndex: number;
  JobModifyIndex: number;
  Index?: number;
}

/** Response of `GET /v1/job/:id/versions`. */
export interface JobVersionsResponse<J = JobPayload> {
  Versions: J[];
  Diffs: unknown[] | null;
}

export type { Deployment, DeploymentState } from "../structs/mod.ts";

/** A gossip member as `GET /v1/agent/members` reports it. */
export interface AgentMember {
  Name: string;
  Addr: string;
  Port: number;
  Tags: Record<string, string>;
  Status: string;
  ProtocolMin?: number;
  ProtocolMax?: number;
  ProtocolCur?: number;
  DelegateMin?: number;
  DelegateMax?: number;
  DelegateCur?: number;
}

/** Response of `GET /v1/agent/members`. */
export interface ServerMembers {
  ServerName: string;
  ServerRegion: string;
  ServerDC: string;
  Members: AgentMember[] | null;
}

/** Response of `GET /v1/agent/self` (lowercase top-level keys, as Nomad sends). */
export interface AgentSelf {
  config: Record<string, unknown>;
  member: AgentMember | null;
  stats: Record<string, Record<string, string>> | null;
}

/** One subsystem of `GET /v1/agent/health`. */
export interface HealthStatus {
  ok: boolean;
  message: string;
}

/** Response of `GET /v1/agent/health`. */
export interface AgentHealthResponse {
  client?: HealthStatus;
  server?: HealthStatus;
}

/** Search contexts of `PUT /v1/search`. */
export type SearchContext =
  | "jobs"
  | "evals"
  | "allocs"
  | "nodes"
  | "node_pools"
  | "deployment"
  | "namespaces"
  | "vars"
  | "volumes"
  | "plugins"
  | "all";

/** Response of `PUT /v1/search`. */
export interface SearchResponse {
  Matches: Record<string, string[] | null>;
  Truncations: Record<string, boolean>;
}

/** One decoded frame of a file or log stream; a heartbeat has no data and no file. */
export interface StreamFrame {
  Offset: number;
  Data: Uint8Array;
  File: string;
  FileEvent: string;
}
