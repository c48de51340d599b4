/**
 * The in-memory state store: indexed tables behind copy-on-write transactions.
 * Only the FSM writes (with the raft index of the entry being applied); readers
 * take immutable snapshots and blocking queries wait on watch sets.
 */

import { assert } from "../core/assert.ts";
import {
  type Allocation,
  allocTerminal,
  deepFreeze,
  type Deployment,
  emptyTaskGroupSummary,
  evalTerminal,
  type Evaluation,
  isParameterizedJob,
  type Job,
  type JobStatus,
  type JobSummary,
  type Node,
  type PeriodicLaunch,
  type SchedulerConfiguration,
  type ServiceRegistration,
  type Variable,
} from "../structs/mod.ts";
import { nsKey, StateSnapshot, type Tables } from "./snapshot.ts";
import { type TableName, Watchers } from "./watch.ts";

/** Job versions kept per job (Nomad's job_tracked_versions default). */
export const JOB_TRACKED_VERSIONS = 6;

type MutableTables = {
  jobs: Map<string, Job>;
  jobVersions: Map<string, readonly Job[]>;
  jobSummaries: Map<string, JobSummary>;
  allocs: Map<string, Allocation>;
  evals: Map<string, Evaluation>;
  nodes: Map<string, Node>;
  deployments: Map<string, Deployment>;
  periodicLaunches: Map<string, PeriodicLaunch>;
  variables: Map<string, Variable>;
  serviceRegistrations: Map<string, ServiceRegistration>;
};

const TABLE_OF: Record<keyof MutableTables, TableName> = {
  jobs: "jobs",
  jobVersions: "job_versions",
  jobSummaries: "job_summary",
  allocs: "allocs",
  evals: "evals",
  nodes: "nodes",
  deployments: "deployment",
  periodicLaunches: "periodic_launch",
  variables: "variables",
  serviceRegistrations: "service_registrations",
};

/** A write transaction: tables are copied on first write and swapped in on commit. */
export class Txn {
  readonly index: number;
  readonly #base: Tables;
  readonly #copies: Partial<MutableTables> = {};
  /** Jobs whose status and summary must be recomputed at commit. */
  readonly #dirtyJobs = new Set<string>();
  readonly #queued = new Map<string, Record<string, number>>();
  #schedulerConfig: SchedulerConfiguration | undefined = undefined;

  /** Starts a transaction over `base` that commits at `index`. */
  constructor(base: Tables, index: number) {
    this.#base = base;
    this.index = index;
  }

  /** A writable copy of one table. */
  write<K extends keyof MutableTables>(name: K): MutableTables[K] {
    const existing = this.#copies[name];
    if (existing !== undefined) return existing as MutableTables[K];
    const copy = new Map(this.#base[name] as ReadonlyMap<string, never>) as MutableTables[K];
    this.#copies[name] = copy;
    return copy;
  }

  /** Reads one table, seeing this transaction's own writes. */
  read<K extends keyof MutableTables>(
    name: K,
  ): ReadonlyMap<string, MutableTables[K] extends Map<string, infer V> ? V : never> {
    return (this.#copies[name] ?? this.#base[name]) as never;
  }

  /** The scheduler configuration, seeing this transaction's own write. */
  schedulerConfig(): SchedulerConfiguration | null {
    return this.#schedulerConfig ?? this.#base.schedulerConfig;
  }

  /** Replaces the scheduler configuration (frozen at commit). */
  setSchedulerConfig(config: SchedulerConfiguration): void {
    this.#schedulerConfig = deepFreeze(config);
  }

  /** Marks a job for status/summary recomputation. */
  touchJob(namespace: string, id: string): void {
    this.#dirtyJobs.add(nsKey(namespace, id));
  }

  /** Records an evaluation's queued allocation counts for the job summary. */
  setQueued(namespace: string, jobID: string, queued: Record<string, number>): void {
    this.#queued.set(nsKey(namespace, jobID), queued);
    this.touchJob(namespace, jobID);
  }

  /** Builds the committed tables and reports which tables changed. */
  finish(): { tables: Tables; changed: Set<TableName> } {
    this.#refreshJobs();
    this.#refreshChildren();
    const changed = new Set<TableName>();
    const tableIndex = new Map(this.#base.tableIndex);
    for (const name of Object.keys(this.#copies) as (keyof MutableTables)[]) {
      changed.add(TABLE_OF[name]);
      tableIndex.set(TABLE_OF[name], this.index);
    }
    if (this.#schedulerConfig !== undefined) {
      changed.add("scheduler_config");
      tableIndex.set("scheduler_config", this.index);
    }
    const pick = <K extends keyof MutableTables>(k: K) => this.#copies[k] ?? this.#base[k];
    const tables: Tables = {
      jobs: pick("jobs"),
      jobVersions: pick("jobVersions"),
      jobSummaries: pick("jobSummaries"),
      allocs: pick("allocs"),
      evals: pick("evals"),
      nodes: pick("nodes"),
      deployments: pick("deployments"),
      periodicLaunches: pick("periodicLaunches"),
      variables: pick("variables"),
      serviceRegistrations: pick("serviceRegistrations"),
      tableIndex,
      schedulerAlgorithm: this.#base.schedulerAlgorithm,
      schedulerConfig: this.#schedulerConfig ?? this.#base.schedulerConfig,
    };
    return { tables, changed };
  }

  #refreshJobs(): void {
    if (this.#dirtyJobs.size === 0) return;
    // One pass over each table buckets what the dirty jobs need (not one pass per job).
    const allocs = bucketByJob(this.read("allocs").values(), this.#dirtyJobs);
    const evals = bucketByJob(this.read("evals").values(), this.#dirtyJobs);
    for (const key of this.#dirtyJobs) {
      const job = this.read("jobs").get(key);
      if (job === undefined) continue;
      const jobAllocs = allocs.get(key) ?? [];
      const status = jobStatus(job, jobAllocs, evals.get(key) ?? []);
      if (status !== job.Status) {
        this.write("jobs").set(
          key,
          deepFreeze({ ...job, Status: status, ModifyIndex: this.index }),
        );
      }
      this.#refreshSummary(key, job, jobAllocs);
    }
  }

  /** Recounts the Children summary of parents whose periodic or dispatched children changed. */
  #refreshChildren(): void {
    const parents = new Set<string>();
    for (const key of this.#dirtyJobs) {
      const job = this.read("jobs").get(key) ?? this.#base.jobs.get(key);
      if (job !== undefined && job.ParentID !== "") parents.add(nsKey(job.Namespace, job.ParentID));
    }
    if (parents.size === 0) return;
    const counts = new Map<string, JobSummary["Children"]>();
    for (const parent of parents) counts.set(parent, { Pending: 0, Running: 0, Dead: 0 });
    for (const job of this.read("jobs").values()) {
      if (job.ParentID === "") continue;
      const children = counts.get(nsKey(job.Namespace, job.ParentID));
      if (children === undefined) continue;
      if (job.Status === "running") children.Running++;
      else if (job.Status === "dead") children.Dead++;
      else children.Pending++;
    }
    for (const [key, children] of counts) {
      const summary = this.read("jobSummaries").get(key);
      if (summary === undefined) continue;
      if (JSON.stringify(summary.Children) === JSON.stringify(children)) continue;
      this.write("jobSummaries").set(
        key,
        deepFreeze({ ...summary, Children: children, ModifyIndex: this.index }),
      );
    }
  }

  #refreshSummary(key: string, job: Job, allocs: readonly Allocation[]): void {
    const previous = this.read("jobSummaries").get(key);
    const queued = this.#queued.get(key);
    const summary: JobSummary["Summary"] = {};
    for (const group of job.TaskGroups) {
      summary[group.Name] = {
        ...emptyTaskGroupSummary(),
        Queued: queued?.[group.Name] ?? previous?.Summary[group.Name]?.Queued ?? 0,
      };
    }
    for (const alloc of allocs) {
      const counts = summary[alloc.TaskGroup];
      if (counts === undefined) continue;
      switch (alloc.ClientStatus) {
        case "pending":
          if (!allocTerminal(alloc)) counts.Starting++;
          break;
        case "running":
          counts.Running++;
          break;
        case "complete":
          counts.Complete++;
          break;
        case "failed":
          counts.Failed++;
          break;
        case "lost":
          counts.Lost++;
          break;
        case "unknown":
          counts.Unknown++;
          break;
      }
    }
    if (previous !== undefined && JSON.stringify(previous.Summary) === JSON.stringify(summary)) {
      return;
    }
    this.write("jobSummaries").set(
      key,
      deepFreeze({
        JobID: job.ID,
        Namespace: job.Namespace,
        Summary: summary,
        Children: previous?.Children ?? { Pending: 0, Running: 0, Dead: 0 },
        CreateIndex: previous?.CreateIndex ?? this.index,
        ModifyIndex: this.index,
      }),
    );
  }
}

function bucketByJob<T extends { Namespace: string; JobID: string }>(
  items: Iterable<T>,
  keys: ReadonlySet<string>,
): Map<string, T[]> {
  const buckets = new Map<string, T[]>();
  for (const item of items) {
    const key = nsKey(item.Namespace, item.JobID);
    if (!keys.has(key)) continue;
    const bucket = buckets.get(key);
    if (bucket === undefined) buckets.set(key, [item]);
    else bucket.push(item);
  }
  return buckets;
}

/** Nomad's job status rules: running with live allocs, pending with open evals, else dead. */
export function jobStatus(
  job: Job,
  allocs: readonly Allocation[],
  evals: readonly Evaluation[],
): JobStatus {
  if (job.Type === "system" || isParameterizedJob(job) || job.Periodic !== null) {
    return job.Stop ? "dead" : "running";
  }
  if (allocs.some((a) => !allocTerminal(a))) return "running";
  if (evals.some((e) => !evalTerminal(e))) return "pending";
  if (allocs.length > 0 || evals.length > 0 || job.Stop) return "dead";
  return "pending";
}

/** The state store. */
export class StateStore {
  #tables: Tables = {
    jobs: new Map(),
    jobVersions: new Map(),
    jobSummaries: new Map(),
    allocs: new Map(),
    evals: new Map(),
    nodes: new Map(),
    deployments: new Map(),
    periodicLaunches: new Map(),
    variables: new Map(),
    serviceRegistrations: new Map(),
    tableIndex: new Map(),
    schedulerAlgorithm: "binpack",
    schedulerConfig: null,
  };
  #index = 0;
  #snapshot: StateSnapshot | null = null;
  readonly #watchers = new Watchers();

  /** Latest applied raft index. */
  get index(): number {
    return this.#index;
  }

  /** An immutable snapshot of the current state (cheap: no copying). */
  snapshot(): StateSnapshot {
    if (this.#snapshot === null) this.#snapshot = new StateSnapshot(this.#tables, this.#index);
    return this.#snapshot;
  }

  /** Runs `fn` in a transaction at `index` and commits it, waking watchers. */
  transact<T>(index: number, fn: (txn: Txn) => T): T {
    assert(index > this.#index, `state index must grow: ${index} <= ${this.#index}`);
    const txn = new Txn(this.#tables, index);
    const result = fn(txn);
    const { tables, changed } = txn.finish();
    this.#tables = tables;
    this.#index = index;
    this.#snapshot = null;
    this.#watchers.notify(changed);
    return result;
  }

  /** Replaces the whole state (snapshot restore). */
  restore(tables: Tables, index: number): void {
    this.#tables = tables;
    this.#index = index;
    this.#snapshot = null;
    this.#watchers.notify(new Set(tables.tableIndex.keys()));
  }

  /** Resolves when any of `tables` changes or `signal` aborts. */
  waitForChange(tables: readonly TableName[], signal: AbortSignal): Promise<void> {
    return this.#watchers.wait(tables, signal);
  }
}
