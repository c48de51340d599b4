/**
 * What the HTTP API needs from the agent. The agent wires the server and
 * client into this shape; tests can build one around a bare state store.
 */

import type { StateStore } from "../state/mod.ts";
import type {
  Allocation,
  JobRegisterRequest,
  JobRegisterResponse,
  JobValidateResponse,
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

/** An allocation run by this agent's client. */
export interface LocalAllocation {
  alloc: Allocation;
  taskNames: string[];
  /** The task's log bytes, following new output when asked. */
  logs(options: LogRequestOptions): AsyncGenerator<LogChunk>;
}

/** The agent as the HTTP API sees it. */
export interface HttpBackend {
  /** The server's state store (null on a client-only agent). */
  readonly state: StateStore | null;
  /** Job.Register. */
  jobRegister(request: JobRegisterRequest): Promise<JobRegisterResponse>;
  /** Job.Validate. */
  jobValidate(job: unknown): JobValidateResponse;
  /** Job.Deregister. */
  jobDeregister(
    namespace: string,
    jobID: string,
    options: { purge: boolean },
  ): Promise<JobRegisterResponse>;
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
  /** An allocation run by this agent's client, if any. */
  localAllocation(allocID: string): LocalAllocation | undefined;
  /** The static UI: returns the file body and content type for a path under /ui, or undefined. */
  uiAsset(
    path: string,
  ): Promise<{ body: Uint8Array<ArrayBuffer>; contentType: string } | undefined>;
}
