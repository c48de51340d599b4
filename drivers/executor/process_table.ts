/** Finds the processes that belong to a task: every process still in its session. */
import { PROC_SCAN_CACHE_MS } from "./limits.ts";
import { type ProcStat, readProcStat, scanProcesses } from "./proc.ts";

let cached: { atMs: number; processes: Promise<ProcStat[]> } | null = null;

function processes(fresh: boolean): Promise<ProcStat[]> {
  const now = Date.now();
  if (fresh || cached === null || now - cached.atMs > PROC_SCAN_CACHE_MS) {
    cached = { atMs: now, processes: scanProcesses() };
  }
  return cached.processes;
}

/**
 * Live processes in the session a task leads (tasks start with `setsid`, so the
 * session ID is the task's PID). Returns nothing when the PID now belongs to another
 * process (a different start time), so a reused PID is never mistaken for the task.
 * `fresh` forces a new /proc scan; otherwise one up to {@linkcode PROC_SCAN_CACHE_MS}
 * old may be used.
 */
export async function sessionMembers(
  pid: number,
  startTicks: number,
  options: { fresh: boolean },
): Promise<ProcStat[]> {
  const leader = await readProcStat(pid);
  if (leader !== null && startTicks !== 0 && leader.startTicks !== startTicks) return [];
  const all = await processes(options.fresh);
  return all.filter((p) => p.session === pid && p.startTicks >= startTicks);
}
