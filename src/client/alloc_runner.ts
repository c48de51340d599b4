/**
 * The allocation runner: builds the allocation directory, runs one task runner
 * per task, derives the allocation's client status, and stops or destroys it.
 */

import type { TaskDriver } from "../../drivers/driver.ts";
import type { Logger } from "../core/logger.ts";
import type { Rng } from "../core/rng.ts";
import type { ClientAllocUpdate } from "../fsm/mod.ts";
import {
  type Allocation,
  type AllocClientStatus,
  newTaskEvent,
  type Node,
  type TaskState,
} from "../structs/mod.ts";
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
import { formatRfc3339Nano } from "../scheduler/mod.ts";

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

  /** Creates a runner for `alloc`. */
  constructor(options: AllocRunnerOptions) {
    this.#options = options;
    this.#alloc = options.alloc;
    this.#dir = allocDirPaths(options.allocRoot, options.alloc.ID);
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
          onChange: () => this.#report(),
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
    this.#health = new HealthTracker({
      strategy,
      tasks: group.Tasks,
      nowNs: this.#options.nowNs,
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
    await Promise.all(this.#tasks.map((task) => this.#runTask(task)));
    this.#report();
  }

  async #runTask(task: TaskRunner): Promise<void> {
    await task.run();
    if (task.state.Failed) {
      const event = newTaskEvent("Sibling Task Failed", this.#options.nowNs(), {
        FailedSibling: task.name,
        DisplayMessage: `Task's sibling "${task.name}" failed`,
      });
      await Promise.all(
        this.#tasks.filter((t) => t !== task).map((t) => t.kill("sibling task failed", event)),
      );
    }
  }

  /** Applies a newer version of the allocation from the servers. */
  async update(alloc: Allocation): Promise<void> {
    const joined = alloc.DeploymentID !== this.#alloc.DeploymentID;
    this.#alloc = alloc;
    // An in-place update into a new deployment must prove its health again.
    if (joined && alloc.DesiredStatus === "run") {
      this.#deploymentStatus = null;
      this.#trackHealth();
    }
    if (alloc.DesiredStatus !== "run") await this.stop();
  }

  /** Kills every task (the servers want the allocation stopped). */
  async stop(): Promise<void> {
    this.#health?.stop();
    await Promise.all(this.#tasks.map((task) => task.kill("allocation stopped")));
    await this.#done;
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
