/** Host fingerprinting: cpu, memory, disk, kernel, os, arch, hostname, network. */

import { NOMAD_REVISION, NOMAD_VERSION } from "../core/version.ts";

/** What the host offers. */
export interface HostFingerprint {
  attributes: Record<string, string>;
  cpuTotalCompute: number;
  cpuCores: number;
  memoryMB: number;
  diskMB: number;
}

async function readText(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return "";
  }
}

function cpuInfo(text: string): { mhz: number; model: string } {
  const mhz = /^cpu MHz\s*:\s*([\d.]+)/m.exec(text)?.[1];
  const model = /^model name\s*:\s*(.+)$/m.exec(text)?.[1];
  return {
    mhz: mhz === undefined ? 1000 : Math.round(Number(mhz)),
    model: model?.trim() ?? "unknown",
  };
}

/**
 * Disk space of the filesystem holding `path`, from POSIX `df -Pk`. (node:fs's
 * statfs would do, but importing node:fs costs the agent ~10 MB of memory.)
 */
async function diskSpace(
  path: string,
): Promise<{ volume: string; totalBytes: number; freeBytes: number }> {
  try {
    const out = await new Deno.Command("df", {
      args: ["-Pk", path],
      stdout: "piped",
      stderr: "null",
    }).output();
    const line = new TextDecoder().decode(out.stdout).trim().split("\n")[1] ?? "";
    const [volume = "", total = "0", , free = "0"] = line.split(/\s+/);
    return { volume, totalBytes: Number(total) * 1024, freeBytes: Number(free) * 1024 };
  } catch {
    return { volume: "", totalBytes: 0, freeBytes: 0 };
  }
}

function osRelease(text: string): { name: string; version: string } {
  const get = (key: string) => new RegExp(`^${key}="?([^"\\n]*)"?`, "m").exec(text)?.[1] ?? "";
  return { name: get("ID") || "linux", version: get("VERSION_ID") };
}

/**
 * Fingerprints this machine. `overrides` are client config values that replace
 * measurements (cpu_total_compute, memory_total_mb).
 */
export async function fingerprintHost(
  options: { dataDir: string; ipAddress: string; cpuTotalCompute?: number; memoryTotalMB?: number },
): Promise<HostFingerprint> {
  const cores = navigator.hardwareConcurrency;
  const cpu = cpuInfo(await readText("/proc/cpuinfo"));
  const os = osRelease(await readText("/etc/os-release"));
  const totalCompute = options.cpuTotalCompute ?? cores * cpu.mhz;
  const memoryBytes = Deno.systemMemoryInfo().total;
  const memoryMB = options.memoryTotalMB ?? Math.floor(memoryBytes / 1024 / 1024);
  const disk = await diskSpace(options.dataDir);
  const diskFree = disk.freeBytes;
  const arch = Deno.build.arch === "x86_64"
    ? "amd64"
    : Deno.build.arch === "aarch64"
    ? "arm64"
    : Deno.build.arch;
  const attributes: Record<string, string> = {
    "cpu.arch": arch,
    "cpu.numcores": String(cores),
    "cpu.frequency": String(cpu.mhz),
    "cpu.modelname": cpu.model,
    "cpu.totalcompute": String(totalCompute),
    "cpu.usablecompute": String(totalCompute),
    "cpu.reservablecores": String(cores),
    "memory.totalbytes": String(
      options.memoryTotalMB === undefined ? memoryBytes : memoryMB * 1024 * 1024,
    ),
    "kernel.name": Deno.build.os,
    "kernel.arch": Deno.build.arch,
    "kernel.version": Deno.osRelease().split("-")[0] ?? "",
    "os.name": os.name,
    "os.version": os.version,
    "unique.hostname": Deno.hostname(),
    "unique.network.ip-address": options.ipAddress,
    "unique.storage.volume": disk.volume,
    "unique.storage.bytestotal": String(disk.totalBytes),
    "unique.storage.bytesfree": String(diskFree),
    "nomad.version": NOMAD_VERSION,
    "nomad.revision": NOMAD_REVISION,
  };
  return {
    attributes,
    cpuTotalCompute: totalCompute,
    cpuCores: cores,
    memoryMB,
    diskMB: Math.floor(diskFree / 1024 / 1024),
  };
}

/**
 * The node's `HostVolumes` from the client's `host_volume "name" { path,
 * read_only }` blocks; null when none are configured.
 *
 * @example
 * ```ts
 * import { fingerprintHostVolumes } from "./fingerprint.ts";
 * fingerprintHostVolumes({ data: { path: "/srv/data", readOnly: false } });
 * // { data: { Path: "/srv/data", ReadOnly: false } }
 * ```
 */
export function fingerprintHostVolumes(
  volumes: Readonly<Record<string, { path: string; readOnly: boolean }>>,
): Record<string, { Path: string; ReadOnly: boolean }> | null {
  const entries = Object.entries(volumes);
  if (entries.length === 0) return null;
  return Object.fromEntries(
    entries.map(([name, v]) => [name, { Path: v.path, ReadOnly: v.readOnly }]),
  );
}
