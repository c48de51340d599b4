/**
 * Recording preemptions in a plan (Nomad's Plan.AppendPreemptedAlloc and the
 * schedulers' handlePreemptions): the evicted allocations go to
 * `NodePreemptions`, the plan's annotations list them, and the new
 * allocation names them.
 */

import { type Allocation, allocationListStub, type Plan } from "../structs/mod.ts";
import type { SchedulerConfiguration } from "../structs/mod.ts";
import type { StateView } from "./types.ts";
import { preemptionEnabled } from "./preemption.ts";

/** Nomad's desired description of a preempted allocation. */
export function preemptedDescription(preemptingID: string): string {
  return `Preempted by alloc ID ${preemptingID}`;
}

/** Every allocation the plan preempts so far, on any node. */
export function planPreemptions(plan: Plan): Allocation[] {
  return Object.values(plan.NodePreemptions ?? {}).flat();
}

/**
 * Whether the scheduler for `jobType` may preempt, from the view's scheduler
 * configuration (Nomad's defaults when the view has none).
 */
export function preemptionEnabledIn(state: StateView, jobType: string): boolean {
  const config: SchedulerConfiguration | null = state.schedulerConfig?.() ?? null;
  return preemptionEnabled(config, jobType);
}

/**
 * Adds the evictions of `victims` for the new allocation `alloc` to the plan
 * and returns `alloc` naming them in `PreemptedAllocations`.
 */
export function recordPreemptions(
  plan: Plan,
  alloc: Allocation,
  victims: readonly Allocation[],
): Allocation {
  if (victims.length === 0) return alloc;
  const preemptions = plan.NodePreemptions ??= {};
  for (const victim of victims) {
    (preemptions[victim.NodeID] ??= []).push({
      ...victim,
      DesiredStatus: "evict",
      DesiredDescription: preemptedDescription(alloc.ID),
      PreemptedByAllocation: alloc.ID,
    });
    const annotations = plan.Annotations;
    if (annotations !== null) {
      (annotations.PreemptedAllocs ??= []).push(allocationListStub(victim));
      const desired = annotations.DesiredTGUpdates?.[alloc.TaskGroup];
      if (desired !== undefined) desired.Preemptions += 1;
    }
  }
  return { ...alloc, PreemptedAllocations: victims.map((v) => v.ID) };
}
