/**
 * The dispatch_payload task hook: before a dispatched job's task starts, the
 * job's payload (snappy-compressed, base64 on the wire) is decoded and written
 * to `local/<file>` of the task directory, as Nomad's dispatch hook does.
 */

import { decodeBase64 } from "../core/base64.ts";
import { snappyDecode } from "../core/snappy.ts";
import type { Job, Task } from "../structs/mod.ts";
import type { TaskHook, TaskHookContext } from "./hooks/mod.ts";

/** Where the payload goes and its decoded bytes, or null when the task gets none. */
export function dispatchPayloadFile(
  job: Pick<Job, "Payload"> | null,
  task: Pick<Task, "DispatchPayload">,
  localDir: string,
): { path: string; data: Uint8Array } | null {
  const file = task.DispatchPayload?.File ?? "";
  if (job === null || job.Payload === null || job.Payload === "" || file === "") return null;
  // Validation keeps `file` inside local/ (see structs/validate.ts).
  const path = `${localDir}/${file.replace(/^\/+/, "")}`;
  return { path, data: snappyDecode(decodeBase64(job.Payload)) };
}

/** Writes the dispatch payload into the task's local directory before each start. */
export function dispatchPayloadHook(): TaskHook {
  return {
    name: "dispatch_payload",
    async prestart(ctx: TaskHookContext): Promise<void> {
      const target = dispatchPayloadFile(ctx.alloc.Job, ctx.task, ctx.taskDir.local);
      if (target === null) return;
      const dir = target.path.slice(0, target.path.lastIndexOf("/"));
      await Deno.mkdir(dir, { recursive: true, mode: 0o777 });
      await Deno.writeFile(target.path, target.data, { mode: 0o777 });
    },
  };
}
