/**
 * The client's server RPCs over the network: Nomad's Node.* methods on the
 * servers' RPC port, with failover across the configured servers.
 */

import type { ClientAllocUpdate } from "../fsm/mod.ts";
import type { RpcPool } from "../rpc/mod.ts";
import type { Allocation, ServiceRegistration, Variable } from "../structs/mod.ts";
import type { ServerApi } from "./server_api.ts";

/** How long one Node.GetClientAllocs may block on the server. */
const ALLOC_QUERY_WAIT_MS = 5 * 60_000;

/** A ServerApi that calls servers through `pool`. */
export function rpcServerApi(pool: RpcPool): ServerApi {
  // The node's identity, learned when it registers: later calls prove it with the secret.
  let nodeID = "";
  let secretID = "";
  return {
    registerNode: async (node) => {
      nodeID = node.ID;
      secretID = node.SecretID;
      return await pool.call<{ HeartbeatTTL: number }>("Node.Register", { Node: node });
    },
    heartbeat: (id, secret) =>
      pool.call<{ HeartbeatTTL: number }>("Node.UpdateStatus", { NodeID: id, SecretID: secret }),
    getClientAllocs: async (id, options) => {
      const result = await pool.call<{ Allocs: Allocation[]; Index: number }>(
        "Node.GetClientAllocs",
        {
          NodeID: id,
          SecretID: id === nodeID ? secretID : "",
          MinQueryIndex: options.minIndex,
          MaxQueryTime: ALLOC_QUERY_WAIT_MS * 1e6,
        },
        { signal: options.signal, timeoutMs: ALLOC_QUERY_WAIT_MS + 30_000 },
      );
      return { allocs: result.Allocs, index: result.Index };
    },
    readVariables: async (namespace, prefix, options) => {
      const result = await pool.call<{ Data: Variable[]; Index: number }>(
        "Variables.List",
        {
          NodeID: nodeID,
          SecretID: secretID,
          Namespace: namespace,
          Prefix: prefix,
          MinQueryIndex: options.minIndex,
          MaxQueryTime: ALLOC_QUERY_WAIT_MS * 1e6,
        },
        { signal: options.signal, timeoutMs: ALLOC_QUERY_WAIT_MS + 30_000 },
      );
      return { variables: result.Data, index: result.Index };
    },
    upsertServiceRegistrations: (services) =>
      pool.call("ServiceRegistration.Upsert", {
        NodeID: nodeID,
        SecretID: secretID,
        Services: services,
      }),
    deleteServiceRegistration: (namespace, id) =>
      pool.call("ServiceRegistration.DeleteByID", {
        NodeID: nodeID,
        SecretID: secretID,
        Namespace: namespace,
        ID: id,
      }),
    readServiceRegistrations: async (namespace, name, options) => {
      const result = await pool.call<{ Services: ServiceRegistration[]; Index: number }>(
        "ServiceRegistration.GetService",
        {
          NodeID: nodeID,
          SecretID: secretID,
          Namespace: namespace,
          ServiceName: name,
          MinQueryIndex: options.minIndex,
          MaxQueryTime: ALLOC_QUERY_WAIT_MS * 1e6,
        },
        { signal: options.signal, timeoutMs: ALLOC_QUERY_WAIT_MS + 30_000 },
      );
      return { services: result.Services, index: result.Index };
    },
    updateAllocs: (updates: readonly ClientAllocUpdate[]) =>
      pool.call("Node.UpdateAlloc", { NodeID: nodeID, SecretID: secretID, Alloc: updates }),
  };
}
