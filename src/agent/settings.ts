/** Resolved agent settings: the configuration files and flags merged into what the agent runs with. */

import type { SchedulerConfiguration } from "../structs/mod.ts";

/** Everything the agent needs to start, with defaults applied. */
export interface AgentSettings {
  name: string;
  region: string;
  datacenter: string;
  /** Absolute data directory (a temporary one in -dev). */
  dataDir: string;
  bindAddress: string;
  /** Where the RPC listener binds (`addresses.rpc`, else `bind_addr`). */
  rpcBindAddress: string;
  advertiseAddress: string;
  ports: { http: number; rpc: number; serf: number };
  logLevel: string;
  devMode: boolean;
  server: {
    enabled: boolean;
    numSchedulers: number;
    bootstrapExpect: number;
    /** `min_heartbeat_ttl`, `heartbeat_grace`, `max_heartbeats_per_second`. */
    heartbeat?: { minTtlMs: number; graceMs: number; maxHeartbeatsPerSecond: number };
    /** `*_gc_threshold` (ns) and `job_gc_interval`. */
    gc?: {
      thresholds: {
        jobNs: number;
        evalNs: number;
        batchEvalNs: number;
        nodeNs: number;
        deploymentNs: number;
      };
      intervalMs: number;
    };
    /** `default_scheduler_config`: the configuration a new cluster starts with (absent: Nomad's). */
    defaultSchedulerConfig?: SchedulerConfiguration;
  };
  client: {
    enabled: boolean;
    /** Server RPC addresses ("host:port") a client-only agent connects to. */
    servers: string[];
    nodeClass: string;
    nodePool: string;
    meta: Record<string, string>;
    reserved: { cpu: number; memoryMB: number; diskMB: number; reservedPorts: string };
    minDynamicPort: number;
    maxDynamicPort: number;
    cpuTotalCompute: number;
    memoryTotalMB: number;
    rawExecEnabled: boolean;
    /** `gc_interval`, `gc_max_allocs`, `gc_disk_usage_threshold`. */
    gc?: { intervalMs: number; maxAllocs: number; diskUsageThreshold: number };
    /** `host_volume "name" { path, read_only }` blocks, fingerprinted as the node's HostVolumes. */
    hostVolumes?: Record<string, { path: string; readOnly: boolean }>;
  };
  ui: { enabled: boolean };
}
