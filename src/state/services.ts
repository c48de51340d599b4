/**
 * Reads of the native service registrations table: by namespace, by service
 * name, by allocation and by node. The secondary indexes are built lazily per
 * table version and shared by every snapshot of that version.
 */

import type { ServiceRegistration } from "../structs/mod.ts";
import { nsKey, type StateSnapshot } from "./snapshot.ts";

type Table = ReadonlyMap<string, ServiceRegistration>;

interface ServiceIndexes {
  byName: Map<string, ServiceRegistration[]>;
  byAlloc: Map<string, ServiceRegistration[]>;
  byNode: Map<string, ServiceRegistration[]>;
}

const indexCache = new WeakMap<Table, ServiceIndexes>();

function push(map: Map<string, ServiceRegistration[]>, key: string, r: ServiceRegistration) {
  const list = map.get(key);
  if (list === undefined) map.set(key, [r]);
  else list.push(r);
}

function indexes(table: Table): ServiceIndexes {
  let built = indexCache.get(table);
  if (built === undefined) {
    built = { byName: new Map(), byAlloc: new Map(), byNode: new Map() };
    for (const r of sorted(table.values())) {
      push(built.byName, nsKey(r.Namespace, r.ServiceName), r);
      push(built.byAlloc, r.AllocID, r);
      push(built.byNode, r.NodeID, r);
    }
    indexCache.set(table, built);
  }
  return built;
}

// Nomad's memdb walks the ID index: namespace, then ID.
function sorted(items: Iterable<ServiceRegistration>): ServiceRegistration[] {
  return [...items].sort((a, b) =>
    a.Namespace.localeCompare(b.Namespace) || a.ID.localeCompare(b.ID)
  );
}

/**
 * Every registration in `namespace` ("*": all namespaces), sorted by namespace and ID.
 *
 * @example
 * ```ts
 * import { StateStore, serviceRegistrations } from "./mod.ts";
 * serviceRegistrations(new StateStore().snapshot(), "*"); // []
 * ```
 */
export function serviceRegistrations(
  snapshot: StateSnapshot,
  namespace: string,
): ServiceRegistration[] {
  const all = sorted(snapshot.tables.serviceRegistrations.values());
  return namespace === "*" ? all : all.filter((r) => r.Namespace === namespace);
}

/** The instances of service `name` in `namespace`, sorted by ID. */
export function serviceRegistrationsByName(
  snapshot: StateSnapshot,
  namespace: string,
  name: string,
): readonly ServiceRegistration[] {
  const byName = indexes(snapshot.tables.serviceRegistrations).byName;
  if (namespace !== "*") return byName.get(nsKey(namespace, name)) ?? [];
  return sorted([...byName.values()].flat().filter((r) => r.ServiceName === name));
}

/** One registration by namespace and ID. */
export function serviceRegistrationByID(
  snapshot: StateSnapshot,
  namespace: string,
  id: string,
): ServiceRegistration | undefined {
  return snapshot.tables.serviceRegistrations.get(nsKey(namespace, id));
}

/** The registrations of one allocation (in a snapshot's or a transaction's table). */
export function serviceRegistrationsByAlloc(
  table: ReadonlyMap<string, ServiceRegistration>,
  allocID: string,
): readonly ServiceRegistration[] {
  return indexes(table).byAlloc.get(allocID) ?? [];
}

/** The registrations of one node (in a snapshot's or a transaction's table). */
export function serviceRegistrationsByNode(
  table: ReadonlyMap<string, ServiceRegistration>,
  nodeID: string,
): readonly ServiceRegistration[] {
  return indexes(table).byNode.get(nodeID) ?? [];
}

/**
 * Drops the cached indexes of a table a transaction is still changing (its
 * copy-on-write map), so later reads in the transaction and after commit
 * rebuild them.
 */
export function forgetServiceIndexes(table: ReadonlyMap<string, ServiceRegistration>): void {
  indexCache.delete(table);
}

/** Index for blocking queries on services: the table's last write. */
export function serviceRegistrationsIndex(snapshot: StateSnapshot): number {
  return snapshot.tableIndex("service_registrations");
}
