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

function parseFlags(args: string[], io: AgentIo) {
  const flags = new FlagSet("agent", {
    output: io.stderr,
    usage: () => io.stderr(agentUsage(flags)),
  });
  const f = {
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
    bind: flags.string("bind", "", "Address to bind network services to."),
    region: flags.string("region", "", "Region of the agent."),
    dc: flags.string("dc", "", "Datacenter of the agent."),
    node: flags.string("node", "", "Name of this node."),
    nodeClass: flags.string("node-class", "", "Node class of the client."),
    nodePool: flags.string("node-pool", "", "Node pool of the client."),
    meta: flags.stringList("meta", "Client metadata key=value; repeatable."),
    networkInterface: flags.string("network-interface", "", "Network interface of the client."),
    logLevel: flags.string("log-level", "", "Log level (TRACE, DEBUG, INFO, WARN, ERROR)."),
  };
  const result = flags.parse(args);
  return { result, f };
}

function agentUsage(flags: FlagSet): string {
  return `Usage: nomad agent [options]\n\n  Starts the Nomad agent and runs until an interrupt is received.\n\nAgent Options:\n\n${flags.defaults()}`;
}

function flagOverrides(f: ReturnType<typeof parseFlags>["f"]): PartialAgentConfig {
  const o: PartialAgentConfig = {};
  if (f.dataDir.isSet) o.dataDir = f.dataDir.value;
  if (f.bind.isSet) o.bindAddr = f.bind.value;
  if (f.region.isSet) o.region = f.region.value;
  if (f.dc.isSet) o.datacenter = f.dc.value;
  if (f.node.isSet) o.name = f.node.value;
  if (f.logLevel.isSet) o.logLevel = f.logLevel.value;
  const server: PartialAgentConfig["server"] = {};
  if (f.server.isSet) server.enabled = f.server.value;
  if (f.bootstrapExpect.isSet) server.bootstrapExpect = f.bootstrapExpect.value;
  o.server = server;
  const client: PartialAgentConfig["client"] = {};
  if (f.client.isSet) client.enabled = f.client.value;
  if (f.nodeClass.isSet) client.nodeClass = f.nodeClass.value;
  if (f.nodePool.isSet) client.nodePool = f.nodePool.value;
  if (f.networkInterface.isSet) client.networkInterface = f.networkInterface.value;
  if (f.meta.value.length > 0) {
    client.meta = Object.fromEntries(f.meta.value.map((kv) => {
      const i = kv.indexOf("=");
      return i < 0 ? [kv, ""] : [kv.slice(0, i), kv.slice(i + 1)];
    }));
  }
  o.client = client;
  return o;
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
    advertiseAddress: advertiseAddress(config),
    ports: config.ports,
    logLevel: config.logLevel.toUpperCase(),
    devMode: config.devMode,
    server: {
      enabled: config.server.enabled,
      numSchedulers: config.server.numSchedulers || navigator.hardwareConcurrency,
      bootstrapExpect: config.server.bootstrapExpect,
    },
    client: {
      enabled: config.client.enabled,
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
    },
    ui: { enabled: config.ui.enabled },
  };
}

function banner(settings: AgentSettings, nodeID: string): string[] {
  const a = settings.advertiseAddress;
  const p = settings.ports;
  const rows: [string, string][] = [
    ["Advertise Addrs", `HTTP: ${a}:${p.http}; RPC: ${a}:${p.rpc}; Serf: ${a}:${p.serf}`],
    [
      "Bind Addrs",
      `HTTP: [${settings.bindAddress}:${p.http}]; RPC: ${settings.bindAddress}:${p.rpc}; Serf: ${settings.bindAddress}:${p.serf}`,
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

async function loadConfig(
  f: ReturnType<typeof parseFlags>["f"],
  io: AgentIo,
): Promise<AgentConfig | null> {
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
  const { result, f } = parseFlags(args, io);
  if (!result.ok) return 1;
  const config = await loadConfig(f, io);
  if (config === null) return 1;
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
