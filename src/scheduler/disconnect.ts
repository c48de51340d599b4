/**
 * Disconnected clients (`max_client_disconnect` and the group `disconnect`
 * block): when an allocation's node stops heartbeating it becomes "unknown"
 * instead of lost for `lost_after`, may get a replacement meanwhile
 * (`replace`), and when the node returns one of the original and its
 * replacement is kept (`reconcile`). Pure helpers over an allocation's own
 * job version and its recorded client-status changes (AllocStates).
 */

import type { Allocation, AllocState, TaskGroup } from "../structs/mod.ts";
import { formatRfc3339Nano, parseRfc3339Ns } from "./time_format.ts";

/** Client description of an allocation whose node is disconnected. */
export const ALLOC_UNKNOWN = "alloc is unknown since its node is disconnected";
/** Stop description of a replacement that lost to its reconnected original. */
export const ALLOC_RECONNECTED = "alloc not needed due to disconnected client reconnect";
/** Status description of the follow-up evaluation at the end of `lost_after`. */
export const DISCONNECT_TIMEOUT_FOLLOWUP_EVAL_DESC = "created for delayed disconnect timeout";

function groupOf(alloc: Allocation): TaskGroup | undefined {
  return alloc.Job?.TaskGroups.find((g) => g.Name === alloc.TaskGroup);
}

/** How long an unknown allocation may wait for its node (ns): max_client_disconnect, else lost_after. */
export function lostAfterNs(tg: TaskGroup | undefined): number {
  if (tg === undefined) return 0;
  return tg.MaxClientDisconnect ?? tg.Disconnect?.LostAfter ?? 0;
}

/** Nomad's default kill_timeout (ns). */
const DEFAULT_KILL_TIMEOUT_NS = 5e9;

/** The group's stop_on_client_after (or legacy stop_after_client_disconnect) in ns; 0 when unset. */
export function stopAfterNs(tg: TaskGroup): number {
  return tg.Disconnect?.StopOnClientAfter ?? tg.StopAfterClientDisconnect ?? 0;
}

/**
 * When a lost allocation of a group with stop_on_client_after may be
 * replaced (Nomad's WaitClientStop): its client stops it that long after
 * losing the servers, so the replacement waits that long (plus the longest
 * kill timeout) from the time it was marked lost, or from now on the first pass.
 */
export function waitClientStopNs(alloc: Allocation, tg: TaskGroup, nowNs: number): number {
  const lost = (alloc.AllocStates ?? []).find((s) =>
    s.Field === "ClientStatus" && s.Value === "lost"
  );
  const since = (lost && parseRfc3339Ns(lost.Time)) || nowNs;
  const kill = Math.max(DEFAULT_KILL_TIMEOUT_NS, ...tg.Tasks.map((t) => t.KillTimeout ?? 0));
  return since + stopAfterNs(tg) + kill;
}

/** Whether a replacement is placed while the allocation is unknown (Nomad's TaskGroup.Replace). */
export function replaceOnDisconnect(alloc: Allocation): boolean {
  const tg = groupOf(alloc);
  if (tg === undefined) return true;
  if (tg.PreventRescheduleOnLost) return false;
  return tg.Disconnect?.Replace ?? true;
}

/** The allocation's lost_after, from its own job version. */
export function allocLostAfterNs(alloc: Allocation): number {
  return lostAfterNs(groupOf(alloc));
}

/** The allocation's states with one more client-status change at `nowNs`. */
export function appendClientState(alloc: Allocation, value: string, nowNs: number): AllocState[] {
  return [...(alloc.AllocStates ?? []), {
    Field: "ClientStatus",
    Value: value,
    Time: formatRfc3339Nano(nowNs),
  }];
}

/** When the allocation last became unknown (start of the latest unknown run), or 0. */
export function lastUnknownNs(alloc: Allocation): number {
  const states = (alloc.AllocStates ?? []).filter((s) => s.Field === "ClientStatus");
  let found = 0;
  for (let i = states.length - 1; i >= 0; i--) {
    const state = states[i]!;
    if (state.Value !== "unknown") {
      if (found !== 0) break;
      continue;
    }
    found = parseRfc3339Ns(state.Time) ?? found;
  }
  return found;
}

/** True while the last recorded client status is "unknown" (it has not reconnected yet). */
export function needsToReconnect(alloc: Allocation): boolean {
  const states = (alloc.AllocStates ?? []).filter((s) => s.Field === "ClientStatus");
  return states[states.length - 1]?.Value === "unknown";
}

/** True when an unknown allocation's lost_after has run out at `nowNs`. */
export function disconnectExpired(alloc: Allocation, nowNs: number): boolean {
  if (alloc.ClientStatus !== "unknown") return false;
  const since = lastUnknownNs(alloc);
  if (since === 0 || groupOf(alloc) === undefined) return false;
  return since + allocLostAfterNs(alloc) <= nowNs;
}

function bestNormScore(alloc: Allocation): number | null {
  const scores = alloc.Metrics?.ScoreMetaData ?? [];
  if (scores.length === 0) return null;
  return Math.max(...scores.map((s) => s.NormScore));
}

function pickBestScore(original: Allocation, replacement: Allocation): Allocation {
  const a = bestNormScore(original);
  const b = bestNormScore(replacement);
  const better = b !== null && (a === null || b > a);
  // Never trade a running allocation for one that is not.
  const allowed = replacement.ClientStatus === "running" || original.ClientStatus !== "running";
  return better && allowed ? replacement : original;
}

/** Start of the leader task, else of the earliest started task (ns; 0: none started). */
function runningSinceNs(alloc: Allocation, tg: TaskGroup | undefined): number {
  let oldest = 0;
  for (const task of tg?.Tasks ?? []) {
    const state = alloc.TaskStates?.[task.Name];
    const text = state === undefined
      ? null
      : state.Restarts > 0
      ? state.LastRestart
      : state.StartedAt;
    const ns = text === null || text === undefined ? 0 : Math.max(0, parseRfc3339Ns(text) ?? 0);
    if (task.Leader) return ns;
    if (ns > 0 && (oldest === 0 || ns < oldest)) oldest = ns;
  }
  return oldest;
}

function pickLongestRunning(original: Allocation, replacement: Allocation): Allocation {
  const tg = groupOf(original);
  const a = runningSinceNs(original, tg);
  const b = runningSinceNs(replacement, tg);
  if (a === 0 && b === 0) return pickBestScore(original, replacement);
  if (a === 0) return replacement;
  if (b === 0) return original;
  return a < b ? original : replacement;
}

/**
 * Nomad's pickReconnectingAlloc: a replacement of a newer job version always
 * wins; otherwise the group's `reconcile` option decides.
 */
export function pickReconnecting(original: Allocation, replacement: Allocation): Allocation {
  const newer = (replacement.Job?.Version ?? 0) > (original.Job?.Version ?? 0) ||
    (replacement.Job?.CreateIndex ?? 0) > (original.Job?.CreateIndex ?? 0);
  if (newer) return replacement;
  switch (groupOf(original)?.Disconnect?.Reconcile ?? "best_score") {
    case "keep_original":
      return original;
    case "keep_replacement":
      return replacement;
    case "longest_running":
      return pickLongestRunning(original, replacement);
    default:
      return pickBestScore(original, replacement);
  }
}

/** The chain of allocations that replaced `original` (by PreviousAllocation links). */
export function replacementsOf(original: Allocation, all: readonly Allocation[]): Allocation[] {
  const out: Allocation[] = [];
  let current = original.ID;
  for (let i = 0; i < all.length; i++) {
    const next = all.find((a) => a.PreviousAllocation === current);
    if (next === undefined) break;
    out.push(next);
    current = next.ID;
  }
  return out;
}
