/**
 * Operator actions on a running allocation's tasks (`nomad alloc signal`,
 * `nomad alloc restart`, `nomad alloc exec`), with Nomad's task events and
 * error texts.
 */

import type { ExecSession } from "../../drivers/driver.ts";
import { formatMultiError } from "../core/errors.ts";
import { newTaskEvent } from "../structs/mod.ts";
import { TaskNotRunningError, type TaskRunner } from "./task_runner.ts";

/** Nomad's restart reasons, by what was asked. */
export const RESTART_REASONS = {
  task: "User requested task to restart",
  all: "User requested all tasks to restart",
  running: "User requested running tasks to restart",
} as const;

/** An action refused for a reason the user can fix; `code` is the HTTP status. */
export class TaskActionError extends Error {
  override name = "TaskActionError";
  /** HTTP status code. */
  readonly code: number;

  /** @param code HTTP status; `message` is Nomad's text */
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * Sends `signal` to one task, or to every task when `taskName` is empty (the
 * failures of all of them are reported together, as Nomad's multierror).
 */
export async function signalTasks(
  tasks: readonly TaskRunner[],
  taskName: string,
  signal: string,
): Promise<void> {
  if (taskName !== "") {
    const runner = tasks.find((t) => t.name === taskName);
    if (runner === undefined) throw new TaskActionError(500, "Task not found");
    return await runner.signal(signal);
  }
  const failures: string[] = [];
  for (const runner of tasks) {
    await runner.signal(signal).catch((error) => {
      failures.push(`Failed to signal task: ${runner.name}, err: ${(error as Error).message}`);
    });
  }
  if (failures.length > 0) throw new TaskActionError(500, formatMultiError(failures));
}

/**
 * Restarts one task (which must be running), or every running task. Tasks that
 * are not running are skipped when no task is named, as in Nomad.
 */
export async function restartTasks(
  tasks: readonly TaskRunner[],
  request: { taskName: string; allTasks: boolean; nowNs: number },
): Promise<void> {
  const { taskName, allTasks, nowNs } = request;
  if (allTasks && taskName !== "") {
    throw new TaskActionError(500, "task name cannot be set when restarting all tasks");
  }
  const event = (reason: string) =>
    newTaskEvent("Restart Signaled", nowNs, { RestartReason: reason, DisplayMessage: reason });
  if (taskName !== "") {
    const runner = tasks.find((t) => t.name === taskName);
    if (runner === undefined) {
      throw new TaskActionError(500, `Could not find task runner for task: ${taskName}`);
    }
    return await runner.restartByUser(event(RESTART_REASONS.task));
  }
  const reason = allTasks ? RESTART_REASONS.all : RESTART_REASONS.running;
  const failures: string[] = [];
  await Promise.all(tasks.map(async (runner) => {
    try {
      await runner.restartByUser(event(reason));
    } catch (error) {
      if (error instanceof TaskNotRunningError) return;
      failures.push(`failed to restart task ${runner.name}: ${(error as Error).message}`);
    }
  }));
  if (failures.length > 0) throw new TaskActionError(500, formatMultiError(failures));
}

/**
 * Starts an exec session in a task, after Nomad's checks: the task exists (400),
 * has started (404) and is running (404).
 */
export function execInTask(
  tasks: readonly TaskRunner[],
  request: { taskName: string; command: string[]; tty: boolean },
): Promise<ExecSession> {
  const { taskName, command, tty } = request;
  const runner = tasks.find((t) => t.name === taskName);
  if (runner === undefined) {
    throw new TaskActionError(400, `unknown task name ${JSON.stringify(taskName)}`);
  }
  if (runner.state.StartedAt === null) {
    throw new TaskActionError(404, `task ${JSON.stringify(taskName)} not started yet.`);
  }
  try {
    return runner.execStreaming(command, { tty });
  } catch (error) {
    if (error instanceof TaskNotRunningError) {
      throw new TaskActionError(404, `task ${JSON.stringify(taskName)} is not running.`);
    }
    throw error;
  }
}

/** The actions above bound to one allocation's tasks, as the HTTP API calls them. */
export function allocationActions(tasks: readonly TaskRunner[], nowNs: () => number): {
  exec: (request: { task: string; command: string[]; tty: boolean }) => Promise<ExecSession>;
  signal: (task: string, signal: string) => Promise<void>;
  restart: (task: string, allTasks: boolean) => Promise<void>;
} {
  return {
    exec: (request) => execInTask(tasks, { ...request, taskName: request.task }),
    signal: (task, signal) => signalTasks(tasks, task, signal),
    restart: (task, allTasks) => restartTasks(tasks, { taskName: task, allTasks, nowNs: nowNs() }),
  };
}
