/**
 * The allocation runner: builds the allocation directory, runs one task runner
 * per task, orders them by lifecycle (the decisions are {@linkcode planLifecycle}'s;
 * this class only carries them out), derives the allocation's client status, and
 * stops or destroys it.
 */

import type { TaskDriver } from "../../drivers/driver.ts";
import type { Logger } from "../core/logger.ts";
import type { Rng } from "../core/rng.ts";
import type { ClientAllocUpdate } from "../fsm/mod.ts";
import type { Allocation, AllocClientStatus, Node, TaskState } from "../structs/mod.ts";
import type { ClientStateDb } from "../storage/mod.ts";
import {
  type AllocDirPaths,
  allocDirPaths,
  buildAllocDir,
  destroyAllocDir,
  taskDirPaths,
} from "./alloc_dir.ts";
import { TaskRunner } from "./task_runner.ts";
import { HealthTracker } from "./health.ts";
import {
  type KillCause,
  killCauseEvent,
  killingEvent,
  killTimeoutNs,
  type LifecyclePhase,
  type LifecycleTask,
  planLifecycle,
} from "./lifecycle.ts";
import { formatRfc3339Nano } from "../scheduler/mod.ts";
import { AllocServices, type ServiceServerApi, servicesHook } from "./hooks/services.ts";
import type { TemplateSources } from "./template/mod.ts";

/** Nomad's derivation of an allocation's client status from its tasks. */
export function clientStatusOf(
  states: Record<string, TaskState>,
): { status: AllocClientStatus; description: string } {
  const list = Object.values(states);
  if (list.some((s) => s.State === "dead" && s.Failed)) {
    return { status: "failed", description: "Failed tasks" };
  }
  if (list.some((s) => s.State === "running")) {
    return { status: "running", description: "Tasks are running" };
  }
  if (list.some((s) => s.State === "pending")) {
    return { status: "pending", description: "No tasks have started" };
  }
  return { status: "complete", description: "All tasks have completed" };
}

/** Everything an allocation runner needs. */
export interface AllocRunnerOptions {
  alloc: Allocation;
  node: Node;
  drivers: ReadonlyMap<string, TaskDriver>;
  allocRoot: string;
  stateDb: ClientStateDb;
  nowNs: () => number;
  rng: Rng;
  logger: Logger;
  hostEnv: () => Record<string, string>;
  onUpdate: (update: ClientAllocUpdate) => void;
  /** Server calls for native service registration (absent: services are not registered). */
  serviceApi?: ServiceServerApi;
  /** Where `template` blocks read variables and services (absent: they cannot). */
  templateSources?: TemplateSources;
}

/** Runs one allocation. */
export class AllocRunner {
  #alloc: Allocation;
  readonly #options: AllocRunnerOptions;
  readonly #dir: AllocDirPaths;
  readonly #tasks: TaskRunner[] = [];
  #done: Promise<void> | null = null;
  #lastReported = "";
  #health: HealthTracker | null = null;
  #deploymentStatus: Allocation["DeploymentStatus"] = null;
  #phase: LifecyclePhase = "prestart";
  #stopped = false;
  /** Tasks the lifecycle lets start now, and starts waiting for that. */
  #allowed = new Set<string>();
  readonly #startWaiters = new Map<string, (() => void)[]>();
  /** Tasks told to stop; each is killed once. */
  readonly #killing = new Set<string>();
  /** Kills in progress. */
  #kills: Promise<void>[] = [];
  #coordinating = false;
  #coordinateAgain = false;
  #groupDelayDone = false;
  readonly #skipGroupDelay = Promise.withResolvers<void>();
  readonly #services: AllocServices | null;

  /** Creates a runner for `alloc`. */
  constructor(options: AllocRunnerOptions) {
    this.#options = options;
    this.#alloc = options.alloc;
    this.#dir = allocDirPaths(options.allocRoot, options.alloc.ID);
    this.#services = options.serviceApi === undefined ? null : new AllocServices({
      alloc: options.alloc,
      node: options.node,
      server: options.serviceApi,
      logger: options.logger.named("services"),
      nowNs: options.nowNs,
      restartTask: (name, event) => void this.#runner(name)?.restartRunning(event),
      onChecksChange: () => this.#health?.observe(this.taskStates()),
    });
    const group = options.alloc.Job?.TaskGroups.find((g) => g.Name === options.alloc.TaskGroup);
    for (const task of group?.Tasks ?? []) {
      this.#tasks.push(
        new TaskRunner({
          alloc: options.alloc,
          task,
          node: options.node,
          driver: options.drivers.get(task.Driver),
          allocDir: this.#dir,
          taskDir: taskDirPaths(this.#dir, task.Name),
          stateDb: options.stateDb,
          nowNs: options.nowNs,
          rng: options.rng,
          logger: options.logger.named(task.Name),
          hostEnv: options.hostEnv,
          onChange: () => this.#onTaskChange(),
          untilAllowed: () => this.#untilAllowed(task.Name),
          ...(options.templateSources ? { templateSources: options.templateSources } : {}),
          extraHooks: this.#services === null ? [] : [
            servicesHook(this.#services, (taskId) => (command, execOptions) => {
              const driver = options.drivers.get(task.Driver);
              if (driver === undefined) return Promise.reject(new Error("no driver"));
              return driver.execTask(taskId, command, execOptions);
            }),
          ],
        }),
      );
    }
  }

  /** The allocation as last received from the servers. */
  get alloc(): Allocation {
    return this.#alloc;
  }

  /** Directory paths of this allocation. */
  get dir(): AllocDirPaths {
    return this.#dir;
  }

  /** The task runners, in the group's task order. */
  get tasks(): readonly TaskRunner[] {
    return this.#tasks;
  }

  /** Task names in job order. */
  get taskNames(): string[] {
    return this.#tasks.map((t) => t.name);
  }

  /** Restores task handles and states saved before an agent restart. */
  restore(): void {
    for (const task of this.#tasks) {
      const saved = this.#options.stateDb.getTask(this.#alloc.ID, task.name);
      if (saved !== undefined) task.restore(saved as Parameters<TaskRunner["restore"]>[0]);
    }
  }

  /** Builds the directory and starts every task. */
  run(): Promise<void> {
    this.#done ??= this.#run();
    return this.#done;
  }

  /** Starts deployment health tracking when the allocation's health is still unknown. */
  #trackHealth(): void {
    this.#health?.stop();
    this.#health = null;
    const alloc = this.#alloc;
    const group = alloc.Job?.TaskGroups.find((g) => g.Name === alloc.TaskGroup);
    const strategy = group?.Update ?? null;
    const known = alloc.DeploymentStatus?.Healthy ?? null;
    if (alloc.DeploymentID === "" || known !== null || strategy === null) return;
    // "manual" health is set through the API; "checks" falls back to task states.
    if (strategy.HealthCheck === "manual" || group === undefined) return;
    const services = this.#services;
    const gateOnChecks = strategy.HealthCheck === "checks" && services !== null &&
      services.healthinessCheckCount() > 0;
    this.#health = new HealthTracker({
      strategy,
      tasks: group.Tasks,
      nowNs: this.#options.nowNs,
      ...(gateOnChecks ? { checksPassing: () => services.checksPassing() } : {}),
      onVerdict: (healthy) => {
        this.#deploymentStatus = {
          Healthy: healthy,
          Timestamp: formatRfc3339Nano(this.#options.nowNs()),
          Canary: this.#alloc.DeploymentStatus?.Canary ?? false,
          ModifyIndex: 0,
        };
        this.#report();
      },
    });
    this.#health.observe(this.taskStates());
  }

  async #run(): Promise<void> {
    this.#trackHealth();
    this.#options.stateDb.putAlloc(this.#alloc.ID, { ...this.#alloc, Job: this.#alloc.Job });
    await buildAllocDir(this.#dir);
    this.#coordinate();
    await Promise.all(this.#tasks.map((task) => task.run()));
    await Promise.all(this.#kills);
    this.#report();
  }

  #onTaskChange(): void {
    this.#coordinate();
    this.#report();
  }

  /** Resolves when the lifecycle lets `name` start. */
  #untilAllowed(name: string): Promise<void> {
    if (this.#allowed.has(name)) return Promise.resolve();
    return new Promise((resolve) => {
      this.#startWaiters.set(name, [...(this.#startWaiters.get(name) ?? []), resolve]);
    });
  }

  /** Carries out the lifecycle plan for the current task states; never re-entered. */
  #coordinate(): void {
    if (this.#coordinating) {
      this.#coordinateAgain = true;
      return;
    }
    this.#coordinating = true;
    try {
      do {
        this.#coordinateAgain = false;
        this.#applyPlan();
      } while (this.#coordinateAgain);
    } finally {
      this.#coordinating = false;
    }
  }

  #applyPlan(): void {
    const plan = planLifecycle({
      phase: this.#phase,
      tasks: this.#lifecycleTasks(),
      states: this.taskStates(),
      stopped: this.#stopped,
      killing: this.#killing,
    });
    this.#phase = plan.phase;
    this.#allowed = new Set(plan.allowed);
    for (const name of plan.allowed) {
      const waiters = this.#startWaiters.get(name) ?? [];
      this.#startWaiters.delete(name);
      for (const wake of waiters) wake();
    }
    if (plan.kill === null) return;
    const { cause, waves } = plan.kill;
    for (const name of waves.flat()) this.#killing.add(name);
    this.#options.logger.debug("killing tasks", { cause: cause.type, tasks: waves.flat() });
    const event = killCauseEvent(cause, this.#options.nowNs());
    if (event !== null) { for (const name of waves.flat()) this.#runner(name).emit(event); }
    this.#kills.push(this.#killWaves(cause, waves));
  }

  #lifecycleTasks(): LifecycleTask[] {
    return this.#tasks.map((t) => ({
      name: t.name,
      lifecycle: t.task.Lifecycle,
      leader: t.task.Leader,
    }));
  }

  #runner(name: string): TaskRunner {
    return this.#tasks.find((t) => t.name === name)!;
  }

  /** Kills wave after wave (leader first, sidecars last) after the group's shutdown_delay. */
  async #killWaves(cause: KillCause, waves: string[][]): Promise<void> {
    await this.#groupShutdownDelay();
    for (const wave of waves) {
      await Promise.all(wave.map((name) => {
        const runner = this.#runner(name);
        const event = killingEvent(killTimeoutNs(runner.task), this.#options.nowNs());
        return runner.kill(event);
      }));
    }
    this.#options.logger.debug("tasks killed", { cause: cause.type });
  }

  /** The group's shutdown_delay, once per allocation, unless the stop skips it. */
  async #groupShutdownDelay(): Promise<void> {
    const group = this.#alloc.Job?.TaskGroups.find((g) => g.Name === this.#alloc.TaskGroup);
    const delayNs = group?.ShutdownDelay ?? 0;
    if (this.#groupDelayDone || delayNs <= 0) return;
    this.#groupDelayDone = true;
    if (this.#alloc.DesiredTransition.NoShutdownDelay === true) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const delay = new Promise<void>((resolve) => timer = setTimeout(resolve, delayNs / 1e6));
    await Promise.race([delay, this.#skipGroupDelay.promise]);
    clearTimeout(timer);
  }

  /** Applies a newer version of the allocation from the servers. */
  async update(alloc: Allocation): Promise<void> {
    const joined = alloc.DeploymentID !== this.#alloc.DeploymentID;
    this.#alloc = alloc;
    this.#services?.update(alloc);
    for (const task of this.#tasks) task.update(alloc);
    if (alloc.DesiredTransition.NoShutdownDelay === true) this.#skipGroupDelay.resolve();
    // An in-place update into a new deployment must prove its health again.
    if (joined && alloc.DesiredStatus === "run") {
      this.#deploymentStatus = null;
      this.#trackHealth();
    }
    if (alloc.DesiredStatus !== "run") await this.stop();
  }

  /**
   * Kills every task but the poststop ones (the servers want the allocation
   * stopped); resolves once every task, poststop tasks included, is done.
   */
  async stop(): Promise<void> {
    this.#health?.stop();
    // Group services go before the tasks are killed, so no traffic reaches a dying task.
    const deregistering = this.#services?.deregisterGroup();
    this.#stopped = true;
    this.#coordinate();
    await this.#done;
    await Promise.all(this.#kills);
    await deregistering;
    await this.#services?.deregisterAll();
  }

  /** Latest native service check results, by check ID. */
  checkResults(): Record<string, unknown> {
    return this.#services?.checkResults() ?? {};
  }

  /** Stops everything and removes the allocation directory and saved state. */
  async destroy(options: { removeDir: boolean }): Promise<void> {
    await this.stop();
    this.#options.stateDb.deleteAlloc(this.#alloc.ID);
    if (options.removeDir) await destroyAllocDir(this.#dir);
  }

  /** Current task states keyed by task name. */
  taskStates(): Record<string, TaskState> {
    return Object.fromEntries(this.#tasks.map((t) => [t.name, t.state]));
  }

  #report(): void {
    const states = this.taskStates();
    this.#health?.observe(states);
    const { status, description } = clientStatusOf(states);
    if (status === "running" && !this.#stopped) void this.#services?.registerGroup();
    if (status === "complete" || status === "failed") void this.#services?.deregisterAll();
    const update: ClientAllocUpdate = {
      ID: this.#alloc.ID,
      ClientStatus: status,
      ClientDescription: description,
      TaskStates: states,
      ModifyTime: this.#options.nowNs(),
      DeploymentStatus: this.#deploymentStatus,
    };
    const fingerprint = JSON.stringify([status, states, this.#deploymentStatus]);
    if (fingerprint === this.#lastReported) return;
    this.#lastReported = fingerprint;
    this.#options.onUpdate(update);
  }
}
