/** Resolved agent settings: the configuration files and flags merged into what the agent runs with. */

/** Everything the agent needs to start, with defaults applied. */
export interface AgentSettings {
  name: string;
  region: string;
  datacenter: string;
  /** Absolute data directory (a temporary one in -dev). */
  dataDir: string;
  bindAddress: string;
  advertiseAddress: string;
  ports: { http: number; rpc: number; serf: number };
  logLevel: string;
  devMode: boolean;
  server: { enabled: boolean; numSchedulers: number; bootstrapExpect: number };
  client: {
    enabled: boolean;
    nodeClass: string;
    nodePool: string;
    meta: Record<string, string>;
    reserved: { cpu: number; memoryMB: number; diskMB: number; reservedPorts: string };
    minDynamicPort: number;
    maxDynamicPort: number;
    cpuTotalCompute: number;
    memoryTotalMB: number;
    rawExecEnabled: boolean;
  };
  ui: { enabled: boolean };
}
