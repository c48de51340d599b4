/**
 * The deployment watcher (a leader duty): follows every active deployment,
 * fails it on unhealthy allocations or a missed progress deadline (reverting
 * to the latest stable job version when `auto_revert` is set), promotes
 * canaries with `auto_promote`, and creates evaluations so the scheduler
 * continues a rollout whenever allocations become healthy.
 *
 * {@linkcode decideDeployment} is the pure core (time is an argument); the
 * {@linkcode DeploymentWatcher} class only reads state, sleeps and writes.
 */

import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import {
  type Allocation,
  type Deployment,
  DEPLOYMENT_DESCRIPTION,
  deploymentActive,
  deploymentHasAutoPromote,
  deploymentRequiresPromotion,
  type DeploymentState,
  emptyDesiredTransition,
  type Evaluation,
  type Job,
  newEvaluation,
  noRollbackTargetDescription,
  rollbackDescription,
  rollbackNoopDescription,
  ZERO_TIME,
} from "../structs/mod.ts";
import { jobSpecChanged } from "../fsm/mod.ts";
import { parseRfc3339Ns } from "../scheduler/mod.ts";
import type { StateSnapshot, StateStore } from "../state/mod.ts";
import type { Raft } from "./raft.ts";

/** Longest the watcher sleeps before looking again without a state change. */
export const WATCHER_MAX_SLEEP_MS = 60_000;
/** Pause after a failed write before retrying. */
export const WATCHER_RETRY_MS = 1_000;

/** What the watcher knows about one deployment. */
export interface WatchInput {
  deployment: Deployment;
  /** Allocations of the deployment. */
  allocs: readonly Allocation[];
  /** The job as stored now. */
  job: Job | undefined;
  /** Stored versions of the job, newest first. */
  versions: readonly Job[];
  nowNs: number;
  /** Highest health-report index already answered with an evaluation. */
  handledHealthIndex: number;
}

/** What to do about one deployment. */
export interface WatchDecision {
  /** Fail the deployment with this description, registering `rollback` if set. */
  fail: { description: string; rollback: Job | null } | null;
  /** Unhealthy allocations that may be replaced (groups with a progress deadline). */
  allowReplacements: string[];
  promote: boolean;
  /** Create an evaluation so the rollout continues. */
  createEval: boolean;
  handledHealthIndex: number;
  /** When to look again if nothing changes (the next progress deadline). */
  nextCheckNs: number | null;
}

function healthyIn(allocs: readonly Allocation[], group: string, canariesOnly: boolean): number {
  return allocs.filter((a) =>
    a.TaskGroup === group && a.DeploymentStatus?.Healthy === true &&
    (!canariesOnly || a.DeploymentStatus.Canary)
  ).length;
}

/** A group is done when its desired allocations (or, before promotion, canaries) are healthy. */
export function groupDone(
  name: string,
  state: DeploymentState,
  allocs: readonly Allocation[],
): boolean {
  const waiting = state.DesiredCanaries > 0 && !state.Promoted;
  const desired = waiting ? state.DesiredCanaries : state.DesiredTotal;
  return healthyIn(allocs, name, waiting) >= desired;
}

/** The latest stable version to revert to, and the description of the failure. */
export function rollbackTarget(
  input: Pick<WatchInput, "job" | "versions">,
  base: string,
): { description: string; rollback: Job | null } {
  const job = input.job;
  const stable = input.versions.find((v) => v.Stable && v.Version !== job?.Version);
  if (job === undefined || stable === undefined) {
    return { description: noRollbackTargetDescription(base), rollback: null };
  }
  if (!jobSpecChanged(job, stable)) {
    return { description: rollbackNoopDescription(base, stable.Version), rollback: null };
  }
  return {
    description: rollbackDescription(base, stable.Version),
    rollback: { ...stable, Stable: false, Stop: false },
  };
}

function failWith(
  input: WatchInput,
  base: string,
  autoRevert: boolean,
): { description: string; rollback: Job | null } {
  return autoRevert ? rollbackTarget(input, base) : { description: base, rollback: null };
}

function unhealthyDecision(input: WatchInput): Pick<WatchDecision, "fail" | "allowReplacements"> {
  const groups = input.deployment.TaskGroups;
  const allowReplacements: string[] = [];
  for (const alloc of input.allocs) {
    const state = groups[alloc.TaskGroup];
    if (state === undefined || alloc.DeploymentStatus?.Healthy !== false) continue;
    // With a progress deadline, a bad allocation may be replaced; the deadline decides failure.
    if (state.ProgressDeadline !== 0) {
      if (alloc.DesiredTransition.Reschedule !== true) allowReplacements.push(alloc.ID);
      continue;
    }
    const fail = failWith(input, DEPLOYMENT_DESCRIPTION.failedAllocations, state.AutoRevert);
    return { fail, allowReplacements: [] };
  }
  return { fail: null, allowReplacements };
}

function deadlineDecision(
  input: WatchInput,
): { fail: WatchDecision["fail"]; nextCheckNs: number | null } {
  let next: number | null = null;
  for (const [name, state] of Object.entries(input.deployment.TaskGroups)) {
    if (state.ProgressDeadline === 0 || state.RequireProgressBy === ZERO_TIME) continue;
    if (groupDone(name, state, input.allocs)) continue;
    const deadlineNs = parseRfc3339Ns(state.RequireProgressBy);
    if (deadlineNs === undefined) continue;
    if (input.nowNs >= deadlineNs) {
      const autoRevert = Object.values(input.deployment.TaskGroups).some((s) => s.AutoRevert);
      return {
        fail: failWith(input, DEPLOYMENT_DESCRIPTION.progressDeadline, autoRevert),
        nextCheckNs: null,
      };
    }
    next = next === null ? deadlineNs : Math.min(next, deadlineNs);
  }
  return { fail: null, nextCheckNs: next };
}

function shouldAutoPromote(d: Deployment, allocs: readonly Allocation[]): boolean {
  if (!deploymentRequiresPromotion(d) || !deploymentHasAutoPromote(d)) return false;
  return Object.entries(d.TaskGroups).every(([name, s]) =>
    s.DesiredCanaries === 0 || s.Promoted || healthyIn(allocs, name, true) >= s.DesiredCanaries
  );
}

/**
 * Decides what to do about one deployment (pure).
 *
 * @example
 * ```ts
 * import { decideDeployment } from "./deployment_watcher.ts";
 * // decideDeployment({ deployment, allocs, job, versions, nowNs, handledHealthIndex: 0 }).fail
 * ```
 */
export function decideDeployment(input: WatchInput): WatchDecision {
  const idle: WatchDecision = {
    fail: null,
    allowReplacements: [],
    promote: false,
    createEval: false,
    handledHealthIndex: input.handledHealthIndex,
    nextCheckNs: null,
  };
  const d = input.deployment;
  if (d.Status !== "running") return idle;
  const unhealthy = unhealthyDecision(input);
  if (unhealthy.fail !== null) return { ...idle, fail: unhealthy.fail };
  const deadline = deadlineDecision(input);
  if (deadline.fail !== null) return { ...idle, fail: deadline.fail };
  const healthIndex = Math.max(
    input.handledHealthIndex,
    ...input.allocs.filter((a) => a.DeploymentStatus?.Healthy === true)
      .map((a) => a.DeploymentStatus?.ModifyIndex ?? 0),
  );
  return {
    ...idle,
    allowReplacements: unhealthy.allowReplacements,
    promote: shouldAutoPromote(d, input.allocs),
    createEval: healthIndex > input.handledHealthIndex,
    handledHealthIndex: healthIndex,
    nextCheckNs: deadline.nextCheckNs,
  };
}

/** Everything the watcher loop needs. */
export interface DeploymentWatcherOptions {
  state: StateStore;
  raft: Raft;
  clock: Clock;
  newId: () => string;
  logger: Logger;
}

/** The evaluation the watcher creates for a deployment's job. */
export function watcherEvaluation(
  d: Deployment,
  job: Pick<Job, "Priority" | "Type" | "JobModifyIndex">,
  options: { id: string; nowNs: number },
): Evaluation {
  return newEvaluation({
    ID: options.id,
    Namespace: d.Namespace,
    Priority: d.EvalPriority || job.Priority,
    Type: job.Type,
    TriggeredBy: "deployment-watcher",
    JobID: d.JobID,
    JobModifyIndex: job.JobModifyIndex,
    DeploymentID: d.ID,
    Status: "pending",
    CreateTime: options.nowNs,
    ModifyTime: options.nowNs,
  });
}

/** Runs {@linkcode decideDeployment} over the active deployments and carries out the decisions. */
export class DeploymentWatcher {
  readonly #options: DeploymentWatcherOptions;
  readonly #abort = new AbortController();
  readonly #handled = new Map<string, number>();
  #loop: Promise<void> | null = null;

  /** Wires state, raft, clock and IDs. */
  constructor(options: DeploymentWatcherOptions) {
    this.#options = options;
  }

  /** Starts watching (idempotent). */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops the loop and waits for it. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
  }

  /** One pass over every active deployment; returns when to look again (ns), if anything. */
  async tick(): Promise<number | null> {
    const snapshot = this.#options.state.snapshot();
    let next: number | null = null;
    for (const d of snapshot.deployments("*")) {
      if (!deploymentActive(d)) {
        this.#handled.delete(d.ID);
        continue;
      }
      const at = await this.#watch(snapshot, d);
      if (at !== null) next = next === null ? at : Math.min(next, at);
    }
    return next;
  }

  async #watch(snapshot: StateSnapshot, d: Deployment): Promise<number | null> {
    const job = snapshot.jobByID(d.Namespace, d.JobID);
    const decision = decideDeployment({
      deployment: d,
      allocs: snapshot.allocsByJob(d.Namespace, d.JobID).filter((a) => a.DeploymentID === d.ID),
      job,
      versions: snapshot.jobVersions(d.Namespace, d.JobID),
      nowNs: this.#options.clock.nowNs(),
      handledHealthIndex: this.#handled.get(d.ID) ?? 0,
    });
    if (job === undefined) return null;
    const nowNs = this.#options.clock.nowNs();
    const evaluation = () => watcherEvaluation(d, job, { id: this.#options.newId(), nowNs });
    if (decision.fail !== null) {
      this.#options.logger.info("deployment failed", {
        deployment_id: d.ID,
        description: decision.fail.description,
      });
      await this.#options.raft.apply({
        Type: "DeploymentStatusUpdate",
        Update: {
          DeploymentID: d.ID,
          Status: "failed",
          StatusDescription: decision.fail.description,
        },
        Job: decision.fail.rollback,
        Eval: evaluation(),
        UpdatedAt: nowNs,
      });
      return null;
    }
    if (decision.allowReplacements.length > 0) {
      const transition = { ...emptyDesiredTransition(), Reschedule: true };
      await this.#options.raft.apply({
        Type: "AllocUpdateDesiredTransition",
        Allocs: Object.fromEntries(decision.allowReplacements.map((id) => [id, transition])),
        Evals: [evaluation()],
      });
    }
    if (decision.promote) {
      await this.#options.raft.apply({
        Type: "DeploymentPromotion",
        DeploymentID: d.ID,
        All: true,
        Groups: null,
        Eval: evaluation(),
        UpdatedAt: nowNs,
      });
    } else if (decision.createEval) {
      await this.#options.raft.apply({ Type: "EvalUpdate", Evals: [evaluation()] });
    }
    this.#handled.set(d.ID, decision.handledHealthIndex);
    return decision.nextCheckNs;
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      let waitMs = WATCHER_MAX_SLEEP_MS;
      try {
        const next = await this.tick();
        if (next !== null) {
          const untilMs = (next - this.#options.clock.nowNs()) / 1e6;
          waitMs = Math.min(WATCHER_MAX_SLEEP_MS, Math.max(1, Math.ceil(untilMs) + 1));
        }
      } catch (error) {
        if (signal.aborted) return;
        this.#options.logger.error("deployment watcher failed", { error: String(error) });
        waitMs = WATCHER_RETRY_MS;
      }
      const wake = AbortSignal.any([signal, AbortSignal.timeout(waitMs)]);
      await this.#options.state.waitForChange(["deployment", "allocs"], wake);
    }
  }
}
