/** Builds the task directory before the first start. */

import { newTaskEvent } from "../../structs/mod.ts";
import { buildTaskDir } from "../alloc_dir.ts";
import type { TaskHook, TaskHookContext } from "./mod.ts";

/** Creates `<task>/{local,secrets,tmp}` once, with a "Task Setup" event. */
export function taskDirHook(): TaskHook {
  let built = false;
  return {
    name: "task_dir",
    async prestart(ctx: TaskHookContext): Promise<void> {
      if (built) return;
      ctx.emit(
        newTaskEvent("Task Setup", ctx.nowNs(), {
          Message: "Building Task Directory",
          DisplayMessage: "Building Task Directory",
        }),
      );
      await buildTaskDir(ctx.taskDir);
      built = true;
    },
  };
}
