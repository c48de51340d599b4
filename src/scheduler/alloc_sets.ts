/**
 * Classifying a task group's allocations for the reconciler: by the state of
 * their nodes (untainted, migrate, lost), by reschedulability (now, later),
 * and the name index that hands out `<job>.<group>[<n>]` names. All functions
 * return new arrays and sets; inputs are never changed.
 */

import { type Allocation, allocTerminal, type Node } from "../structs/mod.ts";
import type { StateView } from "./types.ts";
import { rescheduleDecision } from "./reschedule.ts";

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
}

/**
 * Nomad's FilterByTainted without disconnected-client support: terminal
 * allocations are untainted, those marked to migrate migrate, those on down,
 * disconnected or vanished nodes are lost, the rest are untainted.
 */
export function filterByTainted(allocs: readonly Allocation[], tainted: TaintedNodes): TaintSplit {
  const out: TaintSplit = { untainted: [], migrate: [], lost: [] };
  for (const alloc of allocs) {
    if (allocTerminal(alloc)) {
      out.untainted.push(alloc);
    } else if (alloc.DesiredTransition.Migrate === true) {
      out.migrate.push(alloc);
    } else if (!tainted.has(alloc.NodeID)) {
      out.untainted.push(alloc);
    } else {
      const node = tainted.get(alloc.NodeID) ?? null;
      const gone = node === null || node.Status === "down" || node.Status === "disconnected";
      (gone ? out.lost : out.untainted).push(alloc);
    }
  }
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
  options: { batch: boolean; nowNs: number; evalID: string },
): RescheduleSplit {
  const out: RescheduleSplit = { untainted: [], now: [], later: [] };
  for (const alloc of allocs) {
    // Already replaced; never reschedule twice.
    if (alloc.NextAllocation !== "" && allocTerminal(alloc)) continue;
    const filter = shouldFilter(alloc, options.batch);
    if (filter.untainted) out.untainted.push(alloc);
    if (filter.ignore || filter.untainted) continue;
    const decision = rescheduleDecision(alloc, options);
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
