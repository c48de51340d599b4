/**
 * Task runner hooks: small optional interfaces walked in order from one list.
 * A hook prepares something before the task starts or reacts after it ran.
 */

import type { TaskHandle } from "../../../drivers/driver.ts";
import type { Allocation, Node, Task, TaskEvent } from "../../structs/mod.ts";
import type { AllocDirPaths, TaskDirPaths } from "../alloc_dir.ts";

/** Shared, mutable per-run context that hooks fill in for the driver. */
export interface TaskHookContext {
  alloc: Allocation;
  task: Task;
  node: Node;
  allocDir: AllocDirPaths;
  taskDir: TaskDirPaths;
  /** The environment hooks build up. */
  env: Record<string, string>;
  /** Records a task event. */
  emit: (event: TaskEvent) => void;
  nowNs: () => number;
}

/** A task runner hook; every method is optional. */
export interface TaskHook {
  readonly name: string;
  /** Before each start; throwing fails the start like a driver error. */
  prestart?(ctx: TaskHookContext): Promise<void>;
  /** After the driver started the task. */
  poststart?(ctx: TaskHookContext, handle: TaskHandle): Promise<void>;
  /** After the task exited (before a restart decision). */
  exited?(ctx: TaskHookContext): Promise<void>;
  /** When the task is being stopped for good. */
  stop?(ctx: TaskHookContext): Promise<void>;
}
