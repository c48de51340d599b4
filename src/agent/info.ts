/** Bodies of `/v1/agent/self` and `/v1/agent/members` in Nomad's shape. */

import { NOMAD_VERSION } from "../core/version.ts";
import type { Client } from "../client/mod.ts";
import type { AgentSettings } from "./settings.ts";

/** `GET /v1/agent/self`. */
export function agentSelf(
  parts: { settings: AgentSettings; client: Client | null },
): Record<string, unknown> {
  const { settings, client } = parts;
  const rpcAddress = `${settings.advertiseAddress}:${settings.ports.rpc}`;
  const member = agentMembers(settings).Members[0];
  return {
    config: {
      Region: settings.region,
      Datacenter: settings.datacenter,
      NodeName: settings.name,
      DataDir: settings.devMode ? "" : settings.dataDir,
      BindAddr: settings.bindAddress,
      LogLevel: settings.logLevel,
      DevMode: settings.devMode,
      Ports: { HTTP: settings.ports.http, RPC: settings.ports.rpc, Serf: settings.ports.serf },
      Version: {
        Version: NOMAD_VERSION,
        VersionPrerelease: "",
        VersionMetadata: "",
        Revision: "deno-ts",
        BuildDate: "2026-11-22T00:00:00Z",
      },
      ACL: { Enabled: false },
      UI: { Enabled: settings.ui.enabled, ShowCLIHints: true },
      Server: {
        Enabled: settings.server.enabled,
        BootstrapExpect: settings.server.bootstrapExpect,
      },
      Client: {
        Enabled: settings.client.enabled,
        NodeClass: settings.client.nodeClass,
        NodePool: settings.client.nodePool,
      },
    },
    member,
    stats: {
      nomad: settings.server.enabled
        ? {
          server: "true",
          leader: "true",
          leader_addr: rpcAddress,
          bootstrap: "true",
          known_regions: "1",
        }
        : { server: "false" },
      raft: settings.server.enabled
        ? { state: "Leader", num_peers: "0", protocol_version: "3" }
        : {},
      client: client?.stats() ?? {},
      runtime: {
        arch: Deno.build.arch,
        os: Deno.build.os,
        version: Deno.version.deno,
        kernel: "deno",
      },
    },
  };
}

/** `GET /v1/agent/members`. */
export function agentMembers(settings: AgentSettings) {
  const name = `${settings.name}.${settings.region}`;
  return {
    ServerName: settings.name,
    ServerRegion: settings.region,
    ServerDC: settings.datacenter,
    Members: [{
      Name: name,
      Addr: settings.advertiseAddress,
      Port: settings.ports.serf,
      Tags: {
        role: "nomad",
        region: settings.region,
        dc: settings.datacenter,
        build: NOMAD_VERSION,
        vsn: "1",
        raft_vsn: "3",
        id: name,
        rpc_addr: settings.advertiseAddress,
        port: String(settings.ports.rpc),
        bootstrap: "1",
        expect: String(settings.server.bootstrapExpect),
      },
      Status: "alive",
      ProtocolMin: 1,
      ProtocolMax: 5,
      ProtocolCur: 2,
      DelegateMin: 2,
      DelegateMax: 5,
      DelegateCur: 4,
    }],
  };
}
