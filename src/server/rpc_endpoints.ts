/**
 * The server's RPC methods for clients (Nomad's Node.* endpoints): each
 * checks its arguments, then calls the server. Arguments and results use
 * Nomad's field names.
 */

import { CodedError } from "../core/errors.ts";
import type { ClientAllocUpdate } from "../fsm/mod.ts";
import type { RpcHandler } from "../rpc/mod.ts";
import { type Node, nodeRegistrationErrors } from "../structs/mod.ts";
import type { Server } from "./server.ts";

/** Longest a blocking Node.GetClientAllocs waits (Nomad's max query time). */
const MAX_QUERY_TIME_MS = 10 * 60_000;
const DEFAULT_QUERY_TIME_MS = 5 * 60_000;

type Args = Record<string, unknown>;

function record(args: unknown, method: string): Args {
  if (typeof args !== "object" || args === null || Array.isArray(args)) {
    throw new CodedError(400, `${method}: arguments must be an object`);
  }
  return args as Args;
}

function text(args: Args, field: string, method: string): string {
  const value = args[field];
  if (typeof value !== "string" || value === "") {
    throw new CodedError(400, `${method}: missing ${field}`);
  }
  return value;
}

function count(args: Args, field: string, method: string): number {
  const value = args[field] ?? 0;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new CodedError(400, `${method}: ${field} must be a non-negative integer`);
  }
  return value;
}

/** The node, when `secretID` is its secret; 403 otherwise (a node that is gone: 404). */
function authorizedNode(server: Server, nodeID: string, secretID: string): Node {
  const node = server.state.snapshot().nodeByID(nodeID);
  if (node === undefined) throw new CodedError(404, "node not found");
  if (node.SecretID !== secretID) throw new CodedError(403, "Permission denied");
  return node;
}

function allocUpdates(value: unknown): ClientAllocUpdate[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new CodedError(400, "Node.UpdateAlloc: Alloc must be a non-empty list");
  }
  for (const update of value) {
    const u = update as Partial<ClientAllocUpdate> | null;
    if (
      typeof u !== "object" || u === null || typeof u.ID !== "string" ||
      typeof u.ClientStatus !== "string" || typeof u.ClientDescription !== "string" ||
      typeof u.ModifyTime !== "number" ||
      !(u.TaskStates === null || (typeof u.TaskStates === "object" && u.TaskStates !== undefined))
    ) {
      throw new CodedError(400, "Node.UpdateAlloc: malformed allocation update");
    }
  }
  return value as ClientAllocUpdate[];
}

/**
 * Serves Node.Register, Node.UpdateStatus, Node.GetClientAllocs, Node.UpdateAlloc
 * and Variables.List (for templates; the caller proves it is a node).
 */
export function nodeRpcHandler(server: Server): RpcHandler {
  return async (method, rawArgs, { signal }) => {
    const args = record(rawArgs, method);
    switch (method) {
      case "Node.Register": {
        const errors = nodeRegistrationErrors(args.Node);
        if (errors.length > 0) {
          throw new CodedError(400, `Node.Register: invalid node: ${errors.join("; ")}`);
        }
        return await server.nodeRegister(args.Node as Node);
      }
      case "Node.UpdateStatus":
        return await server.nodeHeartbeat(
          text(args, "NodeID", method),
          text(args, "SecretID", method),
        );
      case "Node.GetClientAllocs": {
        const nodeID = text(args, "NodeID", method);
        authorizedNode(server, nodeID, text(args, "SecretID", method));
        const minIndex = count(args, "MinQueryIndex", method);
        const waitMs = Math.min(
          count(args, "MaxQueryTime", method) / 1e6 || DEFAULT_QUERY_TIME_MS,
          MAX_QUERY_TIME_MS,
        );
        const result = await server.getClientAllocs(nodeID, {
          minIndex,
          signal: AbortSignal.any([signal, AbortSignal.timeout(waitMs)]),
        });
        return { Allocs: result.allocs, Index: result.index };
      }
      case "Node.UpdateAlloc": {
        const updates = allocUpdates(args.Alloc);
        const nodeID = text(args, "NodeID", method);
        authorizedNode(server, nodeID, text(args, "SecretID", method));
        const snapshot = server.state.snapshot();
        for (const update of updates) {
          const alloc = snapshot.allocByID(update.ID);
          // An allocation already collected is skipped by the server, as Nomad does.
          if (alloc !== undefined && alloc.NodeID !== nodeID) {
            throw new CodedError(403, `Node.UpdateAlloc: allocation ${update.ID} is not on node`);
          }
        }
        return await server.updateAllocs(updates);
      }
      case "Variables.List": {
        authorizedNode(server, text(args, "NodeID", method), text(args, "SecretID", method));
        const namespace = text(args, "Namespace", method);
        const prefix = typeof args.Prefix === "string" ? args.Prefix : "";
        const waitMs = Math.min(
          count(args, "MaxQueryTime", method) / 1e6 || DEFAULT_QUERY_TIME_MS,
          MAX_QUERY_TIME_MS,
        );
        const result = await server.readVariables(namespace, prefix, {
          minIndex: count(args, "MinQueryIndex", method),
          signal: AbortSignal.any([signal, AbortSignal.timeout(waitMs)]),
        });
        return { Data: result.variables, Index: result.index };
      }
      case "ServiceRegistration.Upsert": {
        const nodeID = text(args, "NodeID", method);
        authorizedNode(server, nodeID, text(args, "SecretID", method));
        return await server.serviceRegistrationUpsert(nodeID, args.Services);
      }
      case "ServiceRegistration.DeleteByID": {
        authorizedNode(server, text(args, "NodeID", method), text(args, "SecretID", method));
        return await server.serviceRegistrationDelete(
          text(args, "Namespace", method),
          text(args, "ID", method),
          { missingOk: true },
        );
      }
      case "ServiceRegistration.GetService": {
        authorizedNode(server, text(args, "NodeID", method), text(args, "SecretID", method));
        const waitMs = Math.min(
          count(args, "MaxQueryTime", method) / 1e6 || DEFAULT_QUERY_TIME_MS,
          MAX_QUERY_TIME_MS,
        );
        const result = await server.readServiceRegistrations(
          text(args, "Namespace", method),
          typeof args.ServiceName === "string" ? args.ServiceName : "",
          {
            minIndex: count(args, "MinQueryIndex", method),
            signal: AbortSignal.any([signal, AbortSignal.timeout(waitMs)]),
          },
        );
        return { Services: result.services, Index: result.index };
      }
      default:
        throw new CodedError(400, `rpc: can't find method ${method}`);
    }
  };
}
