/**
 * The scheduler: turns an evaluation into a plan using only a read-only
 * {@linkcode StateView} and a {@linkcode Planner}. Pure — time, randomness and
 * IDs come from the {@linkcode SchedulerContext}.
 *
 * @example
 * ```ts
 * import { processEvaluation } from "./mod.ts";
 * // await processEvaluation(evaluation, { state, planner, nowNs, rng, newId, logger });
 * ```
 *
 * @module
 */

import type { Evaluation } from "../structs/mod.ts";
import type { SchedulerContext } from "./types.ts";
import { processGenericEvaluation } from "./generic_scheduler.ts";
import { processSystemEvaluation } from "./system_scheduler.ts";

export type {
  Planner,
  SchedulerAlgorithm,
  SchedulerContext,
  StateView,
  SubmitPlanResult,
} from "./types.ts";
export { allocsFit, type FitResult, scoreFit } from "./alloc_fit.ts";
export { processGenericEvaluation } from "./generic_scheduler.ts";
export { processSystemEvaluation } from "./system_scheduler.ts";
export { reconcileSystem, type SystemReconcileResult } from "./system_reconcile.ts";
export {
  nodeEvaluations,
  nodeUpdateNeedsEvals,
  statusTransitionNeedsEvals,
  systemJobsForNode,
} from "./system_node_evals.ts";
export {
  ALLOC_LOST,
  ALLOC_MIGRATING,
  ALLOC_NOT_NEEDED,
  ALLOC_RESCHEDULED,
  ALLOC_UPDATING,
  type DestructiveUpdateRequest,
  type GroupReconcileResult,
  type PlacementRequest,
  reconcile,
  type ReconcileInput,
  type ReconcileResult,
  type StopRequest,
} from "./reconcile.ts";
export { tasksUpdated } from "./tasks_updated.ts";
export { checkConstraint, constraintString, resolveTarget } from "./constraints.ts";
export { checkVersionConstraint } from "./version_constraint.ts";
export { FILTER_MISSING_DRIVERS } from "./feasibility.ts";
export { formatRfc3339Nano, parseRfc3339Ns } from "./time_format.ts";

/** Scheduler types that are not implemented yet report this on their evaluation. */
function notImplemented(type: string): string {
  return `scheduler ${JSON.stringify(type)} not implemented`;
}

/**
 * Processes one evaluation: dispatches on `evaluation.Type` to the generic
 * scheduler (`service`, `batch`) or the system scheduler (`system`,
 * `sysbatch`); other types are marked failed.
 *
 * @example
 * ```ts
 * import { processEvaluation } from "./mod.ts";
 * // await processEvaluation(evaluation, ctx); // ctx.planner receives the plan and eval status
 * ```
 */
export async function processEvaluation(
  evaluation: Evaluation,
  ctx: SchedulerContext,
): Promise<void> {
  switch (evaluation.Type) {
    case "service":
      return await processGenericEvaluation(evaluation, ctx, { batch: false });
    case "batch":
      return await processGenericEvaluation(evaluation, ctx, { batch: true });
    case "system":
      return await processSystemEvaluation(evaluation, ctx, { sysbatch: false });
    case "sysbatch":
      return await processSystemEvaluation(evaluation, ctx, { sysbatch: true });
    default:
      await ctx.planner.updateEval({
        ...evaluation,
        Status: "failed",
        StatusDescription: notImplemented(evaluation.Type),
        ModifyTime: ctx.nowNs,
      });
  }
}
