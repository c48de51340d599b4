/**
 * The task environment: NOMAD_* variables, ports, the task's `env` block with
 * runtime interpolation of `${NOMAD_*}`, `${attr.*}`, `${node.*}`, `${meta.*}`.
 */

import type { Allocation, Node, Task } from "../structs/mod.ts";
import type { AllocDirPaths, TaskDirPaths } from "./alloc_dir.ts";

/** Keys that may only hold `[A-Za-z0-9_]` (Nomad's CleanEnvVar). */
function clean(key: string): string {
  return key.replace(/[^A-Za-z0-9_]/g, "_");
}

/** Values `${...}` may refer to on a node: node.*, attr.*, meta.*. */
export function nodeVariables(node: Node): Record<string, string> {
  const vars: Record<string, string> = {
    "node.unique.id": node.ID,
    "node.unique.name": node.Name,
    "node.datacenter": node.Datacenter,
    "node.region": node.Attributes["nomad.region"] ?? "global",
    "node.class": node.NodeClass,
    "node.pool": node.NodePool,
  };
  for (const [k, v] of Object.entries(node.Attributes)) {
    vars[`attr.${k}`] = v;
    vars[`node.attr.${k}`] = v;
  }
  for (const [k, v] of Object.entries(node.Meta)) {
    vars[`meta.${k}`] = v;
    vars[`node.meta.${k}`] = v;
  }
  return vars;
}

/**
 * Replaces `${name}` with values from `vars` (also `${env["name"]}`); unknown names stay as written.
 *
 * @example
 * ```ts
 * import { interpolate } from "./task_env.ts";
 * interpolate("port ${NOMAD_PORT_http}", { NOMAD_PORT_http: "8080" }); // "port 8080"
 * ```
 */
export function interpolate(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{(?:env\["([^"]+)"\]|([a-zA-Z0-9_\-.]+))\}/g, (whole, envKey, name) => {
    const key = (envKey ?? name) as string;
    return vars[key] ?? whole;
  });
}

/** Interpolates every string inside a driver config value. */
export function interpolateConfig(value: unknown, vars: Record<string, string>): unknown {
  if (typeof value === "string") return interpolate(value, vars);
  if (Array.isArray(value)) return value.map((v) => interpolateConfig(v, vars));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolateConfig(v, vars)]),
    );
  }
  return value;
}

function portVariables(alloc: Allocation): Record<string, string> {
  const env: Record<string, string> = {};
  for (const port of alloc.AllocatedResources?.Shared.Ports ?? []) {
    const label = clean(port.Label);
    const mapped = port.To > 0 ? port.To : port.Value;
    env[`NOMAD_IP_${label}`] = port.HostIP;
    env[`NOMAD_HOST_IP_${label}`] = port.HostIP;
    env[`NOMAD_PORT_${label}`] = String(mapped);
    env[`NOMAD_ALLOC_PORT_${label}`] = String(mapped);
    env[`NOMAD_HOST_PORT_${label}`] = String(port.Value);
    env[`NOMAD_ADDR_${label}`] = `${port.HostIP}:${port.Value}`;
    env[`NOMAD_HOST_ADDR_${label}`] = `${port.HostIP}:${port.Value}`;
  }
  return env;
}

/** Builds a task's full environment. `hostEnv` is included for drivers without isolation. */
export function buildTaskEnv(
  options: {
    alloc: Allocation;
    task: Task;
    node: Node;
    allocDir: AllocDirPaths;
    taskDir: TaskDirPaths;
    hostEnv: Record<string, string>;
  },
): Record<string, string> {
  const { alloc, task, node, allocDir, taskDir } = options;
  const job = alloc.Job;
  const index = /\[(\d+)\]$/.exec(alloc.Name)?.[1] ?? "0";
  const nomad: Record<string, string> = {
    NOMAD_ALLOC_DIR: allocDir.shared,
    NOMAD_TASK_DIR: taskDir.local,
    NOMAD_SECRETS_DIR: taskDir.secrets,
    NOMAD_MEMORY_LIMIT: String(task.Resources.MemoryMB),
    NOMAD_CPU_LIMIT: String(task.Resources.CPU),
    NOMAD_ALLOC_ID: alloc.ID,
    NOMAD_SHORT_ALLOC_ID: alloc.ID.slice(0, 8),
    NOMAD_ALLOC_NAME: alloc.Name,
    NOMAD_ALLOC_INDEX: index,
    NOMAD_TASK_NAME: task.Name,
    NOMAD_GROUP_NAME: alloc.TaskGroup,
    NOMAD_JOB_ID: alloc.JobID,
    NOMAD_JOB_NAME: job?.Name ?? alloc.JobID,
    NOMAD_JOB_PARENT_ID: job?.ParentID ?? "",
    NOMAD_DC: node.Datacenter,
    NOMAD_NAMESPACE: alloc.Namespace,
    NOMAD_REGION: job?.Region ?? "global",
    ...portVariables(alloc),
  };
  if (task.Resources.MemoryMaxMB > 0) {
    nomad.NOMAD_MEMORY_MAX_LIMIT = String(task.Resources.MemoryMaxMB);
  }
  const group = job?.TaskGroups.find((g) => g.Name === alloc.TaskGroup);
  const meta = { ...job?.Meta, ...group?.Meta, ...task.Meta };
  for (const [k, v] of Object.entries(meta)) {
    nomad[`NOMAD_META_${clean(k)}`] = v;
    nomad[`NOMAD_META_${clean(k).toUpperCase()}`] = v;
  }
  const vars = { ...nodeVariables(node), ...options.hostEnv, ...nomad };
  const env: Record<string, string> = { ...options.hostEnv, ...nomad };
  for (const [k, v] of Object.entries(task.Env ?? {})) env[k] = interpolate(v, vars);
  return env;
}
