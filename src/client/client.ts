/**
 * The client: fingerprints the node, registers and heartbeats, watches its
 * allocations, runs them, and reports their status back in batches.
 */

import type { TaskDriver, TaskResourceUsage } from "../../drivers/driver.ts";
import {
  type AllocResourceUsage,
  allocResourceUsage,
  diskStats,
  type HostStats,
  HostStatsCollector,
} from "./host_stats.ts";
import { allocsToCollect, DEFAULT_CLIENT_GC, type TerminalAlloc } from "./gc.ts";
import { MAX_ALLOC_UPDATE_BATCH } from "../core/bounds.ts";
import type { Logger } from "../core/logger.ts";
import type { Rng } from "../core/rng.ts";
import type { ClientAllocUpdate } from "../fsm/mod.ts";
import { type Allocation, allocTerminal, type DriverInfo, type Node } from "../structs/mod.ts";
import { ClientStateDb } from "../storage/mod.ts";
import { AllocRunner, clientStatusOf } from "./alloc_runner.ts";
import { fingerprintHost, fingerprintHostVolumes } from "./fingerprint.ts";
import { allocationsToStop, HEARTBEAT_STOP_CHECK_MS } from "./heartbeat_stop.ts";
import type { ServerApi } from "./server_api.ts";
import { serverTemplateSources } from "./template/server_sources.ts";

/** Delay that coalesces allocation updates into one server write. */
export const ALLOC_UPDATE_BATCH_MS = 5;
/** Wait between retries when the servers cannot be reached. */
export const SERVER_RETRY_MS = 1_000;

/** Client settings chosen by the agent. */
export interface ClientConfig {
  nodeName: string;
  datacenter: string;
  region: string;
  nodeClass: string;
  nodePool: string;
  meta: Record<string, string>;
  /** State directory (client state DB); ":memory:" databases are not used even in -dev. */
  stateDir: string;
  /** Parent directory of allocation directories. */
  allocDir: string;
  /** Address advertised for the HTTP API ("ip:port"). */
  httpAddress: string;
  /** IP that tasks' ports bind to. */
  networkIP: string;
  reserved: { cpu: number; memoryMB: number; diskMB: number; reservedPorts: string };
  minDynamicPort: number;
  maxDynamicPort: number;
  cpuTotalCompute?: number;
  memoryTotalMB?: number;
  /** In -dev, allocations are destroyed when the agent shuts down. */
  devMode: boolean;
  /** `host_volume "name" {}` blocks, reported as the node's HostVolumes. */
  hostVolumes?: Record<string, { path: string; readOnly: boolean }>;
  /** `gc_interval`, `gc_max_allocs`, `gc_disk_usage_threshold` (Nomad's defaults when absent). */
  gc?: { intervalMs: number; maxAllocs: number; diskUsageThreshold: number };
}

/** A Nomad client. */
export class Client {
  readonly #config: ClientConfig;
  #hostStats: HostStatsCollector | null = null;
  readonly #server: ServerApi;
  readonly #drivers: ReadonlyMap<string, TaskDriver>;
  readonly #logger: Logger;
  readonly #rng: Rng;
  readonly #nowNs: () => number;
  readonly #stateDb: ClientStateDb;
  readonly #runners = new Map<string, AllocRunner>();
  readonly #abort = new AbortController();
  readonly #pending = new Map<string, ClientAllocUpdate>();
  #flushTimer: ReturnType<typeof setTimeout> | null = null;
  #node: Node | null = null;
  #heartbeatTimer: ReturnType<typeof setTimeout> | null = null;
  #loops: Promise<void>[] = [];
  #lastHeartbeatNs = 0;
  #heartbeatStopTimer: ReturnType<typeof setTimeout> | null = null;
  #gcTimer: ReturnType<typeof setTimeout> | null = null;
  /** Allocations collected while the servers still list them: never started again. */
  readonly #collected = new Set<string>();
  /** Allocations stopped because the servers were out of reach (stop_on_client_after). */
  readonly #stoppedOnDisconnect = new Set<string>();

  private constructor(
    options: {
      config: ClientConfig;
      server: ServerApi;
      drivers: TaskDriver[];
      logger: Logger;
      rng: Rng;
      nowNs: () => number;
    },
  ) {
    this.#config = options.config;
    this.#server = options.server;
    this.#drivers = new Map(options.drivers.map((d) => [d.name, d]));
    this.#logger = options.logger;
    this.#rng = options.rng;
    this.#nowNs = options.nowNs;
    this.#stateDb = new ClientStateDb(`${options.config.stateDir}/state.db`);
  }

  /** Fingerprints, restores saved allocations, registers and starts watching. */
  static async start(
    options: {
      config: ClientConfig;
      server: ServerApi;
      drivers: TaskDriver[];
      logger: Logger;
      rng: Rng;
      nowNs: () => number;
    },
  ): Promise<Client> {
    await Deno.mkdir(options.config.stateDir, { recursive: true });
    await Deno.mkdir(options.config.allocDir, { recursive: true });
    const client = new Client(options);
    client.#node = await client.#buildNode();
    client.#restoreAllocs();
    await client.#register();
    client.#loops.push(client.#watchAllocs());
    client.#scheduleHeartbeatStop();
    client.#scheduleGc();
    return client;
  }

  /** This client's node as last registered. */
  get node(): Node {
    return this.#node!;
  }

  /** Runner of an allocation this client holds. */
  allocRunner(allocID: string): AllocRunner | undefined {
    return this.#runners.get(allocID);
  }
  /**
   * Destroys finished allocations (`PUT /v1/client/gc` with no ID, or one
   * allocation): their runners, saved state and directories. Returns false
   * when the allocation is not here or still running.
   */
  async collectGarbage(allocID?: string): Promise<boolean> {
    const terminal = this.#terminalAllocs();
    const ids = allocID === undefined
      ? terminal.map((t) => t.id)
      : terminal.some((t) => t.id === allocID)
      ? [allocID]
      : [];
    for (const id of ids) await this.#collect(id);
    return allocID === undefined || ids.length > 0;
  }

  /** One periodic pass: gc_max_allocs, then the disk threshold, oldest first. */
  async #gcPass(): Promise<void> {
    const gc = this.#config.gc ?? DEFAULT_CLIENT_GC;
    for (;;) {
      const terminal = this.#terminalAllocs();
      if (terminal.length === 0) return;
      const disk = await diskStats(this.#config.allocDir);
      const ids = allocsToCollect({
        terminal,
        live: this.#runners.size - terminal.length,
        maxAllocs: gc.maxAllocs,
        diskUsedPercent: disk?.UsedPercent ?? null,
        diskUsageThreshold: gc.diskUsageThreshold,
      });
      if (ids.length === 0) return;
      for (const id of ids) await this.#collect(id);
    }
  }

  #scheduleGc(): void {
    if (this.#abort.signal.aborted) return;
    const intervalMs = (this.#config.gc ?? DEFAULT_CLIENT_GC).intervalMs;
    this.#gcTimer = setTimeout(async () => {
      await this.#gcPass().catch((err) =>
        this.#logger.warn("error collecting allocations", { error: String(err) })
      );
      this.#scheduleGc();
    }, intervalMs);
  }

  /** Allocations whose servers want them gone or whose tasks all finished, with when. */
  #terminalAllocs(): TerminalAlloc[] {
    const out: TerminalAlloc[] = [];
    for (const [id, runner] of this.#runners) {
      const states = Object.values(runner.taskStates());
      if (!states.every((s) => s.State === "dead")) continue;
      const finished = states.map((s) => Date.parse(s.FinishedAt ?? "") * 1e6 || 0);
      out.push({ id, finishedAtNs: Math.max(0, ...finished) });
    }
    return out;
  }

  async #collect(id: string): Promise<void> {
    const runner = this.#runners.get(id);
    if (runner === undefined) return;
    this.#logger.info("garbage collecting allocation", { alloc_id: id });
    this.#collected.add(id);
    this.#runners.delete(id);
    this.#stoppedOnDisconnect.delete(id);
    await runner.destroy({ removeDir: true });
  }

  /** Host resource usage (`GET /v1/client/stats`). */
  hostStats(): Promise<HostStats> {
    this.#hostStats ??= new HostStatsCollector({
      allocDir: this.#config.allocDir,
      totalComputeMHz: Number(this.node.Attributes["cpu.totalcompute"] ?? 0),
    });
    return this.#hostStats.collect(this.#nowNs());
  }

  /** An allocation's resource usage from its running tasks' drivers; undefined when not here. */
  async allocStats(allocID: string): Promise<AllocResourceUsage | undefined> {
    const runner = this.#runners.get(allocID);
    if (runner === undefined) return undefined;
    const usage: Record<string, TaskResourceUsage> = {};
    for (const task of runner.tasks) {
      const driver = this.#drivers.get(task.task.Driver);
      if (task.handle === null || driver === undefined || task.state.State !== "running") continue;
      try {
        usage[task.name] = await driver.taskStats(task.handle.taskId);
      } catch {
        // The task exited between the check and the reading.
      }
    }
    return allocResourceUsage(usage, {
      nowNs: this.#nowNs(),
      mhzPerCore: Number(this.node.Attributes["cpu.frequency"] ?? 0),
    });
  }

  /** Stats for `/v1/agent/self`. */
  stats(): Record<string, string> {
    return {
      node_id: this.#node?.ID ?? "",
      known_servers: "1",
      num_allocations: String(this.#runners.size),
      last_heartbeat: `${Math.round((this.#nowNs() - this.#lastHeartbeatNs) / 1e6)}ms`,
    };
  }

  async #nodeIdentity(): Promise<{ id: string; secret: string }> {
    let id = this.#stateDb.getMeta("node_id");
    let secret = this.#stateDb.getMeta("secret_id");
    if (id === undefined || secret === undefined) {
      id = crypto.randomUUID();
      secret = crypto.randomUUID();
      this.#stateDb.setMeta("node_id", id);
      this.#stateDb.setMeta("secret_id", secret);
    }
    return await Promise.resolve({ id, secret });
  }

  async #fingerprintDrivers(): Promise<
    { drivers: Record<string, DriverInfo>; attributes: Record<string, string> }
  > {
    const drivers: Record<string, DriverInfo> = {};
    const attributes: Record<string, string> = {};
    const now = new Date().toISOString();
    for (const driver of this.#drivers.values()) {
      const fp = await driver.fingerprint().catch((err) => ({
        attributes: {},
        detected: false,
        healthy: false,
        healthDescription: String(err),
      }));
      drivers[driver.name] = {
        Attributes: fp.attributes,
        Detected: fp.detected,
        Healthy: fp.healthy,
        HealthDescription: fp.healthDescription,
        UpdateTime: now,
      };
      if (fp.detected) Object.assign(attributes, fp.attributes);
    }
    return { drivers, attributes };
  }

  async #buildNode(): Promise<Node> {
    const c = this.#config;
    const host = await fingerprintHost({
      dataDir: c.stateDir,
      ipAddress: c.networkIP,
      ...(c.cpuTotalCompute !== undefined ? { cpuTotalCompute: c.cpuTotalCompute } : {}),
      ...(c.memoryTotalMB !== undefined ? { memoryTotalMB: c.memoryTotalMB } : {}),
    });
    const { drivers, attributes } = await this.#fingerprintDrivers();
    const identity = await this.#nodeIdentity();
    return {
      ID: identity.id,
      SecretID: identity.secret,
      Datacenter: c.datacenter,
      Name: c.nodeName,
      HTTPAddr: c.httpAddress,
      TLSEnabled: false,
      Attributes: { ...host.attributes, ...attributes, "nomad.region": c.region },
      NodeResources: {
        Cpu: {
          CpuShares: host.cpuTotalCompute,
          TotalCpuCores: host.cpuCores,
          ReservableCpuCores: null,
        },
        Memory: { MemoryMB: host.memoryMB },
        Disk: { DiskMB: host.diskMB },
        Networks: [{
          Mode: "host",
          Device: "",
          CIDR: `${c.networkIP}/32`,
          IP: c.networkIP,
          Hostname: "",
          MBits: 1000,
          DNS: null,
          ReservedPorts: null,
          DynamicPorts: null,
        }],
        Devices: null,
        MinDynamicPort: c.minDynamicPort,
        MaxDynamicPort: c.maxDynamicPort,
      },
      ReservedResources: {
        Cpu: { CpuShares: c.reserved.cpu },
        Memory: { MemoryMB: c.reserved.memoryMB },
        Disk: { DiskMB: c.reserved.diskMB },
        Networks: { ReservedHostPorts: c.reserved.reservedPorts },
      },
      Links: null,
      Meta: c.meta,
      NodeClass: c.nodeClass,
      NodePool: c.nodePool,
      ComputedClass: "",
      Drain: false,
      DrainStrategy: null,
      SchedulingEligibility: "eligible",
      Status: "ready",
      StatusDescription: "",
      StatusUpdatedAt: 0,
      Events: null,
      Drivers: drivers,
      HostVolumes: fingerprintHostVolumes(c.hostVolumes ?? {}),
      HostNetworks: null,
      LastDrain: null,
      CreateIndex: 0,
      ModifyIndex: 0,
    };
  }

  async #register(): Promise<void> {
    for (;;) {
      try {
        const response = await this.#server.registerNode(this.#node!);
        this.#lastHeartbeatNs = this.#nowNs();
        this.#logger.info("node registration complete", { node_id: this.#node!.ID });
        this.#scheduleHeartbeat(response.HeartbeatTTL);
        return;
      } catch (err) {
        this.#logger.error("error registering node", { error: String(err) });
        if (this.#abort.signal.aborted) return;
        await new Promise((r) => setTimeout(r, SERVER_RETRY_MS));
      }
    }
  }

  #scheduleHeartbeat(ttlNs: number): void {
    if (this.#abort.signal.aborted) return;
    // Heartbeat at half the TTL so one lost heartbeat never marks the node down.
    this.#heartbeatTimer = setTimeout(() => void this.#heartbeat(), Math.max(100, ttlNs / 1e6 / 2));
  }

  async #heartbeat(): Promise<void> {
    try {
      const response = await this.#server.heartbeat(this.#node!.ID, this.#node!.SecretID);
      this.#lastHeartbeatNs = this.#nowNs();
      this.#scheduleHeartbeat(response.HeartbeatTTL);
    } catch (err) {
      this.#logger.warn("error heartbeating", { error: String(err) });
      if (String(err).includes("node not found")) await this.#register();
      else this.#scheduleHeartbeat(SERVER_RETRY_MS * 2e6);
    }
  }

  #scheduleHeartbeatStop(): void {
    if (this.#abort.signal.aborted) return;
    this.#heartbeatStopTimer = setTimeout(() => {
      this.#stopDisconnectedAllocs();
      this.#scheduleHeartbeatStop();
    }, HEARTBEAT_STOP_CHECK_MS);
  }

  /** Stops allocations whose stop_on_client_after passed since the servers were last reached. */
  #stopDisconnectedAllocs(): void {
    const allocs = [...this.#runners.values()]
      .map((r) => r.alloc)
      .filter((a) => !this.#stoppedOnDisconnect.has(a.ID));
    const times = { lastOkNs: this.#lastHeartbeatNs, nowNs: this.#nowNs() };
    for (const id of allocationsToStop(allocs, times)) {
      const runner = this.#runners.get(id);
      if (runner === undefined) continue;
      this.#logger.warn("stopping allocation: servers unreachable past stop_on_client_after", {
        alloc_id: id,
      });
      this.#stoppedOnDisconnect.add(id);
      void runner.stop();
    }
  }

  #newRunner(alloc: Allocation): AllocRunner {
    const runner = new AllocRunner({
      alloc,
      node: this.#node!,
      drivers: this.#drivers,
      allocRoot: this.#config.allocDir,
      stateDb: this.#stateDb,
      nowNs: this.#nowNs,
      rng: this.#rng,
      logger: this.#logger.named("alloc_runner").named(alloc.ID.slice(0, 8)),
      hostEnv: () => Deno.env.toObject(),
      onUpdate: (update) => this.#queueUpdate(update),
      serviceApi: this.#server,
      templateSources: serverTemplateSources(this.#server),
    });
    this.#runners.set(alloc.ID, runner);
    return runner;
  }

  #restoreAllocs(): void {
    for (const saved of this.#stateDb.allocs() as Allocation[]) {
      const runner = this.#newRunner(saved);
      runner.restore();
      void runner.run();
    }
    if (this.#runners.size > 0) {
      this.#logger.info("restored allocations", { count: this.#runners.size });
    }
  }

  async #watchAllocs(): Promise<void> {
    let index = 0;
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      try {
        const result = await this.#server.getClientAllocs(this.#node!.ID, {
          minIndex: index,
          signal,
        });
        if (signal.aborted) return;
        index = result.index;
        await this.#syncAllocs(result.allocs);
      } catch (err) {
        if (signal.aborted) return;
        this.#logger.error("error querying node allocations", { error: String(err) });
        await new Promise((r) => setTimeout(r, SERVER_RETRY_MS));
      }
    }
  }

  async #syncAllocs(allocs: readonly Allocation[]): Promise<void> {
    const seen = new Set<string>();
    for (const alloc of allocs) {
      seen.add(alloc.ID);
      const runner = this.#runners.get(alloc.ID);
      if (runner === undefined) {
        if (allocTerminal(alloc) || this.#collected.has(alloc.ID)) continue;
        void this.#newRunner(alloc).run();
      } else if (
        alloc.AllocModifyIndex > runner.alloc.AllocModifyIndex ||
        alloc.DesiredStatus !== runner.alloc.DesiredStatus
      ) {
        void runner.update(alloc);
        // The servers marked it unknown while we were out of touch: report it again (reconnect).
        if (alloc.ClientStatus === "unknown" && alloc.DesiredStatus === "run") {
          this.#reportReconnect(runner);
        }
      }
    }
    for (const id of this.#collected) if (!seen.has(id)) this.#collected.delete(id);
    for (const [id, runner] of this.#runners) {
      if (seen.has(id)) continue;
      this.#runners.delete(id);
      this.#stoppedOnDisconnect.delete(id);
      await runner.destroy({ removeDir: true });
    }
  }

  #reportReconnect(runner: AllocRunner): void {
    const states = runner.taskStates();
    const { status, description } = clientStatusOf(states);
    this.#queueUpdate({
      ID: runner.alloc.ID,
      ClientStatus: status,
      ClientDescription: description,
      TaskStates: states,
      ModifyTime: this.#nowNs(),
    });
  }

  #queueUpdate(update: ClientAllocUpdate): void {
    this.#pending.set(update.ID, update);
    this.#flushTimer ??= setTimeout(() => void this.#flush(), ALLOC_UPDATE_BATCH_MS);
  }

  async #flush(): Promise<void> {
    this.#flushTimer = null;
    const batch = [...this.#pending.values()].slice(0, MAX_ALLOC_UPDATE_BATCH);
    for (const update of batch) this.#pending.delete(update.ID);
    try {
      await this.#server.updateAllocs(batch);
    } catch (err) {
      this.#logger.warn("error updating allocations", { error: String(err) });
      for (const update of batch) {
        if (!this.#pending.has(update.ID)) this.#pending.set(update.ID, update);
      }
      this.#flushTimer = setTimeout(() => void this.#flush(), SERVER_RETRY_MS);
      return;
    }
    if (this.#pending.size > 0) {
      this.#flushTimer ??= setTimeout(() => void this.#flush(), ALLOC_UPDATE_BATCH_MS);
    }
  }

  /** Stops the client. In -dev every allocation is destroyed; otherwise tasks keep running. */
  async shutdown(): Promise<void> {
    this.#abort.abort();
    if (this.#heartbeatTimer !== null) clearTimeout(this.#heartbeatTimer);
    if (this.#heartbeatStopTimer !== null) clearTimeout(this.#heartbeatStopTimer);
    if (this.#gcTimer !== null) clearTimeout(this.#gcTimer);
    if (this.#config.devMode) {
      await Promise.all([...this.#runners.values()].map((r) => r.destroy({ removeDir: true })));
      await this.#flush().catch(() => {});
    }
    if (this.#flushTimer !== null) clearTimeout(this.#flushTimer);
    await Promise.all(this.#loops);
    for (const driver of this.#drivers.values()) {
      await driver.shutdown({ destroyTasks: this.#config.devMode });
    }
    this.#stateDb.close();
  }
}
