/**
 * The agent: the only place that wires server, client, drivers and the HTTP API
 * together. `nomad agent -dev` runs all of them in one process.
 */

import type { TaskDriver } from "../../drivers/driver.ts";
import { DRIVER_CONFIG_SCHEMAS } from "../../drivers/mod.ts";
import { RawExecDriver } from "../../drivers/raw_exec/mod.ts";
import { ExecutorClient } from "../../drivers/executor/client.ts";
import type { Logger } from "../core/logger.ts";
import { Client, rpcServerApi, type ServerApi, taskLogs } from "../client/mod.ts";
import { allocationActions } from "../client/exec_actions.ts";
import { allocFs } from "../client/fs.ts";
import { createApp, type HttpBackend, type LocalAllocation } from "../http/mod.ts";
import { listenRpc, RpcPool } from "../rpc/mod.ts";
import type { RpcHandler, RpcListener } from "../rpc/mod.ts";
import { nodeRpcHandler, Server } from "../server/mod.ts";
import { forwardOverRpc, serveForwarded } from "./forward.ts";
import { agentMembers, agentSelf } from "./info.ts";
import type { AgentSettings } from "./settings.ts";
import { uiAsset } from "./ui_assets.ts";

const systemClock = { nowNs: () => Date.now() * 1e6 };
const systemRng = { next: () => Math.random() };

/** In-process implementation of the client's server RPCs. */
function localServerApi(server: Server): ServerApi {
  return {
    registerNode: (node) => server.nodeRegister(node),
    heartbeat: (nodeID, secretID) => server.nodeHeartbeat(nodeID, secretID),
    getClientAllocs: (nodeID, options) => server.getClientAllocs(nodeID, options),
    updateAllocs: (updates) => server.updateAllocs(updates),
    readVariables: (namespace, prefix, options) => server.readVariables(namespace, prefix, options),
    upsertServiceRegistrations: (services) =>
      server.serviceRegistrationUpsert(services[0]?.NodeID ?? "", services),
    deleteServiceRegistration: (namespace, id) =>
      server.serviceRegistrationDelete(namespace, id, { missingOk: true }),
    readServiceRegistrations: (namespace, name, options) =>
      server.readServiceRegistrations(namespace, name, options),
  };
}

/**
 * Test-only options: extra clients inside the server's agent, each a full
 * Client with its own node ID, state and alloc dirs and executor, talking to
 * the server in process through a link a test can cut.
 */
export interface AgentTestOptions {
  /** Number of extra clients, named `<name>-<n>`, data under `<data_dir>/extra-client-<n>`. */
  extraClients?: number;
}

/** An extra in-process client whose link to the server can be cut, as when its host dies. */
export interface ExtraClient {
  readonly client: Client;
  /**
   * Cuts the client off from the server, then stops it: the server hears
   * nothing more (no final status updates), so it sees a missed heartbeat.
   */
  kill(): Promise<void>;
  /**
   * Cuts the client's traffic to the server (a network partition): calls in
   * flight and new calls fail, while the client keeps running its tasks.
   */
  partition(): void;
  /** Restores the traffic cut by `partition()` (not after `kill()`). */
  heal(): void;
}

/** Rejects when `signal` aborts; `settled` removes the listener once the call is done. */
function rejectOnAbort(signal: AbortSignal, settled: Promise<unknown>): Promise<never> {
  return new Promise((_, reject) => {
    const onAbort = () => reject(new Error("connection refused"));
    signal.addEventListener("abort", onAbort, { once: true });
    void settled.finally(() => signal.removeEventListener("abort", onAbort)).catch(() => {});
  });
}

/**
 * A ServerApi whose calls fail while the link is cut: `partition()` cuts it
 * until `heal()`, `sever()` for good. Each connected period has its own
 * AbortController, so a partition also fails calls in flight (blocking queries).
 */
function severable(
  api: ServerApi,
): { api: ServerApi; sever(): void; partition(): void; heal(): void } {
  let severed = false;
  let link = new AbortController();
  const guard = <T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    const signal = link.signal;
    if (severed || signal.aborted) return Promise.reject(new Error("connection refused"));
    const result = call(signal);
    return Promise.race([result, rejectOnAbort(signal, result)]);
  };
  return {
    api: {
      registerNode: (node) => guard(() => api.registerNode(node)),
      heartbeat: (nodeID, secretID) => guard(() => api.heartbeat(nodeID, secretID)),
      getClientAllocs: (nodeID, options) =>
        guard((signal) =>
          api.getClientAllocs(nodeID, {
            ...options,
            signal: AbortSignal.any([options.signal, signal]),
          })
        ),
      updateAllocs: (updates) => guard(() => api.updateAllocs(updates)),
      readVariables: (namespace, prefix, options) =>
        guard((signal) =>
          api.readVariables(namespace, prefix, {
            ...options,
            signal: AbortSignal.any([options.signal, signal]),
          })
        ),
      upsertServiceRegistrations: (services) =>
        guard(() => api.upsertServiceRegistrations(services)),
      deleteServiceRegistration: (namespace, id) =>
        guard(() => api.deleteServiceRegistration(namespace, id)),
      readServiceRegistrations: (namespace, name, options) =>
        guard((signal) =>
          api.readServiceRegistrations(namespace, name, {
            ...options,
            signal: AbortSignal.any([options.signal, signal]),
          })
        ),
    },
    sever: () => {
      severed = true;
      link.abort();
    },
    partition: () => link.abort(),
    heal: () => {
      if (link.signal.aborted) link = new AbortController();
    },
  };
}

async function startExtraClient(
  settings: AgentSettings,
  server: Server,
  logger: Logger,
  n: number,
): Promise<ExtraClient> {
  const link = severable(localServerApi(server));
  const started = await startClient({
    settings,
    api: link.api,
    logger: logger.named(`client-${n}`),
    nodeName: `${settings.name}-${n}`,
    dataDir: `${settings.dataDir}/extra-client-${n}`,
  });
  let killed: Promise<void> | null = null;
  return {
    client: started.client,
    kill: () =>
      killed ??= (async () => {
        link.sever();
        await started.client.shutdown();
        await started.executor.current?.close();
      })(),
    partition: () => link.partition(),
    heal: () => link.heal(),
  };
}

/** A running agent. */
export class Agent {
  readonly settings: AgentSettings;
  readonly server: Server | null;
  readonly client: Client | null;
  readonly #http: Deno.HttpServer<Deno.NetAddr>;
  readonly #rpc: RpcListener | null;
  readonly #pool: RpcPool | null;
  readonly #logger: Logger;
  readonly #executor: { current: ExecutorClient | null };
  /** In-process clients beyond the agent's own (test-only, see {@linkcode AgentTestOptions}). */
  readonly extraClients: readonly ExtraClient[];

  private constructor(
    options: {
      settings: AgentSettings;
      server: Server | null;
      client: Client | null;
      http: Deno.HttpServer<Deno.NetAddr>;
      rpc: RpcListener | null;
      pool: RpcPool | null;
      logger: Logger;
      executor: { current: ExecutorClient | null };
      extraClients: ExtraClient[];
    },
  ) {
    this.settings = options.settings;
    this.server = options.server;
    this.client = options.client;
    this.#http = options.http;
    this.#rpc = options.rpc;
    this.#pool = options.pool;
    this.#logger = options.logger;
    this.#executor = options.executor;
    this.extraClients = options.extraClients;
  }

  /** Starts every enabled part and the HTTP listener. */
  static async start(
    settings: AgentSettings,
    logger: Logger,
    testOptions: AgentTestOptions = {},
  ): Promise<Agent> {
    const rpcAddress = `${settings.advertiseAddress}:${settings.ports.rpc}`;
    const server = settings.server.enabled
      ? Server.start({
        region: settings.region,
        datacenter: settings.datacenter,
        nodeName: settings.name,
        rpcAddress,
        raftPath: settings.devMode ? ":memory:" : await serverRaftPath(settings.dataDir),
        numSchedulers: settings.server.numSchedulers,
        ...(settings.server.heartbeat ? { heartbeat: settings.server.heartbeat } : {}),
        ...(settings.server.gc ? { gc: settings.server.gc } : {}),
        ...(settings.server.defaultSchedulerConfig
          ? { defaultSchedulerConfig: settings.server.defaultSchedulerConfig }
          : {}),
        driverSchemas: DRIVER_CONFIG_SCHEMAS,
        clock: systemClock,
        rng: systemRng,
        newId: () => crypto.randomUUID(),
        logger: logger.named("nomad"),
      })
      : null;
    let local: StartedClient | null = null;
    // A client-only agent reaches the servers over RPC; with a server in the agent, in process.
    let pool: RpcPool | null = null;
    if (server === null && settings.client.enabled) {
      if (settings.client.servers.length === 0) {
        throw new Error(
          "client has no servers: set client.servers or client.server_join.retry_join",
        );
      }
      pool = new RpcPool(settings.client.servers);
    }
    if (settings.client.enabled) {
      local = await startClient({
        settings,
        api: server !== null ? localServerApi(server) : rpcServerApi(pool!),
        logger,
        nodeName: settings.name,
        dataDir: settings.dataDir,
      });
    }
    const client = local?.client ?? null;
    const executor = local?.executor ?? { current: null as ExecutorClient | null };
    const extraClients: ExtraClient[] = [];
    for (let i = 1; server !== null && i <= (testOptions.extraClients ?? 0); i++) {
      extraClients.push(await startExtraClient(settings, server, logger, i));
    }
    const backend = httpBackend({ settings, server, client, pool });
    const app = createApp(backend, logger.named("http"));
    const http = Deno.serve({
      hostname: settings.bindAddress,
      port: settings.ports.http,
      onListen: () => {},
    }, app.fetch);
    const rpc = server === null ? null : listenRpc(
      { hostname: settings.rpcBindAddress, port: settings.ports.rpc },
      serverRpcHandler(server, app.fetch),
    );
    return new Agent({
      settings,
      server,
      client,
      http,
      rpc,
      pool,
      logger,
      executor,
      extraClients,
    });
  }

  /** The HTTP listener's address. */
  get httpAddress(): Deno.NetAddr {
    return this.#http.addr;
  }

  /** Stops the agent. In -dev, allocations are destroyed; otherwise tasks keep running. */
  async shutdown(): Promise<void> {
    this.#logger.info("shutting down agent");
    await this.#http.shutdown();
    await this.client?.shutdown();
    await this.#executor.current?.close();
    for (const extra of this.extraClients) await extra.kill();
    this.#pool?.close();
    await this.#rpc?.close();
    await this.server?.shutdown();
  }
}

/** The RPC methods a server agent serves: Node.* for clients, HTTP.Request for client agents. */
function serverRpcHandler(
  server: Server,
  fetch: (request: Request) => Response | Promise<Response>,
): RpcHandler {
  const node = nodeRpcHandler(server);
  return (method, args, context) =>
    method === "HTTP.Request"
      ? serveForwarded(args, fetch, context.signal)
      : node(method, args, context);
}

/** A client started by the agent, with the executor its raw_exec tasks run under. */
interface StartedClient {
  client: Client;
  executor: { current: ExecutorClient | null };
}

/** Starts one client with its own state and alloc dirs under `dataDir` and its own executor. */
async function startClient(parts: {
  settings: AgentSettings;
  api: ServerApi;
  logger: Logger;
  nodeName: string;
  dataDir: string;
}): Promise<StartedClient> {
  const { settings, logger } = parts;
  const executor = { current: null as ExecutorClient | null };
  const stateDir = `${parts.dataDir}/client`;
  const drivers: TaskDriver[] = [
    new RawExecDriver({
      executor: async () =>
        executor.current ??= await ExecutorClient.connect({
          socketPath: `${stateDir}/executor/executor.sock`,
          stateDir: `${stateDir}/executor`,
        }),
      enabled: settings.client.rawExecEnabled,
      logger: logger.named("client.driver_mgr.raw_exec"),
    }),
  ];
  const client = await Client.start({
    config: {
      nodeName: parts.nodeName,
      datacenter: settings.datacenter,
      region: settings.region,
      nodeClass: settings.client.nodeClass,
      nodePool: settings.client.nodePool,
      meta: settings.client.meta,
      stateDir,
      allocDir: `${parts.dataDir}/alloc`,
      httpAddress: `${settings.advertiseAddress}:${settings.ports.http}`,
      networkIP: settings.advertiseAddress,
      reserved: settings.client.reserved,
      minDynamicPort: settings.client.minDynamicPort,
      maxDynamicPort: settings.client.maxDynamicPort,
      ...(settings.client.cpuTotalCompute
        ? { cpuTotalCompute: settings.client.cpuTotalCompute }
        : {}),
      ...(settings.client.memoryTotalMB ? { memoryTotalMB: settings.client.memoryTotalMB } : {}),
      devMode: settings.devMode,
      ...(settings.client.hostVolumes ? { hostVolumes: settings.client.hostVolumes } : {}),
      ...(settings.client.gc ? { gc: settings.client.gc } : {}),
    },
    server: parts.api,
    drivers,
    logger: logger.named("client"),
    rng: systemRng,
    nowNs: systemClock.nowNs,
  });
  return { client, executor };
}

async function serverRaftPath(dataDir: string): Promise<string> {
  await Deno.mkdir(`${dataDir}/server`, { recursive: true });
  return `${dataDir}/server/raft.db`;
}

function httpBackend(
  parts: {
    settings: AgentSettings;
    server: Server | null;
    client: Client | null;
    pool: RpcPool | null;
  },
): HttpBackend {
  const { settings, server, client, pool } = parts;
  return {
    state: server?.state ?? null,
    ...(pool !== null ? { forward: forwardOverRpc(pool) } : {}),
    region: settings.region,
    jobRegister: (request) => server!.jobRegister(request),
    jobValidate: (job) => server!.jobValidate(job),
    jobPlan: (job, diff) => server!.jobPlan(job, diff),
    jobRevert: (namespace, id, request) => server!.jobRevert(namespace, id, request),
    jobScale: (namespace, id, request) => server!.jobScale(namespace, id, request),
    jobDispatch: (request) => server!.jobDispatch(request),
    periodicForce: (namespace, id) => server!.periodicForce(namespace, id),
    jobDeregister: (namespace, jobID, options) => server!.jobDeregister(namespace, jobID, options),
    nodeUpdateDrain: (request) => server!.nodeUpdateDrain(request),
    nodeUpdateEligibility: (request) => server!.nodeUpdateEligibility(request),
    systemGarbageCollect: () => server!.systemGarbageCollect(),
    reconcileJobSummaries: () => server!.reconcileJobSummaries(),
    schedulerSetConfiguration: (config, cas) => server!.schedulerSetConfiguration(config, cas),
    variableApply: (op, variable) => server!.variableApply(op, variable),
    serviceRegistrationDelete: (namespace, id) => server!.serviceRegistrationDelete(namespace, id),
    ...(server !== null
      ? { allocStop: (allocID, options) => server.allocStop(allocID, options) }
      : {}),
    deploymentPromote: (id, request) => server!.deploymentPromote(id, request),
    deploymentFail: (id) => server!.deploymentFail(id),
    deploymentPause: (id, pause) => server!.deploymentPause(id, pause),
    deploymentSetAllocHealth: (id, request) => server!.deploymentSetAllocHealth(id, request),
    agentSelf: () => agentSelf({ settings, client }),
    agentMembers: () => agentMembers(settings),
    health: () => ({
      ...(client !== null ? { client: { ok: true, message: "ok" } } : {}),
      ...(server !== null ? { server: { ok: true, message: "ok" } } : {}),
    }),
    leader: () => server?.raft.leaderAddress() ?? "",
    peers: () => server?.raft.peers() ?? [],
    ...(client !== null
      ? {
        clientStats: () => client.hostStats(),
        clientGc: (allocID?: string) => client.collectGarbage(allocID),
        allocStats: (allocID: string) => client.allocStats(allocID),
        allocChecks: (allocID: string) => client.allocRunner(allocID)?.checkResults(),
      }
      : {}),
    localAllocation: (allocID): LocalAllocation | undefined => {
      const runner = client?.allocRunner(allocID);
      if (runner === undefined) return undefined;
      return {
        alloc: runner.alloc,
        taskNames: runner.taskNames,
        logs: (options) =>
          taskLogs({
            ...options,
            logDir: runner.dir.logs,
            done: () => runner.taskStates()[options.task]?.State === "dead",
          }),
        fs: allocFs({ root: runner.dir.root, taskNames: runner.taskNames }),
        taskStates: () => runner.taskStates(),
        ...allocationActions(runner.tasks, systemClock.nowNs),
      };
    },
    uiAsset,
  };
}
