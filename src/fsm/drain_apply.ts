/**
 * FSM appliers for node drain and eligibility, the drainer's desired
 * transitions, and garbage collection. Deterministic: times come in the entry.
 */

import { deepFreeze, type Node, type NodeEvent } from "../structs/mod.ts";
import { nsKey, type Txn } from "../state/mod.ts";
import { deletePeriodicLaunch } from "./periodic_apply.ts";
import type {
  AllocUpdateDesiredTransitionEntry,
  GarbageCollectEntry,
  NodeDrainCompleteEntry,
  NodeUpdateDrainEntry,
  NodeUpdateEligibilityEntry,
} from "./messages.ts";

/** Nomad keeps the last 10 events of a node. */
export const MAX_NODE_EVENTS = 10;

function rfc3339(unixNs: number): string {
  return new Date(Math.floor(unixNs / 1e6)).toISOString();
}

function withEvent(node: Node, event: NodeEvent | null, index: number): Node["Events"] {
  if (event === null) return node.Events;
  return [...(node.Events ?? []), { ...event, CreateIndex: index }].slice(-MAX_NODE_EVENTS);
}

/** Sets or clears a node's drain strategy; a drain makes the node ineligible. */
export function applyNodeUpdateDrain(txn: Txn, entry: NodeUpdateDrainEntry): void {
  const nodes = txn.write("nodes");
  const node = nodes.get(entry.NodeID);
  if (node === undefined) return;
  const draining = entry.DrainStrategy !== null;
  const eligibility = draining
    ? "ineligible"
    : entry.MarkEligible
    ? "eligible"
    : node.SchedulingEligibility;
  const updatedAt = rfc3339(entry.UpdatedAt);
  let lastDrain = node.LastDrain;
  if (draining) {
    lastDrain = {
      StartedAt: entry.DrainStrategy!.StartedAt,
      UpdatedAt: updatedAt,
      Status: "draining",
      AccessorID: "",
      Meta: entry.Meta,
    };
  } else if (node.DrainStrategy !== null && lastDrain !== null) {
    lastDrain = { ...lastDrain, UpdatedAt: updatedAt, Status: "canceled", Meta: entry.Meta };
  }
  nodes.set(
    node.ID,
    deepFreeze({
      ...node,
      Drain: draining,
      DrainStrategy: entry.DrainStrategy,
      SchedulingEligibility: eligibility,
      LastDrain: lastDrain,
      StatusUpdatedAt: Math.floor(entry.UpdatedAt / 1e9),
      Events: withEvent(node, entry.Event, txn.index),
      ModifyIndex: txn.index,
    }),
  );
}

/** Ends the drains of nodes: the strategy is cleared and the nodes stay ineligible. */
export function applyNodeDrainComplete(txn: Txn, entry: NodeDrainCompleteEntry): void {
  const nodes = txn.write("nodes");
  for (const id of entry.NodeIDs) {
    const node = nodes.get(id);
    if (node === undefined || node.DrainStrategy === null) continue;
    nodes.set(
      id,
      deepFreeze({
        ...node,
        Drain: false,
        DrainStrategy: null,
        LastDrain: node.LastDrain === null
          ? null
          : { ...node.LastDrain, UpdatedAt: rfc3339(entry.UpdatedAt), Status: "complete" },
        StatusUpdatedAt: Math.floor(entry.UpdatedAt / 1e9),
        Events: withEvent(node, entry.Event, txn.index),
        ModifyIndex: txn.index,
      }),
    );
  }
}

/** Changes a node's scheduling eligibility. */
export function applyNodeUpdateEligibility(txn: Txn, entry: NodeUpdateEligibilityEntry): void {
  const nodes = txn.write("nodes");
  const node = nodes.get(entry.NodeID);
  if (node === undefined) return;
  nodes.set(
    node.ID,
    deepFreeze({
      ...node,
      SchedulingEligibility: entry.Eligibility,
      StatusUpdatedAt: Math.floor(entry.UpdatedAt / 1e9),
      Events: withEvent(node, entry.Event, txn.index),
      ModifyIndex: txn.index,
    }),
  );
}

/** Merges desired transitions into allocations; AllocModifyIndex is left alone, as in Nomad. */
export function applyAllocUpdateDesiredTransition(
  txn: Txn,
  entry: AllocUpdateDesiredTransitionEntry,
): void {
  const allocs = txn.write("allocs");
  for (const [id, transition] of Object.entries(entry.Allocs)) {
    const alloc = allocs.get(id);
    if (alloc === undefined) continue;
    const merged = { ...alloc.DesiredTransition };
    for (const key of Object.keys(transition) as (keyof typeof transition)[]) {
      if (transition[key] !== null) merged[key] = transition[key];
    }
    allocs.set(id, deepFreeze({ ...alloc, DesiredTransition: merged, ModifyIndex: txn.index }));
    txn.touchJob(alloc.Namespace, alloc.JobID);
  }
}

/** Deletes what the garbage collector chose. */
export function applyGarbageCollect(txn: Txn, entry: GarbageCollectEntry): void {
  if (entry.Evals.length > 0) {
    const evals = txn.write("evals");
    for (const id of entry.Evals) evals.delete(id);
  }
  if (entry.Allocs.length > 0) {
    const allocs = txn.write("allocs");
    for (const id of entry.Allocs) {
      const alloc = allocs.get(id);
      if (alloc === undefined) continue;
      allocs.delete(id);
      txn.touchJob(alloc.Namespace, alloc.JobID);
    }
  }
  for (const job of entry.Jobs) {
    const key = nsKey(job.Namespace, job.ID);
    txn.write("jobs").delete(key);
    txn.write("jobVersions").delete(key);
    txn.write("jobSummaries").delete(key);
    // As the purge path: a collected periodic parent forgets its launches.
    deletePeriodicLaunch(txn, job.Namespace, job.ID);
    // Parents of periodic or dispatched children recount them.
    txn.touchJob(job.Namespace, job.ID);
  }
  if (entry.Nodes.length > 0) {
    const nodes = txn.write("nodes");
    for (const id of entry.Nodes) nodes.delete(id);
  }
  if ((entry.Deployments ?? []).length > 0) {
    const deployments = txn.write("deployments");
    for (const id of entry.Deployments ?? []) deployments.delete(id);
  }
}
