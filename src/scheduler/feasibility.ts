/**
 * Feasibility: which nodes may run a task group at all, before resources are
 * considered. Each checker is a pure function returning pass, or fail with the
 * reason Nomad records in `ConstraintFiltered`.
 */

import {
  type Allocation,
  type Constraint,
  type Job,
  type Node,
  nodeSchedulable,
  type TaskGroup,
} from "../structs/mod.ts";
import type { StateView } from "./types.ts";
import {
  CONSTRAINT_DISTINCT_HOSTS,
  constraintsEscape,
  constraintString,
  meetsConstraint,
} from "./constraints.ts";

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
 * and task constraints. (distinct_hosts is checked separately: it depends on
 * the allocations on the node, not on its class.)
 */
export function checkNodeClassFeasibility(node: Node, job: Job, tg: TaskGroup): Feasibility {
  const jobCheck = checkConstraints(node, job.Constraints ?? []);
  if (!jobCheck.feasible) return jobCheck;
  const drivers = checkDrivers(node, tg);
  if (!drivers.feasible) return drivers;
  return checkConstraints(node, taskGroupConstraints(tg));
}
