/**
 * The server: raft + FSM + state store, the eval broker with its workers, the
 * plan applier, heartbeats, and the RPC endpoints clients and the HTTP API call.
 */

import type { DriverConfigSchema } from "../../drivers/driver.ts";
import type { Clock } from "../core/clock.ts";
import { CodedError, ValidationError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import type { Rng } from "../core/rng.ts";
import { type ApplyResult, Fsm } from "../fsm/mod.ts";
import { StateStore } from "../state/mod.ts";
import { LogStore } from "../storage/mod.ts";
import {
  type Allocation,
  allocTerminal,
  canonicalizeJob,
  evalTerminal,
  type Evaluation,
  type Job,
  type JobRegisterRequest,
  type JobRegisterResponse,
  type JobValidateResponse,
  newEvaluation,
  type Node,
  validateJob,
} from "../structs/mod.ts";
import type { ClientAllocUpdate } from "../fsm/mod.ts";
import { BlockedEvals } from "./blocked_evals.ts";
import { EvalBroker } from "./eval_broker.ts";
import { DEFAULT_HEARTBEAT_CONFIG, type HeartbeatConfig, Heartbeats } from "./heartbeats.ts";
import { PlanApplier } from "./plan_applier.ts";
import { SingleVoterRaft } from "./raft.ts";
import { waitForIndex, Worker } from "./worker.ts";

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
  /** Driver config schemas checked at job submit. */
  driverSchemas: Record<string, DriverConfigSchema>;
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
    server.#establishLeadership();
    const planApplier = new PlanApplier({
      state: server.state,
      raft: server.#raft,
      logger: config.logger.named("plan_apply"),
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
    for (const timer of this.#delayTimers) clearTimeout(timer);
    await Promise.all(this.#workers.map((w) => w.stop()));
    this.#log.close();
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
      Warnings: "",
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
    const evaluation = this.#newEval(job, "job-deregister");
    const result = await this.#raft.apply({
      Type: "JobDeregister",
      Namespace: namespace,
      JobID: jobID,
      Purge: options.purge,
      Eval: evaluation,
      SubmitTime: this.config.clock.nowNs(),
    });
    return {
      EvalID: evaluation.ID,
      EvalCreateIndex: result.index,
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
    const result = await this.#raft.apply({
      Type: "NodeRegister",
      Node: node,
      UpdatedAt: this.config.clock.nowNs(),
      Evals: [],
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
      const result = await this.#raft.apply({
        Type: "NodeUpdateStatus",
        NodeID: nodeID,
        Status: "ready",
        UpdatedAt: this.config.clock.nowNs(),
        Event: this.#nodeEvent("Node status changed to ready"),
        Evals: [],
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
    const jobs = new Map<string, Allocation>();
    for (const alloc of snapshot.allocsByNode(nodeID)) {
      if (!allocTerminal(alloc) && alloc.Job !== null) {
        jobs.set(`${alloc.Namespace}\u0000${alloc.JobID}`, alloc);
      }
    }
    const evals = [...jobs.values()].map((alloc) =>
      this.#newEval(alloc.Job!, "node-update", {
        NodeID: nodeID,
        NodeModifyIndex: node.ModifyIndex,
      })
    );
    await this.#raft.apply({
      Type: "NodeUpdateStatus",
      NodeID: nodeID,
      Status: "down",
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
      const index = snapshot.tableIndex("allocs");
      if (index > options.minIndex || options.signal.aborted) {
        return { allocs: snapshot.allocsByNode(nodeID), index: Math.max(index, 1) };
      }
      await this.state.waitForChange(["allocs"], options.signal);
    }
  }

  /** Node.UpdateAlloc: records client status; failed allocations get an evaluation for rescheduling. */
  async updateAllocs(updates: readonly ClientAllocUpdate[]): Promise<{ Index: number }> {
    if (updates.length === 0) return { Index: this.state.index };
    const snapshot = this.state.snapshot();
    const evals: Evaluation[] = [];
    const seenJobs = new Set<string>();
    for (const update of updates) {
      const alloc = snapshot.allocByID(update.ID);
      if (alloc === undefined || alloc.Job === null) continue;
      const key = `${alloc.Namespace}\u0000${alloc.JobID}`;
      const job = snapshot.jobByID(alloc.Namespace, alloc.JobID);
      if (
        update.ClientStatus === "failed" && alloc.ClientStatus !== "failed" && job !== undefined &&
        !seenJobs.has(key)
      ) {
        seenJobs.add(key);
        evals.push(this.#newEval(job, "alloc-failure"));
      }
    }
    const result = await this.#raft.apply({
      Type: "AllocClientUpdate",
      Allocs: [...updates],
      Evals: evals,
    });
    return { Index: result.index };
  }

  /** Waits until the state has applied `index` (for read-your-writes in tests and endpoints). */
  waitForIndex(index: number, signal: AbortSignal): Promise<void> {
    return waitForIndex(this.state, index, signal);
  }
}
