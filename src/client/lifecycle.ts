/**
 * Task lifecycle ordering inside one allocation (pure): which tasks may start
 * now (`lifecycle { hook, sidecar }`), and which must be killed and why (a
 * failed task, a dead `leader`, main tasks done while sidecars run, or the
 * servers stopping the allocation). Follows Nomad's task coordinator: phases
 * prestart → main → poststart → wait → poststop, where poststop can be reached
 * from any phase once every other task is dead.
 */

import { formatDuration, NS_PER_SECOND } from "../core/clock.ts";
import {
  newTaskEvent,
  type Task,
  type TaskEvent,
  type TaskLifecycle,
  type TaskState,
} from "../structs/mod.ts";

/** Nomad's `kill_timeout` default. */
export const DEFAULT_KILL_TIMEOUT_NS = 5 * NS_PER_SECOND;
/** Nomad's client `max_kill_timeout` default: no task waits longer between signal and SIGKILL. */
export const MAX_KILL_TIMEOUT_NS = 30 * NS_PER_SECOND;
/** Signal sent first when a task sets no `kill_signal`. */
export const DEFAULT_KILL_SIGNAL = "SIGINT";

/** Where a task sits in the start order. */
export type LifecycleStage =
  | "prestart"
  | "prestart-sidecar"
  | "main"
  | "poststart"
  | "poststart-sidecar"
  | "poststop";

/** The allocation's position in the start order. */
export type LifecyclePhase = "prestart" | "main" | "poststart" | "wait" | "poststop";

/** Stages whose tasks may run in each phase. */
const OPEN_STAGES: Readonly<Record<LifecyclePhase, readonly LifecycleStage[]>> = {
  prestart: ["prestart", "prestart-sidecar"],
  main: ["prestart-sidecar", "main"],
  poststart: ["prestart-sidecar", "main", "poststart", "poststart-sidecar"],
  wait: ["prestart-sidecar", "main", "poststart-sidecar"],
  poststop: ["poststop"],
};

/** What the ordering needs to know of a task. */
export interface LifecycleTask {
  name: string;
  lifecycle: TaskLifecycle | null;
  leader: boolean;
}

/** Why tasks are being killed. */
export type KillCause =
  | { type: "sibling-failed"; task: string }
  | { type: "leader-dead"; task: string }
  | { type: "main-dead" }
  | { type: "stopped" };

/** Input of {@linkcode planLifecycle}. */
export interface LifecycleInput {
  phase: LifecyclePhase;
  tasks: readonly LifecycleTask[];
  states: Readonly<Record<string, TaskState>>;
  /** The servers want the allocation stopped. */
  stopped: boolean;
  /** Tasks already told to stop. */
  killing: ReadonlySet<string>;
}

/** Output of {@linkcode planLifecycle}. */
export interface LifecyclePlan {
  phase: LifecyclePhase;
  /** Tasks that may start (or restart) now. */
  allowed: string[];
  /** Tasks to kill now, wave after wave (leader, then others, then sidecars), and why. */
  kill: { cause: KillCause; waves: string[][] } | null;
}

/** The lifecycle stage of a task; an unknown or empty hook is a main task (as Nomad). */
export function lifecycleStage(lifecycle: TaskLifecycle | null): LifecycleStage {
  switch (lifecycle?.Hook) {
    case "prestart":
      return lifecycle.Sidecar ? "prestart-sidecar" : "prestart";
    case "poststart":
      return lifecycle.Sidecar ? "poststart-sidecar" : "poststart";
    case "poststop":
      return "poststop";
    default:
      return "main";
  }
}

function isSidecar(task: LifecycleTask): boolean {
  return task.lifecycle?.Sidecar === true;
}

function isPoststop(task: LifecycleTask): boolean {
  return lifecycleStage(task.lifecycle) === "poststop";
}

function stateOf(input: Pick<LifecycleInput, "states">, name: string): TaskState["State"] {
  return input.states[name]?.State ?? "pending";
}

function inStage(tasks: readonly LifecycleTask[], stage: LifecycleStage): LifecycleTask[] {
  return tasks.filter((t) => lifecycleStage(t.lifecycle) === stage);
}

function phaseDone(phase: LifecyclePhase, input: LifecycleInput): boolean {
  const state = (t: LifecycleTask) => stateOf(input, t.name);
  switch (phase) {
    case "prestart":
      return inStage(input.tasks, "prestart").every((t) =>
        state(t) === "dead" && input.states[t.name]?.Failed !== true
      ) && inStage(input.tasks, "prestart-sidecar").every((t) => state(t) === "running");
    case "main":
      return inStage(input.tasks, "main").every((t) => state(t) !== "pending");
    case "poststart":
      return inStage(input.tasks, "poststart").every((t) => state(t) === "dead");
    case "wait":
      return false;
    case "poststop":
      return false;
  }
}

const NEXT_PHASE: Readonly<Record<LifecyclePhase, LifecyclePhase>> = {
  prestart: "main",
  main: "poststart",
  poststart: "wait",
  wait: "wait",
  poststop: "poststop",
};

/** The phase after `input.phase` given the task states; phases never go back. */
export function nextPhase(input: LifecycleInput): LifecyclePhase {
  const othersDead = input.tasks.every((t) => isPoststop(t) || stateOf(input, t.name) === "dead");
  if (othersDead) return "poststop";
  let phase = input.phase;
  while (phaseDone(phase, input)) phase = NEXT_PHASE[phase];
  return phase;
}

function killCause(input: LifecycleInput, live: readonly LifecycleTask[]): KillCause | null {
  let cause: KillCause | null = null;
  for (const task of input.tasks) {
    const state = input.states[task.name];
    if (isPoststop(task) || state?.State !== "dead") continue;
    // A dead leader takes priority over a failed sibling (as Nomad).
    if (state.Failed && cause === null) cause = { type: "sibling-failed", task: task.name };
    else if (!state.Failed && task.leader) cause = { type: "leader-dead", task: task.name };
  }
  if (cause !== null) return cause;
  if (input.stopped) return { type: "stopped" };
  const hasSidecars = input.tasks.some(isSidecar);
  if (hasSidecars && live.length > 0 && live.every(isSidecar)) return { type: "main-dead" };
  return null;
}

/**
 * Decides which tasks may start and which to kill now (pure).
 *
 * @example
 * ```ts
 * import { planLifecycle } from "./lifecycle.ts";
 * const plan = planLifecycle({
 *   phase: "prestart",
 *   tasks: [
 *     { name: "init", lifecycle: { Hook: "prestart", Sidecar: false }, leader: false },
 *     { name: "web", lifecycle: null, leader: false },
 *   ],
 *   states: {},
 *   stopped: false,
 *   killing: new Set(),
 * });
 * plan.allowed; // ["init"]
 * ```
 */
export function planLifecycle(input: LifecycleInput): LifecyclePlan {
  const phase = nextPhase(input);
  const open = OPEN_STAGES[phase];
  const alive = (t: LifecycleTask) => stateOf(input, t.name) !== "dead";
  const allowed = input.tasks
    .filter((t) => open.includes(lifecycleStage(t.lifecycle)) && alive(t))
    .filter((t) => !input.killing.has(t.name))
    .map((t) => t.name);
  const live = input.tasks.filter((t) => !isPoststop(t) && alive(t));
  const cause = killCause(input, live);
  const targets = live.filter((t) => !input.killing.has(t.name));
  if (cause === null || targets.length === 0) return { phase, allowed, kill: null };
  const waves = [
    targets.filter((t) => t.leader),
    targets.filter((t) => !t.leader && !isSidecar(t)),
    targets.filter((t) => !t.leader && isSidecar(t)),
  ].map((wave) => wave.map((t) => t.name)).filter((wave) => wave.length > 0);
  const killing = new Set(targets.map((t) => t.name));
  return { phase, allowed: allowed.filter((name) => !killing.has(name)), kill: { cause, waves } };
}

/**
 * Whether a task that exits 0 is restarted: not in batch jobs, not ephemeral
 * prestart/poststart tasks, never poststop tasks; sidecars always (as Nomad).
 */
export function restartsOnSuccess(jobType: string, lifecycle: TaskLifecycle | null): boolean {
  switch (lifecycleStage(lifecycle)) {
    case "prestart":
    case "poststart":
    case "poststop":
      return false;
    case "prestart-sidecar":
    case "poststart-sidecar":
      return true;
    case "main":
      return jobType !== "batch" && jobType !== "sysbatch";
  }
}

/** The wait between `kill_signal` and SIGKILL: `kill_timeout`, default 5s, at most 30s. */
export function killTimeoutNs(task: Pick<Task, "KillTimeout">): number {
  const timeout = task.KillTimeout > 0 ? task.KillTimeout : DEFAULT_KILL_TIMEOUT_NS;
  return Math.min(timeout, MAX_KILL_TIMEOUT_NS);
}

/** Nomad's event for a task whose sibling failed. */
export function siblingFailedEvent(sibling: string, nowNs: number): TaskEvent {
  return newTaskEvent("Sibling Task Failed", nowNs, {
    FailedSibling: sibling,
    Details: { failed_sibling: sibling },
    DisplayMessage: `Task's sibling "${sibling}" failed`,
  });
}

/** The event each live task gets when tasks are killed for `cause` (none for a stop). */
export function killCauseEvent(cause: KillCause, nowNs: number): TaskEvent | null {
  switch (cause.type) {
    case "sibling-failed":
      return siblingFailedEvent(cause.task, nowNs);
    case "leader-dead":
      return newTaskEvent("Leader Task Dead", nowNs, {
        DisplayMessage: "Leader Task in Group dead",
      });
    case "main-dead":
      return newTaskEvent("Main Tasks Dead", nowNs, {
        DisplayMessage: "Main tasks in the group died",
      });
    case "stopped":
      return null;
  }
}

/** Nomad's "Killing" event: the signal was sent and SIGKILL follows after the timeout. */
export function killingEvent(timeoutNs: number, nowNs: number): TaskEvent {
  return newTaskEvent("Killing", nowNs, {
    KillTimeout: timeoutNs,
    Details: { kill_timeout: formatDuration(timeoutNs) },
    DisplayMessage: `Sent interrupt. Waiting ${formatDuration(timeoutNs)} before force killing`,
  });
}

/** Nomad's "Killed" event, after a killed task exited. */
export function killedEvent(nowNs: number): TaskEvent {
  return newTaskEvent("Killed", nowNs, { DisplayMessage: "Task successfully killed" });
}

/** Nomad's event before a task's `shutdown_delay`, or when the stop skips it. */
export function shutdownDelayEvent(delayNs: number, skip: boolean, nowNs: number): TaskEvent {
  const delay = formatDuration(delayNs);
  return skip
    ? newTaskEvent("Skipping shutdown delay", nowNs, {
      DisplayMessage: `Skipping shutdown_delay of ${delay} before killing the task.`,
    })
    : newTaskEvent("Waiting for shutdown delay", nowNs, {
      DisplayMessage: `Waiting for shutdown_delay of ${delay} before killing the task.`,
    });
}
