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

/** Nomad's cpuset notation for reserved cores: `[0,1,2,5]` → "0-2,5". */
export function cpusetString(cores: readonly number[]): string {
  const sorted = [...new Set(cores)].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    ranges.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return ranges.join(",");
}

/** Ports of the group's (and, for old jobs, the task's) networks and the alloc's port mappings. */
function portVariables(alloc: Allocation, taskName: string): Record<string, string> {
  const env: Record<string, string> = {};
  const resources = alloc.AllocatedResources;
  // Legacy task networks: ip/port are the host's.
  for (const network of resources?.Tasks[taskName]?.Networks ?? []) {
    for (const port of [...(network.ReservedPorts ?? []), ...(network.DynamicPorts ?? [])]) {
      const label = clean(port.Label);
      env[`NOMAD_IP_${label}`] = network.IP;
      env[`NOMAD_HOST_PORT_${label}`] = String(port.Value);
      env[`NOMAD_ADDR_${label}`] = `${network.IP}:${port.Value}`;
      env[`NOMAD_PORT_${label}`] = String(port.Value);
    }
  }
  // Group networks: the mapped port (`to`) when there is one.
  for (const network of resources?.Shared.Networks ?? []) {
    for (const port of [...(network.ReservedPorts ?? []), ...(network.DynamicPorts ?? [])]) {
      const label = clean(port.Label);
      env[`NOMAD_PORT_${label}`] = String(port.To > 0 ? port.To : port.Value);
      env[`NOMAD_HOST_PORT_${label}`] = String(port.Value);
    }
  }
  for (const port of resources?.Shared.Ports ?? []) {
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

/** CPU and memory limits, from the allocated resources when present (as Nomad does). */
function resourceVariables(alloc: Allocation, task: Task): Record<string, string> {
  const allocated = alloc.AllocatedResources?.Tasks[task.Name];
  const cpu = allocated?.Cpu.CpuShares ?? task.Resources.CPU;
  const memory = allocated?.Memory.MemoryMB ?? task.Resources.MemoryMB;
  const memoryMax = allocated?.Memory.MemoryMaxMB ?? task.Resources.MemoryMaxMB;
  const cores = cpusetString(allocated?.Cpu.ReservedCores ?? []);
  const env: Record<string, string> = {};
  // Nomad leaves out limits that are zero.
  if (cpu > 0) env.NOMAD_CPU_LIMIT = String(cpu);
  if (cores !== "") env.NOMAD_CPU_CORES = cores;
  if (memory > 0) env.NOMAD_MEMORY_LIMIT = String(memory);
  if (memoryMax > 0) env.NOMAD_MEMORY_MAX_LIMIT = String(memoryMax);
  return env;
}

/** NOMAD_META_<key> as written and upper-cased, values interpolated; a dispatched job's optional meta defaults to "". */
function metaVariables(
  alloc: Allocation,
  task: Task,
  vars: Record<string, string>,
): Record<string, string> {
  const job = alloc.Job;
  const group = job?.TaskGroups.find((g) => g.Name === alloc.TaskGroup);
  const optional = job?.Dispatched === true ? job.ParameterizedJob?.MetaOptional ?? [] : [];
  const meta: Record<string, string> = {
    ...Object.fromEntries(optional.map((k) => [k, ""])),
    ...job?.Meta,
    ...group?.Meta,
    ...task.Meta,
  };
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta)) {
    const value = interpolate(v, vars);
    env[`NOMAD_META_${clean(k)}`] = value;
    env[`NOMAD_META_${clean(k).toUpperCase()}`] = value;
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
    ...resourceVariables(alloc, task),
    NOMAD_ALLOC_ID: alloc.ID,
    NOMAD_SHORT_ALLOC_ID: alloc.ID.slice(0, 8),
    NOMAD_ALLOC_NAME: alloc.Name,
    NOMAD_ALLOC_INDEX: index,
    NOMAD_TASK_NAME: task.Name,
    NOMAD_GROUP_NAME: alloc.TaskGroup,
    NOMAD_JOB_ID: job?.ID ?? alloc.JobID,
    NOMAD_JOB_NAME: job?.Name ?? alloc.JobID,
    NOMAD_DC: node.Datacenter,
    NOMAD_NAMESPACE: alloc.Namespace,
    // The client's region, as Nomad's task env builder takes it.
    NOMAD_REGION: node.Attributes["nomad.region"] ?? job?.Region ?? "global",
    ...portVariables(alloc, task.Name),
  };
  if ((job?.ParentID ?? "") !== "") nomad.NOMAD_JOB_PARENT_ID = job!.ParentID;
  const nodeVars = nodeVariables(node);
  Object.assign(nomad, metaVariables(alloc, task, { ...nomad, ...nodeVars }));
  // Host variables never override Nomad's own.
  const base: Record<string, string> = { ...options.hostEnv, ...nomad };
  const vars = { ...envAliases(base), ...base, ...nodeVars };
  const env: Record<string, string> = { ...base };
  for (const [k, v] of Object.entries(task.Env ?? {})) env[k] = interpolate(v, vars);
  return env;
}

/** `env.X` names for `${env.X}` references. */
function envAliases(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [`env.${k}`, v]));
}
