/** Pure formatting of `nomad alloc status` sections from an allocation. */

import type { Allocation, TaskEvent, TaskState } from "../../structs/mod.ts";
import {
  formatGoDuration,
  formatKV,
  formatList,
  formatListWithSpaces,
  formatTime,
  formatUnixNanoTime,
  humanizeIBytes,
  limit,
  parseApiTime,
  prettyTimeDiff,
  quote,
} from "../format.ts";

const BYTES_PER_MB = 1024 * 1024;

/** The `Key = Value` header of an allocation. */
export function formatAllocBasics(
  alloc: Allocation,
  options: { length: number; verbose: boolean; nowMs: number },
): string {
  const time = (ns: number) =>
    options.verbose ? formatUnixNanoTime(ns) : prettyTimeDiff(ns / 1e6, options.nowMs);
  const lines = [
    `ID|${alloc.ID}`,
    `Eval ID|${limit(alloc.EvalID, options.length)}`,
    `Name|${alloc.Name}`,
    `Node ID|${limit(alloc.NodeID, options.length)}`,
    `Node Name|${alloc.NodeName}`,
    `Job ID|${alloc.JobID}`,
    `Job Version|${alloc.Job?.Version ?? 0}`,
    `Client Status|${alloc.ClientStatus}`,
    `Client Description|${alloc.ClientDescription}`,
    `Desired Status|${alloc.DesiredStatus}`,
    `Desired Description|${alloc.DesiredDescription}`,
    `Created|${time(alloc.CreateTime)}`,
    `Modified|${time(alloc.ModifyTime)}`,
  ];
  if (alloc.DeploymentID) {
    const healthy = alloc.DeploymentStatus?.Healthy;
    const health = healthy === true ? "healthy" : healthy === false ? "unhealthy" : "unset";
    lines.push(
      `Deployment ID|${limit(alloc.DeploymentID, options.length)}`,
      `Deployment Health|${health}`,
    );
    if (alloc.DeploymentStatus?.Canary) lines.push("Canary|true");
  }
  if (alloc.NextAllocation) {
    lines.push(`Replacement Alloc ID|${limit(alloc.NextAllocation, options.length)}`);
  }
  if (options.verbose && alloc.Metrics) {
    const m = alloc.Metrics;
    lines.push(
      `Evaluated Nodes|${m.NodesEvaluated}`,
      `Filtered Nodes|${m.NodesFiltered}`,
      `Exhausted Nodes|${m.NodesExhausted}`,
      `Allocation Time|${formatGoDuration(m.AllocationTime)}`,
      `Failures|${m.CoalescedFailures}`,
    );
  }
  return formatKV(lines);
}

/** The `-short` header: ID, name and ages. */
export function formatAllocShortInfo(alloc: Allocation, nowMs: number): string {
  return formatKV([
    `ID|${alloc.ID}`,
    `Name|${alloc.Name}`,
    `Created|${prettyTimeDiff(alloc.CreateTime / 1e6, nowMs)}`,
    `Modified|${prettyTimeDiff(alloc.ModifyTime / 1e6, nowMs)}`,
  ]);
}

/** The `-short` task table: last event of each task and its lifecycle. */
export function formatShortTasks(alloc: Allocation): string {
  const group = alloc.Job?.TaskGroups?.find((g) => g.Name === alloc.TaskGroup);
  const rows = sortedTaskNames(alloc).map((task) => {
    const state = alloc.TaskStates?.[task];
    const last = state?.Events?.[state.Events.length - 1];
    const lifecycle = group?.Tasks?.find((t) => t.Name === task)?.Lifecycle;
    const kind = lifecycle && lifecycle.Hook !== ""
      ? `${lifecycle.Hook}${lifecycle.Sidecar ? " sidecar" : ""}`
      : "main";
    return [
      task,
      state?.State ?? "",
      last?.Type ?? "",
      last ? formatUnixNanoTime(last.Time) : "",
      kind,
    ].join("|");
  });
  return formatList(["Name|State|Last Event|Time|Lifecycle", ...rows]);
}

/** "Allocation Addresses" when the allocation has ports; "" otherwise. */
export function formatAllocAddresses(alloc: Allocation): string {
  const shared = alloc.AllocatedResources?.Shared;
  const network = shared?.Networks?.[0];
  const networkPorts = [...(network?.DynamicPorts ?? []), ...(network?.ReservedPorts ?? [])];
  const ports = shared?.Ports ?? [];
  if (networkPorts.length === 0 && ports.length === 0) return "";
  const row = (label: string, value: number, to: number, host: string) =>
    `${label}|yes|${host}:${value}${to > 0 ? ` -> ${to}` : ""}`;
  const rows = ports.length > 0
    ? ports.map((p) => row(`*${p.Label}`, p.Value, p.To, p.HostIP))
    : networkPorts.map((p) => row(p.Label, p.Value, p.To, network?.IP ?? ""));
  const mode = network?.Mode ? ` (mode = ${quote(network.Mode)})` : "";
  return `Allocation Addresses${mode}:\n${formatList(["Label|Dynamic|Address", ...rows])}`;
}

/** Task names ordered like Nomad: prestart tasks, then sidecars, then main tasks, by name. */
export function sortedTaskNames(alloc: Allocation): string[] {
  const lifecycles = new Map<string, { Hook: string; Sidecar: boolean } | null>();
  const group = alloc.Job?.TaskGroups?.find((g) => g.Name === alloc.TaskGroup);
  for (const task of group?.Tasks ?? []) lifecycles.set(task.Name, task.Lifecycle);
  const names = Object.keys(alloc.TaskStates ?? {}).sort();
  const rank = (name: string) => {
    const lifecycle = lifecycles.get(name);
    if (!lifecycle) return 2;
    return lifecycle.Sidecar ? 1 : 0;
  };
  return names.sort((a, b) => rank(a) - rank(b));
}

/** `Task "web" is "running"` (with ` (prestart)` style lifecycle tags). */
export function taskHeading(alloc: Allocation, task: string, state: TaskState): string {
  const group = alloc.Job?.TaskGroups?.find((g) => g.Name === alloc.TaskGroup);
  const lifecycle = group?.Tasks?.find((t) => t.Name === task)?.Lifecycle;
  const tag = lifecycle && lifecycle.Hook !== ""
    ? ` (${lifecycle.Hook}${lifecycle.Sidecar ? " sidecar" : ""})`
    : "";
  return `Task ${quote(task)}${tag} is ${quote(state.State)}`;
}

/** The "Task Resources:" table, or "" when the allocation has no resources for the task. */
export function formatTaskResources(alloc: Allocation, task: string): string {
  const resources = alloc.AllocatedResources?.Tasks?.[task];
  if (resources === undefined) return "";
  const addresses: string[] = [];
  for (const network of resources.Networks ?? []) {
    for (const port of [...(network.DynamicPorts ?? []), ...(network.ReservedPorts ?? [])]) {
      addresses.push(`${port.Label}: ${network.IP}:${port.Value}`);
    }
  }
  const memoryMB = resources.Memory.MemoryMB;
  const maxMB = resources.Memory.MemoryMaxMB;
  const memMax = maxMB !== 0 && maxMB !== memoryMB
    ? `Max: ${humanizeIBytes(maxMB * BYTES_PER_MB)}`
    : "";
  const disk = humanizeIBytes((alloc.AllocatedResources?.Shared.DiskMB ?? 0) * BYTES_PER_MB);
  const rows = [
    "CPU|Memory|Disk|Addresses",
    `${resources.Cpu.CpuShares} MHz|${humanizeIBytes(memoryMB * BYTES_PER_MB)}|${disk}|${
      addresses[0] ?? ""
    }`,
  ];
  if (memMax !== "" || addresses.length > 1) rows.push(`|${memMax}||${addresses[1] ?? ""}`);
  for (const address of addresses.slice(2)) rows.push(`|||${address}`);
  return `Task Resources:\n${formatListWithSpaces(rows)}`;
}

/** "Task Events:" and "Recent Events:" of one task, newest event first. */
export function formatTaskStatus(state: TaskState): string {
  const taskTime = (text: string | null) => {
    const ms = parseApiTime(text);
    return ms === 0 ? "N/A" : formatTime(ms);
  };
  const basics = formatKV([
    `Started At|${taskTime(state.StartedAt)}`,
    `Finished At|${taskTime(state.FinishedAt)}`,
    `Total Restarts|${state.Restarts}`,
    `Last Restart|${taskTime(state.LastRestart)}`,
  ]);
  const events = [...(state.Events ?? [])].reverse().map((event) => {
    const message = event.DisplayMessage || buildDisplayMessage(event);
    return `${formatUnixNanoTime(event.Time)}|${event.Type}|${message}`;
  });
  return `Task Events:\n${basics}\n\nRecent Events:\n${
    formatList(["Time|Type|Description", ...events])
  }`;
}

/** Describes an event that carries no display message (older clients). */
export function buildDisplayMessage(event: TaskEvent): string {
  switch (event.Type) {
    case "Task Setup":
      return event.Message;
    case "Started":
      return "Task started by client";
    case "Received":
      return "Task received by client";
    case "Failed Validation":
      return event.ValidationError || "Validation of task failed";
    case "Setup Failure":
      return event.SetupError || "Task setup failed";
    case "Driver Failure":
      return event.DriverError || "Failed to start task";
    case "Downloading Artifacts":
      return "Client is downloading artifacts";
    case "Failed Artifact Download":
      return event.DownloadError || "Failed to download artifacts";
    case "Killing":
      if (event.KillReason) return `Killing task: ${event.KillReason}`;
      if (event.KillTimeout) {
        return `Sent interrupt. Waiting ${
          formatGoDuration(event.KillTimeout)
        } before force killing`;
      }
      return "Sent interrupt";
    case "Killed":
      return event.KillError || "Task successfully killed";
    case "Terminated":
      return terminatedMessage(event);
    default:
      return otherEventMessage(event);
  }
}

function terminatedMessage(event: TaskEvent): string {
  const parts = [`Exit Code: ${event.ExitCode}`];
  if (event.Signal !== 0) parts.push(`Signal: ${event.Signal}`);
  if (event.Message) parts.push(`Exit Message: ${quote(event.Message)}`);
  return parts.join(", ");
}

function otherEventMessage(event: TaskEvent): string {
  switch (event.Type) {
    case "Restarting": {
      const delay = `Task restarting in ${formatGoDuration(event.StartDelay)}`;
      const reason = event.RestartReason;
      return reason && reason !== "Restart within policy" ? `${reason} - ${delay}` : delay;
    }
    case "Not Restarting":
      return event.RestartReason || "Task exceeded restart policy";
    case "Sibling Task Failed":
      return event.FailedSibling
        ? `Task's sibling ${quote(event.FailedSibling)} failed`
        : "Task's sibling failed";
    case "Signaling":
      return signalingMessage(event);
    case "Restart Signaled":
      return event.RestartReason || "Task signaled to restart";
    case "Driver":
      return event.DriverMessage;
    case "Leader Task Dead":
      return "Leader Task in Group dead";
    case "Reconnected":
      return "Client reconnected";
    default:
      return event.Message;
  }
}

function signalingMessage(event: TaskEvent): string {
  const signal = event.TaskSignal;
  const reason = event.TaskSignalReason;
  if (signal === "" && reason === "") return "Task being sent a signal";
  if (signal === "") return reason;
  if (reason === "") return `Task being sent signal ${signal}`;
  return `Task being sent signal ${signal}: ${reason}`;
}
