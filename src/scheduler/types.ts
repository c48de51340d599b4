/**
 * What the scheduler sees and how it writes: a read-only {@linkcode StateView}
 * and a {@linkcode Planner}. The state store and the server implement these; tests
 * implement them in memory.
 */

import type {
  Allocation,
  Deployment,
  Evaluation,
  Job,
  Node,
  Plan,
  PlanResult,
  SchedulerConfiguration,
} from "../structs/mod.ts";
import type { IdGenerator, Logger, Rng } from "../core/mod.ts";

/** Scheduler algorithm of the cluster configuration. */
export type SchedulerAlgorithm = "binpack" | "spread";

/** A read-only, consistent snapshot of cluster state. Objects are frozen. */
export interface StateView {
  /** Raft index this snapshot reflects. */
  readonly index: number;
  /** A job by namespace and ID. */
  jobByID(namespace: string, id: string): Job | undefined;
  /** Every node, in ID order. */
  nodes(): readonly Node[];
  /** A node by ID. */
  nodeByID(id: string): Node | undefined;
  /** Every allocation of a job (terminal ones included). */
  allocsByJob(namespace: string, jobID: string): readonly Allocation[];
  /** Every allocation on a node (terminal ones included). */
  allocsByNode(nodeID: string): readonly Allocation[];
  /** An evaluation by ID. */
  evalByID(id: string): Evaluation | undefined;
  /** The job's most recently created deployment. */
  latestDeploymentByJob(namespace: string, jobID: string): Deployment | undefined;
  /** Cluster scheduler algorithm. */
  schedulerAlgorithm(): SchedulerAlgorithm;
  /**
   * Whether tasks get their `memory_max` (scheduler configuration). Views
   * without a scheduler configuration leave it out and memory_max is kept.
   */
  memoryOversubscriptionEnabled?(): boolean;
  /**
   * The cluster's scheduler configuration (preemption settings); views
   * without one leave it out or return null and Nomad's defaults apply.
   */
  schedulerConfig?(): SchedulerConfiguration | null;
}

/** Plan submission result; `refreshedState` is set when the plan was only partly committed. */
export interface SubmitPlanResult {
  result: PlanResult;
  refreshedState: StateView | null;
}

/** How the scheduler writes (Nomad's Planner). */
export interface Planner {
  /** Submits a plan to the plan applier. */
  submitPlan(plan: Plan): Promise<SubmitPlanResult>;
  /** Writes the evaluation's final status. */
  updateEval(evaluation: Evaluation): Promise<void>;
  /** Creates a follow-up or blocked evaluation. */
  createEval(evaluation: Evaluation): Promise<void>;
  /** Re-blocks an evaluation that still cannot be placed. */
  reblockEval(evaluation: Evaluation): Promise<void>;
}

/** Everything a scheduler run receives; time, randomness and IDs come in as data. */
export interface SchedulerContext {
  state: StateView;
  planner: Planner;
  /** Current time in Unix nanoseconds. */
  nowNs: number;
  rng: Rng;
  newId: IdGenerator;
  logger: Logger;
}
