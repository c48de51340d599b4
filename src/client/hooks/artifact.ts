/**
 * The artifacts prestart hook: downloads each `artifact` of the task before it
 * starts, with Nomad's task events ("Downloading Artifacts", then "Failed
 * Artifact Download" with the error). A failure fails the start, which the
 * restart policy then retries or gives up on; artifacts already fetched are
 * not fetched again on a retry.
 */

import { newTaskEvent } from "../../structs/mod.ts";
import { artifactRequest, getArtifact } from "../artifact/mod.ts";
import { interpolate, nodeVariables } from "../task_env.ts";
import { HookError, type TaskHook, type TaskHookContext } from "./mod.ts";

/** Nomad's event types and display text for artifacts. */
export const DOWNLOADING_ARTIFACTS = "Downloading Artifacts";
/** Event type of a failed download. */
export const ARTIFACT_DOWNLOAD_FAILED = "Failed Artifact Download";

/** Options of {@linkcode artifactHook}. */
export interface ArtifactHookOptions {
  /** Replaceable for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/**
 * Fetches the task's artifacts before each start until all are in place.
 *
 * @example
 * ```ts ignore
 * import { artifactHook } from "./artifact.ts";
 * const hooks = [taskDirHook(), envHook(hostEnv), artifactHook()];
 * ```
 */
export function artifactHook(options: ArtifactHookOptions = {}): TaskHook {
  const fetched = new Set<number>();
  return {
    name: "artifacts",
    async prestart(ctx: TaskHookContext): Promise<void> {
      const artifacts = ctx.task.Artifacts ?? [];
      if (artifacts.every((_, i) => fetched.has(i))) return;
      ctx.emit(newTaskEvent(DOWNLOADING_ARTIFACTS, ctx.nowNs(), {
        DisplayMessage: "Client is downloading artifacts",
      }));
      // User values may name the task's environment and the node (env first, as Nomad looks up).
      const vars = { ...nodeVariables(ctx.node), ...ctx.env };
      const paths = { taskDir: ctx.taskDir.root, sharedDir: ctx.allocDir.shared };
      for (const [index, artifact] of artifacts.entries()) {
        if (fetched.has(index)) continue;
        try {
          const request = artifactRequest(artifact, {
            paths,
            expand: (text) => interpolate(text, vars),
          });
          await getArtifact(request, {
            allocDir: ctx.allocDir.root,
            ...(options.fetch ? { fetch: options.fetch } : {}),
          });
        } catch (err) {
          const reason = err instanceof Error ? err.message : String(err);
          const message = `failed to download artifact "${artifact.GetterSource}": ${reason}`;
          throw new HookError(
            message,
            newTaskEvent(ARTIFACT_DOWNLOAD_FAILED, ctx.nowNs(), {
              DownloadError: message,
              DisplayMessage: message,
            }),
            { cause: err },
          );
        }
        fetched.add(index);
      }
    },
  };
}
