/**
 * Task runner hooks: small optional interfaces walked in order from one list.
 * A hook prepares something before the task starts or reacts after it ran.
 */

import type { TaskHandle } from "../../../drivers/driver.ts";
import type { Allocation, Node, Task, TaskEvent } from "../../structs/mod.ts";
import type { AllocDirPaths, TaskDirPaths } from "../alloc_dir.ts";
import type { HostVolumeMount } from "./volumes.ts";

/** Shared, mutable per-run context that hooks fill in for the driver. */
export interface TaskHookContext {
  alloc: Allocation;
  task: Task;
  node: Node;
  allocDir: AllocDirPaths;
  taskDir: TaskDirPaths;
  /** The environment hooks build up. */
  env: Record<string, string>;
  /** Host volume mounts the volumes hook resolved (for drivers that mount them). */
  mounts?: HostVolumeMount[];
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
  /**
   * After the runner reattached to a task that kept running while the agent
   * was away (instead of prestart/poststart): rebuild what lived in memory.
   * Failures are logged; they never stop the task.
   */
  recover?(ctx: TaskHookContext, handle: TaskHandle): Promise<void>;
}

/**
 * A hook whose module is imported on first use, so code a task may never
 * need (artifact getters, the template engine) stays out of the agent's memory.
 */
export function lazyHook(name: string, load: () => Promise<TaskHook>): TaskHook {
  let loaded: Promise<TaskHook> | null = null;
  const hook = () => loaded ??= load();
  return {
    name,
    prestart: async (ctx) => await (await hook()).prestart?.(ctx),
    poststart: async (ctx, handle) => await (await hook()).poststart?.(ctx, handle),
    exited: async (ctx) => await (await hook()).exited?.(ctx),
    stop: async (ctx) => await (await hook()).stop?.(ctx),
    recover: async (ctx, handle) => await (await hook()).recover?.(ctx, handle),
  };
}

/**
 * A hook failure that carries its own task event (Nomad's hookError): the task
 * runner records that event instead of a generic failure event.
 */
export class HookError extends Error {
  override name = "HookError";
  /** The event recorded for this failure. */
  readonly event: TaskEvent;
  /** True when retrying cannot help: the task fails without a restart. */
  readonly unrecoverable: boolean;

  /** A failure with `event` to record. */
  constructor(
    message: string,
    event: TaskEvent,
    options?: ErrorOptions & { unrecoverable?: boolean },
  ) {
    super(message, options);
    this.event = event;
    this.unrecoverable = options?.unrecoverable === true;
  }
}
