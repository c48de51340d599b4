/**
 * Applies native service registration writes, and removes registrations
 * whose allocation became client-terminal, was collected, or whose node went
 * down (as Nomad's state store does, so no stale instance outlives its task
 * even when the client cannot deregister it).
 */

import {
  allocClientTerminal,
  deepFreeze,
  normalizeServiceRegistration,
  sameServiceRegistration,
  type ServiceRegistration,
} from "../structs/mod.ts";
import {
  forgetServiceIndexes,
  nsKey,
  serviceRegistrationsByAlloc,
  serviceRegistrationsByNode,
  type Txn,
} from "../state/mod.ts";
import type {
  ServiceRegistrationDeleteByAllocEntry,
  ServiceRegistrationDeleteByIDEntry,
  ServiceRegistrationUpsertEntry,
} from "./messages.ts";

/** Stores the registrations; returns how many changed. */
export function applyServiceUpsert(txn: Txn, entry: ServiceRegistrationUpsertEntry): number {
  let changed = 0;
  for (const incoming of entry.Services) {
    // A registration arriving after its allocation stopped would never be removed.
    const alloc = txn.read("allocs").get(incoming.AllocID);
    if (alloc === undefined || allocClientTerminal(alloc)) continue;
    const key = nsKey(incoming.Namespace, incoming.ID);
    const existing = txn.read("serviceRegistrations").get(key);
    const service = normalizeServiceRegistration(incoming);
    if (existing !== undefined && sameServiceRegistration(existing, service)) continue;
    const table = txn.write("serviceRegistrations");
    forgetServiceIndexes(table);
    table.set(
      key,
      deepFreeze({
        ...service,
        CreateIndex: existing?.CreateIndex ?? txn.index,
        ModifyIndex: txn.index,
      }),
    );
    changed++;
  }
  return changed;
}

/** Removes one registration; false when there is none. */
export function applyServiceDeleteByID(
  txn: Txn,
  entry: ServiceRegistrationDeleteByIDEntry,
): boolean {
  const key = nsKey(entry.Namespace, entry.ID);
  if (!txn.read("serviceRegistrations").has(key)) return false;
  const table = txn.write("serviceRegistrations");
  forgetServiceIndexes(table);
  table.delete(key);
  return true;
}

/** Removes every registration of the allocations; returns how many were removed. */
export function applyServiceDeleteByAlloc(
  txn: Txn,
  entry: ServiceRegistrationDeleteByAllocEntry,
): number {
  return deleteAll(
    txn,
    entry.AllocIDs.flatMap((id) =>
      serviceRegistrationsByAlloc(txn.read("serviceRegistrations"), id)
    ),
  );
}

/**
 * Removes the registrations of those allocations that are now client-terminal
 * or gone (call after the allocations were written in the same transaction).
 */
export function deregisterStoppedAllocs(txn: Txn, allocIDs: Iterable<string>): number {
  const table = txn.read("serviceRegistrations");
  if (table.size === 0) return 0;
  const doomed: ServiceRegistration[] = [];
  for (const id of allocIDs) {
    const alloc = txn.read("allocs").get(id);
    if (alloc !== undefined && !allocClientTerminal(alloc)) continue;
    doomed.push(...serviceRegistrationsByAlloc(table, id));
  }
  return deleteAll(txn, doomed);
}

/** Removes every registration on a node (when it goes down). */
export function deregisterNode(txn: Txn, nodeID: string): number {
  return deleteAll(txn, serviceRegistrationsByNode(txn.read("serviceRegistrations"), nodeID));
}

// Writes only when something goes, so an unrelated entry does not wake service watchers.
function deleteAll(txn: Txn, registrations: readonly ServiceRegistration[]): number {
  if (registrations.length === 0) return 0;
  const table = txn.write("serviceRegistrations");
  forgetServiceIndexes(table);
  for (const r of registrations) table.delete(nsKey(r.Namespace, r.ID));
  return registrations.length;
}
