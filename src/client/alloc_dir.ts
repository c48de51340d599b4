/** Allocation directories: `<alloc>/alloc/{data,logs,tmp}` and `<alloc>/<task>/{local,secrets,tmp}`. */

/** Paths of one allocation's directory tree. */
export interface AllocDirPaths {
  root: string;
  shared: string;
  logs: string;
}

/** Paths of one task's directory. */
export interface TaskDirPaths {
  root: string;
  local: string;
  secrets: string;
  tmp: string;
}

/** Paths for an allocation under `allocRoot` (the client's alloc_dir). */
export function allocDirPaths(allocRoot: string, allocID: string): AllocDirPaths {
  const root = `${allocRoot}/${allocID}`;
  return { root, shared: `${root}/alloc`, logs: `${root}/alloc/logs` };
}

/** Paths for a task inside an allocation directory. */
export function taskDirPaths(alloc: AllocDirPaths, task: string): TaskDirPaths {
  const root = `${alloc.root}/${task}`;
  return { root, local: `${root}/local`, secrets: `${root}/secrets`, tmp: `${root}/tmp` };
}

/** Creates the shared part of an allocation directory. */
export async function buildAllocDir(paths: AllocDirPaths): Promise<void> {
  for (const dir of [paths.shared, `${paths.shared}/data`, paths.logs, `${paths.shared}/tmp`]) {
    await Deno.mkdir(dir, { recursive: true, mode: 0o755 });
  }
}

/** Creates a task directory; secrets are private to the task's user. */
export async function buildTaskDir(paths: TaskDirPaths): Promise<void> {
  await Deno.mkdir(paths.local, { recursive: true, mode: 0o777 });
  await Deno.mkdir(paths.tmp, { recursive: true, mode: 0o777 });
  await Deno.mkdir(paths.secrets, { recursive: true, mode: 0o700 });
}

/** Removes an allocation directory. */
export async function destroyAllocDir(paths: AllocDirPaths): Promise<void> {
  await Deno.remove(paths.root, { recursive: true }).catch(() => {});
}
