/**
 * Job.Plan (`nomad job plan`, `PUT /v1/job/:id/plan`): runs the scheduler on
 * the submitted job against a snapshot, commits nothing, and reports what it
 * would do with the annotated diff against the current version.
 */

import type { IdGenerator, Logger, Rng } from "../core/mod.ts";
import { jobSpecChanged } from "../fsm/mod.ts";
import { processEvaluation, type StateView } from "../scheduler/mod.ts";
import type { StateSnapshot } from "../state/mod.ts";
import {
  annotateDiff,
  type Evaluation,
  type Job,
  jobDiff,
  type JobPlanResponse,
  newEvaluation,
  type Plan,
} from "../structs/mod.ts";

/** What a plan run needs besides the job. */
export interface PlanDeps {
  snapshot: StateSnapshot;
  nowNs: number;
  rng: Rng;
  newId: IdGenerator;
  logger: Logger;
}

/**
 * Plans `job` (already canonicalized and validated): the scheduler's
 * annotations and failed placements, plus the diff when `diff` is set.
 */
export async function planJob(job: Job, diff: boolean, deps: PlanDeps): Promise<JobPlanResponse> {
  const { snapshot } = deps;
  const existing = snapshot.jobByID(job.Namespace, job.ID) ?? null;
  // An unchanged spec plans against the stored job, so nothing is updated.
  const planned: Job = existing !== null && !jobSpecChanged(existing, job) ? existing : {
    ...job,
    Version: existing === null ? 0 : existing.Version + 1,
    CreateIndex: existing?.CreateIndex ?? snapshot.index + 1,
    ModifyIndex: snapshot.index + 1,
    JobModifyIndex: snapshot.index + 1,
  };
  const evaluation = newEvaluation({
    ID: deps.newId(),
    Namespace: job.Namespace,
    Priority: job.Priority,
    Type: job.Type,
    TriggeredBy: "job-register",
    JobID: job.ID,
    JobModifyIndex: planned.JobModifyIndex,
    AnnotatePlan: true,
    CreateTime: deps.nowNs,
    ModifyTime: deps.nowNs,
  });
  const captured: { plan: Plan | null; eval: Evaluation | null; created: Evaluation[] } = {
    plan: null,
    eval: null,
    created: [],
  };
  await processEvaluation(evaluation, {
    state: withJob(snapshot, planned),
    planner: {
      submitPlan: (plan) => {
        captured.plan = plan;
        const result = {
          NodeUpdate: plan.NodeUpdate,
          NodeAllocation: plan.NodeAllocation,
          RefreshIndex: 0,
          AllocIndex: snapshot.index,
        };
        return Promise.resolve({ result, refreshedState: null });
      },
      updateEval: (e) => {
        captured.eval = e;
        return Promise.resolve();
      },
      createEval: (e) => {
        captured.created.push(e);
        return Promise.resolve();
      },
      reblockEval: () => Promise.resolve(),
    },
    nowNs: deps.nowNs,
    rng: deps.rng,
    newId: deps.newId,
    logger: deps.logger,
  });
  const annotations = captured.plan?.Annotations ?? null;
  const failed = captured.eval?.FailedTGAllocs ?? null;
  return {
    Annotations: annotations,
    FailedTGAllocs: failed !== null && Object.keys(failed).length > 0 ? failed : null,
    JobModifyIndex: existing?.JobModifyIndex ?? 0,
    CreatedEvals: captured.created.length > 0 ? captured.created : null,
    Diff: diff
      ? annotateDiff(jobDiff(existing, job, true), annotations?.DesiredTGUpdates ?? null)
      : null,
    NextPeriodicLaunch: "0001-01-01T00:00:00Z",
    Warnings: "",
    Index: snapshot.index,
  };
}

/** The snapshot as the scheduler sees it, with `job` in place of the stored version. */
function withJob(snapshot: StateSnapshot, job: Job): StateView {
  return new Proxy(snapshot, {
    get(target, prop) {
      if (prop === "jobByID") {
        return (namespace: string, id: string) =>
          namespace === job.Namespace && id === job.ID ? job : target.jobByID(namespace, id);
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
