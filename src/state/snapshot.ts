/** An immutable view of the state tables at one index. */

import type {
  Allocation,
  Deployment,
  Evaluation,
  Job,
  JobSummary,
  Node,
  PeriodicLaunch,
  SchedulerConfiguration,
  ServiceRegistration,
  Variable,
} from "../structs/mod.ts";
import { effectiveSchedulerAlgorithm } from "../structs/mod.ts";
import type { SchedulerAlgorithm, StateView } from "../scheduler/types.ts";
import type { TableName } from "./watch.ts";

/** The tables as immutable maps. A write replaces the maps it touches. */
export interface Tables {
  readonly jobs: ReadonlyMap<string, Job>;
  /** Versions of each job, newest first. */
  readonly jobVersions: ReadonlyMap<string, readonly Job[]>;
  readonly jobSummaries: ReadonlyMap<string, JobSummary>;
  readonly allocs: ReadonlyMap<string, Allocation>;
  readonly evals: ReadonlyMap<string, Evaluation>;
  readonly nodes: ReadonlyMap<string, Node>;
  /** Deployments by ID. */
  readonly deployments: ReadonlyMap<string, Deployment>;
  /** Last launch of each periodic job, by namespaced job ID. */
  readonly periodicLaunches: ReadonlyMap<string, PeriodicLaunch>;
  /** Raft index of the last write to each table. */
  readonly tableIndex: ReadonlyMap<TableName, number>;
  readonly schedulerAlgorithm: SchedulerAlgorithm;
  /** The cluster's scheduler configuration; null until the leader first writes it. */
  readonly schedulerConfig: SchedulerConfiguration | null;
  /** Variables by namespaced path. */
  readonly variables: ReadonlyMap<string, Variable>;
  /** Native service registrations by namespaced registration ID. */
  readonly serviceRegistrations: ReadonlyMap<string, ServiceRegistration>;
}

/** Key of a namespaced object. */
export function nsKey(namespace: string, id: string): string {
  return `${namespace}\u0000${id}`;
}

// Secondary indexes are derived lazily from a table version and shared by every
// snapshot of that version, so writes stay cheap and reads pay once.
const byJobCache = new WeakMap<ReadonlyMap<string, Allocation>, Map<string, Allocation[]>>();
const byNodeCache = new WeakMap<ReadonlyMap<string, Allocation>, Map<string, Allocation[]>>();
const evalsByJobCache = new WeakMap<ReadonlyMap<string, Evaluation>, Map<string, Evaluation[]>>();

function groupBy<T>(
  cache: WeakMap<ReadonlyMap<string, T>, Map<string, T[]>>,
  table: ReadonlyMap<string, T>,
  key: (item: T) => string,
): Map<string, T[]> {
  let grouped = cache.get(table);
  if (grouped === undefined) {
    grouped = new Map();
    for (const item of table.values()) {
      const k = key(item);
      const list = grouped.get(k);
      if (list === undefined) grouped.set(k, [item]);
      else list.push(item);
    }
    cache.set(table, grouped);
  }
  return grouped;
}

/** A consistent read-only snapshot; it implements the scheduler's {@linkcode StateView}. */
export class StateSnapshot implements StateView {
  /** Latest raft index applied. */
  readonly index: number;
  readonly #t: Tables;

  /** Wraps tables at `index`. */
  constructor(tables: Tables, index: number) {
    this.#t = tables;
    this.index = index;
  }

  /** Index of the last write to `table` (0 if never written). */
  tableIndex(...tables: TableName[]): number {
    return Math.max(0, ...tables.map((t) => this.#t.tableIndex.get(t) ?? 0));
  }

  /** A job by namespace and ID. */
  jobByID(namespace: string, id: string): Job | undefined {
    return this.#t.jobs.get(nsKey(namespace, id));
  }

  /** All jobs, sorted by ID; `namespace` "*" means every namespace. */
  jobs(namespace: string): Job[] {
    return [...this.#t.jobs.values()]
      .filter((j) => namespace === "*" || j.Namespace === namespace)
      .sort((a, b) => a.ID.localeCompare(b.ID));
  }

  /** Every stored version of a job, newest first. */
  jobVersions(namespace: string, id: string): readonly Job[] {
    return this.#t.jobVersions.get(nsKey(namespace, id)) ?? [];
  }

  /** A job's summary. */
  jobSummary(namespace: string, id: string): JobSummary | undefined {
    return this.#t.jobSummaries.get(nsKey(namespace, id));
  }

  /** Every node, in ID order. */
  nodes(): readonly Node[] {
    return [...this.#t.nodes.values()].sort((a, b) => a.ID.localeCompare(b.ID));
  }

  /** A node by ID. */
  nodeByID(id: string): Node | undefined {
    return this.#t.nodes.get(id);
  }

  /** An allocation by ID. */
  allocByID(id: string): Allocation | undefined {
    return this.#t.allocs.get(id);
  }

  /** All allocations, sorted by CreateIndex then ID; `namespace` "*" means all. */
  allocs(namespace: string): Allocation[] {
    return [...this.#t.allocs.values()]
      .filter((a) => namespace === "*" || a.Namespace === namespace)
      .sort((a, b) => a.CreateIndex - b.CreateIndex || a.ID.localeCompare(b.ID));
  }

  /** Every allocation of a job (terminal ones included). */
  allocsByJob(namespace: string, jobID: string): readonly Allocation[] {
    const grouped = groupBy(byJobCache, this.#t.allocs, (a) => nsKey(a.Namespace, a.JobID));
    return grouped.get(nsKey(namespace, jobID)) ?? [];
  }

  /** Every allocation on a node (terminal ones included). */
  allocsByNode(nodeID: string): readonly Allocation[] {
    return groupBy(byNodeCache, this.#t.allocs, (a) => a.NodeID).get(nodeID) ?? [];
  }

  /** An evaluation by ID. */
  evalByID(id: string): Evaluation | undefined {
    return this.#t.evals.get(id);
  }

  /** All evaluations sorted by CreateIndex; `namespace` "*" means all. */
  evals(namespace: string): Evaluation[] {
    return [...this.#t.evals.values()]
      .filter((e) => namespace === "*" || e.Namespace === namespace)
      .sort((a, b) => a.CreateIndex - b.CreateIndex || a.ID.localeCompare(b.ID));
  }

  /** Evaluations of a job. */
  evalsByJob(namespace: string, jobID: string): readonly Evaluation[] {
    const grouped = groupBy(evalsByJobCache, this.#t.evals, (e) => nsKey(e.Namespace, e.JobID));
    return grouped.get(nsKey(namespace, jobID)) ?? [];
  }

  /** A deployment by ID. */
  deploymentByID(id: string): Deployment | undefined {
    return this.#t.deployments.get(id);
  }

  /** Deployments, newest first; `namespace` "*" means all. */
  deployments(namespace: string): Deployment[] {
    return [...this.#t.deployments.values()]
      .filter((d) => namespace === "*" || d.Namespace === namespace)
      .sort((a, b) => b.CreateIndex - a.CreateIndex || a.ID.localeCompare(b.ID));
  }

  /** Deployments of a job, newest first. */
  deploymentsByJob(namespace: string, jobID: string): Deployment[] {
    return this.deployments(namespace).filter((d) => d.JobID === jobID);
  }

  /** The job's most recently created deployment. */
  latestDeploymentByJob(namespace: string, jobID: string): Deployment | undefined {
    return this.deploymentsByJob(namespace, jobID)[0];
  }

  /** The last launch of a periodic job. */
  periodicLaunchByID(namespace: string, id: string): PeriodicLaunch | undefined {
    return this.#t.periodicLaunches.get(nsKey(namespace, id));
  }

  /** The variable at `path` in `namespace`. */
  variable(namespace: string, path: string): Variable | undefined {
    return this.#t.variables.get(nsKey(namespace, path));
  }

  /** Variables whose path starts with `prefix`, sorted by namespace then path ("*": all namespaces). */
  variables(namespace: string, prefix = ""): Variable[] {
    return [...this.#t.variables.values()]
      .filter((v) => (namespace === "*" || v.Namespace === namespace) && v.Path.startsWith(prefix))
      .sort((a, b) => a.Namespace.localeCompare(b.Namespace) || a.Path.localeCompare(b.Path));
  }

  /** Jobs whose ParentID is `parentID` (periodic launches and dispatched children). */
  childJobs(namespace: string, parentID: string): Job[] {
    return this.jobs(namespace).filter((j) => j.ParentID === parentID);
  }

  /** Cluster scheduler algorithm. */
  schedulerAlgorithm(): SchedulerAlgorithm {
    const config = this.#t.schedulerConfig;
    return config === null ? this.#t.schedulerAlgorithm : effectiveSchedulerAlgorithm(config);
  }

  /** The cluster's scheduler configuration; null until the leader first writes it. */
  schedulerConfig(): SchedulerConfiguration | null {
    return this.#t.schedulerConfig;
  }

  /** Whether tasks get their `memory_max` (the scheduler configuration allows oversubscription). */
  memoryOversubscriptionEnabled(): boolean {
    return this.#t.schedulerConfig?.MemoryOversubscriptionEnabled ?? false;
  }

  /** The raw tables (for the FSM's copy-on-write transactions). */
  get tables(): Tables {
    return this.#t;
  }
}
