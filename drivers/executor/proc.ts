/** Reading process facts from Linux /proc: state, start time, group, CPU and memory. */
import { MAX_PROC_SCAN } from "./limits.ts";

/** The fields of /proc/<pid>/stat the executor uses. */
export interface ProcStat {
  pid: number;
  /** One-letter state: R, S, D, Z (zombie), T, X, ... */
  state: string;
  ppid: number;
  processGroup: number;
  session: number;
  /** utime + stime + cutime + cstime in clock ticks. */
  cpuTicks: number;
  /** Start time in clock ticks since boot; with the PID it identifies a process uniquely. */
  startTicks: number;
}

/**
 * Parses the text of /proc/<pid>/stat. The command name is in parentheses and may
 * itself contain spaces and parentheses, so fields are counted from the last ")".
 *
 * @example
 * ```ts
 * import { parseProcStat } from "./proc.ts";
 * const text = "42 (a b) S 1 42 42 0 -1 0 0 0 0 0 3 4 5 6 20 0 1 0 777 0 0";
 * parseProcStat(text).startTicks; // 777
 * ```
 */
export function parseProcStat(text: string): ProcStat {
  const close = text.lastIndexOf(")");
  const pid = Number.parseInt(text, 10);
  if (close < 0 || !Number.isInteger(pid)) throw new SyntaxError(`malformed stat: ${text}`);
  // fields[0] is field 3 (state) of proc(5).
  const fields = text.slice(close + 2).trim().split(/\s+/);
  const field = (n: number): number => Number(fields[n - 3] ?? Number.NaN);
  const stat: ProcStat = {
    pid,
    state: fields[0] ?? "?",
    ppid: field(4),
    processGroup: field(5),
    session: field(6),
    cpuTicks: field(14) + field(15) + field(16) + field(17),
    startTicks: field(22),
  };
  if (Number.isNaN(stat.startTicks) || Number.isNaN(stat.cpuTicks)) {
    throw new SyntaxError(`malformed stat: ${text}`);
  }
  return stat;
}

/** Reads /proc/<pid>/stat; null when the process does not exist. */
export async function readProcStat(pid: number): Promise<ProcStat | null> {
  try {
    return parseProcStat(await Deno.readTextFile(`/proc/${pid}/stat`));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof SyntaxError) return null;
    throw error;
  }
}

/**
 * True when `pid` is a live (non-zombie) process that started at `startTicks`, i.e. the
 * same process and not a later one that reused the PID. `startTicks` 0 skips that check.
 */
export async function isProcessAlive(pid: number, startTicks: number): Promise<boolean> {
  const stat = await readProcStat(pid);
  if (stat === null || stat.state === "Z" || stat.state === "X") return false;
  return startTicks === 0 || stat.startTicks === startTicks;
}

/** Resident memory of `pid` in bytes from /proc/<pid>/status VmRSS; 0 when unknown. */
export async function readRssBytes(pid: number): Promise<number> {
  try {
    const text = await Deno.readTextFile(`/proc/${pid}/status`);
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
    return match ? Number(match[1]) * 1024 : 0;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return 0;
    throw error;
  }
}

/** Stats of every live (non-zombie) process, bounded by {@linkcode MAX_PROC_SCAN}. */
export async function scanProcesses(): Promise<ProcStat[]> {
  const all: ProcStat[] = [];
  let scanned = 0;
  for await (const entry of Deno.readDir("/proc")) {
    if (++scanned > MAX_PROC_SCAN) break;
    if (!/^\d+$/.test(entry.name)) continue;
    const stat = await readProcStat(Number(entry.name));
    if (stat && stat.state !== "Z" && stat.state !== "X") all.push(stat);
  }
  return all;
}

/** The device:inode text a /proc/<pid>/fd/<n> link points at, or null. */
export async function readFdTarget(pid: number, fd: number): Promise<string | null> {
  try {
    return await Deno.readLink(`/proc/${pid}/fd/${fd}`);
  } catch {
    return null;
  }
}
