/**
 * The agent configuration file's keys: for each snake_case key in Nomad's
 * agent configuration, the camelCase field it fills, its kind, and an
 * optional check (enums, ranges, keys). Used by config.ts to decode files.
 */

import { LOG_LEVELS } from "../core/logger.ts";

/** How a value is converted: "size" takes "10MB"/"1GiB" or a number of bytes. */
export type Kind =
  | "string"
  | "int"
  | "number"
  | "bool"
  | "duration"
  | "size"
  | "strings"
  | "stringMap"
  | "raw"
  | "blocks";

/** Returns a problem with the converted value (shown after "Invalid value for ..."), or null. */
export type Check = (value: unknown) => string | null;

/**
 * A field (dotted camelCase path, kind, optional check), a nested block, a
 * labeled block (map by label), a key accepted with a warning, or an ignored key.
 */
export type Spec =
  | readonly [string, Kind]
  | readonly [string, Kind, Check]
  | { readonly section: string; readonly table: Table }
  | { readonly labeled: string; readonly table: Table }
  | { readonly warn: string; readonly field: string; readonly kind: Kind }
  | "ignored";

/** The keys a block accepts. */
export type Table = Readonly<Record<string, Spec>>;

function oneOf(values: readonly string[], options: { caseless?: boolean } = {}): Check {
  return (value) => {
    const text = String(value);
    const found = values.some((v) => options.caseless ? v === text.toUpperCase() : v === text);
    return found ? null : `must be one of ${values.map((v) => `"${v}"`).join(", ")}`;
  };
}

function range(min: number, max: number): Check {
  return (value) =>
    typeof value === "number" && value >= min && value <= max
      ? null
      : `must be between ${min} and ${max}`;
}

const port = range(1, 65535);
const nonNegative = range(0, Number.MAX_SAFE_INTEGER);
const percent = range(0, 100);

/** A gossip key is base64 of 16, 24 or 32 bytes, as `nomad operator gossip keyring generate` makes. */
const gossipKey: Check = (value) => {
  const text = String(value);
  if (text === "") return null;
  try {
    const bytes = atob(text).length;
    if ([16, 24, 32].includes(bytes)) return null;
    return `must be a base64 key of 16, 24 or 32 bytes: it decodes to ${bytes} bytes`;
  } catch {
    return "must be a base64-encoded key";
  }
};

const ADDRESSES: Table = {
  http: ["http", "string"],
  rpc: ["rpc", "string"],
  serf: ["serf", "string"],
};

const PORTS: Table = {
  http: ["http", "int", port],
  rpc: ["rpc", "int", port],
  serf: ["serf", "int", port],
};

const SERVER_JOIN: Table = {
  retry_join: ["retryJoin", "strings"],
  retry_interval: ["retryInterval", "duration"],
  retry_max: ["retryMax", "int", nonNegative],
  start_join: ["startJoin", "strings"],
};

const SCHEDULER_CONFIG: Table = {
  scheduler_algorithm: ["schedulerAlgorithm", "string", oneOf(["binpack", "spread"])],
  memory_oversubscription_enabled: ["memoryOversubscriptionEnabled", "bool"],
  reject_job_registration: ["rejectJobRegistration", "bool"],
  pause_eval_broker: ["pauseEvalBroker", "bool"],
  preemption_config: {
    section: "preemptionConfig",
    table: {
      system_scheduler_enabled: ["systemSchedulerEnabled", "bool"],
      sysbatch_scheduler_enabled: ["sysbatchSchedulerEnabled", "bool"],
      batch_scheduler_enabled: ["batchSchedulerEnabled", "bool"],
      service_scheduler_enabled: ["serviceSchedulerEnabled", "bool"],
    },
  },
};

const ENTERPRISE = "is a Nomad Enterprise setting and has no effect";

const SERVER: Table = {
  enabled: ["enabled", "bool"],
  bootstrap_expect: ["bootstrapExpect", "int", nonNegative],
  data_dir: ["dataDir", "string"],
  num_schedulers: ["numSchedulers", "int", nonNegative],
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
  csi_volume_claim_gc_interval: ["csiVolumeClaimGcInterval", "duration"],
  csi_volume_claim_gc_threshold: ["csiVolumeClaimGcThreshold", "duration"],
  csi_plugin_gc_threshold: ["csiPluginGcThreshold", "duration"],
  acl_token_gc_threshold: ["aclTokenGcThreshold", "duration"],
  root_key_gc_interval: ["rootKeyGcInterval", "duration"],
  root_key_gc_threshold: ["rootKeyGcThreshold", "duration"],
  root_key_rotation_threshold: ["rootKeyRotationThreshold", "duration"],
  encrypt: ["encrypt", "string", gossipKey],
  server_join: { section: "serverJoin", table: SERVER_JOIN },
  // The pre-0.9 spellings, kept apart because Nomad appends them across files.
  retry_join: ["retryJoin", "strings"],
  retry_interval: ["retryInterval", "duration"],
  retry_max: ["retryMax", "int", nonNegative],
  start_join: ["startJoin", "strings"],
  authoritative_region: ["authoritativeRegion", "string"],
  raft_protocol: ["raftProtocol", "int", range(2, 3)],
  raft_multiplier: ["raftMultiplier", "int", range(1, 10)],
  rejoin_after_leave: ["rejoinAfterLeave", "bool"],
  non_voting_server: ["nonVotingServer", "bool"],
  redundancy_zone: ["redundancyZone", "string"],
  upgrade_version: ["upgradeVersion", "string"],
  default_scheduler_config: { section: "defaultSchedulerConfig", table: SCHEDULER_CONFIG },
  event_buffer_size: ["eventBufferSize", "int", nonNegative],
  job_max_priority: ["jobMaxPriority", "int", range(100, 32766)],
  job_default_priority: ["jobDefaultPriority", "int", range(50, 32766)],
  job_tracked_versions: ["jobTrackedVersions", "int", nonNegative],
  raft_snapshot_threshold: ["raftSnapshotThreshold", "int", nonNegative],
  raft_snapshot_interval: ["raftSnapshotInterval", "duration"],
  raft_trailing_logs: ["raftTrailingLogs", "int", nonNegative],
  license_path: { warn: ENTERPRISE, field: "licensePath", kind: "string" },
  license_env: { warn: ENTERPRISE, field: "licenseEnv", kind: "string" },
  protocol_version: "ignored",
  plan_rejection_tracker: "ignored",
  deployment_query_rate_limit: "ignored",
  search: "ignored",
  raft_boltdb: "ignored",
  oidc_issuer: "ignored",
  start_timeout: "ignored",
  node_gc_interval: "ignored",
  eval_gc_interval: "ignored",
  client_introduction: "ignored",
  job_max_count: "ignored",
  job_max_source_size: "ignored",
};

const WAIT: Table = { min: ["min", "duration"], max: ["max", "duration"] };
const RETRY: Table = {
  attempts: ["attempts", "int", nonNegative],
  backoff: ["backoff", "duration"],
  max_backoff: ["maxBackoff", "duration"],
};

const TEMPLATE: Table = {
  function_denylist: ["functionDenylist", "strings"],
  function_blacklist: ["functionDenylist", "strings"],
  disable_file_sandbox: ["disableFileSandbox", "bool"],
  max_stale: ["maxStale", "duration"],
  block_query_wait: ["blockQueryWait", "duration"],
  wait: { section: "wait", table: WAIT },
  wait_bounds: { section: "waitBounds", table: WAIT },
  consul_retry: { section: "consulRetry", table: RETRY },
  vault_retry: { section: "vaultRetry", table: RETRY },
  nomad_retry: { section: "nomadRetry", table: RETRY },
};

const ARTIFACT: Table = {
  http_read_timeout: ["httpReadTimeout", "duration"],
  http_max_size: ["httpMaxSizeBytes", "size"],
  gcs_timeout: ["gcsTimeout", "duration"],
  git_timeout: ["gitTimeout", "duration"],
  hg_timeout: ["hgTimeout", "duration"],
  s3_timeout: ["s3Timeout", "duration"],
  decompression_file_count_limit: ["decompressionFileCountLimit", "int", nonNegative],
  decompression_size_limit: ["decompressionSizeLimitBytes", "size"],
  disable_filesystem_isolation: ["disableFilesystemIsolation", "bool"],
  filesystem_isolation_extra_paths: ["filesystemIsolationExtraPaths", "strings"],
  set_environment_variables: ["setEnvironmentVariables", "string"],
};

const CLIENT: Table = {
  enabled: ["enabled", "bool"],
  state_dir: ["stateDir", "string"],
  alloc_dir: ["allocDir", "string"],
  alloc_mounts_dir: ["allocMountsDir", "string"],
  host_volumes_dir: ["hostVolumesDir", "string"],
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
      cpu: ["cpu", "int", nonNegative],
      cores: ["cores", "string"],
      memory: ["memory", "int", nonNegative],
      disk: ["disk", "int", nonNegative],
      reserved_ports: ["reservedPorts", "string"],
    },
  },
  reservable_cores: ["reservableCores", "string"],
  network_interface: ["networkInterface", "string"],
  preferred_address_family: ["preferredAddressFamily", "string", oneOf(["", "ipv4", "ipv6"])],
  network_speed: ["networkSpeed", "int", nonNegative],
  cpu_total_compute: ["cpuTotalCompute", "int", nonNegative],
  cpu_disable_dmidecode: ["cpuDisableDmidecode", "bool"],
  memory_total_mb: ["memoryTotalMb", "int", nonNegative],
  disk_total_mb: ["diskTotalMb", "int", nonNegative],
  disk_free_mb: ["diskFreeMb", "int", nonNegative],
  min_dynamic_port: ["minDynamicPort", "int", port],
  max_dynamic_port: ["maxDynamicPort", "int", port],
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
  gc_disk_usage_threshold: ["gcDiskUsageThreshold", "number", percent],
  gc_inode_usage_threshold: ["gcInodeUsageThreshold", "number", percent],
  gc_max_allocs: ["gcMaxAllocs", "int", nonNegative],
  gc_parallel_destroys: ["gcParallelDestroys", "int", nonNegative],
  gc_volumes_on_node_gc: ["gcVolumesOnNodeGc", "bool"],
  max_kill_timeout: ["maxKillTimeout", "duration"],
  no_host_uuid: ["noHostUuid", "bool"],
  disable_remote_exec: ["disableRemoteExec", "bool"],
  node_max_allocs: ["nodeMaxAllocs", "int", nonNegative],
  drain_on_shutdown: {
    section: "drainOnShutdown",
    table: {
      deadline: ["deadline", "duration"],
      force: ["force", "bool"],
      ignore_system_jobs: ["ignoreSystemJobs", "bool"],
    },
  },
  template: { section: "template", table: TEMPLATE },
  artifact: { section: "artifact", table: ARTIFACT },
  cni_path: ["cniPath", "string"],
  cni_config_dir: ["cniConfigDir", "string"],
  bridge_network_name: ["bridgeNetworkName", "string"],
  bridge_network_subnet: ["bridgeNetworkSubnet", "string"],
  bridge_network_subnet_ipv6: ["bridgeNetworkSubnetIpv6", "string"],
  bridge_network_hairpin_mode: ["bridgeNetworkHairpinMode", "bool"],
  cgroup_parent: ["cgroupParent", "string"],
  bind_wildcard_default_host_network: ["bindWildcardDefaultHostNetwork", "bool"],
  nomad_service_discovery: ["nomadServiceDiscovery", "bool"],
  fingerprint: "ignored",
  consul: "ignored",
  users: "ignored",
  cpu_total_compute_mhz: "ignored",
  max_dynamic_port_range: "ignored",
  intro_token: "ignored",
  common_plugin_dir: "ignored",
  host_volume_plugin_dir: "ignored",
  log_file: "ignored",
};

const ACL: Table = {
  enabled: ["enabled", "bool"],
  token_ttl: ["tokenTtl", "duration"],
  policy_ttl: ["policyTtl", "duration"],
  role_ttl: ["roleTtl", "duration"],
  replication_token: ["replicationToken", "string"],
  token_min_expiration_ttl: ["tokenMinExpirationTtl", "duration"],
  token_max_expiration_ttl: ["tokenMaxExpirationTtl", "duration"],
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
  tls_min_version: ["tlsMinVersion", "string", oneOf(["", "tls10", "tls11", "tls12", "tls13"])],
  tls_cipher_suites: ["tlsCipherSuites", "string"],
  tls_prefer_server_cipher_suites: ["tlsPreferServerCipherSuites", "bool"],
};

const TELEMETRY: Table = {
  collection_interval: ["collectionInterval", "duration"],
  in_memory_collection_interval: ["inMemoryCollectionInterval", "duration"],
  in_memory_retention_period: ["inMemoryRetentionPeriod", "duration"],
  publish_allocation_metrics: ["publishAllocationMetrics", "bool"],
  publish_node_metrics: ["publishNodeMetrics", "bool"],
  prometheus_metrics: ["prometheusMetrics", "bool"],
  disable_hostname: ["disableHostname", "bool"],
  use_node_name: ["useNodeName", "bool"],
  statsite_address: ["statsiteAddress", "string"],
  statsd_address: ["statsdAddress", "string"],
  datadog_address: ["datadogAddress", "string"],
  datadog_tags: ["datadogTags", "strings"],
  prefix_filter: ["prefixFilter", "strings"],
  filter_default: ["filterDefault", "bool"],
  include_alloc_metadata_in_metrics: ["includeAllocMetadataInMetrics", "bool"],
  allowed_metadata_keys_in_metrics: ["allowedMetadataKeysInMetrics", "strings"],
  disable_dispatched_job_summary_metrics: ["disableDispatchedJobSummaryMetrics", "bool"],
  disable_quota_utilization_metrics: ["disableQuotaUtilizationMetrics", "bool"],
  disable_rpc_rate_metrics_labels: ["disableRpcRateMetricsLabels", "bool"],
  disable_allocation_hook_metrics: ["disableAllocationHookMetrics", "bool"],
  circonus_api_token: "ignored",
  circonus_api_app: "ignored",
  circonus_api_url: "ignored",
  circonus_submission_interval: "ignored",
  circonus_submission_url: "ignored",
  circonus_check_id: "ignored",
  circonus_check_force_metric_activation: "ignored",
  circonus_check_instance_id: "ignored",
  circonus_check_search_tag: "ignored",
  circonus_check_tags: "ignored",
  circonus_check_display_name: "ignored",
  circonus_broker_id: "ignored",
  circonus_broker_select_tag: "ignored",
};

const LIMITS: Table = {
  https_handshake_timeout: ["httpsHandshakeTimeout", "duration"],
  http_max_conns_per_client: ["httpMaxConnsPerClient", "int", nonNegative],
  rpc_handshake_timeout: ["rpcHandshakeTimeout", "duration"],
  rpc_max_conns_per_client: ["rpcMaxConnsPerClient", "int", nonNegative],
};

const AUTOPILOT: Table = {
  cleanup_dead_servers: ["cleanupDeadServers", "bool"],
  last_contact_threshold: ["lastContactThreshold", "duration"],
  max_trailing_logs: ["maxTrailingLogs", "int", nonNegative],
  min_quorum: ["minQuorum", "int", nonNegative],
  server_stabilization_time: ["serverStabilizationTime", "duration"],
  enable_redundancy_zones: ["enableRedundancyZones", "bool"],
  disable_upgrade_migration: ["disableUpgradeMigration", "bool"],
  enable_custom_upgrades: ["enableCustomUpgrades", "bool"],
};

const UI: Table = {
  enabled: ["enabled", "bool"],
  content_security_policy: ["contentSecurityPolicy", "raw"],
  consul: { section: "consul", table: { ui_url: ["uiUrl", "string"] } },
  vault: { section: "vault", table: { ui_url: ["uiUrl", "string"] } },
  label: {
    section: "label",
    table: {
      text: ["text", "string"],
      background_color: ["backgroundColor", "string"],
      text_color: ["textColor", "string"],
    },
  },
};

const NOT_SUPPORTED = "is accepted but not supported: this agent does not integrate with it";

/** The top level of an agent configuration file. */
export const TOP: Table = {
  name: ["name", "string"],
  region: ["region", "string"],
  datacenter: ["datacenter", "string"],
  data_dir: ["dataDir", "string"],
  plugin_dir: ["pluginDir", "string"],
  bind_addr: ["bindAddr", "string"],
  log_level: ["logLevel", "string", oneOf([...LOG_LEVELS, "OFF"], { caseless: true })],
  log_json: ["logJson", "bool"],
  log_file: ["logFile", "string"],
  log_rotate_bytes: ["logRotateBytes", "int", nonNegative],
  log_rotate_duration: ["logRotateDuration", "duration"],
  log_rotate_max_files: ["logRotateMaxFiles", "int", nonNegative],
  log_include_location: ["logIncludeLocation", "bool"],
  enable_syslog: ["enableSyslog", "bool"],
  syslog_facility: ["syslogFacility", "string"],
  enable_debug: ["enableDebug", "bool"],
  leave_on_interrupt: ["leaveOnInterrupt", "bool"],
  leave_on_terminate: ["leaveOnTerminate", "bool"],
  disable_update_check: ["disableUpdateCheck", "bool"],
  disable_anonymous_signature: ["disableAnonymousSignature", "bool"],
  http_api_response_headers: ["httpApiResponseHeaders", "stringMap"],
  ports: { section: "ports", table: PORTS },
  addresses: { section: "addresses", table: ADDRESSES },
  advertise: { section: "advertise", table: ADDRESSES },
  server: { section: "server", table: SERVER },
  client: { section: "client", table: CLIENT },
  acl: { section: "acl", table: ACL },
  ui: { section: "ui", table: UI },
  tls: { section: "tls", table: TLS },
  telemetry: { section: "telemetry", table: TELEMETRY },
  limits: { section: "limits", table: LIMITS },
  autopilot: { section: "autopilot", table: AUTOPILOT },
  plugin: { labeled: "plugins", table: { config: ["config", "raw"], args: ["args", "strings"] } },
  consul: { warn: NOT_SUPPORTED, field: "consul", kind: "blocks" },
  vault: { warn: NOT_SUPPORTED, field: "vault", kind: "blocks" },
  audit: { warn: ENTERPRISE, field: "audit", kind: "raw" },
  sentinel: { warn: ENTERPRISE, field: "sentinel", kind: "raw" },
  keyring: "ignored",
  reporting: "ignored",
  rpc: "ignored",
  eventlog: "ignored",
};
