/**
 * Agent configuration: the typed {@linkcode AgentConfig}, its defaults and
 * `-dev` defaults, merging with Nomad's rules, and loading files and
 * directories from disk (the only I/O here; parsing is in config_parse.ts).
 */

import { NS_PER_HOUR, NS_PER_MINUTE, NS_PER_SECOND } from "../core/mod.ts";

/** HTTP, RPC and Serf ports. */
export interface PortsConfig {
  http: number;
  rpc: number;
  serf: number;
}

/** Per-protocol addresses ("" means: use `bindAddr`, or the default advertise address). */
export interface AddressesConfig {
  http: string;
  rpc: string;
  serf: string;
}

/** How an agent finds servers to join. Durations are nanoseconds. */
export interface ServerJoinConfig {
  retryJoin: string[];
  retryInterval: number;
  retryMax: number;
  startJoin: string[];
}

/** `server.default_scheduler_config`: the scheduler configuration a new cluster starts with. */
export interface SchedulerConfig {
  schedulerAlgorithm: "binpack" | "spread";
  memoryOversubscriptionEnabled: boolean;
  rejectJobRegistration: boolean;
  pauseEvalBroker: boolean;
  preemptionConfig: {
    systemSchedulerEnabled: boolean;
    sysbatchSchedulerEnabled: boolean;
    batchSchedulerEnabled: boolean;
    serviceSchedulerEnabled: boolean;
  };
}

/** The `server` block. Durations are nanoseconds; 0 or "" means Nomad's default. */
export interface ServerConfig {
  enabled: boolean;
  bootstrapExpect: number;
  dataDir: string;
  /** 0 means one scheduler per CPU core. */
  numSchedulers: number;
  enabledSchedulers: string[];
  heartbeatGrace: number;
  minHeartbeatTtl: number;
  maxHeartbeatsPerSecond: number;
  failoverHeartbeatTtl: number;
  nodeGcThreshold: number;
  jobGcInterval: number;
  jobGcThreshold: number;
  evalGcThreshold: number;
  batchEvalGcThreshold: number;
  deploymentGcThreshold: number;
  csiVolumeClaimGcInterval: number;
  csiVolumeClaimGcThreshold: number;
  csiPluginGcThreshold: number;
  aclTokenGcThreshold: number;
  rootKeyGcInterval: number;
  rootKeyGcThreshold: number;
  rootKeyRotationThreshold: number;
  encrypt: string;
  serverJoin: ServerJoinConfig;
  /** Legacy `server.retry_join` etc.: Nomad appends these across files, unlike `server_join`. */
  retryJoin: string[];
  retryInterval: number;
  retryMax: number;
  startJoin: string[];
  authoritativeRegion: string;
  raftProtocol: number;
  raftMultiplier: number;
  rejoinAfterLeave: boolean;
  nonVotingServer: boolean;
  redundancyZone: string;
  upgradeVersion: string;
  /** null: not set, the scheduler's own defaults apply. */
  defaultSchedulerConfig: SchedulerConfig | null;
  eventBufferSize: number;
  jobMaxPriority: number;
  jobDefaultPriority: number;
  jobTrackedVersions: number;
  raftSnapshotThreshold: number;
  raftSnapshotInterval: number;
  raftTrailingLogs: number;
  licensePath: string;
  licenseEnv: string;
}

/** Resources a client keeps for itself. */
export interface ReservedConfig {
  cpu: number;
  cores: string;
  memory: number;
  disk: number;
  /** Port list such as "22,80,8000-8100". */
  reservedPorts: string;
}

/** A `host_volume "name" {}` block. */
export interface HostVolumeConfig {
  path: string;
  readOnly: boolean;
}

/** A `host_network "name" {}` block. */
export interface HostNetworkConfig {
  cidr: string;
  interface: string;
  reservedPorts: string;
}

/** `client.drain_on_shutdown`. */
export interface DrainOnShutdownConfig {
  deadline: number;
  force: boolean;
  ignoreSystemJobs: boolean;
}

/** The `client` block. Durations are nanoseconds. */
export interface ClientConfig {
  enabled: boolean;
  stateDir: string;
  allocDir: string;
  allocMountsDir: string;
  hostVolumesDir: string;
  servers: string[];
  serverJoin: ServerJoinConfig;
  nodeClass: string;
  nodePool: string;
  meta: Record<string, string>;
  /** Driver and fingerprint options, e.g. `"driver.raw_exec.enable" = "1"`. */
  options: Record<string, string>;
  reserved: ReservedConfig;
  reservableCores: string;
  networkInterface: string;
  preferredAddressFamily: string;
  networkSpeed: number;
  cpuTotalCompute: number;
  cpuDisableDmidecode: boolean;
  memoryTotalMb: number;
  diskTotalMb: number;
  diskFreeMb: number;
  minDynamicPort: number;
  maxDynamicPort: number;
  hostVolumes: Record<string, HostVolumeConfig>;
  hostNetworks: Record<string, HostNetworkConfig>;
  chrootEnv: Record<string, string>;
  gcInterval: number;
  gcDiskUsageThreshold: number;
  gcInodeUsageThreshold: number;
  gcMaxAllocs: number;
  gcParallelDestroys: number;
  gcVolumesOnNodeGc: boolean;
  maxKillTimeout: number;
  noHostUuid: boolean;
  disableRemoteExec: boolean;
  nodeMaxAllocs: number;
  drainOnShutdown: DrainOnShutdownConfig | null;
  /** `client.template` (camelCase keys; durations in nanoseconds). */
  template: Record<string, unknown>;
  /** `client.artifact` (camelCase keys; sizes in bytes, durations in nanoseconds). */
  artifact: Record<string, unknown>;
  cniPath: string;
  cniConfigDir: string;
  bridgeNetworkName: string;
  bridgeNetworkSubnet: string;
  bridgeNetworkSubnetIpv6: string;
  bridgeNetworkHairpinMode: boolean;
  cgroupParent: string;
  bindWildcardDefaultHostNetwork: boolean;
  nomadServiceDiscovery: boolean;
}

/** The `acl` block. Durations are nanoseconds. */
export interface AclConfig {
  enabled: boolean;
  tokenTtl: number;
  policyTtl: number;
  roleTtl: number;
  replicationToken: string;
  tokenMinExpirationTtl: number;
  tokenMaxExpirationTtl: number;
}

/** The `ui` block. */
export interface UiConfig {
  enabled: boolean;
  contentSecurityPolicy: Record<string, unknown>;
  consul: { uiUrl: string };
  vault: { uiUrl: string };
  label: { text: string; backgroundColor: string; textColor: string };
}

/** The `tls` block. */
export interface TlsConfig {
  http: boolean;
  rpc: boolean;
  caFile: string;
  certFile: string;
  keyFile: string;
  verifyServerHostname: boolean;
  verifyHttpsClient: boolean;
  rpcUpgradeMode: boolean;
  tlsMinVersion: string;
  tlsCipherSuites: string;
  tlsPreferServerCipherSuites: boolean;
}

/** The `limits` block. Durations are nanoseconds. */
export interface LimitsConfig {
  httpsHandshakeTimeout: number;
  httpMaxConnsPerClient: number;
  rpcHandshakeTimeout: number;
  rpcMaxConnsPerClient: number;
}

/** The `autopilot` block. Durations are nanoseconds. */
export interface AutopilotConfig {
  cleanupDeadServers: boolean;
  lastContactThreshold: number;
  maxTrailingLogs: number;
  minQuorum: number;
  serverStabilizationTime: number;
  enableRedundancyZones: boolean;
  disableUpgradeMigration: boolean;
  enableCustomUpgrades: boolean;
}

/** A `plugin "name" { config { ... } args = [...] }` block. */
export interface PluginConfig {
  config: Record<string, unknown>;
  args: string[];
}

/** The whole agent configuration (camelCase fields; durations in nanoseconds). */
export interface AgentConfig {
  name: string;
  region: string;
  datacenter: string;
  /** "" means a temporary directory (dev mode). */
  dataDir: string;
  pluginDir: string;
  bindAddr: string;
  logLevel: string;
  logJson: boolean;
  logFile: string;
  logRotateBytes: number;
  logRotateDuration: number;
  logRotateMaxFiles: number;
  logIncludeLocation: boolean;
  enableSyslog: boolean;
  syslogFacility: string;
  enableDebug: boolean;
  leaveOnInterrupt: boolean;
  leaveOnTerminate: boolean;
  disableUpdateCheck: boolean;
  disableAnonymousSignature: boolean;
  httpApiResponseHeaders: Record<string, string>;
  ports: PortsConfig;
  addresses: AddressesConfig;
  advertise: AddressesConfig;
  server: ServerConfig;
  client: ClientConfig;
  acl: AclConfig;
  ui: UiConfig;
  tls: TlsConfig;
  limits: LimitsConfig;
  autopilot: AutopilotConfig;
  /** `telemetry` (camelCase keys; durations in nanoseconds). */
  telemetry: Record<string, unknown>;
  plugins: Record<string, PluginConfig>;
  /** The `consul` and `vault` blocks as written: accepted, with a warning, and not used. */
  consul: Record<string, unknown>[];
  vault: Record<string, unknown>[];
  /** Enterprise-only blocks, kept as written. */
  audit: Record<string, unknown> | null;
  sentinel: Record<string, unknown> | null;
  devMode: boolean;
}

/** Every field optional, recursively (what one file sets). */
export type DeepPartial<T> = T extends readonly unknown[] ? T
  : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> }
  : T;

/** What a configuration file sets. */
export type PartialAgentConfig = DeepPartial<AgentConfig>;

/** A parsed file: its settings and notes about accepted-but-ignored keys. */
export interface ParsedAgentConfig {
  config: PartialAgentConfig;
  warnings: string[];
}

function serverJoinDefaults(): ServerJoinConfig {
  return { retryJoin: [], retryInterval: 30 * NS_PER_SECOND, retryMax: 0, startJoin: [] };
}

function serverDefaults(): ServerConfig {
  return {
    enabled: false,
    bootstrapExpect: 0,
    dataDir: "",
    numSchedulers: 0,
    enabledSchedulers: ["service", "batch", "system", "sysbatch", "_core"],
    heartbeatGrace: 10 * NS_PER_SECOND,
    minHeartbeatTtl: 10 * NS_PER_SECOND,
    maxHeartbeatsPerSecond: 50,
    failoverHeartbeatTtl: 5 * NS_PER_MINUTE,
    nodeGcThreshold: 24 * NS_PER_HOUR,
    jobGcInterval: 5 * NS_PER_MINUTE,
    jobGcThreshold: 4 * NS_PER_HOUR,
    evalGcThreshold: NS_PER_HOUR,
    batchEvalGcThreshold: 24 * NS_PER_HOUR,
    deploymentGcThreshold: NS_PER_HOUR,
    csiVolumeClaimGcInterval: 5 * NS_PER_MINUTE,
    csiVolumeClaimGcThreshold: NS_PER_HOUR,
    csiPluginGcThreshold: NS_PER_HOUR,
    aclTokenGcThreshold: NS_PER_HOUR,
    rootKeyGcInterval: 10 * NS_PER_MINUTE,
    rootKeyGcThreshold: NS_PER_HOUR,
    rootKeyRotationThreshold: 30 * 24 * NS_PER_HOUR,
    encrypt: "",
    serverJoin: serverJoinDefaults(),
    retryJoin: [],
    retryInterval: 0,
    retryMax: 0,
    startJoin: [],
    authoritativeRegion: "",
    raftProtocol: 3,
    raftMultiplier: 1,
    rejoinAfterLeave: false,
    nonVotingServer: false,
    redundancyZone: "",
    upgradeVersion: "",
    defaultSchedulerConfig: null,
    eventBufferSize: 100,
    jobMaxPriority: 100,
    jobDefaultPriority: 50,
    jobTrackedVersions: 6,
    raftSnapshotThreshold: 8192,
    raftSnapshotInterval: 120 * NS_PER_SECOND,
    raftTrailingLogs: 10240,
    licensePath: "",
    licenseEnv: "",
  };
}

function clientDefaults(): ClientConfig {
  return {
    enabled: false,
    stateDir: "",
    allocDir: "",
    allocMountsDir: "",
    hostVolumesDir: "",
    servers: [],
    serverJoin: serverJoinDefaults(),
    nodeClass: "",
    nodePool: "default",
    meta: {},
    options: {},
    reserved: { cpu: 0, cores: "", memory: 0, disk: 0, reservedPorts: "" },
    reservableCores: "",
    networkInterface: "",
    preferredAddressFamily: "",
    networkSpeed: 0,
    cpuTotalCompute: 0,
    cpuDisableDmidecode: false,
    memoryTotalMb: 0,
    diskTotalMb: 0,
    diskFreeMb: 0,
    minDynamicPort: 20000,
    maxDynamicPort: 32000,
    hostVolumes: {},
    hostNetworks: {},
    chrootEnv: {},
    gcInterval: NS_PER_MINUTE,
    gcDiskUsageThreshold: 80,
    gcInodeUsageThreshold: 70,
    gcMaxAllocs: 50,
    gcParallelDestroys: 2,
    gcVolumesOnNodeGc: false,
    maxKillTimeout: 30 * NS_PER_SECOND,
    noHostUuid: true,
    disableRemoteExec: false,
    nodeMaxAllocs: 0,
    drainOnShutdown: null,
    template: {},
    artifact: {},
    cniPath: "/opt/cni/bin",
    cniConfigDir: "/opt/cni/config",
    bridgeNetworkName: "nomad",
    bridgeNetworkSubnet: "172.26.64.0/20",
    bridgeNetworkSubnetIpv6: "",
    bridgeNetworkHairpinMode: false,
    cgroupParent: "nomad.slice",
    bindWildcardDefaultHostNetwork: true,
    nomadServiceDiscovery: true,
  };
}

/**
 * Nomad's defaults for an agent started without `-dev`.
 *
 * @example
 * ```ts
 * import { defaultAgentConfig } from "./config.ts";
 * defaultAgentConfig().ports.http; // 4646
 * ```
 */
export function defaultAgentConfig(): AgentConfig {
  const none = { http: "", rpc: "", serf: "" };
  return {
    name: "",
    region: "global",
    datacenter: "dc1",
    dataDir: "",
    pluginDir: "",
    bindAddr: "0.0.0.0",
    logLevel: "INFO",
    logJson: false,
    logFile: "",
    logRotateBytes: 0,
    logRotateDuration: 24 * NS_PER_HOUR,
    logRotateMaxFiles: 0,
    logIncludeLocation: false,
    enableSyslog: false,
    syslogFacility: "LOCAL0",
    enableDebug: false,
    leaveOnInterrupt: false,
    leaveOnTerminate: false,
    disableUpdateCheck: false,
    disableAnonymousSignature: false,
    httpApiResponseHeaders: {},
    ports: { http: 4646, rpc: 4647, serf: 4648 },
    addresses: { ...none },
    advertise: { ...none },
    server: serverDefaults(),
    client: clientDefaults(),
    acl: {
      enabled: false,
      tokenTtl: 30 * NS_PER_SECOND,
      policyTtl: 30 * NS_PER_SECOND,
      roleTtl: 30 * NS_PER_SECOND,
      replicationToken: "",
      tokenMinExpirationTtl: 0,
      tokenMaxExpirationTtl: 0,
    },
    ui: {
      enabled: true,
      contentSecurityPolicy: {},
      consul: { uiUrl: "" },
      vault: { uiUrl: "" },
      label: { text: "", backgroundColor: "", textColor: "" },
    },
    tls: {
      http: false,
      rpc: false,
      caFile: "",
      certFile: "",
      keyFile: "",
      verifyServerHostname: false,
      verifyHttpsClient: false,
      rpcUpgradeMode: false,
      tlsMinVersion: "tls12",
      tlsCipherSuites: "",
      tlsPreferServerCipherSuites: false,
    },
    limits: {
      httpsHandshakeTimeout: 5 * NS_PER_SECOND,
      httpMaxConnsPerClient: 100,
      rpcHandshakeTimeout: 5 * NS_PER_SECOND,
      rpcMaxConnsPerClient: 100,
    },
    autopilot: {
      cleanupDeadServers: true,
      lastContactThreshold: 200 * 1_000_000,
      maxTrailingLogs: 250,
      minQuorum: 0,
      serverStabilizationTime: 10 * NS_PER_SECOND,
      enableRedundancyZones: false,
      disableUpgradeMigration: false,
      enableCustomUpgrades: false,
    },
    telemetry: {
      collectionInterval: NS_PER_SECOND,
      inMemoryCollectionInterval: 10 * NS_PER_SECOND,
      inMemoryRetentionPeriod: NS_PER_MINUTE,
    },
    plugins: {},
    consul: [],
    vault: [],
    audit: null,
    sentinel: null,
    devMode: false,
  };
}

/**
 * `nomad agent -dev` defaults: a one-node server+client on 127.0.0.1 with
 * raw_exec enabled, DEBUG logs and a temporary data directory ("").
 *
 * @example
 * ```ts
 * import { devConfig } from "./config.ts";
 * devConfig().server.bootstrapExpect; // 1
 * ```
 */
export function devConfig(): AgentConfig {
  const base = defaultAgentConfig();
  return mergeAgentConfig(base, {
    bindAddr: "127.0.0.1",
    logLevel: "DEBUG",
    devMode: true,
    server: { enabled: true, bootstrapExpect: 1 },
    client: {
      enabled: true,
      // Nomad -dev fingerprints the loopback interface ("lo" on Linux).
      networkInterface: "lo",
      options: { "driver.raw_exec.enable": "true", "driver.docker.volumes": "true" },
      gcInterval: 10 * NS_PER_MINUTE,
      gcDiskUsageThreshold: 99,
      gcInodeUsageThreshold: 99,
    },
    plugins: { raw_exec: { config: { enabled: true }, args: [] } },
  });
}

/** True for a plain `{...}` object (not an array or null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Later wins for scalars and lists; objects (maps, blocks) merge key by key. */
/** Merges `override` into `base` recursively; `override` wins on conflicts. */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = deepMerge(base[key], value);
  return out;
}

/** Lists Nomad appends across files instead of replacing. */
const APPENDED_LISTS = new Set([
  "server.enabledSchedulers",
  "server.retryJoin",
  "server.startJoin",
  "client.servers",
]);

/** Maps whose entries are whole blocks: a later entry replaces an earlier one. */
const REPLACED_ENTRIES = new Set(["plugins", "client.hostVolumes", "client.hostNetworks"]);

/**
 * Settings Nomad stores as pointers, so an explicit `false`, `0` or `""` still
 * overrides an earlier value (every other empty value is ignored by a merge).
 */
const EXPLICIT_EMPTY = new Set([
  "disableUpdateCheck",
  "ui.enabled",
  "client.noHostUuid",
  "server.numSchedulers",
  "client.maxKillTimeout",
]);

function isEmpty(value: unknown): boolean {
  return value === false || value === 0 || value === "" ||
    (Array.isArray(value) && value.length === 0);
}

function nomadMerge(base: unknown, override: unknown, path: string): unknown {
  if (override === undefined || override === null) return base;
  if (Array.isArray(override)) {
    if (override.length === 0) return base;
    return APPENDED_LISTS.has(path) && Array.isArray(base) ? [...base, ...override] : override;
  }
  if (!isPlainObject(override)) {
    return isEmpty(override) && !EXPLICIT_EMPTY.has(path) ? base : override;
  }
  if (!isPlainObject(base)) return override;
  const out: Record<string, unknown> = { ...base };
  const wholeEntries = REPLACED_ENTRIES.has(path);
  for (const [key, value] of Object.entries(override)) {
    const at = path === "" ? key : `${path}.${key}`;
    out[key] = wholeEntries && value !== undefined ? value : nomadMerge(base[key], value, at);
  }
  return out;
}

/**
 * Applies `override` (a later file, or flags) on top of `base` as Nomad does:
 * empty values (`""`, `0`, `false`, `[]`) are ignored except for settings Nomad
 * keeps as pointers; `client.servers`, `server.enabled_schedulers` and the
 * legacy `server.retry_join`/`start_join` lists are appended, other lists
 * replaced; maps merge key by key; `plugin`, `host_volume` and `host_network`
 * blocks replace an earlier block of the same name.
 *
 * @example
 * ```ts
 * import { defaultAgentConfig, mergeAgentConfig } from "./config.ts";
 * mergeAgentConfig(defaultAgentConfig(), { server: { enabled: true } }).server.enabled; // true
 * ```
 */
export function mergeAgentConfig(base: AgentConfig, override: PartialAgentConfig): AgentConfig {
  // The table-driven decoder only produces keys of AgentConfig with the right
  // kinds, so the merged value has AgentConfig's shape.
  return nomadMerge(base, override, "") as AgentConfig;
}

/** The merged result of loading configuration paths. */
export interface LoadedAgentConfig {
  config: AgentConfig;
  warnings: string[];
  /** The files read, in the order they were applied. */
  files: string[];
}

/** Upper bound on one configuration file's size, so a wrong path cannot exhaust memory. */
export const MAX_CONFIG_FILE_BYTES = 8 * 1024 * 1024;

async function configFiles(path: string): Promise<string[]> {
  const info = await Deno.stat(path);
  if (!info.isDirectory) return [path];
  const names: string[] = [];
  for await (const entry of Deno.readDir(path)) {
    if (!entry.isFile || entry.name.startsWith(".")) continue;
    if (entry.name.endsWith(".hcl") || entry.name.endsWith(".json")) names.push(entry.name);
  }
  return names.sort().map((name) => `${path.replace(/\/+$/, "")}/${name}`);
}

/**
 * Reads `-config` paths in order (a directory contributes its `*.hcl` and
 * `*.json` files in lexical order) and merges them over `base`.
 *
 * @example
 * ```ts
 * import { loadAgentConfigPaths } from "./config.ts";
 * const { config } = await loadAgentConfigPaths(["/etc/nomad.d"]);
 * ```
 */
export async function loadAgentConfigPaths(
  paths: readonly string[],
  base: AgentConfig = defaultAgentConfig(),
): Promise<LoadedAgentConfig> {
  let config = base;
  const warnings: string[] = [];
  const files: string[] = [];
  for (const path of paths) {
    for (const file of await configFiles(path)) {
      const info = await Deno.stat(file);
      if (info.size > MAX_CONFIG_FILE_BYTES) {
        throw new RangeError(
          `Cannot load agent config as '${file}' is too large: ${info.size} bytes (limit ${MAX_CONFIG_FILE_BYTES})`,
        );
      }
      const { parseAgentConfigFile } = await import("./config_parse.ts");
      const parsed = parseAgentConfigFile(await Deno.readTextFile(file), file);
      config = mergeAgentConfig(config, parsed.config);
      warnings.push(...parsed.warnings);
      files.push(file);
    }
  }
  return { config, warnings, files };
}
