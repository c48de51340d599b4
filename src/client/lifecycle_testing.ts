/**
 * Helpers for task and allocation runner tests (not a test file itself): a real
 * raw_exec driver on a real executor, allocations of `/bin/sh` tasks, and a
 * driver wrapper that lets a test act while a call is in flight.
 */

import type {
  ExecResult,
  ExitResult,
  TaskConfig,
  TaskDriver,
  TaskHandle,
  TaskResourceUsage,
  TaskStatus,
} from "../../drivers/driver.ts";
import { type ExecutorFixture, executorFixture } from "../../drivers/executor/test_helpers.ts";
import { RawExecDriver } from "../../drivers/raw_exec/mod.ts";
import { nullLogger, seededRng } from "../core/mod.ts";
import { mockAlloc, mockJob, mockNode } from "../scheduler/testing.ts";
import type { Allocation, JsonObject, Node } from "../structs/mod.ts";
import { ClientStateDb } from "../storage/mod.ts";
import { AllocRunner } from "./alloc_runner.ts";
import type { ClientAllocUpdate } from "../fsm/mod.ts";

/** A real driver that calls `beforeStart` when a start begins and `afterStart` when it returned. */
export class ObservedDriver implements TaskDriver {
  readonly name: string;
  readonly #inner: TaskDriver;
  /** Handles returned by startTask, in order. */
  readonly started: TaskHandle[] = [];
  beforeStart: (config: TaskConfig) => void = () => {};
  afterStart: (handle: TaskHandle) => void = () => {};

  /** Wraps `inner`. */
  constructor(inner: TaskDriver) {
    this.#inner = inner;
    this.name = inner.name;
  }
  fingerprint() {
    return this.#inner.fingerprint();
  }
  async startTask(config: TaskConfig): Promise<TaskHandle> {
    this.beforeStart(config);
    const handle = await this.#inner.startTask(config);
    this.started.push(handle);
    this.afterStart(handle);
    return handle;
  }
  waitTask(taskId: string): Promise<ExitResult> {
    return this.#inner.waitTask(taskId);
  }
  stopTask(taskId: string, options: { timeoutMs: number; signal: string }): Promise<void> {
    return this.#inner.stopTask(taskId, options);
  }
  destroyTask(taskId: string, options: { force: boolean }): Promise<void> {
    return this.#inner.destroyTask(taskId, options);
  }
  recoverTask(handle: TaskHandle): Promise<void> {
    return this.#inner.recoverTask(handle);
  }
  inspectTask(taskId: string): Promise<TaskStatus> {
    return this.#inner.inspectTask(taskId);
  }
  signalTask(taskId: string, signal: string): Promise<void> {
    return this.#inner.signalTask(taskId, signal);
  }
  execTask(taskId: string, command: string[], options: { timeoutMs: number }): Promise<ExecResult> {
    return this.#inner.execTask(taskId, command, options);
  }
  taskStats(taskId: string): Promise<TaskResourceUsage> {
    return this.#inner.taskStats(taskId);
  }
  shutdown(options: { destroyTasks: boolean }): Promise<void> {
    return this.#inner.shutdown(options);
  }
}

/** A real raw_exec driver on a fresh executor, plus a temp alloc root and state DB. */
export interface RunnerFixture {
  executor: ExecutorFixture;
  driver: ObservedDriver;
  allocRoot: string;
  stateDb: ClientStateDb;
  node: Node;
  cleanup(): Promise<void>;
}

/** Makes a {@linkcode RunnerFixture}. */
export async function runnerFixture(): Promise<RunnerFixture> {
  const executor = await executorFixture();
  const driver = new ObservedDriver(
    new RawExecDriver({ executor: () => executor.connect(), enabled: true }),
  );
  const allocRoot = `${executor.dir}/allocs`;
  await Deno.mkdir(allocRoot, { recursive: true });
  const stateDb = new ClientStateDb(":memory:");
  return {
    executor,
    driver,
    allocRoot,
    stateDb,
    node: mockNode(),
    async cleanup() {
      await driver.shutdown({ destroyTasks: true }).catch(() => {});
      stateDb.close();
      await executor.cleanup();
    },
  };
}

/** A raw_exec task running `sh -c script`, with optional extra task fields. */
export function shellTask(name: string, script: string, extra: JsonObject = {}): JsonObject {
  return {
    Name: name,
    Driver: "raw_exec",
    Config: { command: "/bin/sh", args: ["-c", script] },
    Resources: { CPU: 100, MemoryMB: 64 },
    ...extra,
  };
}

/** An allocation of a one-group job of `type` with `tasks` and a no-restart policy. */
export function allocationOf(
  fixture: RunnerFixture,
  options: { type?: string; tasks: JsonObject[]; group?: JsonObject },
): Allocation {
  const job = mockJob({
    Type: options.type ?? "batch",
    TaskGroups: [{
      Name: "g",
      Count: 1,
      RestartPolicy: { Attempts: 0, Mode: "fail", Delay: 1e9, Interval: 60e9 },
      Tasks: options.tasks,
      ...options.group,
    }],
  });
  return mockAlloc(job, fixture.node);
}

/** An allocation runner on the fixture that records every update it reports. */
export function allocRunnerOf(
  fixture: RunnerFixture,
  alloc: Allocation,
): { runner: AllocRunner; updates: ClientAllocUpdate[] } {
  const updates: ClientAllocUpdate[] = [];
  const runner = new AllocRunner({
    alloc,
    node: fixture.node,
    drivers: new Map([[fixture.driver.name, fixture.driver]]),
    allocRoot: fixture.allocRoot,
    stateDb: fixture.stateDb,
    nowNs: () => Date.now() * 1e6,
    rng: seededRng(1),
    logger: nullLogger,
    hostEnv: () => ({ PATH: "/usr/bin:/bin" }),
    onUpdate: (update) => updates.push(update),
  });
  return { runner, updates };
}

/** Resolves with `promise`, or rejects after `limitMs` naming `what` (a hang guard, not a timing check). */
export async function within<T>(what: string, promise: Promise<T>, limitMs = 30_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not happen within ${limitMs}ms`)),
      limitMs,
    );
  });
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
}
