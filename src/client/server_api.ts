/**
 * What a client needs from the servers (Nomad's Node.* RPCs). In one agent
 * process the server implements it directly; the RPC issue puts a transport behind it.
 */

import type { ClientAllocUpdate } from "../fsm/mod.ts";
import type { Allocation, Node, ServiceRegistration, Variable } from "../structs/mod.ts";

/** Server RPCs used by a client. */
export interface ServerApi {
  /** Node.Register: returns the heartbeat TTL in nanoseconds. */
  registerNode(node: Node): Promise<{ HeartbeatTTL: number }>;
  /** Node.UpdateStatus heartbeat: returns the next TTL in nanoseconds. */
  heartbeat(nodeID: string, secretID: string): Promise<{ HeartbeatTTL: number }>;
  /** Node.GetClientAllocs: blocks until allocations change after `minIndex`. */
  getClientAllocs(
    nodeID: string,
    options: { minIndex: number; signal: AbortSignal },
  ): Promise<{ allocs: readonly Allocation[]; index: number }>;
  /** Node.UpdateAlloc: client-side status of allocations. */
  updateAllocs(updates: readonly ClientAllocUpdate[]): Promise<unknown>;
  /**
   * Variables.List for templates: the variables under `prefix` (with their
   * items), blocking until they change after `minIndex`.
   */
  readVariables(
    namespace: string,
    prefix: string,
    options: { minIndex: number; signal: AbortSignal },
  ): Promise<{ variables: readonly Variable[]; index: number }>;
  /** ServiceRegistration.Upsert: registers native service instances of this node's allocations. */
  upsertServiceRegistrations(services: readonly ServiceRegistration[]): Promise<unknown>;
  /** ServiceRegistration.DeleteByID: removes one instance (already gone is not an error). */
  deleteServiceRegistration(namespace: string, id: string): Promise<unknown>;
  /**
   * ServiceRegistration.GetService for templates: the instances of `name`
   * (every registration when ""), blocking until they change after `minIndex`.
   */
  readServiceRegistrations(
    namespace: string,
    name: string,
    options: { minIndex: number; signal: AbortSignal },
  ): Promise<{ services: readonly ServiceRegistration[]; index: number }>;
}
