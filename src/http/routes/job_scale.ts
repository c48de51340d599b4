/** `GET /v1/job/:id/scale`: a job's groups with their desired and actual counts. */

import type { StateSnapshot } from "../../state/mod.ts";
import { allocTerminal, type JobScaleStatus } from "../../structs/mod.ts";

/**
 * Nomad's Job.ScaleStatus: per group the desired count and, over live
 * non-canary allocations, how many are placed, running, healthy and
 * unhealthy. Undefined when the job does not exist.
 *
 * @example
 * ```ts
 * import { jobScaleStatus } from "./job_scale.ts";
 * // jobScaleStatus(snapshot, "default", "web")?.TaskGroups.web.Desired
 * ```
 */
export function jobScaleStatus(
  snapshot: StateSnapshot,
  namespace: string,
  id: string,
): { value: JobScaleStatus | undefined; index: number } {
  const job = snapshot.jobByID(namespace, id);
  if (job === undefined) return { value: undefined, index: snapshot.tableIndex("jobs") };
  const groups: JobScaleStatus["TaskGroups"] = {};
  for (const tg of job.TaskGroups) {
    groups[tg.Name] = {
      Desired: tg.Count,
      Placed: 0,
      Running: 0,
      Healthy: 0,
      Unhealthy: 0,
      Events: null,
    };
  }
  let index = job.ModifyIndex;
  for (const alloc of snapshot.allocsByJob(namespace, id)) {
    // Canaries are left out, as Nomad does.
    if (alloc.DeploymentStatus?.Canary === true || allocTerminal(alloc)) continue;
    const group = groups[alloc.TaskGroup];
    if (group === undefined) continue;
    group.Placed++;
    if (alloc.ClientStatus === "running") group.Running++;
    if (alloc.DeploymentStatus?.Healthy === true) group.Healthy++;
    else if (alloc.DeploymentStatus?.Healthy === false) group.Unhealthy++;
    index = Math.max(index, alloc.ModifyIndex);
  }
  const value: JobScaleStatus = {
    JobID: job.ID,
    Namespace: job.Namespace,
    JobCreateIndex: job.CreateIndex,
    JobModifyIndex: job.ModifyIndex,
    JobStopped: job.Stop,
    TaskGroups: groups,
  };
  return { value, index };
}
