/**
 * The agent: the only place that wires server, client, drivers and the HTTP API
 * together. `nomad agent -dev` runs all of them in one process.
 */

import type { TaskDriver } from "../../drivers/driver.ts";
import { DRIVER_CONFIG_SCHEMAS } from "../../drivers/mod.ts";
import { RawExecDriver } from "../../drivers/raw_exec/mod.ts";
import { ExecutorClient } from "../../drivers/executor/client.ts";
import type { Logger } from "../core/logger.ts";
import { Client, type ServerApi, taskLogs } from "../client/mod.ts";
import { createApp, type HttpBackend, type LocalAllocation } from "../http/mod.ts";
import { Server } from "../server/mod.ts";
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
  };
}

/** A running agent. */
export class Agent {
  readonly settings: AgentSettings;
  readonly server: Server | null;
  readonly client: Client | null;
  readonly #http: Deno.HttpServer<Deno.NetAddr>;
  readonly #logger: Logger;
  readonly #executor: { current: ExecutorClient | null };

  private constructor(
    options: {
      settings: AgentSettings;
      server: Server | null;
      client: Client | null;
      http: Deno.HttpServer<Deno.NetAddr>;
      logger: Logger;
      executor: { current: ExecutorClient | null };
    },
  ) {
    this.settings = options.settings;
    this.server = options.server;
    this.client = options.client;
    this.#http = options.http;
    this.#logger = options.logger;
    this.#executor = options.executor;
  }

  /** Starts every enabled part and the HTTP listener. */
  static async start(settings: AgentSettings, logger: Logger): Promise<Agent> {
    const rpcAddress = `${settings.advertiseAddress}:${settings.ports.rpc}`;
    const server = settings.server.enabled
      ? Server.start({
        region: settings.region,
        datacenter: settings.datacenter,
        nodeName: settings.name,
        rpcAddress,
        raftPath: settings.devMode ? ":memory:" : await serverRaftPath(settings.dataDir),
        numSchedulers: settings.server.numSchedulers,
        driverSchemas: DRIVER_CONFIG_SCHEMAS,
        clock: systemClock,
        rng: systemRng,
        newId: () => crypto.randomUUID(),
        logger: logger.named("nomad"),
      })
      : null;
    const executor = { current: null as ExecutorClient | null };
    let client: Client | null = null;
    if (settings.client.enabled) {
      if (server === null) {
        throw new Error("a client-only agent needs the RPC transport of the clustering issue");
      }
      const stateDir = `${settings.dataDir}/client`;
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
      client = await Client.start({
        config: {
          nodeName: settings.name,
          datacenter: settings.datacenter,
          region: settings.region,
          nodeClass: settings.client.nodeClass,
          nodePool: settings.client.nodePool,
          meta: settings.client.meta,
          stateDir,
          allocDir: `${settings.dataDir}/alloc`,
          httpAddress: `${settings.advertiseAddress}:${settings.ports.http}`,
          networkIP: settings.advertiseAddress,
          reserved: settings.client.reserved,
          minDynamicPort: settings.client.minDynamicPort,
          maxDynamicPort: settings.client.maxDynamicPort,
          ...(settings.client.cpuTotalCompute
            ? { cpuTotalCompute: settings.client.cpuTotalCompute }
            : {}),
          ...(settings.client.memoryTotalMB
            ? { memoryTotalMB: settings.client.memoryTotalMB }
            : {}),
          devMode: settings.devMode,
        },
        server: localServerApi(server),
        drivers,
        logger: logger.named("client"),
        rng: systemRng,
        nowNs: systemClock.nowNs,
      });
    }
    const backend = httpBackend({ settings, server, client });
    const app = createApp(backend, logger.named("http"));
    const http = Deno.serve({
      hostname: settings.bindAddress,
      port: settings.ports.http,
      onListen: () => {},
    }, app.fetch);
    return new Agent({ settings, server, client, http, logger, executor });
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
    await this.server?.shutdown();
  }
}

async function serverRaftPath(dataDir: string): Promise<string> {
  await Deno.mkdir(`${dataDir}/server`, { recursive: true });
  return `${dataDir}/server/raft.db`;
}

function httpBackend(
  parts: { settings: AgentSettings; server: Server | null; client: Client | null },
): HttpBackend {
  const { settings, server, client } = parts;
  return {
    state: server?.state ?? null,
    region: settings.region,
    jobRegister: (request) => server!.jobRegister(request),
    jobValidate: (job) => server!.jobValidate(job),
    jobDeregister: (namespace, jobID, options) => server!.jobDeregister(namespace, jobID, options),
    agentSelf: () => agentSelf({ settings, client }),
    agentMembers: () => agentMembers(settings),
    health: () => ({
      ...(client !== null ? { client: { ok: true, message: "ok" } } : {}),
      ...(server !== null ? { server: { ok: true, message: "ok" } } : {}),
    }),
    leader: () => server?.raft.leaderAddress() ?? "",
    peers: () => server?.raft.peers() ?? [],
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
      };
    },
    uiAsset,
  };
}
