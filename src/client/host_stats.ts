/**
 * Host and allocation resource usage in Nomad's shapes (`GET /v1/client/stats`,
 * `GET /v1/client/allocation/:id/stats`). Host figures come from /proc; CPU
 * percentages are measured between two readings, the first one since boot.
 */

import type { TaskResourceUsage } from "../../drivers/driver.ts";

/** One CPU's usage in percent (Nomad's HostCpuStats). */
export interface HostCpuStats {
  CPU: string;
  User: number;
  System: number;
  Idle: number;
  Total: number;
}

/** Disk usage of a mount (Nomad's HostDiskStats). */
export interface HostDiskStats {
  Device: string;
  Mountpoint: string;
  Size: number;
  Used: number;
  Available: number;
  UsedPercent: number;
  InodesUsedPercent: number;
}

/** `GET /v1/client/stats`. */
export interface HostStats {
  Memory: { Total: number; Available: number; Used: number; Free: number };
  CPU: HostCpuStats[];
  DiskStats: HostDiskStats[];
  AllocDirStats: HostDiskStats | null;
  DeviceStats: [];
  Uptime: number;
  Timestamp: number;
  CPUTicksConsumed: number;
}

interface CpuTimes {
  user: number;
  system: number;
  idle: number;
  total: number;
}

/** Per-CPU tick counters from /proc/stat text. */
export function parseProcStat(text: string): Map<string, CpuTimes> {
  const out = new Map<string, CpuTimes>();
  for (const line of text.split("\n")) {
    const m = /^(cpu\d+)\s+(.*)$/.exec(line);
    if (m === null) continue;
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] =
      m[2]!.trim().split(/\s+/).map(Number);
    out.set(m[1]!, {
      user: user + nice,
      system: system + irq + softirq,
      idle: idle + iowait,
      total: user + nice + system + idle + iowait + irq + softirq + steal,
    });
  }
  return out;
}

/** Percent usage per CPU between two readings. */
export function cpuPercents(
  before: ReadonlyMap<string, CpuTimes>,
  after: ReadonlyMap<string, CpuTimes>,
): HostCpuStats[] {
  return [...after].map(([cpu, now]) => {
    const prev = before.get(cpu) ?? { user: 0, system: 0, idle: 0, total: 0 };
    const total = now.total - prev.total || 1;
    const pct = (v: number) => Math.max(0, Math.min(100, (v / total) * 100));
    const user = pct(now.user - prev.user);
    const system = pct(now.system - prev.system);
    const idle = pct(now.idle - prev.idle);
    return { CPU: cpu, User: user, System: system, Idle: idle, Total: 100 - idle };
  });
}

/** Memory in bytes from /proc/meminfo text. */
export function parseMeminfo(text: string): HostStats["Memory"] {
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? 0);
  const total = kb("MemTotal") * 1024;
  const available = kb("MemAvailable") * 1024;
  return {
    Total: total,
    Available: available,
    Used: total - available,
    Free: kb("MemFree") * 1024,
  };
}

/** Disk usage of the file system holding `path` (`df -kP`), or null when unknown. */
export async function diskStats(path: string): Promise<HostDiskStats | null> {
  try {
    const out = await new Deno.Command("df", {
      args: ["-kP", path],
      stdout: "piped",
      stderr: "null",
    })
      .output();
    const line = new TextDecoder().decode(out.stdout).trim().split("\n")[1];
    const f = line?.split(/\s+/) ?? [];
    if (f.length < 6) return null;
    const size = Number(f[1]) * 1024;
    const used = Number(f[2]) * 1024;
    return {
      Device: f[0]!,
      Mountpoint: f.slice(5).join(" "),
      Size: size,
      Used: used,
      Available: Number(f[3]) * 1024,
      UsedPercent: size === 0 ? 0 : (used / size) * 100,
      InodesUsedPercent: 0,
    };
  } catch {
    return null;
  }
}

/** Reads host stats; keeps the previous CPU reading to report usage since the last call. */
export class HostStatsCollector {
  #lastCpu: Map<string, CpuTimes> = new Map();
  readonly #allocDir: string;
  readonly #totalCompute: number;

  constructor(options: { allocDir: string; totalComputeMHz: number }) {
    this.#allocDir = options.allocDir;
    this.#totalCompute = options.totalComputeMHz;
  }

  async collect(nowNs: number): Promise<HostStats> {
    const cpuNow = parseProcStat(await Deno.readTextFile("/proc/stat"));
    const cpu = cpuPercents(this.#lastCpu, cpuNow);
    this.#lastCpu = cpuNow;
    const busy = cpu.length === 0 ? 0 : cpu.reduce((s, c) => s + c.Total, 0) / cpu.length;
    const allocDir = await diskStats(this.#allocDir);
    return {
      Memory: parseMeminfo(await Deno.readTextFile("/proc/meminfo")),
      CPU: cpu,
      DiskStats: allocDir === null ? [] : [allocDir],
      AllocDirStats: allocDir,
      DeviceStats: [],
      Uptime: Math.floor(Number((await Deno.readTextFile("/proc/uptime")).split(" ")[0])),
      Timestamp: nowNs,
      CPUTicksConsumed: (busy / 100) * this.#totalCompute,
    };
  }
}

/** Nomad's ResourceUsage for one task or a whole allocation. */
export interface ResourceUsage {
  MemoryStats: {
    RSS: number;
    Cache: number;
    Swap: number;
    Usage: number;
    MaxUsage: number;
    KernelUsage: number;
    KernelMaxUsage: number;
    Measured: string[];
  };
  CpuStats: {
    SystemMode: number;
    UserMode: number;
    TotalTicks: number;
    ThrottledPeriods: number;
    ThrottledTime: number;
    Percent: number;
    Measured: string[];
  };
  DeviceStats: [];
}

/** `GET /v1/client/allocation/:id/stats`. */
export interface AllocResourceUsage {
  ResourceUsage: ResourceUsage;
  Tasks: Record<string, { ResourceUsage: ResourceUsage; Timestamp: number; Pids: null }>;
  Timestamp: number;
}

function resourceUsage(rss: number, ticks: number, percent: number): ResourceUsage {
  return {
    MemoryStats: {
      RSS: rss,
      Cache: 0,
      Swap: 0,
      Usage: 0,
      MaxUsage: 0,
      KernelUsage: 0,
      KernelMaxUsage: 0,
      Measured: ["RSS"],
    },
    CpuStats: {
      SystemMode: 0,
      UserMode: 0,
      TotalTicks: ticks,
      ThrottledPeriods: 0,
      ThrottledTime: 0,
      Percent: percent,
      Measured: ["Percent", "Total Ticks"],
    },
    DeviceStats: [],
  };
}

/**
 * An allocation's usage from its tasks' driver figures: per task, and summed.
 * `mhzPerTick` converts CPU percent to MHz ticks (Nomad reports TotalTicks in MHz).
 */
export function allocResourceUsage(
  tasks: Readonly<Record<string, TaskResourceUsage>>,
  options: { nowNs: number; mhzPerCore: number },
): AllocResourceUsage {
  let rss = 0;
  let ticks = 0;
  let percent = 0;
  const out: AllocResourceUsage["Tasks"] = {};
  for (const [name, usage] of Object.entries(tasks)) {
    const taskTicks = (usage.cpuPercent / 100) * options.mhzPerCore;
    out[name] = {
      ResourceUsage: resourceUsage(usage.memoryRssBytes, taskTicks, usage.cpuPercent),
      Timestamp: usage.timestampNs,
      Pids: null,
    };
    rss += usage.memoryRssBytes;
    ticks += taskTicks;
    percent += usage.cpuPercent;
  }
  return {
    ResourceUsage: resourceUsage(rss, ticks, percent),
    Tasks: out,
    Timestamp: options.nowNs,
  };
}
