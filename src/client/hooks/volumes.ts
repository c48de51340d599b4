/**
 * The volumes prestart hook: the group's `volume "x" { type = "host" }`
 * requests and the task's `volume_mount` blocks become host-path mounts.
 *
 * What is enforced depends on the mounter:
 * - {@linkcode symlinkMounter} (drivers without filesystem isolation, i.e.
 *   raw_exec): a symlink at `<task dir>/<destination>` pointing at the host
 *   volume's path. Nomad's raw_exec ignores `volume_mount` entirely (it has no
 *   mount namespace); the link only makes the volume reachable at a stable
 *   path. `read_only` is NOT enforced: the task can write wherever its Unix
 *   user can, on the volume as anywhere else on the host.
 * - a bind mounter (the exec driver's executor, issue 6) receives the same
 *   {@linkcode HostVolumeMount} list and bind-mounts each one inside the task's
 *   mount namespace, read-only when `readOnly` is set.
 *
 * Always enforced: the volume must exist on the node (as Nomad re-checks at
 * start, in case the client lost its configuration), and the destination must
 * stay inside the task directory.
 */

import { dirname, join, resolve } from "../../core/path.ts";
import { newTaskEvent, type Node, type Task, type TaskGroup } from "../../structs/mod.ts";
import { isWithin } from "../artifact/mod.ts";
import { HookError, type TaskHook, type TaskHookContext } from "./mod.ts";

/** One host path to make available inside a task. */
export interface HostVolumeMount {
  /** The group volume's name (`volume "<name>"`). */
  volume: string;
  /** Absolute path on the host (the client's `host_volume { path }`). */
  hostPath: string;
  /** `volume_mount { destination }` as written (a path in the task's view). */
  taskPath: string;
  /** Read-only when the host volume, the group request or the mount says so. */
  readOnly: boolean;
}

/** Carries out mounts for one task. */
export interface VolumeMounter {
  readonly name: string;
  /** Makes `mounts` available under `taskDir`; called before every start. */
  mount(mounts: readonly HostVolumeMount[], taskDir: string): Promise<void>;
}

/** A volume request or mount that cannot be satisfied on this node. */
export class VolumeMountError extends Error {
  override name = "VolumeMountError";
}

/**
 * The host volume mounts of `task` (pure). Throws a {@linkcode VolumeMountError}
 * when a requested host volume is missing from the node or a mount names no
 * group volume.
 *
 * @example
 * ```ts ignore
 * import { hostVolumeMounts } from "./volumes.ts";
 * hostVolumeMounts(group, task, node); // [{ volume: "data", hostPath: "/srv/data", ... }]
 * ```
 */
export function hostVolumeMounts(
  group: Pick<TaskGroup, "Volumes">,
  task: Pick<Task, "VolumeMounts">,
  node: Pick<Node, "HostVolumes">,
): HostVolumeMount[] {
  const requests = group.Volumes ?? {};
  const hostVolumes = node.HostVolumes ?? {};
  const missing = Object.values(requests)
    .filter((r) => r.Type === "host" && hostVolumes[r.Source] === undefined)
    .map((r) => `missing ${r.Source}`);
  if (missing.length > 0) {
    throw new VolumeMountError(`host volume validation error: ${missing.join(", ")}`);
  }
  const mounts: HostVolumeMount[] = [];
  for (const mount of task.VolumeMounts ?? []) {
    const request = requests[mount.Volume];
    if (request === undefined) {
      throw new VolumeMountError(`No group volume declaration found named: ${mount.Volume}`);
    }
    if (request.Type !== "host") continue;
    const host = hostVolumes[request.Source]!;
    mounts.push({
      volume: mount.Volume,
      hostPath: host.Path,
      taskPath: mount.Destination,
      readOnly: host.ReadOnly || request.ReadOnly || mount.ReadOnly,
    });
  }
  return mounts;
}

/** Where a mount's destination lies on the host: inside the task directory, or an error. */
export function mountTarget(taskDir: string, taskPath: string): string {
  const root = resolve(taskDir);
  const target = resolve(join(root, taskPath));
  if (target === root || !isWithin(root, target)) {
    throw new VolumeMountError(
      `volume_mount destination "${taskPath}" must be a path inside the task directory`,
    );
  }
  return target;
}

/**
 * Links each destination to its host path (no isolation: see the module doc;
 * `readOnly` is not enforced). An existing link to the same path is kept.
 */
export function symlinkMounter(): VolumeMounter {
  return {
    name: "symlink",
    async mount(mounts: readonly HostVolumeMount[], taskDir: string): Promise<void> {
      for (const mount of mounts) {
        const target = mountTarget(taskDir, mount.taskPath);
        const existing = await Deno.lstat(target).catch(() => null);
        if (existing?.isSymlink === true) {
          if (await Deno.readLink(target) === mount.hostPath) continue;
          await Deno.remove(target);
        } else if (existing !== null) {
          throw new VolumeMountError(
            `volume_mount destination "${mount.taskPath}" already exists in the task directory`,
          );
        }
        await Deno.mkdir(dirname(target), { recursive: true, mode: 0o755 });
        await Deno.symlink(mount.hostPath, target);
      }
    },
  };
}

/**
 * Mounts the task's host volumes before each start; the mounts are also left
 * in `ctx.mounts` for drivers that mount them themselves.
 */
export function volumesHook(mounter: VolumeMounter = symlinkMounter()): TaskHook {
  return {
    name: "volumes",
    async prestart(ctx: TaskHookContext): Promise<void> {
      const group = ctx.alloc.Job?.TaskGroups.find((g) => g.Name === ctx.alloc.TaskGroup);
      if (group === undefined) return;
      try {
        const mounts = hostVolumeMounts(group, ctx.task, ctx.node);
        ctx.mounts = mounts;
        if (mounts.length > 0) await mounter.mount(mounts, ctx.taskDir.root);
      } catch (err) {
        // Nomad records a failing hook as "Task hook failed" with "<hook>: <error>".
        const message = `volumes: ${err instanceof Error ? err.message : String(err)}`;
        const event = newTaskEvent("Task hook failed", ctx.nowNs(), {
          Message: message,
          DisplayMessage: message,
        });
        throw new HookError(message, event, { cause: err });
      }
    },
  };
}
