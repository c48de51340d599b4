/**
 * Garbage collection's pure core: which terminal evaluations and allocations,
 * dead jobs, long-down nodes and terminal deployments are old enough to
 * delete. Nomad measures age through a Raft-index time table; we use the
 * objects' own times (evaluation and allocation ModifyTime, job SubmitTime,
 * node StatusUpdatedAt, deployment CreateTime/ModifyTime), which the leader
 * stamps. `nomad system gc` runs it with every threshold at zero.
 */

import {
  type Allocation,
  allocTerminal,
  type Deployment,
  deploymentActive,
  evalTerminal,
  type Evaluation,
  type Job,
  type Node,
} from "../structs/mod.ts";

/** Ages (ns) after which objects may be collected. */
export interface GcThresholds {
  jobNs: number;
  evalNs: number;
  batchEvalNs: number;
  nodeNs: number;
  /** `deployment_gc_threshold`. */
  deploymentNs: number;
}

/** Nomad's defaults: jobs 4h, evaluations 1h, batch evaluations 24h, nodes 24h, deployments 1h. */
export const DEFAULT_GC_THRESHOLDS: GcThresholds = {
  jobNs: 4 * 3600e9,
  evalNs: 3600e9,
  batchEvalNs: 24 * 3600e9,
  nodeNs: 24 * 3600e9,
  deploymentNs: 3600e9,
};

/** Thresholds of a forced collection (`PUT /v1/system/gc`). */
export const FORCE_GC_THRESHOLDS: GcThresholds = {
  jobNs: 0,
  evalNs: 0,
  batchEvalNs: 0,
  nodeNs: 0,
  deploymentNs: 0,
};

/** Nomad's job_gc_interval default: how often the periodic collection runs. */
export const DEFAULT_GC_INTERVAL_MS = 5 * 60_000;
/** Most objects deleted by one Raft entry. */
export const MAX_GC_OBJECTS_PER_ENTRY = 5_000;

/** What the collector reads (a StateSnapshot provides it). */
export interface GcState {
  jobs(namespace: string): readonly Job[];
  evals(namespace: string): readonly Evaluation[];
  nodes(): readonly Node[];
  jobByID(namespace: string, id: string): Job | undefined;
  allocsByJob(namespace: string, jobID: string): readonly Allocation[];
  allocsByNode(nodeID: string): readonly Allocation[];
  evalsByJob(namespace: string, jobID: string): readonly Evaluation[];
  deployments(namespace: string): readonly Deployment[];
  latestDeploymentByJob(namespace: string, jobID: string): Deployment | undefined;
}

/** IDs to delete. */
export interface GcResult {
  Evals: string[];
  Allocs: string[];
  Jobs: { Namespace: string; ID: string }[];
  Nodes: string[];
  Deployments: string[];
}

/** Nomad's jobIsGCable: stopped jobs, and dead batch/sysbatch jobs. */
export function jobCollectable(job: Job): boolean {
  if (job.Periodic !== null || job.ParameterizedJob !== null) return job.Stop;
  if (job.Status !== "dead") return false;
  return job.Stop || job.Type === "batch" || job.Type === "sysbatch";
}

function allocCollectable(alloc: Allocation, job: Job | undefined, cutoffNs: number): boolean {
  if (!allocTerminal(alloc) || alloc.ModifyTime > cutoffNs) return false;
  // A failed allocation not yet replaced may still be rescheduled; keep it while its job runs.
  const jobLive = job !== undefined && !job.Stop;
  return !(jobLive && alloc.ClientStatus === "failed" && alloc.NextAllocation === "");
}

/**
 * One evaluation: whether it can go, and which of its allocations can. A
 * batch job's evaluations stay while the job is alive (their allocations stop
 * the scheduler re-running finished work) unless `allowBatch` is set.
 */
export function evalCollectable(
  state: GcState,
  evaluation: Evaluation,
  options: { cutoffNs: number; allowBatch: boolean },
): { collect: boolean; allocs: string[] } {
  if (!evalTerminal(evaluation) || evaluation.ModifyTime > options.cutoffNs) {
    return { collect: false, allocs: [] };
  }
  const job = state.jobByID(evaluation.Namespace, evaluation.JobID);
  const allocs = state.allocsByJob(evaluation.Namespace, evaluation.JobID).filter((a) =>
    a.EvalID === evaluation.ID
  );
  if (evaluation.Type === "batch" && job !== undefined) {
    const collect = job.Status === "dead" && (job.Stop || options.allowBatch);
    if (!collect) return { collect: false, allocs: [] };
  }
  const eligible = allocs.filter((a) => allocCollectable(a, job, options.cutoffNs));
  return { collect: eligible.length === allocs.length, allocs: eligible.map((a) => a.ID) };
}

function jobLastActivityNs(state: GcState, job: Job): number {
  let latest = job.SubmitTime;
  for (const e of state.evalsByJob(job.Namespace, job.ID)) latest = Math.max(latest, e.ModifyTime);
  for (const a of state.allocsByJob(job.Namespace, job.ID)) latest = Math.max(latest, a.ModifyTime);
  return latest;
}

/** Everything that may be deleted at `nowNs` under `thresholds`. */
export function gcCandidates(
  state: GcState,
  options: { nowNs: number; thresholds: GcThresholds },
): GcResult {
  const { nowNs, thresholds } = options;
  const evals = new Set<string>();
  const allocs = new Set<string>();
  const jobs: GcResult["Jobs"] = [];
  const jobCutoff = nowNs - thresholds.jobNs;
  for (const job of state.jobs("*")) {
    if (!jobCollectable(job) || jobLastActivityNs(state, job) > jobCutoff) continue;
    const jobEvals = state.evalsByJob(job.Namespace, job.ID);
    const results = jobEvals.map((e) =>
      evalCollectable(state, e, { cutoffNs: jobCutoff, allowBatch: true })
    );
    const jobAllocs = state.allocsByJob(job.Namespace, job.ID);
    if (!results.every((r) => r.collect) || jobAllocs.some((a) => !allocTerminal(a))) continue;
    jobs.push({ Namespace: job.Namespace, ID: job.ID });
    for (const e of jobEvals) evals.add(e.ID);
    for (const a of jobAllocs) allocs.add(a.ID);
  }
  for (const evaluation of state.evals("*")) {
    if (evals.has(evaluation.ID)) continue;
    const threshold = evaluation.Type === "batch" ? thresholds.batchEvalNs : thresholds.evalNs;
    const result = evalCollectable(state, evaluation, {
      cutoffNs: nowNs - threshold,
      allowBatch: false,
    });
    if (result.collect) evals.add(evaluation.ID);
    for (const id of result.allocs) allocs.add(id);
  }
  const nodes = state.nodes().filter((node) =>
    node.Status === "down" && node.StatusUpdatedAt * 1e9 <= nowNs - thresholds.nodeNs &&
    state.allocsByNode(node.ID).every((a) => allocTerminal(a))
  ).map((n) => n.ID);
  return {
    Evals: [...evals].sort(),
    Allocs: [...allocs].sort(),
    Jobs: jobs,
    Nodes: nodes,
    Deployments: deploymentCandidates(state, nowNs - thresholds.deploymentNs),
  };
}

/**
 * Nomad's deploymentGC: terminal deployments last changed before `cutoffNs`
 * whose allocations are all terminal. The latest deployment of a job that is
 * still registered and not stopped stays (`nomad job status` shows it).
 */
function deploymentCandidates(state: GcState, cutoffNs: number): string[] {
  const out: string[] = [];
  for (const deployment of state.deployments("*")) {
    if (deploymentActive(deployment)) continue;
    if (Math.max(deployment.CreateTime, deployment.ModifyTime) > cutoffNs) continue;
    const job = state.jobByID(deployment.Namespace, deployment.JobID);
    const latest = state.latestDeploymentByJob(deployment.Namespace, deployment.JobID);
    if (job !== undefined && !job.Stop && latest?.ID === deployment.ID) continue;
    const allocs = state.allocsByJob(deployment.Namespace, deployment.JobID);
    if (allocs.some((a) => a.DeploymentID === deployment.ID && !allocTerminal(a))) continue;
    out.push(deployment.ID);
  }
  return out.sort();
}

/** Splits a result into entries of at most {@linkcode MAX_GC_OBJECTS_PER_ENTRY} IDs each. */
export function partitionGc(result: GcResult): GcResult[] {
  const out: GcResult[] = [];
  const take = <T>(list: readonly T[], from: number) =>
    list.slice(from, from + MAX_GC_OBJECTS_PER_ENTRY);
  const longest = Math.max(
    result.Evals.length,
    result.Allocs.length,
    result.Jobs.length,
    result.Nodes.length,
    result.Deployments.length,
  );
  for (let i = 0; i < longest; i += MAX_GC_OBJECTS_PER_ENTRY) {
    out.push({
      Evals: take(result.Evals, i),
      Allocs: take(result.Allocs, i),
      Jobs: take(result.Jobs, i),
      Nodes: take(result.Nodes, i),
      Deployments: take(result.Deployments, i),
    });
  }
  return out;
}
