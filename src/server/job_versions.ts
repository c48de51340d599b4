/**
 * Job.Revert and Job.Scale as pure checks that produce the job to register:
 * a revert re-submits a stored version's spec, a scale changes one group's
 * count. Errors use Nomad's wording and status codes.
 */

import { CodedError } from "../core/mod.ts";
import type { StateSnapshot } from "../state/mod.ts";
import type { Job } from "../structs/mod.ts";

/** `PUT /v1/job/:id/revert` body fields. */
export interface RevertRequest {
  JobVersion: number;
  /** When set, the revert happens only if the current version is this one. */
  EnforcePriorVersion: number | null;
}

/** The spec of `version` to register again, or a CodedError. */
export function revertTarget(
  snapshot: StateSnapshot,
  namespace: string,
  id: string,
  request: RevertRequest,
): Job {
  const current = snapshot.jobByID(namespace, id);
  if (current === undefined) throw new CodedError(404, "job not found");
  if (request.EnforcePriorVersion !== null && current.Version !== request.EnforcePriorVersion) {
    throw new CodedError(
      400,
      `current job has version ${current.Version}; enforcing version ${request.EnforcePriorVersion}`,
    );
  }
  if (current.Version === request.JobVersion) {
    throw new CodedError(400, "can't revert to current version");
  }
  const target = snapshot.jobVersions(namespace, id).find((j) => j.Version === request.JobVersion);
  if (target === undefined) {
    throw new CodedError(
      404,
      `job "${id}" in namespace "${namespace}" at version ${request.JobVersion} not found`,
    );
  }
  return { ...target, Stop: false };
}

/** `POST /v1/job/:id/scale` body fields. */
export interface ScaleRequest {
  Group: string;
  Count: number | null;
}

/** The job with `Group` scaled to `Count`, or a CodedError. */
export function scaleTarget(
  snapshot: StateSnapshot,
  namespace: string,
  id: string,
  request: ScaleRequest,
): Job {
  const job = snapshot.jobByID(namespace, id);
  if (job === undefined) throw new CodedError(404, "job not found");
  if (request.Group === "") throw new CodedError(400, "missing task group name for scaling action");
  const group = job.TaskGroups.find((g) => g.Name === request.Group);
  if (group === undefined) {
    throw new CodedError(
      400,
      `task group "${request.Group}" specified for scaling does not exist in job`,
    );
  }
  if (request.Count === null) return job;
  if (!Number.isInteger(request.Count) || request.Count < 0) {
    throw new CodedError(400, "scaling action count can't be negative");
  }
  if (job.Type === "system" || job.Type === "sysbatch") {
    throw new CodedError(400, `cannot scale jobs of type "${job.Type}"`);
  }
  // Jobs stored before the field existed have none.
  const policy = group.Scaling ?? null;
  if (policy !== null && request.Count < policy.Min) {
    throw new CodedError(
      400,
      `group count was less than scaling policy minimum: ${request.Count} < ${policy.Min}`,
    );
  }
  if (policy !== null && policy.Max < request.Count) {
    throw new CodedError(
      400,
      `group count was greater than scaling policy maximum: ${request.Count} > ${policy.Max}`,
    );
  }
  return {
    ...job,
    TaskGroups: job.TaskGroups.map((g) =>
      g.Name === request.Group ? { ...g, Count: request.Count! } : g
    ),
  };
}
