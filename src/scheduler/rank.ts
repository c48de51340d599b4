/**
 * Ranking one feasible node for a task group, as Nomad's rank iterators do:
 * bin-pack (or spread) fit of resources and ports, job anti-affinity, the
 * reschedule penalty, node affinity and spread blocks, averaged into a final
 * score by Nomad's ScoreNormalizationIterator (each scorer that applies adds
 * one term; the fit score always applies).
 *
 * Ranking is split in two so a selection that inspects many nodes stays cheap:
 * {@linkcode scoreNode} checks that the node has the resources and ports and
 * computes the scores without drawing random numbers or building resource
 * objects; {@linkcode materialize} then assigns dynamic ports and builds the
 * allocation's resources for the winning node only.
 */

import { deepFreeze } from "../structs/mod.ts";
import type { Rng } from "../core/mod.ts";
import type {
  Affinity,
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
  BINPACK_MAX_FIT_SCORE,
  type ComparableResources,
  nodeAvailable,
  scoreFit,
} from "./alloc_fit.ts";
import {
  assignPorts,
  MAX_VALID_PORT,
  networkFromOffer,
  type PortIndex,
  portUsed,
} from "./ports.ts";
import { affinityScore } from "./affinity_score.ts";
import {
  addressOf,
  comparableOf,
  loadAddress,
  loadPorts,
  type NodeLoad,
  portsOf,
  usageOf,
} from "./rank_cache.ts";
import { spreadScore, type SpreadState } from "./spread_score.ts";

/** Scorer names recorded in `ScoreMetaData`, as Nomad names them. */
export const SCORER_BINPACK = "binpack";
/** Job anti-affinity scorer name. */
export const SCORER_JOB_ANTI_AFFINITY = "job-anti-affinity";
/** Reschedule penalty scorer name. */
export const SCORER_RESCHEDULE_PENALTY = "node-reschedule-penalty";
/** Node affinity scorer name. */
export const SCORER_NODE_AFFINITY = "node-affinity";
/** Spread scorer name. */
export const SCORER_SPREAD = "allocation-spread";
/** Preemption scorer name (only for nodes that need preemption). */
export const SCORER_PREEMPTION = "preemption";

/** A node that can take the task group, with the resources it would assign and its scores. */
export interface RankedOption {
  node: Node;
  finalScore: number;
  /** Named scores as recorded in `ScoreMetaData`. */
  scores: Record<string, number>;
  resources: AllocatedResources;
  /** Allocations to evict for this placement (absent: none). */
  preemptedAllocs?: readonly Allocation[];
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
  /** Affinities of the job, group and tasks (see `combinedAffinities`); none when absent. */
  affinities?: readonly Affinity[];
  /** Current spread of the group (see `spreadState`); null or absent when it has no spread. */
  spread?: SpreadState | null;
  /** Memoized usage and ports of `proposed`; computed from `proposed` when absent. */
  load?: NodeLoad;
}

/** What {@linkcode scoreNode} needs: a rank input without the random source. */
export type ScoreInput = Omit<RankInput, "rng"> & {
  /** The group's ask ({@linkcode groupAsk}); looked up when absent. */
  ask?: GroupAsk;
};

/** A node that passed the resource and port checks, with its scores; no resources built yet. */
export interface ScoredNode {
  node: Node;
  finalScore: number;
  /** Bin-pack (or spread) fit score in [0, 1]. */
  fit: number;
  antiAffinity: number;
  penalty: number;
  affinity: number;
  spread: number;
  /** The node's port index with the proposed allocations' ports marked. */
  ports: PortIndex;
  /** Per-task resources when they differ from the group's ask (reserved cores, devices). */
  tasks: Record<string, AllocatedTaskResources> | null;
  /** Allocations to evict for this placement (absent: none). */
  preempted?: readonly Allocation[];
  /** Nomad's preemption score, set with `preempted`. */
  preemption?: number;
}

/** A ranked node, or the exhausted dimension that ruled it out. */
export type RankResult = { ok: true; option: RankedOption } | { ok: false; dimension: string };

/** A scored node, or the exhausted dimension that ruled it out. */
export type ScoreResult = { ok: true; scored: ScoredNode } | { ok: false; dimension: string };

/**
 * The per-task resources a task group asks for. Without memory
 * oversubscription `memory_max` is ignored (MemoryMaxMB 0), as in Nomad.
 */
export function taskResources(
  tg: TaskGroup,
  options: { memoryOversubscription: boolean } = { memoryOversubscription: true },
): Record<string, AllocatedTaskResources> {
  const out: Record<string, AllocatedTaskResources> = {};
  for (const task of tg.Tasks) {
    const memoryMaxMB = options.memoryOversubscription ? task.Resources.MemoryMaxMB : 0;
    out[task.Name] = {
      Cpu: { CpuShares: task.Resources.CPU, ReservedCores: null },
      Memory: { MemoryMB: task.Resources.MemoryMB, MemoryMaxMB: memoryMaxMB },
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

/** What one allocation of a group asks for, derived once per group object. */
export interface GroupAsk {
  tasks: Record<string, AllocatedTaskResources>;
  lifecycles: AllocatedResources["TaskLifecycles"];
  /** What one allocation of the group weighs, disk included. */
  comparable: ComparableResources;
  /** The group's first network, or null. */
  network: NetworkResource | null;
  /** Dynamic ports the network asks for. */
  dynamicPorts: number;
  /** True when a task reserves cores or asks for devices. */
  wantsCoresOrDevices: boolean;
}

// Per group object: the ask with memory oversubscription ([1]) and without ([0]).
const askCache = new WeakMap<TaskGroup, [GroupAsk | undefined, GroupAsk | undefined]>();

/**
 * The group's task resources, built once per group object and frozen so every
 * allocation can share them (nothing edits an allocation's resources in place).
 */
export function groupAsk(tg: TaskGroup, memoryOversubscription = true): GroupAsk {
  let entry = askCache.get(tg);
  if (entry === undefined) {
    entry = [undefined, undefined];
    askCache.set(tg, entry);
  }
  const slot = memoryOversubscription ? 1 : 0;
  let ask = entry[slot];
  if (ask === undefined) {
    const tasks = deepFreeze(taskResources(tg, { memoryOversubscription }));
    const lifecycles = deepFreeze(taskLifecycles(tg));
    const comparable = comparableOf({
      Tasks: tasks,
      TaskLifecycles: lifecycles,
      Shared: { DiskMB: tg.EphemeralDisk.SizeMB, Networks: null, Ports: null },
    });
    const network = tg.Networks?.[0] ?? null;
    const wantsCoresOrDevices = tg.Tasks.some((t) =>
      t.Resources.Cores > 0 || (t.Resources.Devices ?? []).length > 0
    );
    const dynamicPorts = network?.DynamicPorts?.length ?? 0;
    ask = { tasks, lifecycles, comparable, network, dynamicPorts, wantsCoresOrDevices };
    entry[slot] = ask;
  }
  return ask;
}

// Free dynamic ports on `ip`, not counting the ask's static ports.
function freeDynamicPorts(index: PortIndex, ip: string, statics: ReadonlySet<number>): number {
  let free = 0;
  for (let p = index.minDynamicPort; p <= index.maxDynamicPort; p++) {
    if (!portUsed(index, ip, p) && !statics.has(p)) free += 1;
  }
  return free;
}

/**
 * Whether {@linkcode assignPorts} would succeed for `ask` on `ip`, with its
 * error when not, without drawing random numbers: static ports must be valid
 * and free, and enough dynamic ports must be free. Counting the range is only
 * needed when the node's used ports could fill it.
 */
export function portsAvailable(index: PortIndex, ask: NetworkResource, ip: string): string | null {
  const statics = ask.ReservedPorts ?? [];
  for (const port of statics) {
    if (port.Value < 0 || port.Value >= MAX_VALID_PORT) {
      return `invalid port ${port.Value} (out of range)`;
    }
    if (portUsed(index, ip, port.Value)) {
      return `reserved port collision ${port.Label}=${port.Value}`;
    }
  }
  const dynamic = ask.DynamicPorts?.length ?? 0;
  if (dynamic === 0) return null;
  const range = index.maxDynamicPort - index.minDynamicPort + 1;
  const taken = index.reserved.size + (index.used.get(ip)?.size ?? 0) + statics.length;
  if (taken + dynamic <= range) return null;
  const free = freeDynamicPorts(index, ip, new Set(statics.map((p) => p.Value)));
  return free >= dynamic ? null : "dynamic port selection failed";
}

/** Nomad's job anti-affinity: −(collisions+1)/count when the group already runs on the node. */
export function jobAntiAffinity(input: Pick<RankInput, "job" | "taskGroup" | "proposed">): number {
  const { job, taskGroup } = input;
  let collisions = 0;
  for (const a of input.proposed) {
    if (a.JobID === job.ID && a.TaskGroup === taskGroup.Name && a.Namespace === job.Namespace) {
      collisions += 1;
    }
  }
  if (collisions === 0 || taskGroup.Count <= 0) return 0;
  return -(collisions + 1) / taskGroup.Count;
}

/**
 * Checks that the node has the ports and the CPU, memory and disk the group
 * asks for, and scores it. Every scorer records its value; the final score is
 * the mean of the fit score and of the other scores that are non-zero, as
 * Nomad's iterators only append a score when it applies.
 */
export function scoreNode(input: ScoreInput): ScoreResult {
  const { node, taskGroup } = input;
  const ports = input.load === undefined
    ? portsOf(node, input.proposed)
    : loadPorts(node, input.load);
  if (!ports.ok) return ports;
  const ask = input.ask ?? groupAsk(taskGroup);
  if (ask.network !== null) {
    const ip = input.load === undefined ? addressOf(node) : loadAddress(node, input.load);
    const error = portsAvailable(ports.index, ask.network, ip);
    if (error !== null) return { ok: false, dimension: `network: ${error}` };
  }
  const base = input.load?.usage ?? usageOf(input.proposed);
  const available = nodeAvailable(node);
  const used: ComparableResources = {
    cpuShares: base.cpuShares + ask.comparable.cpuShares,
    memoryMB: base.memoryMB + ask.comparable.memoryMB,
    diskMB: base.diskMB + ask.comparable.diskMB,
  };
  if (available.cpuShares < used.cpuShares) return { ok: false, dimension: "cpu" };
  if (available.memoryMB < used.memoryMB) return { ok: false, dimension: "memory" };
  if (available.diskMB < used.diskMB) return { ok: false, dimension: "disk" };
  const fit = scoreFit(node, used, input.algorithm) / BINPACK_MAX_FIT_SCORE;
  const antiAffinity = jobAntiAffinity(input);
  const penalty = input.penaltyNodeIDs.has(node.ID) ? -1 : 0;
  const affinities = input.affinities ?? [];
  const affinity = affinities.length === 0 ? 0 : affinityScore(affinities, node);
  const spread = input.spread ? spreadScore(input.spread, node) : 0;
  let sum = fit;
  let terms = 1;
  if (antiAffinity !== 0) {
    sum += antiAffinity;
    terms += 1;
  }
  if (penalty !== 0) {
    sum += penalty;
    terms += 1;
  }
  if (affinity !== 0) {
    sum += affinity;
    terms += 1;
  }
  if (spread !== 0) {
    sum += spread;
    terms += 1;
  }
  return {
    ok: true,
    scored: {
      node,
      finalScore: sum / terms,
      fit,
      antiAffinity,
      penalty,
      affinity,
      spread,
      ports: ports.index,
      tasks: null,
    },
  };
}

/** The named scores of a scored node, as recorded in `ScoreMetaData`. */
export function namedScores(scored: ScoredNode): Record<string, number> {
  const scores: Record<string, number> = {
    [SCORER_BINPACK]: scored.fit,
    [SCORER_JOB_ANTI_AFFINITY]: scored.antiAffinity,
    [SCORER_RESCHEDULE_PENALTY]: scored.penalty,
    [SCORER_NODE_AFFINITY]: scored.affinity,
  };
  if (scored.spread !== 0) scores[SCORER_SPREAD] = scored.spread;
  if (scored.preemption !== undefined) scores[SCORER_PREEMPTION] = scored.preemption;
  return scores;
}

/**
 * The ranked option of a scored node: assigns the group network's ports
 * (random dynamic ports) and builds the allocation's resources. Cannot fail:
 * {@linkcode scoreNode} checked that the ports are available.
 */
export function materialize(
  scored: ScoredNode,
  input: { taskGroup: TaskGroup; rng: Rng; ask?: GroupAsk },
): RankedOption {
  const ask = input.ask ?? groupAsk(input.taskGroup);
  let networks: NetworkResource[] | null = null;
  let ports: RankedOption["resources"]["Shared"]["Ports"] = null;
  if (ask.network !== null) {
    const ip = addressOf(scored.node);
    const offer = assignPorts(scored.ports, ask.network, ip, input.rng);
    if (!offer.ok) throw new Error(`BUG: ports checked available but not assigned: ${offer.error}`);
    networks = [networkFromOffer(ask.network, offer.value, ip)];
    ports = offer.value;
  }
  const resources: AllocatedResources = {
    Tasks: scored.tasks ?? ask.tasks,
    TaskLifecycles: ask.lifecycles,
    Shared: { DiskMB: input.taskGroup.EphemeralDisk.SizeMB, Networks: networks, Ports: ports },
  };
  return {
    node: scored.node,
    finalScore: scored.finalScore,
    scores: namedScores(scored),
    resources,
    ...(scored.preempted === undefined ? {} : { preemptedAllocs: scored.preempted }),
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
  const scored = scoreNode(input);
  if (!scored.ok) return scored;
  const option = materialize(scored.scored, input);
  return { ok: true, resources: option.resources, fit: scored.scored.fit };
}

/** Ranks one node: {@linkcode scoreNode}, then {@linkcode materialize}. */
export function rankNode(input: RankInput): RankResult {
  const scored = scoreNode(input);
  if (!scored.ok) return scored;
  return { ok: true, option: materialize(scored.scored, input) };
}
