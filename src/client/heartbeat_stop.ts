/**
 * Client-side `stop_on_client_after` (legacy `stop_after_client_disconnect`):
 * a client that has not heard from the servers for that long stops the
 * group's allocations itself, as Nomad's heartbeatStop does, so a partitioned
 * node does not keep running work the servers may have replaced.
 */

import type { Allocation } from "../structs/mod.ts";

/** How often the client checks for allocations to stop (the timeouts are usually minutes). */
export const HEARTBEAT_STOP_CHECK_MS = 500;

/**
 * The allocation's stop timeout in nanoseconds: its group's
 * `disconnect.stop_on_client_after`, else `stop_after_client_disconnect`;
 * null when neither is set.
 */
export function disconnectStopTimeoutNs(alloc: Allocation): number | null {
  const group = alloc.Job?.TaskGroups.find((g) => g.Name === alloc.TaskGroup);
  if (group === undefined) return null;
  const stopOn = group.Disconnect?.StopOnClientAfter ?? null;
  if (stopOn !== null) return stopOn;
  return group.StopAfterClientDisconnect ?? null;
}

/**
 * IDs of the allocations to stop at `nowNs` when the servers were last
 * reached at `lastOkNs`: those wanted running whose stop timeout has passed.
 */
export function allocationsToStop(
  allocs: readonly Allocation[],
  times: { lastOkNs: number; nowNs: number },
): string[] {
  const stop: string[] = [];
  for (const alloc of allocs) {
    if (alloc.DesiredStatus !== "run") continue;
    const timeoutNs = disconnectStopTimeoutNs(alloc);
    if (timeoutNs !== null && times.nowNs > times.lastOkNs + timeoutNs) stop.push(alloc.ID);
  }
  return stop;
}
