/**
 * Agent configuration: the typed {@linkcode AgentConfig}, its defaults and
 * `-dev` defaults, parsing one HCL/JSON file (pure), merging, and loading
 * files and directories from disk (the only I/O here).
 */

import { NS_PER_HOUR, NS_PER_MINUTE, NS_PER_SECOND, parseDuration } from "../core/clock.ts";
import {
  bodyToValue,
  didYouMean,
  HclSyntaxError,
  parse,
  type Pos,
  type Range,
  toBoolValue,
  toNumberValue,
  toStringValue,
  type Value,
} from "../hcl/mod.ts";

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

/** The `server` block. Durations are nanoseconds. */
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
  encrypt: string;
  serverJoin: ServerJoinConfig;
  authoritativeRegion: string;
  raftProtocol: number;
  rejoinAfterLeave: boolean;
  nonVotingServer: boolean;
  redundancyZone: string;
  defaultSchedulerConfig: Record<string, unknown> | null;
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

/** The `client` block. Durations are nanoseconds. */
export interface ClientConfig {
  enabled: boolean;
  stateDir: string;
  allocDir: string;
  servers: string[];
  serverJoin: ServerJoinConfig;
  nodeClass: string;
  nodePool: string;
  meta: Record<string, string>;
  /** Driver and fingerprint options, e.g. `"driver.raw_exec.enable" = "1"`. */
  options: Record<string, string>;
  reserved: ReservedConfig;
  networkInterface: string;
  networkSpeed: number;
  cpuTotalCompute: number;
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
  maxKillTimeout: number;
  noHostUuid: boolean;
  disableRemoteExec: boolean;
}

/** The `acl` block. Durations are nanoseconds. */
export interface AclConfig {
  enabled: boolean;
  tokenTtl: number;
  policyTtl: number;
  roleTtl: number;
  replicationToken: string;
}

/** The `ui` block. */
export interface UiConfig {
  enabled: boolean;
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
  enableDebug: boolean;
  leaveOnInterrupt: boolean;
  leaveOnTerminate: boolean;
  disableUpdateCheck: boolean;
  ports: PortsConfig;
  addresses: AddressesConfig;
  advertise: AddressesConfig;
  server: ServerConfig;
  client: ClientConfig;
  acl: AclConfig;
  ui: UiConfig;
  tls: TlsConfig;
  plugins: Record<string, PluginConfig>;
  /** The `consul`, `vault` and `telemetry` blocks, kept as written (not used yet). */
  consul: Record<string, unknown> | null;
  vault: Record<string, unknown> | null;
  telemetry: Record<string, unknown> | null;
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
    encrypt: "",
    serverJoin: serverJoinDefaults(),
    authoritativeRegion: "",
    raftProtocol: 3,
    rejoinAfterLeave: false,
    nonVotingServer: false,
    redundancyZone: "",
    defaultSchedulerConfig: null,
  };
}

function clientDefaults(): ClientConfig {
  return {
    enabled: false,
    stateDir: "",
    allocDir: "",
    servers: [],
    serverJoin: serverJoinDefaults(),
    nodeClass: "",
    nodePool: "default",
    meta: {},
    options: {},
    reserved: { cpu: 0, cores: "", memory: 0, disk: 0, reservedPorts: "" },
    networkInterface: "",
    networkSpeed: 0,
    cpuTotalCompute: 0,
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
    maxKillTimeout: 30 * NS_PER_SECOND,
    noHostUuid: true,
    disableRemoteExec: false,
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
    enableDebug: false,
    leaveOnInterrupt: false,
    leaveOnTerminate: false,
    disableUpdateCheck: false,
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
    },
    ui: { enabled: true },
    tls: {
      http: false,
      rpc: false,
      caFile: "",
      certFile: "",
      keyFile: "",
      verifyServerHostname: false,
      verifyHttpsClient: false,
      rpcUpgradeMode: false,
    },
    plugins: {},
    consul: null,
    vault: null,
    telemetry: null,
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

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Later wins for scalars and lists; objects (maps, blocks) merge key by key. */
function deepMerge(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = deepMerge(base[key], value);
  return out;
}

/**
 * Applies `override` on top of `base`: later settings win, lists are replaced
 * and maps (meta, options, plugins, host volumes) are merged key by key.
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
  return deepMerge(base, override) as AgentConfig;
}

// ---------------------------------------------------------------------------
// Decoding: file keys (snake_case) → AgentConfig fields, driven by tables.

type Kind = "string" | "int" | "number" | "bool" | "duration" | "strings" | "stringMap" | "raw";

/** A field (dotted camelCase path and kind), a nested block, a labeled block, or an ignored key. */
type Spec =
  | readonly [string, Kind]
  | { readonly section: string; readonly table: Table }
  | { readonly labeled: string; readonly table: Table }
  | "ignored";

type Table = Readonly<Record<string, Spec>>;

const ADDRESSES: Table = {
  http: ["http", "string"],
  rpc: ["rpc", "string"],
  serf: ["serf", "string"],
};
const PORTS: Table = { http: ["http", "int"], rpc: ["rpc", "int"], serf: ["serf", "int"] };

const SERVER_JOIN: Table = {
  retry_join: ["retryJoin", "strings"],
  retry_interval: ["retryInterval", "duration"],
  retry_max: ["retryMax", "int"],
  start_join: ["startJoin", "strings"],
};

const IGNORED_SERVER_KEYS = [
  "protocol_version",
  "raft_multiplier",
  "csi_volume_claim_gc_interval",
  "csi_volume_claim_gc_threshold",
  "csi_plugin_gc_threshold",
  "acl_token_gc_threshold",
  "root_key_gc_interval",
  "root_key_gc_threshold",
  "root_key_rotation_threshold",
  "upgrade_version",
  "license_path",
  "license_env",
  "plan_rejection_tracker",
  "event_buffer_size",
  "deployment_query_rate_limit",
  "search",
  "raft_boltdb",
  "raft_snapshot_threshold",
  "raft_snapshot_interval",
  "raft_trailing_logs",
  "job_max_priority",
  "job_default_priority",
  "job_tracked_versions",
  "oidc_issuer",
  "start_timeout",
  "node_gc_interval",
  "eval_gc_interval",
] as const;

const SERVER: Table = {
  enabled: ["enabled", "bool"],
  bootstrap_expect: ["bootstrapExpect", "int"],
  data_dir: ["dataDir", "string"],
  num_schedulers: ["numSchedulers", "int"],
  enabled_schedulers: ["enabledSchedulers", "strings"],
  heartbeat_grace: ["heartbeatGrace", "duration"],
  min_heartbeat_ttl: ["minHeartbeatTtl", "duration"],
  max_heartbeats_per_second: ["maxHeartbeatsPerSecond", "number"],
  failover_heartbeat_ttl: ["failoverHeartbeatTtl", "duration"],
  node_gc_threshold: ["nodeGcThreshold", "duration"],
  job_gc_interval: ["jobGcInterval", "duration"],
  job_gc_threshold: ["jobGcThreshold", "duration"],
  eval_gc_threshold: ["evalGcThreshold", "duration"],
  batch_eval_gc_threshold: ["batchEvalGcThreshold", "duration"],
  deployment_gc_threshold: ["deploymentGcThreshold", "duration"],
  encrypt: ["encrypt", "string"],
  server_join: { section: "serverJoin", table: SERVER_JOIN },
  retry_join: ["serverJoin.retryJoin", "strings"],
  retry_interval: ["serverJoin.retryInterval", "duration"],
  retry_max: ["serverJoin.retryMax", "int"],
  start_join: ["serverJoin.startJoin", "strings"],
  authoritative_region: ["authoritativeRegion", "string"],
  raft_protocol: ["raftProtocol", "int"],
  rejoin_after_leave: ["rejoinAfterLeave", "bool"],
  non_voting_server: ["nonVotingServer", "bool"],
  redundancy_zone: ["redundancyZone", "string"],
  default_scheduler_config: ["defaultSchedulerConfig", "raw"],
  ...Object.fromEntries(IGNORED_SERVER_KEYS.map((k) => [k, "ignored" as const])),
};

const IGNORED_CLIENT_KEYS = [
  "alloc_mounts_dir",
  "preferred_address_family",
  "template",
  "artifact",
  "cni_path",
  "cni_config_dir",
  "bridge_network_name",
  "bridge_network_subnet",
  "bridge_network_subnet_ipv6",
  "bridge_network_hairpin_mode",
  "drain_on_shutdown",
  "cgroup_parent",
  "reservable_cores",
  "nomad_service_discovery",
  "gc_volumes_on_node_gc",
  "cpu_disable_dmidecode",
  "bind_wildcard_default_host_network",
  "host_volumes_dir",
  "fingerprint",
  "consul",
  "users",
  "node_max_allocs",
  "cpu_total_compute_mhz",
  "max_dynamic_port_range",
] as const;

const CLIENT: Table = {
  enabled: ["enabled", "bool"],
  state_dir: ["stateDir", "string"],
  alloc_dir: ["allocDir", "string"],
  servers: ["servers", "strings"],
  server_join: { section: "serverJoin", table: SERVER_JOIN },
  node_class: ["nodeClass", "string"],
  node_pool: ["nodePool", "string"],
  meta: ["meta", "stringMap"],
  options: ["options", "stringMap"],
  chroot_env: ["chrootEnv", "stringMap"],
  reserved: {
    section: "reserved",
    table: {
      cpu: ["cpu", "int"],
      cores: ["cores", "string"],
      memory: ["memory", "int"],
      disk: ["disk", "int"],
      reserved_ports: ["reservedPorts", "string"],
    },
  },
  network_interface: ["networkInterface", "string"],
  network_speed: ["networkSpeed", "int"],
  cpu_total_compute: ["cpuTotalCompute", "int"],
  memory_total_mb: ["memoryTotalMb", "int"],
  disk_total_mb: ["diskTotalMb", "int"],
  disk_free_mb: ["diskFreeMb", "int"],
  min_dynamic_port: ["minDynamicPort", "int"],
  max_dynamic_port: ["maxDynamicPort", "int"],
  host_volume: {
    labeled: "hostVolumes",
    table: { path: ["path", "string"], read_only: ["readOnly", "bool"] },
  },
  host_network: {
    labeled: "hostNetworks",
    table: {
      cidr: ["cidr", "string"],
      interface: ["interface", "string"],
      reserved_ports: ["reservedPorts", "string"],
    },
  },
  gc_interval: ["gcInterval", "duration"],
  gc_disk_usage_threshold: ["gcDiskUsageThreshold", "number"],
  gc_inode_usage_threshold: ["gcInodeUsageThreshold", "number"],
  gc_max_allocs: ["gcMaxAllocs", "int"],
  gc_parallel_destroys: ["gcParallelDestroys", "int"],
  max_kill_timeout: ["maxKillTimeout", "duration"],
  no_host_uuid: ["noHostUuid", "bool"],
  disable_remote_exec: ["disableRemoteExec", "bool"],
  ...Object.fromEntries(IGNORED_CLIENT_KEYS.map((k) => [k, "ignored" as const])),
};

const ACL: Table = {
  enabled: ["enabled", "bool"],
  token_ttl: ["tokenTtl", "duration"],
  policy_ttl: ["policyTtl", "duration"],
  role_ttl: ["roleTtl", "duration"],
  replication_token: ["replicationToken", "string"],
  token_min_expiration_ttl: "ignored",
  token_max_expiration_ttl: "ignored",
};

const TLS: Table = {
  http: ["http", "bool"],
  rpc: ["rpc", "bool"],
  ca_file: ["caFile", "string"],
  cert_file: ["certFile", "string"],
  key_file: ["keyFile", "string"],
  verify_server_hostname: ["verifyServerHostname", "bool"],
  verify_https_client: ["verifyHttpsClient", "bool"],
  rpc_upgrade_mode: ["rpcUpgradeMode", "bool"],
  tls_min_version: "ignored",
  tls_cipher_suites: "ignored",
  tls_prefer_server_cipher_suites: "ignored",
};

const IGNORED_TOP_KEYS = [
  "log_rotate_bytes",
  "log_rotate_duration",
  "log_rotate_max_files",
  "log_include_location",
  "enable_syslog",
  "syslog_facility",
  "disable_anonymous_signature",
  "http_api_response_headers",
  "sentinel",
  "audit",
  "autopilot",
  "limits",
  "keyring",
  "reporting",
] as const;

const TOP: Table = {
  name: ["name", "string"],
  region: ["region", "string"],
  datacenter: ["datacenter", "string"],
  data_dir: ["dataDir", "string"],
  plugin_dir: ["pluginDir", "string"],
  bind_addr: ["bindAddr", "string"],
  log_level: ["logLevel", "string"],
  log_json: ["logJson", "bool"],
  log_file: ["logFile", "string"],
  enable_debug: ["enableDebug", "bool"],
  leave_on_interrupt: ["leaveOnInterrupt", "bool"],
  leave_on_terminate: ["leaveOnTerminate", "bool"],
  disable_update_check: ["disableUpdateCheck", "bool"],
  ports: { section: "ports", table: PORTS },
  addresses: { section: "addresses", table: ADDRESSES },
  advertise: { section: "advertise", table: ADDRESSES },
  server: { section: "server", table: SERVER },
  client: { section: "client", table: CLIENT },
  acl: { section: "acl", table: ACL },
  ui: {
    section: "ui",
    table: {
      enabled: ["enabled", "bool"],
      content_security_policy: "ignored",
      consul: "ignored",
      vault: "ignored",
      label: "ignored",
    },
  },
  tls: { section: "tls", table: TLS },
  plugin: { labeled: "plugins", table: { config: ["config", "raw"], args: ["args", "strings"] } },
  consul: ["consul", "raw"],
  vault: ["vault", "raw"],
  telemetry: ["telemetry", "raw"],
  ...Object.fromEntries(IGNORED_TOP_KEYS.map((k) => [k, "ignored" as const])),
};

/** Where each key was written, for error messages. */
interface DecodeState {
  readonly filename: string;
  readonly source: string;
  readonly positions: Map<string, Range>;
  readonly warnings: string[];
}

function rangeOf(state: DecodeState, path: readonly string[]): Range {
  const known = state.positions.get(path.join("\u0000"));
  if (known !== undefined) return known;
  // JSON has no positions: point at the first occurrence of the key's name.
  const key = path[path.length - 1] ?? "";
  const offset = Math.max(0, state.source.indexOf(JSON.stringify(key)));
  const before = state.source.slice(0, offset);
  const start: Pos = {
    line: before.split("\n").length,
    column: offset - (before.lastIndexOf("\n") + 1) + 1,
    offset,
  };
  return { filename: state.filename, start, end: start };
}

function typeError(state: DecodeState, path: readonly string[], want: string): never {
  throw new HclSyntaxError(
    "Incorrect attribute value type",
    `Inappropriate value for "${path.join(".")}": ${want} is required.`,
    rangeOf(state, path),
  );
}

function convert(value: unknown, kind: Kind, path: readonly string[], state: DecodeState): unknown {
  try {
    switch (kind) {
      case "string":
        return toStringValue(value as Value);
      case "int": {
        const n = toNumberValue(value as Value);
        return Number.isInteger(n) ? n : typeError(state, path, "a whole number");
      }
      case "number":
        return toNumberValue(value as Value);
      case "bool":
        return toBoolValue(value as Value);
      case "duration":
        return durationOf(value, path, state);
      case "strings":
        return Array.isArray(value)
          ? value.map((v) => toStringValue(v as Value))
          : typeError(state, path, "a list of strings");
      case "stringMap":
        return stringMapOf(value, path, state);
      case "raw":
        return isPlainObject(value) ? value : typeError(state, path, "a block or object");
    }
  } catch (error) {
    if (error instanceof TypeError) {
      typeError(state, path, error.message.replace(/^an? (.*) is required.*$/, "a $1"));
    }
    throw error;
  }
}

function durationOf(value: unknown, path: readonly string[], state: DecodeState): number {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  const ns = typeof value === "string" ? parseDuration(value) : undefined;
  return ns ?? typeError(state, path, 'a duration such as "30s" or "5m"');
}

function stringMapOf(
  value: unknown,
  path: readonly string[],
  state: DecodeState,
): Record<string, string> {
  const objects = Array.isArray(value) ? value : [value];
  const out: Record<string, string> = {};
  for (const object of objects) {
    if (!isPlainObject(object)) return typeError(state, path, "a map of strings");
    for (const [k, v] of Object.entries(object)) {
      if (typeof v === "object" && v !== null) typeError(state, [...path, k], "a string");
      out[k] = toStringValue(v as Value);
    }
  }
  return out;
}

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split(".");
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (!isPlainObject(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

function unknownKey(state: DecodeState, path: readonly string[], table: Table): never {
  const name = path[path.length - 1]!;
  const suggestion = didYouMean(name, Object.keys(table).filter((k) => table[k] !== "ignored"));
  const where = path.length > 1 ? ` in the ${path.slice(0, -1).join(".")} block` : "";
  throw new HclSyntaxError(
    "Unsupported argument",
    `An argument named "${name}" is not expected here${where}.${
      suggestion === null ? "" : ` Did you mean "${suggestion}"?`
    }`,
    rangeOf(state, path),
  );
}

/** Decodes one block (or a list of repeated blocks, merged in order) by `table`. */
function decodeTable(
  value: unknown,
  table: Table,
  path: readonly string[],
  state: DecodeState,
): Record<string, unknown> {
  let out: Record<string, unknown> = {};
  for (const object of Array.isArray(value) ? value : [value]) {
    if (!isPlainObject(object)) typeError(state, path, "a block");
    for (const [key, item] of Object.entries(object)) {
      const at = [...path, key];
      const spec = Object.hasOwn(table, key) ? table[key] : undefined;
      if (spec === undefined) unknownKey(state, at, table);
      if (spec === "ignored") {
        state.warnings.push(
          `${state.filename}: "${at.join(".")}" is not supported yet and was ignored`,
        );
      } else if ("section" in spec) {
        out = deepMerge(out, {
          [spec.section]: decodeTable(item, spec.table, at, state),
        }) as Record<string, unknown>;
      } else if ("labeled" in spec) {
        out = deepMerge(out, {
          [spec.labeled]: decodeLabeled(item, spec.table, at, state),
        }) as Record<string, unknown>;
      } else {
        setPath(out, spec[0], convert(item, spec[1], at, state));
      }
    }
  }
  return out;
}

/** `plugin "a" {}` / `{"plugin": {"a": {}}}` / `{"plugin": [{"a": {}}]}` → `{ a: {...} }`. */
function decodeLabeled(
  value: unknown,
  table: Table,
  path: readonly string[],
  state: DecodeState,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const object of Array.isArray(value) ? value : [value]) {
    if (!isPlainObject(object)) typeError(state, path, "a labeled block");
    for (const [label, body] of Object.entries(object)) {
      out[label] = deepMerge(out[label], decodeTable(body, table, [...path, label], state));
    }
  }
  return out;
}

/**
 * Parses one agent configuration file (HCL, or JSON when the name ends in
 * `.json` or the text starts with `{`). Pure: the caller reads the file.
 * Unknown keys are errors with `file:line:column`; known-but-unsupported keys
 * are accepted and listed in `warnings`.
 *
 * @example
 * ```ts
 * import { parseAgentConfigFile } from "./config.ts";
 * const { config } = parseAgentConfigFile('server {\n  enabled = true\n}\n', "server.hcl");
 * config.server?.enabled; // true
 * ```
 */
export function parseAgentConfigFile(source: string, filename: string): ParsedAgentConfig {
  const positions = new Map<string, Range>();
  let value: unknown;
  if (filename.endsWith(".json") || source.trimStart().startsWith("{")) {
    value = parseJson(source, filename);
  } else {
    // Agent files are HCL 1 in Nomad: no variables or functions, quoted keys allowed.
    const body = parse(source, filename, { quotedAttributeNames: true });
    value = bodyToValue(body, { variables: {}, functions: {} }, {
      onRange: (path, range) => positions.set(path.join("\u0000"), range),
    });
  }
  const state: DecodeState = { filename, source, positions, warnings: [] };
  const config = decodeTable(value, TOP, [], state) as PartialAgentConfig;
  fillLabeledDefaults(config);
  return { config, warnings: state.warnings };
}

/** Labeled blocks are whole entries, not overrides: give their unset fields defaults. */
function fillLabeledDefaults(config: PartialAgentConfig): void {
  for (const plugin of Object.values(config.plugins ?? {})) {
    if (plugin === undefined) continue;
    plugin.config ??= {};
    plugin.args ??= [];
  }
  for (const volume of Object.values(config.client?.hostVolumes ?? {})) {
    if (volume === undefined) continue;
    volume.path ??= "";
    volume.readOnly ??= false;
  }
  for (const network of Object.values(config.client?.hostNetworks ?? {})) {
    if (network === undefined) continue;
    network.cidr ??= "";
    network.interface ??= "";
    network.reservedPorts ??= "";
  }
}

function parseJson(source: string, filename: string): unknown {
  try {
    return JSON.parse(source);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    const start = { line: 1, column: 1, offset: 0 };
    throw new HclSyntaxError("Invalid JSON", error.message, { filename, start, end: start });
  }
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
      const parsed = parseAgentConfigFile(await Deno.readTextFile(file), file);
      config = mergeAgentConfig(config, parsed.config);
      warnings.push(...parsed.warnings);
      files.push(file);
    }
  }
  return { config, warnings, files };
}
