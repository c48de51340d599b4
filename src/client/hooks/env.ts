/** Builds the task environment (NOMAD_* and the task's `env` block) before each start. */

import { buildTaskEnv } from "../task_env.ts";
import type { TaskHook, TaskHookContext } from "./mod.ts";

/** Fills `ctx.env`; `hostEnv` is passed through for drivers without isolation. */
export function envHook(hostEnv: () => Record<string, string>): TaskHook {
  const build = (ctx: TaskHookContext): Promise<void> => {
    ctx.env = buildTaskEnv({
      alloc: ctx.alloc,
      task: ctx.task,
      node: ctx.node,
      allocDir: ctx.allocDir,
      taskDir: ctx.taskDir,
      hostEnv: hostEnv(),
    });
    return Promise.resolve();
  };
  // A reattached task gets its environment again (services and templates interpolate it).
  return { name: "env", prestart: build, recover: build };
}
