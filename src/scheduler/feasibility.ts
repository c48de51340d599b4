/**
 * Feasibility: which nodes may run a task group at all, before resources are
 * considered. Each checker is a pure function returning pass, or fail with the
 * reason Nomad records in `ConstraintFiltered`.
 */

import {
  type Allocation,
  allocTerminal,
  type Constraint,
  type Job,
  type Node,
  nodeSchedulable,
  type Plan,
  type TaskGroup,
} from "../structs/mod.ts";
import type { StateView } from "./types.ts";
import {
  CONSTRAINT_DISTINCT_HOSTS,
  CONSTRAINT_DISTINCT_PROPERTY,
  constraintsEscape,
  constraintString,
  meetsConstraint,
  resolveTarget,
} from "./constraints.ts";
import { FILTER_MISSING_DEVICES, nodeHasDevices } from "./devices.ts";
import { FILTER_MISSING_HOST_VOLUMES, nodeHasHostVolumes } from "./host_volumes.ts";

/** Nomad's `ConstraintFiltered` key for a node without a task's driver. */
export const FILTER_MISSING_DRIVERS = "missing drivers";

/** Outcome of one feasibility check. */
export type Feasibility = { feasible: true } | { feasible: false; reason: string };

const FEASIBLE: Feasibility = { feasible: true };

/**
 * Matches a datacenter against a job's datacenter pattern, where `*` matches
 * any run of characters (Nomad uses go-glob).
 *
 * @example
 * ```ts
 * import { datacenterMatches } from "./feasibility.ts";
 * datacenterMatches("dc*", "dc2"); // true
 * ```
 */
export function datacenterMatches(pattern: string, datacenter: string): boolean {
  if (!pattern.includes("*")) return pattern === datacenter;
  const parts = pattern.split("*");
  const first = parts[0] ?? "";
  const last = parts[parts.length - 1] ?? "";
  if (!datacenter.startsWith(first)) return false;
  let pos = first.length;
  for (const middle of parts.slice(1, -1)) {
    const found = datacenter.indexOf(middle, pos);
    if (found === -1) return false;
    pos = found + middle.length;
  }
  return datacenter.length - last.length >= pos && datacenter.endsWith(last);
}

/** True when the node's datacenter matches any of the job's patterns. */
export function nodeInDatacenters(node: Node, datacenters: readonly string[]): boolean {
  return datacenters.some((dc) => datacenterMatches(dc, node.Datacenter));
}

/** True when the node is in the job's node pool; pool "all" matches every node. */
export function nodeInPool(node: Node, pool: string): boolean {
  const want = pool === "" ? "default" : pool;
  return want === "all" || node.NodePool === want;
}

/** Ready, eligible nodes of the job's datacenters and pool, and their count per datacenter. */
export interface ReadyNodes {
  nodes: Node[];
  byDatacenter: Record<string, number>;
}

/** Nomad's readyNodesInDCsAndPool: the candidate nodes for a job, in state order. */
export function readyNodesForJob(state: StateView, job: Job): ReadyNodes {
  const nodes: Node[] = [];
  const byDatacenter: Record<string, number> = {};
  for (const node of state.nodes()) {
    if (!nodeSchedulable(node)) continue;
    if (!nodeInDatacenters(node, job.Datacenters) || !nodeInPool(node, job.NodePool)) continue;
    nodes.push(node);
    byDatacenter[node.Datacenter] = (byDatacenter[node.Datacenter] ?? 0) + 1;
  }
  return { nodes, byDatacenter };
}

function parseGoBool(text: string): boolean | undefined {
  if (["1", "t", "T", "true", "TRUE", "True"].includes(text)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(text)) return false;
  return undefined;
}

/** True when the node has a detected, healthy driver (or a truthy `driver.<name>` attribute). */
export function nodeHasDriver(node: Node, driver: string): boolean {
  const info = node.Drivers[driver];
  if (info !== undefined) return info.Detected && info.Healthy;
  const attr = node.Attributes[`driver.${driver}`];
  return attr !== undefined && parseGoBool(attr) === true;
}

/** Checks that the node runs every driver the task group's tasks use. */
export function checkDrivers(node: Node, tg: TaskGroup): Feasibility {
  for (const task of tg.Tasks) {
    if (!nodeHasDriver(node, task.Driver)) {
      return { feasible: false, reason: FILTER_MISSING_DRIVERS };
    }
  }
  return FEASIBLE;
}

/** Checks constraints in order; the first one the node fails is the reason. */
export function checkConstraints(node: Node, constraints: readonly Constraint[]): Feasibility {
  for (const c of constraints) {
    if (!meetsConstraint(c, node)) return { feasible: false, reason: constraintString(c) };
  }
  return FEASIBLE;
}

/** The group's own constraints followed by its tasks' constraints. */
export function taskGroupConstraints(tg: TaskGroup): Constraint[] {
  return [...(tg.Constraints ?? []), ...tg.Tasks.flatMap((t) => t.Constraints ?? [])];
}

/** True when any constraint of the job, group or tasks escapes node-class caching. */
export function jobEscapesClasses(job: Job): boolean {
  return constraintsEscape([
    ...(job.Constraints ?? []),
    ...job.TaskGroups.flatMap(taskGroupConstraints),
  ]);
}

function distinctHostsEnabled(constraints: readonly Constraint[] | null): boolean {
  const c = (constraints ?? []).find((x) => x.Operand === CONSTRAINT_DISTINCT_HOSTS);
  if (c === undefined) return false;
  // Empty means true; an unparsable value keeps the old "present means on" behaviour.
  return c.RTarget === "" || parseGoBool(c.RTarget) !== false;
}

/**
 * distinct_hosts: at job level no two allocations of the job share a node; at
 * group level no two of the same group. `proposed` are the node's allocations
 * including those planned in this run.
 */
export function checkDistinctHosts(
  job: Job,
  tg: TaskGroup,
  proposed: readonly Allocation[],
): Feasibility {
  const jobLevel = distinctHostsEnabled(job.Constraints);
  const groupLevel = distinctHostsEnabled(tg.Constraints);
  if (!jobLevel && !groupLevel) return FEASIBLE;
  for (const alloc of proposed) {
    const sameJob = alloc.JobID === job.ID && alloc.Namespace === job.Namespace;
    if (sameJob && (jobLevel || alloc.TaskGroup === tg.Name)) {
      return { feasible: false, reason: CONSTRAINT_DISTINCT_HOSTS };
    }
  }
  return FEASIBLE;
}

/**
 * The class-cacheable checks in Nomad's order: job constraints, drivers, group
 * and task constraints, devices. (distinct_hosts and distinct_property are
 * checked separately: they depend on the allocations, not on the node class.)
 */
export function checkNodeClassFeasibility(node: Node, job: Job, tg: TaskGroup): Feasibility {
  const jobCheck = checkConstraints(node, job.Constraints ?? []);
  if (!jobCheck.feasible) return jobCheck;
  const drivers = checkDrivers(node, tg);
  if (!drivers.feasible) return drivers;
  const constraints = checkConstraints(node, taskGroupConstraints(tg));
  if (!constraints.feasible) return constraints;
  if (!nodeHasDevices(node, tg)) return { feasible: false, reason: FILTER_MISSING_DEVICES };
  return FEASIBLE;
}

/**
 * Checks that are not part of the node class (Nomad's "available" checkers):
 * host volumes. A failure does not mark the computed class ineligible.
 */
export function checkNodeAvailability(node: Node, tg: TaskGroup): Feasibility {
  if (!nodeHasHostVolumes(node, tg)) {
    return { feasible: false, reason: FILTER_MISSING_HOST_VOLUMES };
  }
  return FEASIBLE;
}

/** What distinct_property needs to count: the job's allocations as the plan would leave them. */
export interface PropertyUsage {
  /** The job's non-terminal allocations, existing and planned, without those the plan stops. */
  jobAllocations: () => readonly Allocation[];
  nodeByID: (id: string) => Node | undefined;
}

/** The distinct_property constraints of the job and of the group, with their scope. */
function distinctPropertyConstraints(job: Job, tg: TaskGroup): { c: Constraint; group: boolean }[] {
  const pick = (list: readonly Constraint[] | null, group: boolean) =>
    (list ?? []).filter((c) => c.Operand === CONSTRAINT_DISTINCT_PROPERTY).map((c) => ({
      c,
      group,
    }));
  return [...pick(job.Constraints, false), ...pick(tg.Constraints, true)];
}

/**
 * distinct_property: at most RTarget (default 1) allocations of the job (job
 * level) or of the group (group level) may share one value of the LTarget
 * property. Counts existing and proposed allocations; allocations the plan
 * stops do not count. Reasons are Nomad's: `missing property "${meta.rack}"`,
 * `distinct_property: ${meta.rack}=r1 used by 2 allocs`.
 */
export function checkDistinctProperty(
  job: Job,
  tg: TaskGroup,
  input: { node: Node; usage: PropertyUsage },
): Feasibility {
  const constraints = distinctPropertyConstraints(job, tg);
  if (constraints.length === 0) return FEASIBLE;
  const allocs = input.usage.jobAllocations();
  for (const { c, group } of constraints) {
    const allowed = c.RTarget === "" ? 1 : Number(c.RTarget);
    if (!/^\d+$/.test(c.RTarget) && c.RTarget !== "") {
      return {
        feasible: false,
        reason: `failed to convert RTarget ${JSON.stringify(c.RTarget)} to uint64: ` +
          `strconv.ParseUint: parsing ${JSON.stringify(c.RTarget)}: invalid syntax`,
      };
    }
    const own = resolveTarget(c.LTarget, input.node);
    if (!own.found) {
      return { feasible: false, reason: `missing property ${JSON.stringify(c.LTarget)}` };
    }
    let used = 0;
    for (const alloc of allocs) {
      if (group && alloc.TaskGroup !== tg.Name) continue;
      const node = input.usage.nodeByID(alloc.NodeID);
      if (node === undefined) continue;
      const value = resolveTarget(c.LTarget, node);
      if (value.found && value.value === own.value) used += 1;
    }
    if (used >= allowed) {
      return {
        feasible: false,
        reason: `distinct_property: ${c.LTarget}=${own.value} used by ${used} allocs`,
      };
    }
  }
  return FEASIBLE;
}

/**
 * The job's allocations as the plan would leave them, computed on first use:
 * non-terminal allocations in state minus those the plan stops (and
 * `excludeIDs`, the allocation an in-place update replaces), with the plan's
 * new and updated allocations of the job laid over them.
 */
export function planPropertyUsage(
  state: StateView,
  input: { plan: Plan; job: Job; excludeIDs?: ReadonlySet<string> },
): PropertyUsage {
  let cached: Allocation[] | null = null;
  const { plan, job } = input;
  const exclude = input.excludeIDs ?? new Set<string>();
  const compute = (): Allocation[] => {
    const stopped = new Set(Object.values(plan.NodeUpdate).flat().map((a) => a.ID));
    const byID = new Map<string, Allocation>();
    for (const alloc of state.allocsByJob(job.Namespace, job.ID)) {
      if (allocTerminal(alloc) || stopped.has(alloc.ID) || exclude.has(alloc.ID)) continue;
      byID.set(alloc.ID, alloc);
    }
    for (const alloc of Object.values(plan.NodeAllocation).flat()) {
      if (alloc.JobID !== job.ID || alloc.Namespace !== job.Namespace || exclude.has(alloc.ID)) {
        continue;
      }
      if (allocTerminal(alloc)) byID.delete(alloc.ID);
      else byID.set(alloc.ID, alloc);
    }
    return [...byID.values()];
  };
  return {
    jobAllocations: () => (cached ??= compute()),
    nodeByID: (id) => state.nodeByID(id),
  };
}
