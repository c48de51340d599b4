/**
 * Preemption (Nomad's Preemptor): when a placement does not fit on a node,
 * choose allocations of lower-priority jobs to evict so that it does.
 *
 * Only allocations of jobs whose priority is at least
 * {@linkcode PREEMPTION_PRIORITY_DELTA} below the placing job's are
 * candidates, never the placing job's own. Allocations holding a static port
 * the placement asks for must go; cores and devices are freed from the
 * lowest priority up; CPU, memory and disk are freed as Nomad does: priority
 * groups from the lowest, and within a group the allocation whose resources
 * are closest to what is still missing (a Euclidean distance over the
 * dimensions the ask uses), with a penalty for a task group that already
 * lost `migrate.max_parallel` allocations to preemption. A final pass drops
 * every allocation the placement does not need, higher priorities first, so
 * the set returned is irreducible.
 */

import {
  type Allocation,
  allocTerminal,
  DEFAULT_SCHEDULER_CONFIGURATION,
  type Job,
  type Node,
  type SchedulerConfiguration,
  type TaskGroup,
} from "../structs/mod.ts";
import {
  assignCoresAndDevices,
  type ComparableResources,
  exhaustedDimension,
  nodeAvailable,
} from "./alloc_fit.ts";
import { allocationPorts } from "./ports.ts";
import { addressOf, comparableOf, portsOf, usageOf } from "./rank_cache.ts";
import { type GroupAsk, portsAvailable, type ScoredNode } from "./rank.ts";

/** A job may preempt allocations of jobs at least this much lower in priority. */
export const PREEMPTION_PRIORITY_DELTA = 10;
/** Distance added per allocation preempted beyond a group's `migrate.max_parallel`. */
export const MAX_PARALLEL_PENALTY = 50;
/** Net priority at which Nomad's preemption score is 0.5 (logistic midpoint). */
const PREEMPTION_SCORE_ORIGIN = 2048;
/** Decay of Nomad's logistic preemption score. */
const PREEMPTION_SCORE_RATE = 0.0048;

/** What {@linkcode selectPreemptions} needs. */
export interface PreemptionInput {
  node: Node;
  /** Allocations on the node if the plan were applied (the placing job's included). */
  proposed: readonly Allocation[];
  /** The placing job. */
  job: Pick<Job, "ID" | "Namespace" | "Priority">;
  taskGroup: TaskGroup;
  /** The group's ask (see `groupAsk`). */
  ask: GroupAsk;
  /** Allocations the plan already preempts (any node), for the max_parallel penalty. */
  planPreemptions?: readonly Allocation[];
}

/** Whether the scheduler of `jobType` may preempt (Nomad's PreemptionConfig; absent: defaults). */
export function preemptionEnabled(
  config: Pick<SchedulerConfiguration, "PreemptionConfig"> | null | undefined,
  jobType: string,
): boolean {
  const p = (config ?? DEFAULT_SCHEDULER_CONFIGURATION).PreemptionConfig;
  switch (jobType) {
    case "system":
      return p.SystemSchedulerEnabled;
    case "sysbatch":
      return p.SysBatchSchedulerEnabled;
    case "batch":
      return p.BatchSchedulerEnabled;
    default:
      return p.ServiceSchedulerEnabled;
  }
}

/** True when `alloc` may be evicted for a placement of `job`. */
export function preemptible(alloc: Allocation, job: PreemptionInput["job"]): boolean {
  if (alloc.Job === null || allocTerminal(alloc)) return false;
  if (alloc.JobID === job.ID && alloc.Namespace === job.Namespace) return false;
  return job.Priority - alloc.Job.Priority >= PREEMPTION_PRIORITY_DELTA;
}

/**
 * Whether the group's ask fits on the node next to `remaining`: static and
 * dynamic ports, CPU, memory and disk, then reserved cores and devices.
 */
export function askFits(input: PreemptionInput, remaining: readonly Allocation[]): boolean {
  const { node, ask } = input;
  if (ask.network !== null) {
    const ports = portsOf(node, remaining);
    if (!ports.ok || portsAvailable(ports.index, ask.network, addressOf(node)) !== null) {
      return false;
    }
  }
  const used = addUsage(usageOf(remaining), ask.comparable);
  if (exhaustedDimension(nodeAvailable(node), used) !== null) return false;
  if (!ask.wantsCoresOrDevices) return true;
  const resources = {
    Tasks: ask.tasks,
    TaskLifecycles: ask.lifecycles,
    Shared: { DiskMB: input.taskGroup.EphemeralDisk.SizeMB, Networks: null, Ports: null },
  };
  return assignCoresAndDevices(
    { node, taskGroup: input.taskGroup, proposed: remaining },
    resources,
  ).ok;
}

function addUsage(a: ComparableResources, b: ComparableResources): ComparableResources {
  return {
    cpuShares: a.cpuShares + b.cpuShares,
    memoryMB: a.memoryMB + b.memoryMB,
    diskMB: a.diskMB + b.diskMB,
  };
}

function weight(alloc: Allocation): ComparableResources {
  return alloc.AllocatedResources === null
    ? { cpuShares: 0, memoryMB: 0, diskMB: 0 }
    : comparableOf(alloc.AllocatedResources);
}

/**
 * Nomad's basicResourceDistance: how far an allocation's resources are from
 * what is needed, over the dimensions the need uses; 0 is an exact match.
 */
export function resourceDistance(needed: ComparableResources, used: ComparableResources): number {
  const coordinate = (n: number, u: number) => (n > 0 ? (n - u) / n : 0);
  return Math.hypot(
    coordinate(needed.memoryMB, used.memoryMB),
    coordinate(needed.cpuShares, used.cpuShares),
    coordinate(needed.diskMB, used.diskMB),
  );
}

function groupKey(alloc: Allocation): string {
  return `${alloc.Namespace}\u0000${alloc.JobID}\u0000${alloc.TaskGroup}`;
}

function maxParallel(alloc: Allocation): number {
  const tg = alloc.Job?.TaskGroups.find((g) => g.Name === alloc.TaskGroup);
  return tg?.Migrate?.MaxParallel ?? 0;
}

/** Distance plus the max_parallel penalty (Nomad's scoreForTaskGroup); lower is better. */
function candidateScore(
  alloc: Allocation,
  needed: ComparableResources,
  preemptedInGroup: number,
): number {
  const limit = maxParallel(alloc);
  const penalty = limit > 0 && preemptedInGroup >= limit
    ? (preemptedInGroup + 1 - limit) * MAX_PARALLEL_PENALTY
    : 0;
  return resourceDistance(needed, weight(alloc)) + penalty;
}

/** Mutable state of one selection; private to {@linkcode selectPreemptions}. */
interface Selection {
  input: PreemptionInput;
  candidates: Allocation[];
  chosen: Allocation[];
  counts: Map<string, number>;
}

function remainingAllocs(selection: Selection): Allocation[] {
  const gone = new Set(selection.chosen.map((a) => a.ID));
  return selection.input.proposed.filter((a) => !gone.has(a.ID));
}

function choose(selection: Selection, alloc: Allocation): void {
  selection.chosen.push(alloc);
  selection.candidates = selection.candidates.filter((a) => a.ID !== alloc.ID);
  const key = groupKey(alloc);
  selection.counts.set(key, (selection.counts.get(key) ?? 0) + 1);
}

// Allocations holding a static port the ask needs must go.
function chooseStaticPortHolders(selection: Selection): void {
  const wanted = new Set((selection.input.ask.network?.ReservedPorts ?? []).map((p) => p.Value));
  if (wanted.size === 0) return;
  const ip = addressOf(selection.input.node);
  for (const alloc of [...selection.candidates]) {
    const holds = allocationPorts(alloc).some((p) => p.ip === ip && wanted.has(p.port));
    if (holds) choose(selection, alloc);
  }
}

function holdsCoresOrDevices(alloc: Allocation): number {
  let held = 0;
  for (const task of Object.values(alloc.AllocatedResources?.Tasks ?? {})) {
    held += task.Cpu.ReservedCores?.length ?? 0;
    for (const device of task.Devices ?? []) held += device.DeviceIDs?.length ?? 0;
  }
  return held;
}

function byPriority(a: Allocation, b: Allocation): number {
  return (a.Job?.Priority ?? 0) - (b.Job?.Priority ?? 0);
}

// Cores and devices: lowest priority first, then the holder of the most instances.
function chooseCoresAndDevices(selection: Selection): void {
  if (!selection.input.ask.wantsCoresOrDevices) return;
  const holders = selection.candidates
    .filter((a) => holdsCoresOrDevices(a) > 0)
    .sort((a, b) => byPriority(a, b) || holdsCoresOrDevices(b) - holdsCoresOrDevices(a));
  for (const alloc of holders) {
    if (askFits(selection.input, remainingAllocs(selection))) return;
    choose(selection, alloc);
  }
}

// CPU, memory and disk as Nomad's PreemptForTaskGroup chooses them.
function chooseResources(selection: Selection): void {
  const { input } = selection;
  const available = nodeAvailable(input.node);
  let used = usageOf(remainingAllocs(selection));
  let needed = { ...input.ask.comparable };
  const fitsNow = () =>
    exhaustedDimension(available, addUsage(used, input.ask.comparable)) === null;
  const priorities = [...new Set(selection.candidates.map((a) => a.Job?.Priority ?? 0))]
    .sort((a, b) => a - b);
  for (const priority of priorities) {
    while (!fitsNow()) {
      let best: Allocation | null = null;
      let bestScore = Infinity;
      for (const alloc of selection.candidates) {
        if ((alloc.Job?.Priority ?? 0) !== priority) continue;
        const score = candidateScore(alloc, needed, selection.counts.get(groupKey(alloc)) ?? 0);
        if (score < bestScore) [best, bestScore] = [alloc, score];
      }
      if (best === null) break;
      choose(selection, best);
      const w = weight(best);
      used = subtract(used, w);
      needed = subtract(needed, w);
    }
    if (fitsNow()) return;
  }
}

function subtract(a: ComparableResources, b: ComparableResources): ComparableResources {
  return {
    cpuShares: a.cpuShares - b.cpuShares,
    memoryMB: a.memoryMB - b.memoryMB,
    diskMB: a.diskMB - b.diskMB,
  };
}

// Whatever still blocks the ask (dynamic ports, cores after CPU): lowest priority first.
function chooseUntilFits(selection: Selection): boolean {
  const rest = [...selection.candidates].sort(byPriority);
  for (const alloc of rest) {
    if (askFits(selection.input, remainingAllocs(selection))) return true;
    choose(selection, alloc);
  }
  return askFits(selection.input, remainingAllocs(selection));
}

// Drops chosen allocations the ask does not need, keeping higher priorities running first.
function prune(selection: Selection): Allocation[] {
  const needed = selection.input.ask.comparable;
  const order = [...selection.chosen].sort((a, b) =>
    byPriority(b, a) ||
    resourceDistance(needed, weight(b)) - resourceDistance(needed, weight(a))
  );
  let kept = [...selection.chosen];
  for (const alloc of order) {
    const without = kept.filter((a) => a.ID !== alloc.ID);
    const gone = new Set(without.map((a) => a.ID));
    const remaining = selection.input.proposed.filter((a) => !gone.has(a.ID));
    if (askFits(selection.input, remaining)) kept = without;
  }
  return kept;
}

/**
 * The allocations to evict so the group's ask fits on the node, or null when
 * evicting every preemptible allocation would not make it fit (or it already
 * fits).
 *
 * @example
 * ```ts
 * import { selectPreemptions } from "./preemption.ts";
 * // selectPreemptions({ node, proposed, job, taskGroup, ask: groupAsk(taskGroup) })
 * //   → [the priority-20 allocation holding the memory] or null
 * ```
 */
export function selectPreemptions(input: PreemptionInput): Allocation[] | null {
  const candidates = input.proposed.filter((a) => preemptible(a, input.job));
  if (candidates.length === 0) return null;
  const ids = new Set(candidates.map((a) => a.ID));
  if (!askFits(input, input.proposed.filter((a) => !ids.has(a.ID)))) return null;
  const counts = new Map<string, number>();
  for (const alloc of input.planPreemptions ?? []) {
    counts.set(groupKey(alloc), (counts.get(groupKey(alloc)) ?? 0) + 1);
  }
  const selection: Selection = { input, candidates, chosen: [], counts };
  chooseStaticPortHolders(selection);
  chooseCoresAndDevices(selection);
  chooseResources(selection);
  if (!chooseUntilFits(selection)) return null;
  const chosen = prune(selection);
  return chosen.length === 0 ? null : chosen;
}

/**
 * Nomad's net priority of a preemption set: the highest priority plus the
 * sum over it, so many low-priority evictions also weigh.
 */
export function netPriority(allocs: readonly Allocation[]): number {
  let max = 0;
  let sum = 0;
  for (const alloc of allocs) {
    const priority = alloc.Job?.Priority ?? 0;
    max = Math.max(max, priority);
    sum += priority;
  }
  return max === 0 ? 0 : max + sum / max;
}

/**
 * Nomad's "preemption" score in (0, 1): a logistic curve of the net priority,
 * near 1 for cheap evictions and 0.5 at a net priority of 2048.
 */
export function preemptionScore(allocs: readonly Allocation[]): number {
  return 1 /
    (1 + Math.exp(PREEMPTION_SCORE_RATE * (netPriority(allocs) - PREEMPTION_SCORE_ORIGIN)));
}

/**
 * A scored node that needs `victims` evicted: Nomad's preemption score joins
 * the mean of its scores as one more term.
 */
export function withPreemption(scored: ScoredNode, victims: readonly Allocation[]): ScoredNode {
  const others = [scored.antiAffinity, scored.penalty, scored.affinity, scored.spread];
  const terms = 1 + others.filter((v) => v !== 0).length;
  const preemption = preemptionScore(victims);
  return {
    ...scored,
    finalScore: (scored.finalScore * terms + preemption) / (terms + 1),
    preempted: victims,
    preemption,
  };
}
