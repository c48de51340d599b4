/**
 * The server: raft + FSM + state store, the eval broker with its workers, the
 * plan applier, heartbeats, and the RPC endpoints clients and the HTTP API call.
 */

import type { DriverConfigSchema } from "../../drivers/driver.ts";
import type { Clock } from "../core/clock.ts";
import { CodedError, ValidationError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import type { Rng } from "../core/rng.ts";
import { type ApplyResult, Fsm, type LogEntry } from "../fsm/mod.ts";
import { StateStore } from "../state/mod.ts";
import { LogStore } from "../storage/mod.ts";
import {
  type Allocation,
  canonicalizeJob,
  evalTerminal,
  type Evaluation,
  isParameterizedJob,
  type Job,
  type JobDispatchRequest,
  type JobDispatchResponse,
  type JobPlanResponse,
  type JobRegisterRequest,
  type JobRegisterResponse,
  type JobValidateResponse,
  newEvaluation,
  type Node,
  type NodeUpdateDrainRequest,
  type NodeUpdateEligibilityRequest,
  type NodeUpdateResponse,
  type PeriodicForceResponse,
  registrationsAllowed,
  type SchedulerConfiguration,
  validateJob,
  validateSchedulerConfiguration,
} from "../structs/mod.ts";
import {
  DEFAULT_SCHEDULER_CONFIGURATION,
  ERR_JOB_REGISTRATION_DISABLED,
  formatWarnings,
  memoryOversubscriptionWarnings,
} from "../structs/mod.ts";
import type { ClientAllocUpdate, VarApplyEntry } from "../fsm/mod.ts";
import { type Variable, variableError, variablePathError } from "../structs/mod.ts";
import { nodeEvaluations, nodeUpdateNeedsEvals } from "../scheduler/mod.ts";
import { BlockedEvals } from "./blocked_evals.ts";
import { EvalBroker } from "./eval_broker.ts";
import { DEFAULT_HEARTBEAT_CONFIG, type HeartbeatConfig, Heartbeats } from "./heartbeats.ts";
import { PlanApplier } from "./plan_applier.ts";
import { DeploymentWatcher } from "./deployment_watcher.ts";
import {
  type DeploymentUpdateResponse,
  type DeploymentWrite,
  failDeployment,
  pauseDeployment,
  promoteDeployment,
  setAllocHealth,
  type WriteContext,
} from "./deployment_endpoint.ts";
import { SingleVoterRaft } from "./raft.ts";
import { waitForIndex, Worker } from "./worker.ts";
import { planJob } from "./job_plan.ts";
import {
  type RevertRequest,
  revertTarget,
  type ScaleRequest,
  scaleTarget,
} from "./job_versions.ts";
import { Drainer } from "./drainer_loop.ts";
import { drainEntry, eligibilityEntry, nodeEvals } from "./drainer_endpoints.ts";
import { DEFAULT_GC_CONFIG, GarbageCollector, type GcConfig } from "./gc_loop.ts";
import { FORCE_GC_THRESHOLDS } from "./gc.ts";
import { missedHeartbeatStatus } from "./heartbeats.ts";
import { PeriodicDispatcher } from "./periodic_dispatcher.ts";
import { derivePeriodicChild } from "./periodic.ts";
import {
  deriveDispatchChild,
  dispatchRequestError,
  dispatchTarget,
  idempotentChild,
} from "./dispatch.ts";
import { readServiceRegistrations, serviceDeleteEntry, serviceUpsertEntry } from "./services.ts";
import type { ServiceRegistration } from "../structs/mod.ts";

/** Server settings chosen by the agent. */
export interface ServerConfig {
  region: string;
  datacenter: string;
  /** Agent name, e.g. the hostname. */
  nodeName: string;
  /** Advertised RPC address "ip:port". */
  rpcAddress: string;
  /** Raft database path; ":memory:" in -dev. */
  raftPath: string;
  numSchedulers: number;
  heartbeat?: HeartbeatConfig;
  /** GC thresholds and interval (`server.*_gc_threshold`, `job_gc_interval`). */
  gc?: GcConfig;
  /** Driver config schemas checked at job submit. */
  driverSchemas: Record<string, DriverConfigSchema>;
  /** `server.default_scheduler_config`: written when the cluster has no configuration yet. */
  defaultSchedulerConfig?: SchedulerConfiguration;
  clock: Clock;
  rng: Rng;
  newId: () => string;
  logger: Logger;
}

/** A Nomad server. */
export class Server {
  readonly state = new StateStore();
  readonly broker = new EvalBroker();
  readonly blocked = new BlockedEvals();
  readonly config: ServerConfig;
  readonly #log: LogStore;
  readonly #raft: SingleVoterRaft;
  readonly #workers: Worker[] = [];
  readonly #heartbeats: Heartbeats;
  readonly #drainer: Drainer;
  readonly #gc: GarbageCollector;
  readonly #periodic: PeriodicDispatcher;
  readonly #deployments: DeploymentWatcher;
  readonly #delayTimers = new Set<ReturnType<typeof setTimeout>>();
  readonly #logger: Logger;

  private constructor(config: ServerConfig) {
    this.config = config;
    this.#logger = config.logger;
    this.#log = new LogStore(config.raftPath);
    this.#raft = new SingleVoterRaft({
      log: this.#log,
      fsm: new Fsm(this.state),
      address: config.rpcAddress,
    });
    this.#heartbeats = new Heartbeats({
      config: config.heartbeat ?? DEFAULT_HEARTBEAT_CONFIG,
      rng: config.rng,
      onExpire: (nodeID) => void this.#nodeHeartbeatMissed(nodeID),
    });
    const apply = (entry: LogEntry) => this.#raft.apply(entry);
    this.#drainer = new Drainer({
      state: this.state,
      apply,
      clock: config.clock,
      newId: config.newId,
      logger: config.logger.named("drain"),
    });
    this.#gc = new GarbageCollector({
      state: this.state,
      apply,
      clock: config.clock,
      logger: config.logger.named("core.sched"),
      config: config.gc ?? DEFAULT_GC_CONFIG,
    });
    this.#deployments = new DeploymentWatcher({
      state: this.state,
      raft: this.#raft,
      clock: config.clock,
      newId: config.newId,
      logger: config.logger.named("deployments_watcher"),
    });
    this.#periodic = new PeriodicDispatcher({
      state: this.state,
      clock: config.clock,
      launch: (parent, launchMs) => this.#launchPeriodic(parent, launchMs),
      logger: config.logger.named("periodic"),
    });
  }

  /** Opens storage, replays the log, and starts leader duties and workers. */
  static start(config: ServerConfig): Server {
    const server = new Server(config);
    const replayed = server.#raft.restore();
    if (replayed > 0) {
      server.#logger.info("restored state from raft log", {
        entries: replayed,
        index: server.state.index,
      });
    }
    server.#raft.onApply((result) => server.#routeEvals(result));
    server.#initSchedulerConfig();
    server.#establishLeadership();
    server.#drainer.start();
    server.#gc.start();
    server.#periodic.start();
    server.#deployments.start();
    const planApplier = new PlanApplier({
      state: server.state,
      raft: server.#raft,
      logger: config.logger.named("plan_apply"),
      clock: config.clock,
      newId: config.newId,
    });
    for (let i = 0; i < Math.max(1, config.numSchedulers); i++) {
      const worker = new Worker({
        broker: server.broker,
        state: server.state,
        raft: server.#raft,
        planApplier,
        clock: config.clock,
        rng: config.rng,
        newId: config.newId,
        logger: config.logger.named("worker"),
        onFailed: (evaluation) =>
          server.#failEval(evaluation, "evaluation reached delivery limit (3)"),
      });
      worker.start();
      server.#workers.push(worker);
    }
    return server;
  }

  /** Leader address and peers for `/v1/status/*`. */
  get raft(): SingleVoterRaft {
    return this.#raft;
  }

  /** Stops workers and timers and closes storage. */
  async shutdown(): Promise<void> {
    this.broker.disable();
    this.#heartbeats.stop();
    await this.#drainer.stop();
    await this.#gc.stop();
    await this.#periodic.stop();
    await this.#deployments.stop();
    for (const timer of this.#delayTimers) clearTimeout(timer);
    await Promise.all(this.#workers.map((w) => w.stop()));
    this.#log.close();
  }

  // A new cluster starts with the agent's default_scheduler_config (Nomad's
  // getOrCreateSchedulerConfig); afterwards only the API changes it.
  #initSchedulerConfig(): void {
    if (this.state.snapshot().schedulerConfig() === null) {
      const config = this.config.defaultSchedulerConfig ?? DEFAULT_SCHEDULER_CONFIGURATION;
      // The single-voter raft applies synchronously; a failure here is a storage fault.
      void this.#raft.apply({ Type: "SchedulerConfig", Config: config, CAS: false });
    }
    this.broker.setPaused(this.state.snapshot().schedulerConfig()?.PauseEvalBroker ?? false);
  }

  /** Operator.SchedulerGetConfiguration: the stored configuration and its index. */
  schedulerConfiguration(): { config: SchedulerConfiguration | null; index: number } {
    const snapshot = this.state.snapshot();
    return { config: snapshot.schedulerConfig(), index: snapshot.tableIndex("scheduler_config") };
  }

  /**
   * Operator.SchedulerSetConfiguration: stores `config`; with `cas`, only when
   * the stored ModifyIndex equals it. Applies PauseEvalBroker to the broker.
   */
  async schedulerSetConfiguration(
    config: SchedulerConfiguration,
    cas: number | null,
  ): Promise<{ Updated: boolean; Index: number }> {
    validateSchedulerConfiguration(config);
    const result = await this.#raft.apply({
      Type: "SchedulerConfig",
      Config: { ...config, ModifyIndex: cas ?? 0 },
      CAS: cas !== null,
    });
    const updated = result.updated ?? false;
    if (updated) this.broker.setPaused(config.PauseEvalBroker);
    return { Updated: updated, Index: result.index };
  }

  // Job register, dispatch and scale fail while the scheduler configuration
  // rejects registrations. This agent has no ACL tokens yet, so no caller is a
  // management token (as Nomad documents for clusters without ACLs).
  #checkRegistrationsAllowed(): void {
    const config = this.state.snapshot().schedulerConfig();
    if (!registrationsAllowed(config, { management: false })) {
      throw new CodedError(403, ERR_JOB_REGISTRATION_DISABLED);
    }
  }

  #establishLeadership(): void {
    const snapshot = this.state.snapshot();
    for (const evaluation of snapshot.evals("*")) {
      if (evaluation.Status === "pending") this.#enqueue(evaluation);
      else if (evaluation.Status === "blocked") this.blocked.block(evaluation);
    }
    // After a restart clients get the failover TTL to come back before being marked down.
    for (const node of snapshot.nodes()) {
      if (node.Status === "ready") this.#heartbeats.reset(node.ID, { ttlMs: 300_000 });
    }
  }

  #enqueue(evaluation: Evaluation): void {
    const waitUntilMs = evaluation.WaitUntil === null ? 0 : Date.parse(evaluation.WaitUntil);
    const delayMs = Math.max(evaluation.Wait / 1e6, waitUntilMs - this.config.clock.nowNs() / 1e6);
    if (delayMs <= 0) {
      this.broker.enqueue(evaluation);
      return;
    }
    const timer = setTimeout(() => {
      this.#delayTimers.delete(timer);
      this.broker.enqueue(evaluation);
    }, delayMs);
    this.#delayTimers.add(timer);
  }

  /** Sends each applied evaluation where it belongs: broker, blocked set, or nowhere. */
  #routeEvals(result: ApplyResult): void {
    for (const evaluation of result.evals) {
      if (evaluation.Status === "pending") this.#enqueue(evaluation);
      else if (evaluation.Status === "blocked") {
        const { replaced, runNow } = this.blocked.block(evaluation);
        if (replaced !== null) queueMicrotask(() => void this.#cancelEval(replaced));
        if (runNow) this.broker.enqueue(evaluation);
      } else {
        this.blocked.remove(evaluation.ID);
        const placedAll = evaluation.Status === "complete" && evaluation.BlockedEval === "" &&
          Object.keys(evaluation.FailedTGAllocs ?? {}).length === 0;
        if (placedAll) {
          const stale = this.blocked.untrack(evaluation.Namespace, evaluation.JobID);
          if (stale !== null && stale.ID !== evaluation.ID) {
            queueMicrotask(() => void this.#cancelEval(stale));
          }
        }
      }
    }
    if (result.capacityChanged) {
      for (const evaluation of this.blocked.unblock(result.index)) this.broker.enqueue(evaluation);
    }
  }

  async #cancelEval(evaluation: Evaluation): Promise<void> {
    const current = this.state.snapshot().evalByID(evaluation.ID);
    if (current === undefined || evalTerminal(current)) return;
    await this.#raft.apply({
      Type: "EvalUpdate",
      Evals: [{
        ...current,
        Status: "canceled",
        StatusDescription: "evaluation superseded",
        ModifyTime: this.config.clock.nowNs(),
      }],
    });
  }

  async #failEval(evaluation: Evaluation, description: string): Promise<void> {
    await this.#raft.apply({
      Type: "EvalUpdate",
      Evals: [{
        ...evaluation,
        Status: "failed",
        StatusDescription: description,
        ModifyTime: this.config.clock.nowNs(),
      }],
    });
  }

  #newEval(
    job: Pick<Job, "Namespace" | "ID" | "Priority" | "Type">,
    triggeredBy: string,
    extra: Partial<Evaluation> = {},
  ) {
    const nowNs = this.config.clock.nowNs();
    return newEvaluation({
      ID: this.config.newId(),
      Namespace: job.Namespace,
      Priority: job.Priority,
      Type: job.Type,
      TriggeredBy: triggeredBy,
      JobID: job.ID,
      CreateTime: nowNs,
      ModifyTime: nowNs,
      ...extra,
    });
  }

  #meta(index: number) {
    return { Index: index, LastContact: 0, KnownLeader: true };
  }

  /** Canonicalizes and validates a submitted job; throws a 400 listing every problem. */
  checkJob(input: unknown): Job {
    const job = canonicalizeJob(input);
    const errors = validateJob(job, { knownDrivers: Object.keys(this.config.driverSchemas) });
    for (const group of job.TaskGroups) {
      for (const task of group.Tasks) {
        const schema = this.config.driverSchemas[task.Driver];
        if (schema === undefined) continue;
        for (const problem of schema.validate(task.Config ?? {})) {
          errors.push(
            `Task group ${group.Name} validation failed: Task ${task.Name} validation failed: config: ${problem}`,
          );
        }
      }
    }
    if (errors.length > 0) throw new ValidationError(errors);
    return job;
  }

  /** Job.Revert: registers the spec of a stored version again. */
  async jobRevert(
    namespace: string,
    id: string,
    request: RevertRequest,
  ): Promise<JobRegisterResponse> {
    return await this.jobRegister({
      Job: revertTarget(this.state.snapshot(), namespace, id, request),
    });
  }

  /** Job.Scale: sets one group's count. */
  async jobScale(
    namespace: string,
    id: string,
    request: ScaleRequest,
  ): Promise<JobRegisterResponse> {
    return await this.jobRegister({
      Job: scaleTarget(this.state.snapshot(), namespace, id, request),
    });
  }

  #deploymentContext(): WriteContext {
    return {
      snapshot: this.state.snapshot(),
      nowNs: this.config.clock.nowNs(),
      newId: this.config.newId,
    };
  }

  async #deploymentWrite(write: DeploymentWrite): Promise<DeploymentUpdateResponse> {
    const result = await this.#raft.apply(write.entry);
    return {
      EvalID: write.evaluation?.ID ?? "",
      EvalCreateIndex: write.evaluation === null ? 0 : result.index,
      DeploymentModifyIndex: result.index,
      RevertedJobVersion: write.revertedJobVersion,
      ...this.#meta(result.index),
    };
  }

  /** Deployment.Promote: promotes the canaries of all (or the named) groups. */
  deploymentPromote(
    id: string,
    request: { all: boolean; groups: readonly string[] },
  ): Promise<DeploymentUpdateResponse> {
    return this.#deploymentWrite(
      promoteDeployment(this.#deploymentContext(), { id, ...request }),
    );
  }

  /**
   * Variables.Apply: validates and writes a variable. A check-and-set whose
   * index does not match returns the current variable as `Conflict`.
   */
  async variableApply(
    op: VarApplyEntry["Op"],
    variable: VarApplyEntry["Var"],
  ): Promise<{ Output: Variable | null; Conflict: Variable | null; Index: number }> {
    if (op === "set" || op === "cas") {
      const error = variableError(variable);
      if (error !== null) throw new CodedError(400, error);
    } else {
      const error = variablePathError(variable.Path);
      if (error !== null) throw new CodedError(400, error);
    }
    const result = await this.#raft.apply({
      Type: "VarApply",
      Op: op,
      Var: variable,
      NowNs: this.config.clock.nowNs(),
    });
    return {
      Output: result.variable?.stored ?? null,
      Conflict: result.variable?.conflict ?? null,
      Index: result.index,
    };
  }

  /** Deployment.Fail: fails an active deployment (and auto-reverts if configured). */
  deploymentFail(id: string): Promise<DeploymentUpdateResponse> {
    return this.#deploymentWrite(failDeployment(this.#deploymentContext(), id));
  }

  /** Deployment.SetAllocHealth: marks allocations healthy or unhealthy by hand. */
  deploymentSetAllocHealth(
    id: string,
    request: { healthy: readonly string[]; unhealthy: readonly string[] },
  ): Promise<DeploymentUpdateResponse> {
    return this.#deploymentWrite(setAllocHealth(this.#deploymentContext(), { id, ...request }));
  }

  /** Deployment.Pause: pauses or resumes an active deployment. */
  deploymentPause(id: string, pause: boolean): Promise<DeploymentUpdateResponse> {
    return this.#deploymentWrite(pauseDeployment(this.#deploymentContext(), { id, pause }));
  }

  /** Job.Plan: what registering `input` would do, committing nothing. */
  async jobPlan(input: unknown, diff: boolean): Promise<JobPlanResponse> {
    return await planJob(this.checkJob(input), diff, {
      snapshot: this.state.snapshot(),
      nowNs: this.config.clock.nowNs(),
      rng: this.config.rng,
      newId: this.config.newId,
      logger: this.#logger,
    });
  }

  /** Job.Validate: every problem with a submitted job, without storing it. */
  jobValidate(input: unknown): JobValidateResponse {
    try {
      this.checkJob(input);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return {
        DriverConfigValidated: true,
        ValidationErrors: [...error.errors],
        Error: error.message,
        Warnings: "",
      };
    }
    return { DriverConfigValidated: true, ValidationErrors: null, Error: "", Warnings: "" };
  }

  /** Job.Register: stores the job and creates its evaluation. */
  async jobRegister(request: JobRegisterRequest): Promise<JobRegisterResponse> {
    this.#checkRegistrationsAllowed();
    const job = this.checkJob(request.Job);
    const existing = this.state.snapshot().jobByID(job.Namespace, job.ID);
    if (request.EnforceIndex === true) {
      const want = request.JobModifyIndex ?? 0;
      if (want === 0 && existing !== undefined) {
        throw new CodedError(400, `Enforcing job modify index 0: job already exists`);
      }
      if (want !== 0 && existing === undefined) {
        throw new CodedError(400, `Enforcing job modify index ${want}: job does not exist`);
      }
      if (want !== 0 && existing !== undefined && existing.JobModifyIndex !== want) {
        throw new CodedError(
          400,
          `Enforcing job modify index ${want}: job exists with conflicting job modify index: ${existing.JobModifyIndex}`,
        );
      }
    }
    const schedulable = job.Periodic === null && job.ParameterizedJob === null;
    const evaluation = schedulable
      ? this.#newEval(job, "job-register", { Priority: request.EvalPriority || job.Priority })
      : null;
    const result = await this.#raft.apply({
      Type: "JobRegister",
      Job: job,
      Eval: evaluation,
      SubmitTime: this.config.clock.nowNs(),
    });
    return {
      EvalID: evaluation?.ID ?? "",
      EvalCreateIndex: evaluation === null ? 0 : result.index,
      JobModifyIndex: result.jobModifyIndex ?? 0,
      Warnings: formatWarnings(
        memoryOversubscriptionWarnings(job, this.state.snapshot().memoryOversubscriptionEnabled()),
      ),
      ...this.#meta(result.index),
    };
  }

  /** Job.Deregister: stops (or purges) a job and schedules the stop. */
  async jobDeregister(
    namespace: string,
    jobID: string,
    options: { purge: boolean },
  ): Promise<JobRegisterResponse> {
    const job = this.state.snapshot().jobByID(namespace, jobID);
    if (job === undefined) throw new CodedError(404, "job not found");
    // Periodic and parameterized parents have no allocations: Nomad creates no evaluation.
    const parent = job.Periodic !== null || isParameterizedJob(job);
    const evaluation = parent ? null : this.#newEval(job, "job-deregister");
    const result = await this.#raft.apply({
      Type: "JobDeregister",
      Namespace: namespace,
      JobID: jobID,
      Purge: options.purge,
      Eval: evaluation,
      SubmitTime: this.config.clock.nowNs(),
    });
    return {
      EvalID: evaluation?.ID ?? "",
      EvalCreateIndex: evaluation === null ? 0 : result.index,
      JobModifyIndex: result.jobModifyIndex ?? 0,
      Warnings: "",
      ...this.#meta(result.index),
    };
  }

  /** Node.Register: stores the node's fingerprint; returns its heartbeat TTL. */
  async nodeRegister(node: Node): Promise<{ HeartbeatTTL: number; Index: number }> {
    if (node.ID === "" || node.SecretID === "") {
      throw new CodedError(400, "missing node ID or secret ID");
    }
    const existing = this.state.snapshot().nodeByID(node.ID);
    if (existing !== undefined && existing.SecretID !== node.SecretID) {
      throw new CodedError(400, "node secret ID does not match. Not registering node.");
    }
    const snapshot = this.state.snapshot();
    const nowNs = this.config.clock.nowNs();
    // A node that joins ready (or changes what feasibility reads) gets node-update
    // evaluations, so system jobs place on it (Nomad's shouldCreateNodeEval).
    const evals = nodeUpdateNeedsEvals(existing ?? null, node)
      ? nodeEvaluations({
        node: { ...node, ModifyIndex: existing?.ModifyIndex ?? 0 },
        allocs: snapshot.allocsByNode(node.ID),
        jobs: snapshot.jobs("*"),
        newId: this.config.newId,
        nowNs,
      })
      : [];
    const result = await this.#raft.apply({
      Type: "NodeRegister",
      Node: node,
      UpdatedAt: nowNs,
      Evals: evals,
    });
    const ttlMs = this.#heartbeats.reset(node.ID);
    return { HeartbeatTTL: ttlMs * 1e6, Index: result.index };
  }

  /** Node.UpdateStatus: a heartbeat; marks the node ready again if it was down. */
  async nodeHeartbeat(
    nodeID: string,
    secretID: string,
  ): Promise<{ HeartbeatTTL: number; Index: number }> {
    const node = this.state.snapshot().nodeByID(nodeID);
    if (node === undefined) throw new CodedError(404, "node not found");
    if (node.SecretID !== secretID) throw new CodedError(403, "Permission denied");
    let index = this.state.index;
    if (node.Status !== "ready") {
      // Back from down or disconnected: system jobs may place again and
      // unknown allocations reconnect, as Nomad's createNodeEvals does.
      const nowNs = this.config.clock.nowNs();
      const snapshot = this.state.snapshot();
      const result = await this.#raft.apply({
        Type: "NodeUpdateStatus",
        NodeID: nodeID,
        Status: "ready",
        UpdatedAt: nowNs,
        Event: this.#nodeEvent("Node status changed to ready"),
        Evals: nodeEvals(snapshot, node, { nowNs, newId: this.config.newId }),
      });
      index = result.index;
    }
    return { HeartbeatTTL: this.#heartbeats.reset(nodeID) * 1e6, Index: index };
  }

  #nodeEvent(message: string) {
    return {
      Message: message,
      Subsystem: "Cluster",
      Details: null,
      Timestamp: new Date(this.config.clock.nowNs() / 1e6).toISOString(),
      CreateIndex: 0,
    };
  }

  async #nodeHeartbeatMissed(nodeID: string): Promise<void> {
    const snapshot = this.state.snapshot();
    const node = snapshot.nodeByID(nodeID);
    if (node === undefined || node.Status === "down") return;
    this.#logger.warn("node TTL expired", { node_id: nodeID });
    const status = missedHeartbeatStatus(
      node,
      snapshot.allocsByNode(nodeID),
      this.config.clock.nowNs(),
    );
    // A disconnected node is checked again after another TTL, then goes down.
    if (status === "disconnected") this.#heartbeats.reset(nodeID);
    if (status === node.Status) return;
    const evals = nodeEvals(snapshot, node, {
      nowNs: this.config.clock.nowNs(),
      newId: this.config.newId,
    });
    await this.#raft.apply({
      Type: "NodeUpdateStatus",
      NodeID: nodeID,
      Status: status,
      UpdatedAt: this.config.clock.nowNs(),
      Event: this.#nodeEvent("Node heartbeat missed"),
      Evals: evals,
    });
  }

  /** Node.GetClientAllocs: blocks until the node's allocations change past `minIndex`. */
  async getClientAllocs(
    nodeID: string,
    options: { minIndex: number; signal: AbortSignal },
  ): Promise<{ allocs: readonly Allocation[]; index: number }> {
    for (;;) {
      const snapshot = this.state.snapshot();
      const allocs = snapshot.allocsByNode(nodeID);
      // As Nomad: the index is the newest change to this node's allocations (the
      // table's when it has none), so other nodes' placements do not wake it.
      // Never 0, so a first query (index 0) returns at once.
      const index = Math.max(
        1,
        allocs.length === 0
          ? snapshot.tableIndex("allocs")
          : Math.max(...allocs.map((a) => a.ModifyIndex)),
      );
      if (index > options.minIndex || options.signal.aborted) return { allocs, index };
      await this.state.waitForChange(["allocs"], options.signal);
    }
  }

  /** Variables under `prefix` in `namespace`, blocking until they change after `minIndex`. */
  async readVariables(
    namespace: string,
    prefix: string,
    options: { minIndex: number; signal: AbortSignal },
  ): Promise<{ variables: readonly Variable[]; index: number }> {
    for (;;) {
      const snapshot = this.state.snapshot();
      const variables = snapshot.variables(namespace, prefix);
      const index = Math.max(1, snapshot.tableIndex("variables"));
      if (index > options.minIndex || options.signal.aborted) return { variables, index };
      await this.state.waitForChange(["variables"], options.signal);
    }
  }

  /** ServiceRegistration.Upsert: a node registers service instances of its allocations. */
  async serviceRegistrationUpsert(nodeID: string, services: unknown): Promise<{ Index: number }> {
    const entry = serviceUpsertEntry(this.state.snapshot(), nodeID, services);
    const result = await this.#raft.apply(entry);
    return { Index: result.index };
  }

  /**
   * ServiceRegistration.DeleteByID: removes one registration. An operator gets
   * Nomad's 500 when it does not exist; a client deregistering (`missingOk`)
   * does not, since the servers may have removed it already.
   */
  async serviceRegistrationDelete(
    namespace: string,
    id: string,
    options: { missingOk: boolean } = { missingOk: false },
  ): Promise<{ Index: number }> {
    let entry;
    try {
      entry = serviceDeleteEntry(this.state.snapshot(), namespace, id);
    } catch (error) {
      if (options.missingOk && error instanceof CodedError && error.code === 500) {
        return { Index: this.state.index };
      }
      throw error;
    }
    const result = await this.#raft.apply(entry);
    return { Index: result.index };
  }

  /** ServiceRegistration.GetService (all with `name` ""), blocking until they change after `minIndex`. */
  readServiceRegistrations(
    namespace: string,
    name: string,
    options: { minIndex: number; signal: AbortSignal },
  ): Promise<{ services: readonly ServiceRegistration[]; index: number }> {
    return readServiceRegistrations(this.state, { namespace, name }, options);
  }

  /** Node.UpdateAlloc: records client status; failed allocations get an evaluation for rescheduling. */
  async updateAllocs(updates: readonly ClientAllocUpdate[]): Promise<{ Index: number }> {
    if (updates.length === 0) return { Index: this.state.index };
    const snapshot = this.state.snapshot();
    // A node must heartbeat before it may update its allocations again (as
    // Nomad): otherwise a reconnecting client's reports race its heartbeat and
    // evaluations see running allocations on a node still marked disconnected.
    for (const update of updates) {
      const node = snapshot.nodeByID(snapshot.allocByID(update.ID)?.NodeID ?? "");
      if (node !== undefined && (node.Status === "down" || node.Status === "disconnected")) {
        throw new CodedError(
          400,
          `node ${node.ID} is not allowed to update allocs while in status ${node.Status}`,
        );
      }
    }
    const evals: Evaluation[] = [];
    const seenJobs = new Set<string>();
    for (const update of updates) {
      const alloc = snapshot.allocByID(update.ID);
      if (alloc === undefined || alloc.Job === null) continue;
      const key = `${alloc.Namespace}\u0000${alloc.JobID}`;
      const job = snapshot.jobByID(alloc.Namespace, alloc.JobID);
      if (
        update.ClientStatus === "failed" && alloc.ClientStatus !== "failed" && job !== undefined &&
        !seenJobs.has(key) &&
        // System and sysbatch groups have no reschedule policy: no follow-up (as Nomad).
        job.Type !== "system" && job.Type !== "sysbatch"
      ) {
        seenJobs.add(key);
        evals.push(this.#newEval(job, "alloc-failure"));
      } else if (alloc.ClientStatus === "unknown" && job !== undefined && !seenJobs.has(key)) {
        // Its client is back: reconcile the allocation with any replacement (Nomad's reconnect).
        seenJobs.add(key);
        evals.push(this.#newEval(job, "reconnect"));
      }
    }
    const result = await this.#raft.apply({
      Type: "AllocClientUpdate",
      Allocs: [...updates],
      Evals: evals,
    });
    return { Index: result.index };
  }

  /** Node.UpdateEligibility; evaluations are created when a node becomes eligible. */
  async nodeUpdateEligibility(request: NodeUpdateEligibilityRequest): Promise<NodeUpdateResponse> {
    const snapshot = this.state.snapshot();
    const nowNs = this.config.clock.nowNs();
    const entry = eligibilityEntry(snapshot, request, nowNs);
    if (entry === null) return { NodeModifyIndex: 0, EvalIDs: null, EvalCreateIndex: 0, Index: 0 };
    const node = snapshot.nodeByID(entry.NodeID)!;
    const evals = entry.Eligibility === "eligible"
      ? nodeEvals(snapshot, node, { nowNs, newId: this.config.newId })
      : [];
    this.#logger.info(`node transitioning to ${entry.Eligibility} state`, { node_id: node.ID });
    const result = await this.#raft.apply({ ...entry, Evals: evals });
    return {
      NodeModifyIndex: 0,
      EvalIDs: evals.length === 0 ? null : evals.map((e) => e.ID),
      EvalCreateIndex: evals.length === 0 ? 0 : result.index,
      Index: result.index,
    };
  }

  /** Node.UpdateDrain: sets or cancels a drain; the drainer does the rest. */
  async nodeUpdateDrain(request: NodeUpdateDrainRequest): Promise<NodeUpdateResponse> {
    const snapshot = this.state.snapshot();
    const nowNs = this.config.clock.nowNs();
    const entry = drainEntry(snapshot, request, nowNs);
    const node = snapshot.nodeByID(entry.NodeID)!;
    const result = await this.#raft.apply(entry);
    const response = {
      NodeModifyIndex: result.index,
      EvalIDs: null as string[] | null,
      EvalCreateIndex: 0,
      Index: result.index,
    };
    if (
      node.SchedulingEligibility === "ineligible" && request.MarkEligible &&
      entry.DrainStrategy === null
    ) {
      const updated = this.state.snapshot();
      const evals = nodeEvals(updated, updated.nodeByID(node.ID) ?? node, {
        nowNs,
        newId: this.config.newId,
      });
      if (evals.length > 0) {
        const evalResult = await this.#raft.apply({ Type: "EvalUpdate", Evals: evals });
        response.EvalIDs = evals.map((e) => e.ID);
        response.EvalCreateIndex = evalResult.index;
        response.Index = evalResult.index;
      }
    }
    return response;
  }

  /**
   * Alloc.Stop (`nomad alloc stop`): marks the allocation to migrate, so the
   * scheduler stops it and places a replacement, and creates the evaluation
   * ("alloc-stop"). Undefined when the allocation does not exist.
   */
  async allocStop(
    allocID: string,
    options: { noShutdownDelay: boolean },
  ): Promise<{ EvalID: string; Index: number } | undefined> {
    const alloc = this.state.snapshot().allocByID(allocID);
    if (alloc === undefined) return undefined;
    const job = alloc.Job ?? { Priority: 50, Type: "service" };
    const evaluation = this.#newEval(
      { Namespace: alloc.Namespace, ID: alloc.JobID, Priority: job.Priority, Type: job.Type },
      "alloc-stop",
    );
    const result = await this.#raft.apply({
      Type: "AllocUpdateDesiredTransition",
      Allocs: {
        [alloc.ID]: {
          Migrate: true,
          Reschedule: null,
          ForceReschedule: null,
          NoShutdownDelay: options.noShutdownDelay,
        },
      },
      Evals: [evaluation],
    });
    return { EvalID: evaluation.ID, Index: result.index };
  }

  /** System.GarbageCollect: collects everything terminal now, ignoring thresholds. */
  async systemGarbageCollect(): Promise<{ Index: number }> {
    const { index } = await this.#gc.collect(FORCE_GC_THRESHOLDS);
    return { Index: index };
  }

  /** System.ReconcileJobSummaries: recomputes every job summary. */
  async reconcileJobSummaries(): Promise<{ Index: number }> {
    const result = await this.#raft.apply({ Type: "ReconcileJobSummaries" });
    return { Index: result.index };
  }

  /** Registers the child of a periodic job for a launch at `launchMs`, with its evaluation. */
  async #launchPeriodic(parent: Job, launchMs: number) {
    const child = derivePeriodicChild(parent, launchMs);
    const evaluation = this.#newEval(child, "periodic-job");
    const result = await this.#raft.apply({
      Type: "JobRegister",
      Job: child,
      Eval: evaluation,
      SubmitTime: this.config.clock.nowNs(),
    });
    return { evaluation, index: result.index };
  }

  /** Job.PeriodicForce: launches a periodic job now. */
  periodicForce(namespace: string, jobID: string): Promise<PeriodicForceResponse> {
    return this.#periodic.force(namespace, jobID);
  }

  /** Job.Dispatch: creates a dispatched child of a parameterized job and its evaluation. */
  async jobDispatch(request: JobDispatchRequest): Promise<JobDispatchResponse> {
    this.#checkRegistrationsAllowed();
    const snapshot = this.state.snapshot();
    const parent = dispatchTarget(snapshot, request);
    const problem = dispatchRequestError(request, parent);
    if (problem !== null) throw new CodedError(500, problem);
    const existing = idempotentChild(snapshot, parent, request.IdempotencyToken);
    if (existing !== undefined) {
      return {
        DispatchedJobID: existing.ID,
        EvalID: "",
        EvalCreateIndex: 0,
        JobCreateIndex: existing.CreateIndex,
        Index: existing.ModifyIndex,
      };
    }
    const nowNs = this.config.clock.nowNs();
    const child = deriveDispatchChild(parent, {
      request,
      nowMs: nowNs / 1e6,
      uuid: this.config.newId().replaceAll("-", ""),
    });
    // A periodic parameterized job's children are themselves periodic: no evaluation.
    const evaluation = child.Periodic === null ? this.#newEval(child, "job-register") : null;
    const result = await this.#raft.apply({
      Type: "JobRegister",
      Job: child,
      Eval: evaluation,
      SubmitTime: nowNs,
    });
    return {
      DispatchedJobID: child.ID,
      EvalID: evaluation?.ID ?? "",
      EvalCreateIndex: evaluation === null ? 0 : result.index,
      JobCreateIndex: result.index,
      Index: result.index,
    };
  }

  /** Waits until the state has applied `index` (for read-your-writes in tests and endpoints). */
  waitForIndex(index: number, signal: AbortSignal): Promise<void> {
    return waitForIndex(this.state, index, signal);
  }
}
