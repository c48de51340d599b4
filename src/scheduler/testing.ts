/**
 * Test support for the scheduler, like Nomad's scheduler Harness: an in-memory
 * state with a {@linkcode Planner} that applies submitted plans to it, plus
 * builders for nodes, jobs, allocations and evaluations.
 */

import { nullLogger, seededRng, uuidFrom } from "../core/mod.ts";
import {
  type Allocation,
  canonicalizeJob,
  deepCopy,
  deepFreeze,
  type Deployment,
  emptyDesiredTransition,
  type Evaluation,
  type Job,
  type JsonObject,
  newEvaluation,
  type Node,
  type Plan,
  type PlanResult,
  type SchedulerConfiguration,
} from "../structs/mod.ts";
import type { Planner, SchedulerAlgorithm, StateView, SubmitPlanResult } from "./types.ts";
import { processEvaluation } from "./mod.ts";
import { taskLifecycles, taskResources } from "./rank.ts";

/** Fixed "now" used by tests unless they say otherwise: 2024-01-01T00:00:00Z. */
export const TEST_NOW_NS = 1_704_067_200_000_000_000;

let nodeCounter = 0;

/** A deterministic UUID-shaped test ID. */
export function testId(prefix: number, n: number): string {
  return `${String(prefix).padStart(8, "0")}-0000-4000-8000-${String(n).padStart(12, "0")}`;
}

/**
 * A ready, eligible client node in dc1 / pool default with 4000 MHz CPU, 8 GiB
 * memory, exec/raw_exec/docker drivers and one host network; then `overrides`.
 */
export function mockNode(overrides: Partial<Node> = {}): Node {
  nodeCounter += 1;
  const id = overrides.ID ?? testId(1, nodeCounter);
  const ip = `192.168.0.${(nodeCounter % 250) + 1}`;
  const driver = {
    Attributes: null,
    Detected: true,
    Healthy: true,
    HealthDescription: "",
    UpdateTime: "",
  };
  return {
    ID: id,
    SecretID: testId(2, nodeCounter),
    Datacenter: "dc1",
    Name: `node-${nodeCounter}`,
    HTTPAddr: `${ip}:4646`,
    TLSEnabled: false,
    Attributes: {
      "kernel.name": "linux",
      "arch": "x86",
      "nomad.version": "1.7.0",
      "driver.exec": "1",
      "unique.network.ip-address": ip,
    },
    NodeResources: {
      Cpu: { CpuShares: 4000, TotalCpuCores: 4, ReservableCpuCores: null },
      Memory: { MemoryMB: 8192 },
      Disk: { DiskMB: 100 * 1024 },
      Networks: [{
        Mode: "host",
        Device: "eth0",
        CIDR: `${ip}/32`,
        IP: ip,
        Hostname: "",
        MBits: 1000,
        DNS: null,
        ReservedPorts: null,
        DynamicPorts: null,
      }],
      Devices: null,
      MinDynamicPort: 20000,
      MaxDynamicPort: 32000,
    },
    ReservedResources: {
      Cpu: { CpuShares: 100 },
      Memory: { MemoryMB: 256 },
      Disk: { DiskMB: 4 * 1024 },
      Networks: { ReservedHostPorts: "22" },
    },
    Links: null,
    Meta: { "pci-dss": "true", "database": "mysql", "version": "5.6" },
    NodeClass: "linux-medium-pci",
    NodePool: "default",
    ComputedClass: "v1:linux-medium-pci",
    Drain: false,
    DrainStrategy: null,
    SchedulingEligibility: "eligible",
    Status: "ready",
    StatusDescription: "",
    StatusUpdatedAt: 0,
    Events: null,
    Drivers: { exec: { ...driver }, raw_exec: { ...driver }, docker: { ...driver } },
    HostVolumes: null,
    HostNetworks: null,
    LastDrain: null,
    CreateIndex: 0,
    ModifyIndex: 0,
    ...overrides,
  };
}

/**
 * A service job "example" in dc1 with group "web" (count 10) running one exec
 * task (500 MHz, 256 MB) with dynamic ports "http" and "admin"; top-level
 * `overrides` replace fields of the raw job before canonicalization.
 */
export function mockJob(overrides: JsonObject = {}): Job {
  const raw: JsonObject = {
    ID: "example",
    Name: "example",
    Type: "service",
    Priority: 50,
    Datacenters: ["dc1"],
    Constraints: [{ LTarget: "${attr.kernel.name}", RTarget: "linux", Operand: "=" }],
    TaskGroups: [{
      Name: "web",
      Count: 10,
      EphemeralDisk: { SizeMB: 150 },
      Networks: [{ DynamicPorts: [{ Label: "http" }, { Label: "admin" }] }],
      Tasks: [{
        Name: "web",
        Driver: "exec",
        Config: { command: "/bin/date" },
        Env: { FOO: "bar" },
        Resources: { CPU: 500, MemoryMB: 256 },
      }],
    }],
    JobModifyIndex: 99,
    ...overrides,
  };
  const job = canonicalizeJob(raw);
  return { ...job, JobModifyIndex: Number(raw["JobModifyIndex"] ?? 0) };
}

/** A running allocation of the job's first (or named) group on `node`. */
export function mockAlloc(
  job: Job,
  node: Node,
  overrides: Partial<Allocation> & { index?: number; group?: string } = {},
): Allocation {
  const { index = 0, group, ...fields } = overrides;
  const tg = job.TaskGroups.find((g) => g.Name === (group ?? job.TaskGroups[0]?.Name));
  if (tg === undefined) throw new RangeError(`job ${job.ID} has no group ${group ?? "(first)"}`);
  nodeCounter += 1;
  return {
    ID: testId(3, nodeCounter),
    Namespace: job.Namespace,
    EvalID: testId(4, 0),
    Name: `${job.ID}.${tg.Name}[${index}]`,
    NodeID: node.ID,
    NodeName: node.Name,
    JobID: job.ID,
    Job: job,
    TaskGroup: tg.Name,
    AllocatedResources: {
      Tasks: taskResources(tg),
      TaskLifecycles: taskLifecycles(tg),
      Shared: { DiskMB: tg.EphemeralDisk.SizeMB, Networks: null, Ports: null },
    },
    Metrics: null,
    DesiredStatus: "run",
    DesiredDescription: "",
    DesiredTransition: emptyDesiredTransition(),
    ClientStatus: "running",
    ClientDescription: "",
    TaskStates: null,
    PreviousAllocation: "",
    NextAllocation: "",
    DeploymentID: "",
    DeploymentStatus: null,
    RescheduleTracker: null,
    FollowupEvalID: "",
    PreemptedAllocations: null,
    PreemptedByAllocation: "",
    CreateIndex: 1,
    ModifyIndex: 1,
    AllocModifyIndex: 1,
    CreateTime: TEST_NOW_NS,
    ModifyTime: TEST_NOW_NS,
    ...fields,
  };
}

/** A pending `job-register` evaluation of the job; then `overrides`. */
export function mockEval(job: Job, overrides: Partial<Evaluation> = {}): Evaluation {
  nodeCounter += 1;
  return newEvaluation({
    ID: testId(5, nodeCounter),
    Namespace: job.Namespace,
    Priority: job.Priority,
    Type: job.Type,
    TriggeredBy: "job-register",
    JobID: job.ID,
    JobModifyIndex: job.JobModifyIndex,
    ...overrides,
  });
}

/** How the harness's plan applier treats a plan: commit all, or only some placements. */
export type PlanDecision =
  | { kind: "commit" }
  | { kind: "partial"; keepAlloc: (alloc: Allocation) => boolean };

/** Decides per submitted plan (attempt counts from 0). */
export type PlanHook = (plan: Plan, attempt: number) => PlanDecision;

/** Snapshot view over frozen copies of the harness maps. */
function snapshotView(
  data: {
    index: number;
    nodes: Map<string, Node>;
    jobs: Map<string, Job>;
    allocs: Map<string, Allocation>;
    evals: Map<string, Evaluation>;
    deployments?: Map<string, Deployment>;
  },
  algorithm: SchedulerAlgorithm,
  schedulerConfig: SchedulerConfiguration | null = null,
): StateView {
  const frozen = <T>(value: T): T => deepFreeze(deepCopy(value));
  const nodes = frozen([...data.nodes.values()].sort((a, b) => (a.ID < b.ID ? -1 : 1)));
  const allocs = frozen([...data.allocs.values()]);
  const jobs = new Map([...data.jobs].map(([k, v]) => [k, frozen(v)]));
  const evals = new Map([...data.evals].map(([k, v]) => [k, frozen(v)]));
  return {
    index: data.index,
    jobByID: (namespace, id) => jobs.get(`${namespace}/${id}`),
    nodes: () => nodes,
    nodeByID: (id) => nodes.find((n) => n.ID === id),
    allocsByJob: (namespace, jobID) =>
      allocs.filter((a) => a.Namespace === namespace && a.JobID === jobID),
    allocsByNode: (nodeID) => allocs.filter((a) => a.NodeID === nodeID),
    evalByID: (id) => evals.get(id),
    latestDeploymentByJob: (namespace, jobID) =>
      frozen(
        [...(data.deployments?.values() ?? [])]
          .filter((d) => d.Namespace === namespace && d.JobID === jobID)
          .sort((a, b) => b.CreateIndex - a.CreateIndex)[0],
      ),
    schedulerAlgorithm: () => algorithm,
    schedulerConfig: () => schedulerConfig,
  };
}

/** In-memory state plus a planner that applies plans to it. */
export class Harness {
  #index = 1000;
  #nodes = new Map<string, Node>();
  #jobs = new Map<string, Job>();
  #allocs = new Map<string, Allocation>();
  #evals = new Map<string, Evaluation>();
  #deployments = new Map<string, Deployment>();
  /** Scheduler algorithm the snapshots report. */
  algorithm: SchedulerAlgorithm = "binpack";
  /** Scheduler configuration the snapshots report; null: Nomad's defaults apply. */
  schedulerConfig: SchedulerConfiguration | null = null;
  /** Decides how each submitted plan is applied; default commits everything. */
  planHook: PlanHook | null = null;
  /** Every plan submitted, in order. */
  readonly plans: Plan[] = [];
  /** Every evaluation passed to `updateEval`. */
  readonly evalUpdates: Evaluation[] = [];
  /** Every evaluation passed to `createEval`. */
  readonly createdEvals: Evaluation[] = [];
  /** Every evaluation passed to `reblockEval`. */
  readonly reblockedEvals: Evaluation[] = [];

  /** The planner the scheduler writes through. */
  readonly planner: Planner = {
    submitPlan: (plan) => Promise.resolve(this.#submit(plan)),
    updateEval: (evaluation) => {
      this.evalUpdates.push(evaluation);
      this.#evals.set(evaluation.ID, evaluation);
      return Promise.resolve();
    },
    createEval: (evaluation) => {
      this.createdEvals.push(evaluation);
      this.#evals.set(evaluation.ID, evaluation);
      return Promise.resolve();
    },
    reblockEval: (evaluation) => {
      this.reblockedEvals.push(evaluation);
      this.#evals.set(evaluation.ID, evaluation);
      return Promise.resolve();
    },
  };

  /** Adds or replaces nodes. */
  upsertNode(...nodes: Node[]): void {
    for (const node of nodes) this.#nodes.set(node.ID, deepCopy(node));
  }

  /** Adds or replaces a job. */
  upsertJob(job: Job): void {
    this.#jobs.set(`${job.Namespace}/${job.ID}`, deepCopy(job));
  }

  /** Adds or replaces allocations. */
  upsertAllocs(...allocs: Allocation[]): void {
    for (const alloc of allocs) this.#allocs.set(alloc.ID, deepCopy(alloc));
  }

  /** Adds or replaces a deployment. */
  upsertDeployment(deployment: Deployment): void {
    this.#deployments.set(deployment.ID, deepCopy(deployment));
  }

  /** Every deployment, in insertion order. */
  deployments(): Deployment[] {
    return [...this.#deployments.values()];
  }

  /** Every allocation, in insertion order. */
  allocs(): Allocation[] {
    return [...this.#allocs.values()];
  }

  /** Allocations that are desired to run, optionally of one job. */
  runningAllocs(jobID?: string): Allocation[] {
    return this.allocs().filter((a) =>
      a.DesiredStatus === "run" && !["complete", "failed", "lost"].includes(a.ClientStatus) &&
      (jobID === undefined || a.JobID === jobID)
    );
  }

  /** A consistent, frozen view of the current state. */
  snapshot(): StateView {
    return snapshotView(
      {
        index: this.#index,
        nodes: this.#nodes,
        jobs: this.#jobs,
        allocs: this.#allocs,
        evals: this.#evals,
        deployments: this.#deployments,
      },
      this.algorithm,
      this.schedulerConfig,
    );
  }

  /** Runs the scheduler on `evaluation` with a seeded random source and deterministic IDs. */
  async process(
    evaluation: Evaluation,
    options: { seed?: number; nowNs?: number } = {},
  ): Promise<void> {
    const seed = options.seed ?? 42;
    const idRng = seededRng(seed ^ 0x5f3759df);
    await processEvaluation(evaluation, {
      state: this.snapshot(),
      planner: this.planner,
      nowNs: options.nowNs ?? TEST_NOW_NS,
      rng: seededRng(seed),
      newId: () => uuidFrom(idRng),
      logger: nullLogger,
    });
  }

  /** The last evaluation update, for assertions. */
  lastEvalUpdate(): Evaluation | undefined {
    return this.evalUpdates[this.evalUpdates.length - 1];
  }

  #submit(plan: Plan): SubmitPlanResult {
    const attempt = this.plans.length;
    this.plans.push(deepCopy(plan));
    const decision = this.planHook?.(plan, attempt) ?? { kind: "commit" };
    const keep = decision.kind === "commit" ? () => true : decision.keepAlloc;
    this.#index += 1;
    const result: PlanResult = {
      NodeUpdate: {},
      NodeAllocation: {},
      RefreshIndex: decision.kind === "commit" ? 0 : this.#index,
      AllocIndex: this.#index,
    };
    if (plan.Deployment !== null) {
      const existing = this.#deployments.get(plan.Deployment.ID);
      this.#deployments.set(plan.Deployment.ID, {
        ...deepCopy(plan.Deployment),
        CreateIndex: existing?.CreateIndex ?? this.#index,
        ModifyIndex: this.#index,
      });
    }
    for (const update of plan.DeploymentUpdates) {
      const existing = this.#deployments.get(update.DeploymentID);
      if (existing === undefined) continue;
      this.#deployments.set(existing.ID, {
        ...existing,
        Status: update.Status,
        StatusDescription: update.StatusDescription,
      });
    }
    for (const [nodeID, stops] of Object.entries(plan.NodeUpdate)) {
      const kept = decision.kind === "commit" ? stops : [];
      for (const alloc of kept) this.#applyStop(alloc);
      if (kept.length > 0) result.NodeUpdate[nodeID] = kept;
    }
    for (const [nodeID, allocs] of Object.entries(plan.NodeAllocation)) {
      const kept = allocs.filter(keep);
      for (const alloc of kept) this.#applyAlloc(alloc);
      if (kept.length > 0) result.NodeAllocation[nodeID] = kept;
    }
    this.#applyPreemptions(plan, result, decision.kind === "commit");
    return { result, refreshedState: decision.kind === "commit" ? null : this.snapshot() };
  }

  #applyStop(alloc: Allocation): void {
    const existing = this.#allocs.get(alloc.ID);
    this.#allocs.set(alloc.ID, {
      ...deepCopy(existing ?? alloc),
      DesiredStatus: alloc.DesiredStatus,
      DesiredDescription: alloc.DesiredDescription,
      ClientStatus: alloc.ClientStatus,
      FollowupEvalID: alloc.FollowupEvalID,
      ModifyIndex: this.#index,
    });
  }

  // Evicts the plan's preempted allocations (all of them, or none on a partial commit).
  #applyPreemptions(plan: Plan, result: PlanResult, commit: boolean): void {
    if (!commit || plan.NodePreemptions === undefined) return;
    result.NodePreemptions = {};
    for (const [nodeID, preempted] of Object.entries(plan.NodePreemptions)) {
      for (const alloc of preempted) {
        const existing = this.#allocs.get(alloc.ID);
        if (existing === undefined) continue;
        this.#allocs.set(alloc.ID, {
          ...existing,
          DesiredStatus: "evict",
          DesiredDescription: alloc.DesiredDescription,
          PreemptedByAllocation: alloc.PreemptedByAllocation,
          ModifyIndex: this.#index,
        });
      }
      result.NodePreemptions[nodeID] = preempted;
    }
  }

  #applyAlloc(alloc: Allocation): void {
    const existing = this.#allocs.get(alloc.ID);
    const stored: Allocation = {
      ...deepCopy(alloc),
      CreateIndex: existing?.CreateIndex ?? this.#index,
      ModifyIndex: this.#index,
      AllocModifyIndex: this.#index,
    };
    this.#allocs.set(alloc.ID, stored);
    const prev = alloc.PreviousAllocation === ""
      ? undefined
      : this.#allocs.get(alloc.PreviousAllocation);
    if (prev !== undefined) this.#allocs.set(prev.ID, { ...prev, NextAllocation: alloc.ID });
  }
}
