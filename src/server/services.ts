/**
 * Native service discovery on the server: checks what clients and operators
 * send before it becomes a raft entry, and answers blocking reads.
 */

import { CodedError } from "../core/errors.ts";
import type {
  ServiceRegistrationDeleteByIDEntry,
  ServiceRegistrationUpsertEntry,
} from "../fsm/mod.ts";
import {
  serviceRegistrationByID,
  serviceRegistrations,
  serviceRegistrationsByName,
  serviceRegistrationsIndex,
  type StateSnapshot,
  type StateStore,
} from "../state/mod.ts";
import {
  MAX_SERVICE_REGISTRATIONS_PER_REQUEST,
  type ServiceRegistration,
  serviceRegistrationErrors,
} from "../structs/mod.ts";

/** Nomad's text when a registration to delete does not exist. */
export const ERR_SERVICE_NOT_FOUND = "service registration not found";

/**
 * The raft entry for a node's upsert, after checking every registration:
 * well formed, on the calling node, for an allocation placed on that node.
 */
export function serviceUpsertEntry(
  snapshot: StateSnapshot,
  nodeID: string,
  services: unknown,
): ServiceRegistrationUpsertEntry {
  if (!Array.isArray(services) || services.length === 0) {
    throw new CodedError(400, "Services must be a non-empty list");
  }
  if (services.length > MAX_SERVICE_REGISTRATIONS_PER_REQUEST) {
    throw new CodedError(
      400,
      `too many service registrations: ${services.length} > ${MAX_SERVICE_REGISTRATIONS_PER_REQUEST}`,
    );
  }
  const errors: string[] = [];
  for (const [i, service] of services.entries()) {
    const problems = serviceRegistrationErrors(service);
    if (problems.length > 0) {
      errors.push(...problems.map((p) => `service ${i}: ${p}`));
      continue;
    }
    const s = service as ServiceRegistration;
    if (s.NodeID !== nodeID) errors.push(`service ${i}: NodeID ${s.NodeID} is not the caller`);
    const alloc = snapshot.allocByID(s.AllocID);
    if (alloc !== undefined && alloc.NodeID !== nodeID) {
      errors.push(`service ${i}: allocation ${s.AllocID} is not on node ${nodeID}`);
    }
  }
  if (errors.length > 0) {
    throw new CodedError(
      400,
      `${errors.length} error(s) occurred:\n\n${errors.map((e) => `* ${e}`).join("\n")}`,
    );
  }
  return { Type: "ServiceRegistrationUpsert", Services: services as ServiceRegistration[] };
}

/** The raft entry deleting one registration; 500 "service registration not found" when absent. */
export function serviceDeleteEntry(
  snapshot: StateSnapshot,
  namespace: string,
  id: string,
): ServiceRegistrationDeleteByIDEntry {
  if (id === "") throw new CodedError(400, "missing service id");
  if (serviceRegistrationByID(snapshot, namespace, id) === undefined) {
    throw new CodedError(500, ERR_SERVICE_NOT_FOUND);
  }
  return { Type: "ServiceRegistrationDeleteByID", Namespace: namespace, ID: id };
}

/**
 * The instances of a service (every registration with `name` empty), blocking
 * until the registrations change after `minIndex` or `signal` aborts.
 */
export async function readServiceRegistrations(
  state: StateStore,
  query: { namespace: string; name: string },
  options: { minIndex: number; signal: AbortSignal },
): Promise<{ services: readonly ServiceRegistration[]; index: number }> {
  for (;;) {
    const snapshot = state.snapshot();
    const services = query.name === ""
      ? serviceRegistrations(snapshot, query.namespace)
      : serviceRegistrationsByName(snapshot, query.namespace, query.name);
    const index = Math.max(1, serviceRegistrationsIndex(snapshot));
    if (index > options.minIndex || options.signal.aborted) return { services, index };
    await state.waitForChange(["service_registrations"], options.signal);
  }
}
