/**
 * Deployment health of an allocation, decided on the client as Nomad's
 * `health_check = "task_states"`: healthy once every task has been running
 * for `min_healthy_time`; unhealthy when a task fails or `healthy_deadline`
 * passes first. `"checks"` also waits for every native service check
 * (`provider = "nomad"`) to pass; `"manual"` is left to the API.
 */

import type { Task, TaskState, UpdateStrategy } from "../structs/mod.ts";

/** What the tracker knows at one moment. */
export interface HealthInput {
  strategy: Pick<UpdateStrategy, "MinHealthyTime" | "HealthyDeadline">;
  tasks: readonly Pick<Task, "Name" | "Lifecycle">[];
  states: Readonly<Record<string, TaskState>>;
  /** When tracking began (Unix ns). */
  startNs: number;
  /** Since when every task has been up (null: not all are). */
  upSinceNs: number | null;
  nowNs: number;
  /**
   * `health_check = "checks"` with native service checks: whether every
   * healthiness check passes now (absent: checks are not part of health).
   */
  checksPassing?: boolean;
}

/** A verdict, or when to look again. */
export type HealthVerdict =
  | { healthy: boolean }
  | { healthy: null; upSinceNs: number | null; checkAtNs: number | null };

// Prestart and poststart tasks that are not sidecars may finish successfully.
function taskUp(task: Pick<Task, "Lifecycle">, state: TaskState | undefined): boolean {
  if (state === undefined) return false;
  if (state.State === "running") return true;
  const ephemeral = task.Lifecycle !== null && !task.Lifecycle.Sidecar &&
    task.Lifecycle.Hook !== "poststop";
  return ephemeral && state.State === "dead" && !state.Failed;
}

/**
 * Decides health (pure).
 *
 * @example
 * ```ts
 * import { decideHealth } from "./health.ts";
 * // decideHealth({ strategy, tasks, states, startNs, upSinceNs: null, nowNs }).healthy
 * ```
 */
export function decideHealth(input: HealthInput): HealthVerdict {
  const states = Object.values(input.states);
  if (states.some((s) => s.State === "dead" && s.Failed)) return { healthy: false };
  const deadlineNs = input.strategy.HealthyDeadline > 0
    ? input.startNs + input.strategy.HealthyDeadline
    : null;
  if (deadlineNs !== null && input.nowNs >= deadlineNs) return { healthy: false };
  // Poststop tasks only run once the others are dead: they never count for health.
  const counted = input.tasks.filter((t) => t.Lifecycle?.Hook !== "poststop");
  const allUp = counted.length > 0 && counted.every((t) => taskUp(t, input.states[t.Name])) &&
    input.checksPassing !== false;
  const upSinceNs = allUp ? input.upSinceNs ?? input.nowNs : null;
  if (upSinceNs !== null && input.nowNs - upSinceNs >= input.strategy.MinHealthyTime) {
    return { healthy: true };
  }
  const healthyAtNs = upSinceNs === null ? null : upSinceNs + input.strategy.MinHealthyTime;
  const candidates = [healthyAtNs, deadlineNs].filter((t): t is number => t !== null);
  return {
    healthy: null,
    upSinceNs,
    checkAtNs: candidates.length === 0 ? null : Math.min(...candidates),
  };
}

/** Follows one allocation's tasks until a verdict, re-checking on a timer. */
export class HealthTracker {
  readonly #strategy: HealthInput["strategy"];
  readonly #tasks: HealthInput["tasks"];
  readonly #nowNs: () => number;
  readonly #onVerdict: (healthy: boolean) => void;
  readonly #checksPassing: (() => boolean) | undefined;
  readonly #startNs: number;
  #upSinceNs: number | null = null;
  #states: Readonly<Record<string, TaskState>> = {};
  #timer: ReturnType<typeof setTimeout> | null = null;
  #done = false;

  /** Starts tracking now. */
  constructor(options: {
    strategy: HealthInput["strategy"];
    tasks: HealthInput["tasks"];
    nowNs: () => number;
    onVerdict: (healthy: boolean) => void;
    /** Native service checks gate health (`"checks"`): true while all healthiness checks pass. */
    checksPassing?: () => boolean;
  }) {
    this.#checksPassing = options.checksPassing;
    this.#strategy = options.strategy;
    this.#tasks = options.tasks;
    this.#nowNs = options.nowNs;
    this.#onVerdict = options.onVerdict;
    this.#startNs = options.nowNs();
  }

  /** Feeds the latest task states. */
  observe(states: Readonly<Record<string, TaskState>>): void {
    if (this.#done) return;
    this.#states = states;
    const verdict = decideHealth({
      strategy: this.#strategy,
      tasks: this.#tasks,
      states,
      startNs: this.#startNs,
      upSinceNs: this.#upSinceNs,
      nowNs: this.#nowNs(),
      ...(this.#checksPassing === undefined ? {} : { checksPassing: this.#checksPassing() }),
    });
    this.#clearTimer();
    if (verdict.healthy !== null) {
      this.#done = true;
      this.#onVerdict(verdict.healthy);
      return;
    }
    this.#upSinceNs = verdict.upSinceNs;
    if (verdict.checkAtNs !== null) {
      const delayMs = Math.max(1, Math.ceil((verdict.checkAtNs - this.#nowNs()) / 1e6));
      this.#timer = setTimeout(() => this.observe(this.#states), delayMs);
    }
  }

  /** Stops tracking. */
  stop(): void {
    this.#done = true;
    this.#clearTimer();
  }

  #clearTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
