/**
 * Classifying a task group's allocations for the reconciler: by the state of
 * their nodes (untainted, migrate, lost), by reschedulability (now, later),
 * and the name index that hands out `<job>.<group>[<n>]` names. All functions
 * return new arrays and sets; inputs are never changed.
 */

import { type Allocation, allocTerminal, type Node } from "../structs/mod.ts";
import type { StateView } from "./types.ts";
import { rescheduleDecision } from "./reschedule.ts";
import {
  allocLostAfterNs,
  disconnectExpired,
  lastUnknownNs,
  needsToReconnect,
  replaceOnDisconnect,
} from "./disconnect.ts";

/** Nodes that hold allocations of the job and are down, disconnected, draining or gone (null). */
export type TaintedNodes = ReadonlyMap<string, Node | null>;

/** Nomad's taintedNodes: the problem nodes among the allocations' nodes. */
export function taintedNodes(
  state: StateView,
  allocs: readonly Allocation[],
): Map<string, Node | null> {
  const out = new Map<string, Node | null>();
  for (const alloc of allocs) {
    if (out.has(alloc.NodeID)) continue;
    const node = state.nodeByID(alloc.NodeID);
    if (node === undefined) {
      out.set(alloc.NodeID, null);
    } else if (node.Status === "down" || node.Status === "disconnected" || node.Drain) {
      out.set(alloc.NodeID, node);
    }
  }
  return out;
}

/** Allocations split by the state of their node. */
export interface TaintSplit {
  untainted: Allocation[];
  migrate: Allocation[];
  lost: Allocation[];
  /** On a disconnected node, to be marked "unknown". */
  disconnecting: Allocation[];
  /** Back from a disconnect: to reconcile with their replacements. */
  reconnecting: Allocation[];
  /** Unknown allocations whose lost_after has run out. */
  expiring: Allocation[];
  /** Needing nothing (a failed reconnect already stopped). */
  ignore: Allocation[];
}

type Category = keyof TaintSplit;

/**
 * Nomad's FilterByTainted rules, first match wins: reconnecting failures,
 * terminal allocations (untainted), expired unknown ones, then by node —
 * disconnected (unknown stays, pending or without lost_after is lost, the
 * rest disconnects), migrating, ready or untainted (reconnecting when it was
 * unknown), gone (lost), down (kept unknown or disconnecting when the group
 * does not replace, else lost).
 */
function categoryOf(alloc: Allocation, tainted: TaintedNodes, nowNs: number): Category {
  const reconnect = (alloc.ClientStatus === "unknown" || alloc.ClientStatus === "running" ||
    alloc.ClientStatus === "failed") && needsToReconnect(alloc);
  if (reconnect && alloc.DesiredStatus === "run" && alloc.ClientStatus === "failed") {
    return "reconnecting";
  }
  if (allocTerminal(alloc) && !reconnect) return "untainted";
  if (disconnectExpired(alloc, nowNs)) return "expiring";
  if (reconnect && alloc.ClientStatus === "failed" && alloc.DesiredStatus === "stop") {
    return "ignore";
  }
  const isTainted = tainted.has(alloc.NodeID);
  const node = tainted.get(alloc.NodeID) ?? null;
  if (node !== null && node.Status === "disconnected") {
    if (alloc.ClientStatus === "unknown") return "untainted";
    if (alloc.ClientStatus === "pending" || allocLostAfterNs(alloc) === 0) return "lost";
    return "disconnecting";
  }
  if (alloc.DesiredTransition.Migrate === true) return "migrate";
  if (!isTainted || node?.Status === "ready") return reconnect ? "reconnecting" : "untainted";
  if (node === null) return "lost";
  if (node.Status === "down" && !replaceOnDisconnect(alloc)) {
    if (alloc.ClientStatus === "unknown") return "untainted";
    if (alloc.ClientStatus === "running") return "disconnecting";
  }
  return "lost";
}

/** Nomad's FilterByTainted, disconnected clients included; `nowNs` decides expiry. */
export function filterByTainted(
  allocs: readonly Allocation[],
  tainted: TaintedNodes,
  nowNs = 0,
): TaintSplit {
  const out: TaintSplit = {
    untainted: [],
    migrate: [],
    lost: [],
    disconnecting: [],
    reconnecting: [],
    expiring: [],
    ignore: [],
  };
  for (const alloc of allocs) out[categoryOf(alloc, tainted, nowNs)].push(alloc);
  return out;
}

/** True when every task of the allocation finished successfully. */
export function ranSuccessfully(alloc: Allocation): boolean {
  if (alloc.ClientStatus === "complete") return true;
  const states = Object.values(alloc.TaskStates ?? {});
  return states.length > 0 && states.every((s) => s.State === "dead" && !s.Failed);
}

/**
 * Nomad's shouldFilter. Batch: a successfully finished allocation counts toward
 * the group's count and is never replaced; stopped or evicted ones are ignored.
 * Service: stopped, evicted, complete and lost allocations are ignored.
 */
export function shouldFilter(
  alloc: Allocation,
  batch: boolean,
): { untainted: boolean; ignore: boolean } {
  if (batch) {
    if (alloc.DesiredStatus === "stop") {
      return ranSuccessfully(alloc)
        ? { untainted: true, ignore: false }
        : { untainted: false, ignore: true };
    }
    if (alloc.DesiredStatus === "evict") return { untainted: false, ignore: true };
    return { untainted: alloc.ClientStatus !== "failed", ignore: false };
  }
  if (alloc.DesiredStatus !== "run") return { untainted: false, ignore: true };
  if (alloc.ClientStatus === "complete" || alloc.ClientStatus === "lost") {
    return { untainted: false, ignore: true };
  }
  return { untainted: false, ignore: false };
}

/** A failed allocation to reschedule at `timeNs` through a follow-up evaluation. */
export interface DelayedReschedule {
  alloc: Allocation;
  timeNs: number;
}

/** Allocations split by reschedulability. */
export interface RescheduleSplit {
  untainted: Allocation[];
  now: Allocation[];
  later: DelayedReschedule[];
}

/** Nomad's FilterByRescheduleable over the untainted allocations. */
export function filterByRescheduleable(
  allocs: readonly Allocation[],
  options: { batch: boolean; nowNs: number; evalID: string; disconnecting?: boolean },
): RescheduleSplit {
  const out: RescheduleSplit = { untainted: [], now: [], later: [] };
  const disconnecting = options.disconnecting === true;
  for (const alloc of allocs) {
    // Already unknown (a canary interrupted by the disconnect): nothing to do.
    if (disconnecting && alloc.ClientStatus === "unknown") continue;
    // Already replaced; never reschedule twice.
    if (alloc.NextAllocation !== "" && allocTerminal(alloc)) continue;
    const filter = shouldFilter(alloc, options.batch);
    if (filter.untainted && !disconnecting) {
      out.untainted.push(alloc);
      continue;
    }
    if (filter.ignore) continue;
    // A group that does not replace keeps its disconnected allocations' slots.
    if (disconnecting && !replaceOnDisconnect(alloc)) {
      out.untainted.push(alloc);
      continue;
    }
    const decision = rescheduleDecision(alloc, {
      nowNs: options.nowNs,
      evalID: options.evalID,
      disconnecting,
      unknownSinceNs: lastUnknownNs(alloc),
    });
    if (decision.now) {
      out.now.push(alloc);
      continue;
    }
    // Not reschedulable now: it keeps its slot.
    out.untainted.push(alloc);
    if (decision.later) out.later.push({ alloc, timeNs: decision.timeNs });
  }
  return out;
}

/** The allocation name `<job>.<group>[<index>]`. */
export function allocName(jobID: string, group: string, index: number): string {
  return `${jobID}.${group}[${index}]`;
}

/** The index in an allocation name, or -1 when it has none. */
export function allocIndex(name: string): number {
  const m = /\[(\d+)\]$/.exec(name);
  return m === null || m[1] === undefined ? -1 : Number(m[1]);
}

/** Sorts allocations by name index, then ID, for deterministic choices. */
export function byNameIndex(allocs: readonly Allocation[]): Allocation[] {
  return [...allocs].sort((a, b) =>
    allocIndex(a.Name) - allocIndex(b.Name) || (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0)
  );
}

/** The set of name indexes the allocations use. */
export function usedIndexes(allocs: readonly Allocation[]): Set<number> {
  return new Set(allocs.map((a) => allocIndex(a.Name)).filter((i) => i >= 0));
}

/** The `n` highest used indexes, highest first. */
export function highestIndexes(used: ReadonlySet<number>, n: number): number[] {
  return [...used].sort((a, b) => b - a).slice(0, Math.max(0, n));
}

/**
 * The next `n` names: the lowest free indexes below `count`, then (if the free
 * ones run out) indexes from 0 again, as Nomad's NameIndex.Next.
 */
export function nextNames(
  used: ReadonlySet<number>,
  options: { jobID: string; group: string; count: number; n: number },
): { names: string[]; used: Set<number> } {
  const taken = new Set(used);
  const names: string[] = [];
  for (let i = 0; i < options.count && names.length < options.n; i++) {
    if (taken.has(i)) continue;
    taken.add(i);
    names.push(allocName(options.jobID, options.group, i));
  }
  for (let i = 0; names.length < options.n; i++) {
    taken.add(i);
    names.push(allocName(options.jobID, options.group, i));
  }
  return { names, used: taken };
}
