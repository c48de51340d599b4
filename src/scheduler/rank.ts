/**
 * Ranking one feasible node for a task group: bin-pack fit (resources and
 * ports), job anti-affinity and the reschedule penalty, averaged into a final
 * score as Nomad's ScoreNormalizationIterator does. Affinity and spread scores
 * slot in here later.
 */

import type { Rng } from "../core/mod.ts";
import type {
  AllocatedPortMapping,
  AllocatedResources,
  AllocatedTaskResources,
  Allocation,
  Job,
  NetworkResource,
  Node,
  TaskGroup,
} from "../structs/mod.ts";
import type { SchedulerAlgorithm } from "./types.ts";
import {
  addComparable,
  allocatedComparable,
  allocsUsage,
  BINPACK_MAX_FIT_SCORE,
  exhaustedDimension,
  nodeAvailable,
  scoreFit,
} from "./alloc_fit.ts";
import {
  addAllocationPorts,
  assignPorts,
  networkFromOffer,
  newPortIndex,
  nodeAddress,
} from "./ports.ts";

/** A node that can take the task group, with the resources it would assign and its scores. */
export interface RankedOption {
  node: Node;
  finalScore: number;
  /** Named scores as recorded in `ScoreMetaData`. */
  scores: Record<string, number>;
  resources: AllocatedResources;
}

/** Everything needed to rank one node. */
export interface RankInput {
  node: Node;
  job: Job;
  taskGroup: TaskGroup;
  /** Allocations on the node: existing non-terminal ones plus those planned in this run. */
  proposed: readonly Allocation[];
  algorithm: SchedulerAlgorithm;
  rng: Rng;
  /** Nodes a rescheduled allocation previously failed on. */
  penaltyNodeIDs: ReadonlySet<string>;
}

/** A ranked node, or the exhausted dimension that ruled it out. */
export type RankResult = { ok: true; option: RankedOption } | { ok: false; dimension: string };

/** The per-task resources a task group asks for. */
export function taskResources(tg: TaskGroup): Record<string, AllocatedTaskResources> {
  const out: Record<string, AllocatedTaskResources> = {};
  for (const task of tg.Tasks) {
    out[task.Name] = {
      Cpu: { CpuShares: task.Resources.CPU, ReservedCores: null },
      Memory: { MemoryMB: task.Resources.MemoryMB, MemoryMaxMB: task.Resources.MemoryMaxMB },
      Networks: null,
      Devices: null,
    };
  }
  return out;
}

/** The lifecycle of each task, keyed by task name. */
export function taskLifecycles(tg: TaskGroup): AllocatedResources["TaskLifecycles"] {
  const out: NonNullable<AllocatedResources["TaskLifecycles"]> = {};
  for (const task of tg.Tasks) {
    out[task.Name] = task.Lifecycle === null ? null : { ...task.Lifecycle };
  }
  return out;
}

interface NetworkOffer {
  networks: NetworkResource[] | null;
  ports: AllocatedPortMapping[] | null;
}

function offerNetwork(input: RankInput): { ok: true; offer: NetworkOffer } | {
  ok: false;
  dimension: string;
} {
  const index = newPortIndex(input.node);
  if (!index.ok) return { ok: false, dimension: "network: invalid node" };
  if (addAllocationPorts(index.value, input.proposed) !== null) {
    return { ok: false, dimension: "network: port collision" };
  }
  const ask = input.taskGroup.Networks?.[0];
  if (ask === undefined) return { ok: true, offer: { networks: null, ports: null } };
  const ip = nodeAddress(input.node);
  const offer = assignPorts(index.value, ask, ip, input.rng);
  if (!offer.ok) return { ok: false, dimension: `network: ${offer.error}` };
  return {
    ok: true,
    offer: { networks: [networkFromOffer(ask, offer.value, ip)], ports: offer.value },
  };
}

/**
 * Bin-packs the task group onto the node: ports first, then CPU, memory and
 * disk against what the proposed allocations leave. Returns the resources to
 * assign and the normalized fit score in [0, 1].
 */
export function binPack(
  input: RankInput,
): { ok: true; resources: AllocatedResources; fit: number } | { ok: false; dimension: string } {
  const network = offerNetwork(input);
  if (!network.ok) return network;
  const resources: AllocatedResources = {
    Tasks: taskResources(input.taskGroup),
    TaskLifecycles: taskLifecycles(input.taskGroup),
    Shared: {
      DiskMB: input.taskGroup.EphemeralDisk.SizeMB,
      Networks: network.offer.networks,
      Ports: network.offer.ports,
    },
  };
  const used = addComparable(allocsUsage(input.proposed), allocatedComparable(resources));
  const dimension = exhaustedDimension(nodeAvailable(input.node), used);
  if (dimension !== null) return { ok: false, dimension };
  const fit = scoreFit(input.node, used, input.algorithm) / BINPACK_MAX_FIT_SCORE;
  return { ok: true, resources, fit };
}

/** Nomad's job anti-affinity: −(collisions+1)/count when the group already runs on the node. */
export function jobAntiAffinity(input: RankInput): number {
  const { job, taskGroup } = input;
  const collisions =
    input.proposed.filter((a) =>
      a.Namespace === job.Namespace && a.JobID === job.ID && a.TaskGroup === taskGroup.Name
    ).length;
  if (collisions === 0 || taskGroup.Count <= 0) return 0;
  return -(collisions + 1) / taskGroup.Count;
}

/**
 * Ranks one node. The final score is the mean of the scores that apply
 * (bin-pack always; anti-affinity and reschedule penalty only when non-zero).
 */
export function rankNode(input: RankInput): RankResult {
  const packed = binPack(input);
  if (!packed.ok) return packed;
  const applied: number[] = [packed.fit];
  const antiAffinity = jobAntiAffinity(input);
  if (antiAffinity !== 0) applied.push(antiAffinity);
  const penalty = input.penaltyNodeIDs.has(input.node.ID) ? -1 : 0;
  if (penalty !== 0) applied.push(penalty);
  const finalScore = applied.reduce((a, b) => a + b, 0) / applied.length;
  return {
    ok: true,
    option: {
      node: input.node,
      finalScore,
      scores: {
        "binpack": packed.fit,
        "job-anti-affinity": antiAffinity,
        "node-reschedule-penalty": penalty,
      },
      resources: packed.resources,
    },
  };
}
