/**
 * `nomad agent`: parses the agent's flags (Go-style), loads `-config` files over
 * the defaults (or the `-dev` defaults), resolves settings and runs until a signal.
 */

import { FlagSet } from "../core/flags.ts";
import {
  type AgentConfig,
  defaultAgentConfig,
  devConfig,
  loadAgentConfigPaths,
  mergeAgentConfig,
  type PartialAgentConfig,
} from "./config.ts";
import { Agent } from "./agent.ts";
import { createLogger, parseLogLevel } from "./logger.ts";
import type { AgentSettings } from "./settings.ts";
import { NOMAD_VERSION } from "../core/version.ts";

/** Where the command writes its banner and errors. */
export interface AgentIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

const defaultIo: AgentIo = { stdout: (l) => console.log(l), stderr: (l) => console.error(l) };

function defineFlags(flags: FlagSet) {
  return {
    dev: flags.bool("dev", false, "Start the agent in development mode."),
    server: flags.bool("server", false, "Enable server mode for the agent."),
    client: flags.bool("client", false, "Enable client mode for the agent."),
    bootstrapExpect: flags.int(
      "bootstrap-expect",
      0,
      "Number of servers to wait for before bootstrapping.",
    ),
    config: flags.stringList("config", "Path to a config file or directory; repeatable."),
    dataDir: flags.string("data-dir", "", "Path for local state."),
    pluginDir: flags.string("plugin-dir", "", "Directory to search for plugins."),
    bind: flags.string("bind", "", "Address to bind network services to."),
    region: flags.string("region", "", "Region of the agent."),
    dc: flags.string("dc", "", "Datacenter of the agent."),
    node: flags.string("node", "", "Name of this node."),
    encrypt: flags.string("encrypt", "", "Gossip encryption key (base64)."),
    join: flags.stringList("join", "Address of a server to join at start; repeatable."),
    retryJoin: flags.stringList(
      "retry-join",
      "Address of a server to join, with retries; repeatable.",
    ),
    retryInterval: flags.duration("retry-interval", 0, "Time to wait between join attempts."),
    retryMax: flags.int("retry-max", 0, "Maximum number of join attempts (0: no limit)."),
    rejoin: flags.bool("rejoin", false, "Ignore a previous leave and rejoin the cluster."),
    raftProtocol: flags.int("raft-protocol", 0, "Raft protocol version to use."),
    servers: flags.string("servers", "", "Comma-separated list of servers for the client."),
    stateDir: flags.string("state-dir", "", "Directory for the client's state."),
    allocDir: flags.string("alloc-dir", "", "Directory for allocations."),
    nodeClass: flags.string("node-class", "", "Node class of the client."),
    nodePool: flags.string("node-pool", "", "Node pool of the client."),
    meta: flags.stringList("meta", "Client metadata key=value; repeatable."),
    networkInterface: flags.string("network-interface", "", "Network interface of the client."),
    networkSpeed: flags.int("network-speed", 0, "Network speed of the client in MBits."),
    logLevel: flags.string("log-level", "", "Log level (TRACE, DEBUG, INFO, WARN, ERROR)."),
    logJson: flags.bool("log-json", false, "Output logs in JSON format."),
    logIncludeLocation: flags.bool(
      "log-include-location",
      false,
      "Include file and line in log lines.",
    ),
    aclEnabled: flags.bool("acl-enabled", false, "Enable the ACL system."),
    aclReplicationToken: flags.string(
      "acl-replication-token",
      "",
      "Token used to replicate ACLs from the authoritative region.",
    ),
  };
}

type AgentFlags = ReturnType<typeof defineFlags>;

function parseFlags(args: string[], io: AgentIo) {
  const flags = new FlagSet("agent", {
    output: io.stderr,
    usage: () => io.stderr(agentUsage(flags)),
  });
  const f = defineFlags(flags);
  const result = flags.parse(args);
  return { result, f };
}

function agentUsage(flags: FlagSet): string {
  return `Usage: nomad agent [options]\n\n  Starts the Nomad agent and runs until an interrupt is received.\n\nAgent Options:\n\n${flags.defaults()}`;
}

/** `-meta k=v` pairs → a map (a pair without "=" has an empty value). */
function metaOf(pairs: readonly string[]): Record<string, string> {
  return Object.fromEntries(pairs.map((kv) => {
    const i = kv.indexOf("=");
    return i < 0 ? [kv, ""] : [kv.slice(0, i), kv.slice(i + 1)];
  }));
}

function serverOverrides(f: AgentFlags): NonNullable<PartialAgentConfig["server"]> {
  const server: NonNullable<PartialAgentConfig["server"]> = {};
  if (f.server.isSet) server.enabled = f.server.value;
  if (f.bootstrapExpect.isSet) server.bootstrapExpect = f.bootstrapExpect.value;
  if (f.encrypt.isSet) server.encrypt = f.encrypt.value;
  if (f.join.isSet) server.startJoin = f.join.value;
  if (f.retryJoin.isSet) server.retryJoin = f.retryJoin.value;
  if (f.retryInterval.isSet) server.retryInterval = f.retryInterval.value;
  if (f.retryMax.isSet) server.retryMax = f.retryMax.value;
  if (f.rejoin.isSet) server.rejoinAfterLeave = f.rejoin.value;
  if (f.raftProtocol.isSet) server.raftProtocol = f.raftProtocol.value;
  return server;
}

function clientOverrides(f: AgentFlags): NonNullable<PartialAgentConfig["client"]> {
  const client: NonNullable<PartialAgentConfig["client"]> = {};
  if (f.client.isSet) client.enabled = f.client.value;
  if (f.servers.isSet) {
    client.servers = f.servers.value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  }
  if (f.stateDir.isSet) client.stateDir = f.stateDir.value;
  if (f.allocDir.isSet) client.allocDir = f.allocDir.value;
  if (f.nodeClass.isSet) client.nodeClass = f.nodeClass.value;
  if (f.nodePool.isSet) client.nodePool = f.nodePool.value;
  if (f.networkInterface.isSet) client.networkInterface = f.networkInterface.value;
  if (f.networkSpeed.isSet) client.networkSpeed = f.networkSpeed.value;
  if (f.meta.value.length > 0) client.meta = metaOf(f.meta.value);
  return client;
}

/** The configuration the command-line flags set; merged over the files, as Nomad does. */
function flagOverrides(f: AgentFlags): PartialAgentConfig {
  const o: PartialAgentConfig = {};
  if (f.dataDir.isSet) o.dataDir = f.dataDir.value;
  if (f.pluginDir.isSet) o.pluginDir = f.pluginDir.value;
  if (f.bind.isSet) o.bindAddr = f.bind.value;
  if (f.region.isSet) o.region = f.region.value;
  if (f.dc.isSet) o.datacenter = f.dc.value;
  if (f.node.isSet) o.name = f.node.value;
  if (f.logLevel.isSet) o.logLevel = f.logLevel.value;
  if (f.logJson.isSet) o.logJson = f.logJson.value;
  if (f.logIncludeLocation.isSet) o.logIncludeLocation = f.logIncludeLocation.value;
  const acl: NonNullable<PartialAgentConfig["acl"]> = {};
  if (f.aclEnabled.isSet) acl.enabled = f.aclEnabled.value;
  if (f.aclReplicationToken.isSet) acl.replicationToken = f.aclReplicationToken.value;
  o.acl = acl;
  o.server = serverOverrides(f);
  o.client = clientOverrides(f);
  return o;
}

/** The outcome of reading `nomad agent` flags and configuration files. */
export type LoadedAgentCommandConfig =
  | { readonly ok: true; readonly config: AgentConfig }
  | { readonly ok: false };

/**
 * Reads `nomad agent` flags, loads `-config` files over the defaults (or the
 * `-dev` defaults) and applies the flags last. Writes problems to `io`.
 *
 * @example
 * ```ts
 * import { loadAgentCommandConfig } from "./command.ts";
 * const loaded = await loadAgentCommandConfig(["-dev", "-dc", "east"]);
 * if (loaded.ok) loaded.config.datacenter; // "east"
 * ```
 */
export async function loadAgentCommandConfig(
  args: string[],
  io: AgentIo = defaultIo,
): Promise<LoadedAgentCommandConfig> {
  const { result, f } = parseFlags(args, io);
  if (!result.ok) return { ok: false };
  const config = await loadConfig(f, io);
  return config === null ? { ok: false } : { ok: true, config };
}

function truthy(value: unknown): boolean {
  return value === true || value === "1" || value === "true";
}

function advertiseAddress(config: AgentConfig): string {
  if (config.advertise.http !== "") return config.advertise.http.split(":")[0]!;
  if (config.bindAddr !== "0.0.0.0" && config.bindAddr !== "") return config.bindAddr;
  const iface = Deno.networkInterfaces().find((i) =>
    i.family === "IPv4" && !i.address.startsWith("127.")
  );
  return iface?.address ?? "127.0.0.1";
}

/** `server.default_scheduler_config` as the scheduler configuration the server writes first. */
function schedulerConfigSetting(
  block: AgentConfig["server"]["defaultSchedulerConfig"],
): Pick<AgentSettings["server"], "defaultSchedulerConfig"> {
  if (block === null) return {};
  return {
    defaultSchedulerConfig: {
      SchedulerAlgorithm: block.schedulerAlgorithm,
      PreemptionConfig: {
        SystemSchedulerEnabled: block.preemptionConfig.systemSchedulerEnabled,
        SysBatchSchedulerEnabled: block.preemptionConfig.sysbatchSchedulerEnabled,
        BatchSchedulerEnabled: block.preemptionConfig.batchSchedulerEnabled,
        ServiceSchedulerEnabled: block.preemptionConfig.serviceSchedulerEnabled,
      },
      MemoryOversubscriptionEnabled: block.memoryOversubscriptionEnabled,
      RejectJobRegistration: block.rejectJobRegistration,
      PauseEvalBroker: block.pauseEvalBroker,
      CreateIndex: 0,
      ModifyIndex: 0,
    },
  };
}

/** Turns merged configuration into the settings the agent runs with. */
export async function resolveSettings(config: AgentConfig): Promise<AgentSettings> {
  const dataDir = config.dataDir !== ""
    ? await Deno.realPath(
      await Deno.mkdir(config.dataDir, { recursive: true }).then(() => config.dataDir),
    )
    : await Deno.makeTempDir({ prefix: "NomadClient" });
  const rawExec = config.plugins.raw_exec?.config.enabled;
  return {
    name: config.name || Deno.hostname(),
    region: config.region,
    datacenter: config.datacenter,
    dataDir,
    bindAddress: config.addresses.http || config.bindAddr,
    rpcBindAddress: config.addresses.rpc || config.bindAddr,
    advertiseAddress: advertiseAddress(config),
    ports: config.ports,
    logLevel: config.logLevel.toUpperCase(),
    devMode: config.devMode,
    server: {
      enabled: config.server.enabled,
      numSchedulers: config.server.numSchedulers || navigator.hardwareConcurrency,
      bootstrapExpect: config.server.bootstrapExpect,
      heartbeat: {
        minTtlMs: (config.server.minHeartbeatTtl || 10e9) / 1e6,
        graceMs: (config.server.heartbeatGrace || 10e9) / 1e6,
        maxHeartbeatsPerSecond: config.server.maxHeartbeatsPerSecond || 50,
      },
      gc: {
        thresholds: {
          jobNs: config.server.jobGcThreshold || 4 * 3600e9,
          evalNs: config.server.evalGcThreshold || 3600e9,
          batchEvalNs: config.server.batchEvalGcThreshold || 24 * 3600e9,
          nodeNs: config.server.nodeGcThreshold || 24 * 3600e9,
          deploymentNs: config.server.deploymentGcThreshold || 3600e9,
        },
        intervalMs: (config.server.jobGcInterval || 300e9) / 1e6,
      },
      ...schedulerConfigSetting(config.server.defaultSchedulerConfig),
    },
    client: {
      enabled: config.client.enabled,
      servers: [...config.client.servers, ...config.client.serverJoin.retryJoin].map(withRpcPort),
      nodeClass: config.client.nodeClass,
      nodePool: config.client.nodePool,
      meta: config.client.meta,
      reserved: {
        cpu: config.client.reserved.cpu,
        memoryMB: config.client.reserved.memory,
        diskMB: config.client.reserved.disk,
        reservedPorts: config.client.reserved.reservedPorts,
      },
      minDynamicPort: config.client.minDynamicPort,
      maxDynamicPort: config.client.maxDynamicPort,
      cpuTotalCompute: config.client.cpuTotalCompute,
      memoryTotalMB: config.client.memoryTotalMb,
      rawExecEnabled: truthy(rawExec) || truthy(config.client.options["driver.raw_exec.enable"]),
      hostVolumes: config.client.hostVolumes,
      gc: {
        intervalMs: config.client.gcInterval / 1e6,
        maxAllocs: config.client.gcMaxAllocs,
        diskUsageThreshold: config.client.gcDiskUsageThreshold,
      },
    },
    ui: { enabled: config.ui.enabled },
  };
}

/** A server address without a port gets Nomad's RPC port 4647. */
function withRpcPort(address: string): string {
  return /:\d+$/.test(address) ? address : `${address}:4647`;
}

function banner(settings: AgentSettings, nodeID: string): string[] {
  const a = settings.advertiseAddress;
  const p = settings.ports;
  const rows: [string, string][] = [
    ["Advertise Addrs", `HTTP: ${a}:${p.http}; RPC: ${a}:${p.rpc}; Serf: ${a}:${p.serf}`],
    [
      "Bind Addrs",
      `HTTP: [${settings.bindAddress}:${p.http}]; RPC: ${settings.rpcBindAddress}:${p.rpc}; Serf: ${settings.bindAddress}:${p.serf}`,
    ],
    ["Client", String(settings.client.enabled)],
    ["Log Level", settings.logLevel],
    ["Node Id", nodeID],
    ["Region", `${settings.region} (DC: ${settings.datacenter})`],
    ["Server", String(settings.server.enabled)],
    ["Version", NOMAD_VERSION],
  ];
  return rows.map(([k, v]) => `${k.padStart(23)}: ${v}`);
}

async function loadConfig(f: AgentFlags, io: AgentIo): Promise<AgentConfig | null> {
  let loaded;
  try {
    loaded = await loadAgentConfigPaths(
      f.config.value,
      f.dev.value ? devConfig() : defaultAgentConfig(),
    );
  } catch (err) {
    io.stderr(`==> Error loading configuration: ${(err as Error).message}`);
    return null;
  }
  if (loaded.files.length === 0) io.stdout("==> No configuration files loaded");
  else io.stdout(`==> Loaded configuration from ${loaded.files.join(", ")}`);
  for (const warning of loaded.warnings) io.stdout(`==> WARNING: ${warning}`);
  const config = mergeAgentConfig(loaded.config, flagOverrides(f));
  if (!config.server.enabled && !config.client.enabled) {
    io.stderr("==> Must specify either server, client or dev mode for the agent.");
    return null;
  }
  if (!config.devMode && config.dataDir === "") {
    io.stderr(`==> Must specify "data_dir" config option or "data-dir" CLI flag`);
    return null;
  }
  if (parseLogLevel(config.logLevel) === undefined) {
    io.stderr(`==> Invalid log level: ${config.logLevel}`);
    return null;
  }
  return config;
}

/** Runs `nomad agent [flags]` until SIGINT/SIGTERM; returns the exit code. */
export async function runAgent(args: string[], io: AgentIo = defaultIo): Promise<number> {
  const loaded = await loadAgentCommandConfig(args, io);
  if (!loaded.ok) return 1;
  const config = loaded.config;
  const settings = await resolveSettings(config);
  const logger = createLogger({ level: parseLogLevel(settings.logLevel)!, write: io.stdout });
  io.stdout("==> Starting Nomad agent...");
  let agent: Agent;
  try {
    agent = await Agent.start(settings, logger);
  } catch (err) {
    io.stderr(`==> Error starting agent: ${(err as Error).message}`);
    return 1;
  }
  io.stdout("==> Nomad agent configuration:\n");
  for (const line of banner(settings, agent.client?.node.ID ?? "")) io.stdout(line);
  io.stdout("\n==> Nomad agent started! Log data will stream in below:\n");
  const signal = await new Promise<string>((resolve) => {
    const onSignal = (name: Deno.Signal) => () => resolve(name);
    Deno.addSignalListener("SIGINT", onSignal("SIGINT"));
    Deno.addSignalListener("SIGTERM", onSignal("SIGTERM"));
  });
  io.stdout(`==> Caught signal: ${signal === "SIGINT" ? "interrupt" : "terminated"}`);
  io.stdout("==> Gracefully shutting down agent...");
  await agent.shutdown();
  if (settings.devMode) await Deno.remove(settings.dataDir, { recursive: true }).catch(() => {});
  return 0;
}
