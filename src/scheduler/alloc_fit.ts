/**
 * Resource accounting: what allocations use, what a node offers, whether a set
 * of allocations fits on a node (also used by the server's plan applier), and
 * the bin-packing / spread fit scores.
 */

import {
  type AllocatedResources,
  type AllocatedTaskResources,
  type Allocation,
  allocTerminal,
  type Node,
  type TaskGroup,
} from "../structs/mod.ts";
import type { SchedulerAlgorithm } from "./types.ts";
import { addAllocationPorts, newPortIndex } from "./ports.ts";
import { assignDevices, deviceOversubscription } from "./devices.ts";

/** The comparable dimensions of a resource use. */
export interface ComparableResources {
  cpuShares: number;
  memoryMB: number;
  diskMB: number;
}

/** Highest fit score before normalization (Nomad's binPackingMaxFitScore). */
export const BINPACK_MAX_FIT_SCORE = 18;

/** Result of {@linkcode allocsFit}: `dimension` names what is exhausted when `fit` is false. */
export interface FitResult {
  fit: boolean;
  dimension: string;
}

function zero(): ComparableResources {
  return { cpuShares: 0, memoryMB: 0, diskMB: 0 };
}

function add(a: ComparableResources, b: ComparableResources): ComparableResources {
  return {
    cpuShares: a.cpuShares + b.cpuShares,
    memoryMB: a.memoryMB + b.memoryMB,
    diskMB: a.diskMB + b.diskMB,
  };
}

function max(a: ComparableResources, b: ComparableResources): ComparableResources {
  return {
    cpuShares: Math.max(a.cpuShares, b.cpuShares),
    memoryMB: Math.max(a.memoryMB, b.memoryMB),
    diskMB: Math.max(a.diskMB, b.diskMB),
  };
}

function taskComparable(t: AllocatedTaskResources): ComparableResources {
  return { cpuShares: t.Cpu.CpuShares, memoryMB: t.Memory.MemoryMB, diskMB: 0 };
}

/**
 * What an allocation's resources weigh on a node. Lifecycle-aware like Nomad:
 * ephemeral prestart tasks finish before the main tasks start, and poststop
 * tasks run after they end, so only the largest of those phases counts, plus
 * any prestart sidecars.
 */
export function allocatedComparable(resources: AllocatedResources): ComparableResources {
  let sidecars = zero();
  let prestart = zero();
  let main = zero();
  let poststop = zero();
  for (const [name, task] of Object.entries(resources.Tasks)) {
    const lifecycle = resources.TaskLifecycles?.[name] ?? null;
    const r = taskComparable(task);
    if (lifecycle === null || lifecycle.Hook === "" || lifecycle.Hook === "poststart") {
      main = add(main, r);
    } else if (lifecycle.Hook === "prestart") {
      if (lifecycle.Sidecar) sidecars = add(sidecars, r);
      else prestart = add(prestart, r);
    } else if (lifecycle.Hook === "poststop") {
      poststop = add(poststop, r);
    } else {
      main = add(main, r);
    }
  }
  const phases = max(max(prestart, main), poststop);
  return add(add(sidecars, phases), { cpuShares: 0, memoryMB: 0, diskMB: resources.Shared.DiskMB });
}

/** Sum of the allocations' resources; terminal allocations use nothing. */
export function allocsUsage(allocs: readonly Allocation[]): ComparableResources {
  let used = zero();
  for (const alloc of allocs) {
    if (allocTerminal(alloc) || alloc.AllocatedResources === null) continue;
    used = add(used, allocatedComparable(alloc.AllocatedResources));
  }
  return used;
}

/** What a node offers for scheduling: its resources minus what it reserves. */
export function nodeAvailable(node: Node): ComparableResources {
  const r = node.NodeResources;
  const reserved = node.ReservedResources;
  return {
    cpuShares: r.Cpu.CpuShares - reserved.Cpu.CpuShares,
    memoryMB: r.Memory.MemoryMB - reserved.Memory.MemoryMB,
    diskMB: r.Disk.DiskMB - reserved.Disk.DiskMB,
  };
}

/** The first exhausted dimension ("cpu", "memory", "disk") or null when `used` fits. */
export function exhaustedDimension(
  available: ComparableResources,
  used: ComparableResources,
): string | null {
  if (available.cpuShares < used.cpuShares) return "cpu";
  if (available.memoryMB < used.memoryMB) return "memory";
  if (available.diskMB < used.diskMB) return "disk";
  return null;
}

/**
 * Checks whether `allocs` fit together on `node`: CPU, memory and disk against
 * the node's capacity minus its reserved resources, then host ports (no two
 * allocations on one IP and port, none on a node-reserved port). Terminal
 * allocations (desired stop/evict or client complete/failed/lost) are ignored,
 * so a caller may pass every allocation it knows for the node.
 * Dimensions are Nomad's: "cpu", "memory", "disk",
 * "reserved node port collision: ...", "reserved alloc port collision: ...".
 *
 * @example
 * ```ts
 * import { allocsFit } from "./alloc_fit.ts";
 * // allocsFit(node, [a, b]) → { fit: false, dimension: "memory" }
 * ```
 */
export function allocsFit(node: Node, allocs: readonly Allocation[]): FitResult {
  const live = allocs.filter((a) => !allocTerminal(a));
  const dimension = exhaustedDimension(nodeAvailable(node), allocsUsage(live));
  if (dimension !== null) return { fit: false, dimension };
  const index = newPortIndex(node);
  if (!index.ok) return { fit: false, dimension: `reserved node port collision: ${index.error}` };
  const collision = addAllocationPorts(index.value, live);
  if (collision !== null) {
    return { fit: false, dimension: `reserved alloc port collision: ${collision}` };
  }
  const cores = coresCollision(node, live);
  if (cores !== null) return { fit: false, dimension: cores };
  const devices = deviceOversubscription(live);
  if (devices !== null) return { fit: false, dimension: devices };
  return { fit: true, dimension: "" };
}

/** The node's cores that tasks may reserve: `ReservableCpuCores`, else 0..TotalCpuCores-1. */
export function nodeReservableCores(node: Node): number[] {
  const listed = node.NodeResources.Cpu.ReservableCpuCores;
  if (listed !== null && listed.length > 0) return [...listed];
  return Array.from({ length: Math.max(0, node.NodeResources.Cpu.TotalCpuCores) }, (_, i) => i);
}

/** MHz one reserved core is worth on the node (Nomad's SharesPerCore). */
export function sharesPerCore(node: Node): number {
  const cores = node.NodeResources.Cpu.TotalCpuCores;
  return cores > 0 ? Math.floor(node.NodeResources.Cpu.CpuShares / cores) : 0;
}

/** Cores reserved by the non-terminal allocations. */
export function usedCores(allocs: readonly Allocation[]): Set<number> {
  const used = new Set<number>();
  for (const alloc of allocs) {
    if (allocTerminal(alloc)) continue;
    for (const task of Object.values(alloc.AllocatedResources?.Tasks ?? {})) {
      for (const core of task.Cpu.ReservedCores ?? []) used.add(core);
    }
  }
  return used;
}

// "overlapping cores" when two allocations reserve one core, "cores" for a core the node lacks.
function coresCollision(node: Node, allocs: readonly Allocation[]): string | null {
  const reservable = new Set(nodeReservableCores(node));
  const seen = new Set<number>();
  for (const alloc of allocs) {
    for (const task of Object.values(alloc.AllocatedResources?.Tasks ?? {})) {
      for (const core of task.Cpu.ReservedCores ?? []) {
        if (!reservable.has(core)) return "cores";
        if (seen.has(core)) return "overlapping cores";
        seen.add(core);
      }
    }
  }
  return null;
}

/**
 * Whether the node still has the free cores and device instances the group
 * asks for, before binpacking counts CPU (so exhaustion reads "cores" or
 * "devices: ..." as in Nomad, not "cpu"). Null when they are available.
 */
export function coresAndDevicesExhausted(
  input: { node: Node; taskGroup: TaskGroup; proposed: readonly Allocation[] },
): string | null {
  const { node, taskGroup, proposed } = input;
  const wantCores = taskGroup.Tasks.reduce((sum, t) => sum + Math.max(0, t.Resources.Cores), 0);
  if (wantCores > 0) {
    const used = usedCores(proposed);
    const free = nodeReservableCores(node).filter((c) => !used.has(c)).length;
    if (free < wantCores) return "cores";
  }
  const devices = assignDevices(node, taskGroup, proposed);
  return devices.ok ? null : devices.dimension;
}

/**
 * Completes a ranked offer with what binpacking does not assign: reserved
 * cores for tasks with `cores = n` (their CPU becomes n × the node's MHz per
 * core) and device instances. Re-checks CPU after the cores' shares are
 * counted. Returns the new resources, or the exhausted dimension ("cores",
 * "cpu", "devices: no devices match request").
 */
export function assignCoresAndDevices(
  input: { node: Node; taskGroup: TaskGroup; proposed: readonly Allocation[] },
  resources: AllocatedResources,
): { ok: true; resources: AllocatedResources } | { ok: false; dimension: string } {
  const { node, taskGroup, proposed } = input;
  const wantsCores = taskGroup.Tasks.some((t) => t.Resources.Cores > 0);
  const wantsDevices = taskGroup.Tasks.some((t) => (t.Resources.Devices ?? []).length > 0);
  if (!wantsCores && !wantsDevices) return { ok: true, resources };
  const devices = assignDevices(node, taskGroup, proposed);
  if (!devices.ok) return devices;
  const used = usedCores(proposed);
  const free = nodeReservableCores(node).filter((c) => !used.has(c));
  const tasks: Record<string, AllocatedTaskResources> = {};
  for (const task of taskGroup.Tasks) {
    const base = resources.Tasks[task.Name];
    if (base === undefined) continue;
    let cpu = base.Cpu;
    if (task.Resources.Cores > 0) {
      if (free.length < task.Resources.Cores) return { ok: false, dimension: "cores" };
      const cores = free.splice(0, task.Resources.Cores);
      cpu = { CpuShares: cores.length * sharesPerCore(node), ReservedCores: cores };
    }
    tasks[task.Name] = { ...base, Cpu: cpu, Devices: devices.byTask[task.Name] ?? base.Devices };
  }
  const next: AllocatedResources = { ...resources, Tasks: tasks };
  const usage = addComparable(allocsUsage(proposed), allocatedComparable(next));
  const dimension = exhaustedDimension(nodeAvailable(node), usage);
  if (dimension !== null) return { ok: false, dimension };
  return { ok: true, resources: next };
}

function freeFractions(node: Node, used: ComparableResources): { cpu: number; memory: number } {
  const available = nodeAvailable(node);
  return {
    cpu: 1 - used.cpuShares / available.cpuShares,
    memory: 1 - used.memoryMB / available.memoryMB,
  };
}

/**
 * Fit score in [0, 18]: bin packing `20 − (10^freeCpu + 10^freeMem)` prefers
 * fuller nodes; spread `(10^freeCpu + 10^freeMem) − 2` prefers emptier ones.
 *
 * @example
 * ```ts
 * import { scoreFit } from "./alloc_fit.ts";
 * // scoreFit(node, { cpuShares: 2000, memoryMB: 4096, diskMB: 0 }, "binpack") → ≈ 13.7
 * ```
 */
export function scoreFit(
  node: Node,
  used: ComparableResources,
  algorithm: SchedulerAlgorithm,
): number {
  const free = freeFractions(node, used);
  const total = Math.pow(10, free.cpu) + Math.pow(10, free.memory);
  const score = algorithm === "spread" ? total - 2 : 20 - total;
  if (Number.isNaN(score)) return 0;
  return Math.min(BINPACK_MAX_FIT_SCORE, Math.max(0, score));
}

/** Sums two comparable resource uses. */
export function addComparable(a: ComparableResources, b: ComparableResources): ComparableResources {
  return add(a, b);
}
