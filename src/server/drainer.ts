/**
 * The node drainer's pure core: given the state and the time, which
 * allocations to mark for migration and which drains are finished. The shell
 * (drainer_loop.ts) applies the decision through Raft and sleeps until the
 * state changes or the next deadline or health time passes.
 *
 * Nomad's rules: service groups move at most `migrate.max_parallel` at a time
 * and the next batch goes once replacements are healthy; batch allocations
 * run until the deadline; system allocations are stopped last, once everything
 * else has left (unless IgnoreSystemJobs); at the deadline everything left is
 * marked at once and the drain completes.
 */

import {
  type Allocation,
  allocClientTerminal,
  allocTerminal,
  type DrainStrategy,
  type Job,
  type Node,
  type TaskGroup,
} from "../structs/mod.ts";

/** What the drainer reads (a {@linkcode StateSnapshot} provides it). */
export interface DrainState {
  nodes(): readonly Node[];
  nodeByID(id: string): Node | undefined;
  allocsByNode(nodeID: string): readonly Allocation[];
  allocsByJob(namespace: string, jobID: string): readonly Allocation[];
  jobByID(namespace: string, id: string): Job | undefined;
}

/** A drain that is over. */
export interface CompletedDrain {
  nodeID: string;
  /** True when the force deadline ended it (event detail `deadline_reached`). */
  deadlined: boolean;
}

/** What the drainer should do now. */
export interface DrainDecision {
  /** Allocations to mark `DesiredTransition.Migrate = true`, sorted by ID. */
  migrate: Allocation[];
  /** Drains to finish. */
  complete: CompletedDrain[];
  /** Earliest future time (Unix ns) at which the decision may change without a state change. */
  wakeAtNs: number | null;
}

/** Nomad's zero time, used as ForceDeadline when a drain has none. */
export const ZERO_TIME = "0001-01-01T00:00:00Z";

/** The force deadline of a drain in Unix ns: -Infinity for "now", null for none. */
export function forceDeadlineNs(strategy: DrainStrategy): number | null {
  if (strategy.Deadline < 0) return -Infinity;
  if (strategy.Deadline === 0) return null;
  return Date.parse(strategy.ForceDeadline) * 1e6;
}

function isSystemJob(alloc: Allocation): boolean {
  return alloc.Job?.Type === "system" || alloc.Job?.Type === "sysbatch";
}

function marked(alloc: Allocation): boolean {
  return alloc.DesiredTransition.Migrate === true;
}

/** Decides the drainer's next step. Pure: `nowNs` is the only notion of time. */
export function planDrain(state: DrainState, nowNs: number): DrainDecision {
  const migrate = new Map<string, Allocation>();
  const complete: CompletedDrain[] = [];
  let wakeAtNs: number | null = null;
  const wake = (atNs: number) => {
    if (atNs > nowNs && (wakeAtNs === null || atNs < wakeAtNs)) wakeAtNs = atNs;
  };
  const draining = state.nodes().filter((n) => n.DrainStrategy !== null);
  const jobs = new Map<string, Job>();
  for (const node of draining) {
    const strategy = node.DrainStrategy!;
    const deadline = forceDeadlineNs(strategy);
    if (deadline !== null && deadline <= nowNs) {
      for (const alloc of remainingAllocs(state, node)) migrate.set(alloc.ID, alloc);
      complete.push({ nodeID: node.ID, deadlined: true });
      continue;
    }
    if (deadline !== null) wake(deadline);
    for (const alloc of state.allocsByNode(node.ID)) {
      if (allocTerminal(alloc) || isSystemJob(alloc)) continue;
      const job = state.jobByID(alloc.Namespace, alloc.JobID) ?? alloc.Job;
      if (job !== null) jobs.set(`${job.Namespace}\u0000${job.ID}`, job);
    }
  }
  for (const job of jobs.values()) {
    if (job.Type !== "service") continue;
    for (const group of job.TaskGroups) {
      const result = drainTaskGroup(state, { job, group, nowNs });
      for (const alloc of result.migrate) migrate.set(alloc.ID, alloc);
      if (result.wakeAtNs !== null) wake(result.wakeAtNs);
    }
  }
  for (const node of draining) {
    if (complete.some((c) => c.nodeID === node.ID) || !nodeDone(state, node)) continue;
    for (const alloc of remainingAllocs(state, node)) migrate.set(alloc.ID, alloc);
    complete.push({ nodeID: node.ID, deadlined: false });
  }
  const sorted = [...migrate.values()].filter((a) => !marked(a));
  sorted.sort((a, b) => a.ID.localeCompare(b.ID));
  return { migrate: sorted, complete, wakeAtNs };
}

/** Non-terminal allocations still on a node, system ones only when the drain stops them. */
export function remainingAllocs(state: DrainState, node: Node): Allocation[] {
  const ignoreSystem = node.DrainStrategy?.IgnoreSystemJobs ?? false;
  return state.allocsByNode(node.ID).filter((alloc) =>
    !allocTerminal(alloc) && !(ignoreSystem && isSystemJob(alloc))
  );
}

/** A node is done when every non-system allocation on it has finished on the client. */
export function nodeDone(state: DrainState, node: Node): boolean {
  return state.allocsByNode(node.ID).every((alloc) =>
    isSystemJob(alloc) || allocClientTerminal(alloc) ||
    // Stopped before the client ever ran it: nothing is left to wait for.
    (alloc.DesiredStatus !== "run" && alloc.ClientStatus === "pending" && alloc.TaskStates === null)
  );
}

/**
 * One service task group: how many of its allocations on draining nodes may
 * be marked now. Healthy allocations elsewhere and not yet marked must stay at
 * or above `count - max_parallel`.
 */
export function drainTaskGroup(
  state: DrainState,
  input: { job: Job; group: TaskGroup; nowNs: number },
): { migrate: Allocation[]; wakeAtNs: number | null } {
  const { job, group, nowNs } = input;
  const maxParallel = group.Migrate?.MaxParallel ?? 1;
  const minHealthyNs = group.Migrate?.MinHealthyTime ?? 10e9;
  let healthy = 0;
  let wakeAtNs: number | null = null;
  const drainable: Allocation[] = [];
  const allocs = state.allocsByJob(job.Namespace, job.ID).filter((a) =>
    a.TaskGroup === group.Name && !allocTerminal(a)
  );
  for (const alloc of allocs) {
    const onDraining = state.nodeByID(alloc.NodeID)?.DrainStrategy != null;
    if (!marked(alloc)) {
      const health = allocHealth(alloc, { nowNs, minHealthyNs });
      if (health.healthy) healthy++;
      else if (health.healthyAtNs !== null) {
        wakeAtNs = wakeAtNs === null ? health.healthyAtNs : Math.min(wakeAtNs, health.healthyAtNs);
      }
    }
    if (onDraining && !marked(alloc) && !allocClientTerminal(alloc)) drainable.push(alloc);
  }
  drainable.sort((a, b) => a.Name.localeCompare(b.Name) || a.ID.localeCompare(b.ID));
  const allowed = Math.min(drainable.length, healthy - (group.Count - maxParallel));
  return { migrate: allowed > 0 ? drainable.slice(0, allowed) : [], wakeAtNs };
}

/**
 * Health of an allocation for migration. The client's deployment health wins
 * when it reported one; without it an allocation counts as healthy once all
 * its tasks have been running for `min_healthy_time` (a stand-in for the
 * client's migrate health check, which also watches service checks).
 */
export function allocHealth(
  alloc: Allocation,
  options: { nowNs: number; minHealthyNs: number },
): { healthy: boolean; healthyAtNs: number | null } {
  const reported = alloc.DeploymentStatus?.Healthy ?? null;
  if (reported !== null) return { healthy: reported, healthyAtNs: null };
  if (alloc.ClientStatus !== "running") return { healthy: false, healthyAtNs: null };
  const states = Object.values(alloc.TaskStates ?? {});
  if (states.length === 0 || states.some((s) => s.State !== "running")) {
    return { healthy: false, healthyAtNs: null };
  }
  const startedMs = Math.max(...states.map((s) => Date.parse(s.StartedAt ?? "") || 0));
  const healthyAtNs = startedMs * 1e6 + options.minHealthyNs;
  return healthyAtNs <= options.nowNs
    ? { healthy: true, healthyAtNs: null }
    : { healthy: false, healthyAtNs };
}
