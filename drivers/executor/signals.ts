/** Linux signal names and numbers, and delivery to a process or process group. */

/** Linux signal numbers (x86_64 / arm64 share these). */
export const LINUX_SIGNALS = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGSTKFLT: 16,
  SIGCHLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGURG: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGIO: 29,
  SIGPWR: 30,
  SIGSYS: 31,
} as const;

/** A signal name known to {@linkcode LINUX_SIGNALS}. */
export type SignalName = keyof typeof LINUX_SIGNALS;

function isSignalName(name: string): name is SignalName {
  return Object.hasOwn(LINUX_SIGNALS, name);
}

/**
 * Normalizes "int", "SIGINT" or "sigint" to "SIGINT"; throws a RangeError for unknown names.
 *
 * @example
 * ```ts
 * import { parseSignal } from "./signals.ts";
 * parseSignal("term"); // "SIGTERM"
 * ```
 */
export function parseSignal(text: string): SignalName {
  const upper = text.trim().toUpperCase();
  const name = upper.startsWith("SIG") ? upper : `SIG${upper}`;
  if (!isSignalName(name)) throw new RangeError(`unknown signal ${JSON.stringify(text)}`);
  return name;
}

/** The number of a signal name, 0 for an unknown or missing name. */
export function signalNumber(name: string | null | undefined): number {
  if (!name) return 0;
  return isSignalName(name) ? LINUX_SIGNALS[name] : 0;
}

/**
 * Sends `signal` to `pid` (or to process group `pid` when `group`); returns false when
 * no such process exists, which callers treat as "already gone".
 */
export function sendSignal(pid: number, signal: SignalName, options: { group: boolean }): boolean {
  try {
    // Deno.kill passes a negative pid straight to kill(2), which addresses the process group.
    Deno.kill(options.group ? -pid : pid, signal);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
