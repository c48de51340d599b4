/**
 * What the HTTP API needs from the agent. The agent wires the server and
 * client into this shape; tests can build one around a bare state store.
 */

import type { StateStore } from "../state/mod.ts";
import type { Allocation, JobRegisterRequest, JobRegisterResponse } from "../structs/mod.ts";

/** Where a local allocation's logs are and whether a task is done. */
export interface LocalAllocation {
  alloc: Allocation;
  logDir: string;
  taskNames: string[];
  /** True when the task will write no more logs. */
  taskDead(task: string): boolean;
}

/** The agent as the HTTP API sees it. */
export interface HttpBackend {
  /** The server's state store (null on a client-only agent). */
  readonly state: StateStore | null;
  /** Job.Register. */
  jobRegister(request: JobRegisterRequest): Promise<JobRegisterResponse>;
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
  uiAsset(path: string): Promise<{ body: Uint8Array<ArrayBuffer>; contentType: string } | undefined>;
}
