import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { HclSyntaxError } from "../hcl/mod.ts";
import { defaultAgentConfig, devConfig, loadAgentConfigPaths, mergeAgentConfig } from "./config.ts";
import { parseAgentConfigFile } from "./config_parse.ts";

// The server.hcl and client.hcl examples from the seed notes, verbatim in substance.
const SERVER_HCL = `name = "nomad_server_a"

# Directory to store agent state
data_dir = "/var/lib/nomad"

bind_addr = "0.0.0.0"

advertise {
  # Defaults to the first private IP address.
  http = "10.x.x.x" # must be reachable by Nomad CLI clients
  rpc  = "10.x.x.x" # must be reachable by Nomad client nodes
  serf = "10.x.x.x" # must be reachable by Nomad server nodes
}

ports {
  http = 4646
  rpc  = 4647
  serf = 4648
}

# TLS configurations
tls {
  http = true
  rpc  = true

  ca_file   = "/etc/certs/ca.crt"
  cert_file = "/etc/certs/nomad.crt"
  key_file  = "/etc/certs/nomad.key"
}

datacenter = "dc1"

log_level = "INFO"
log_file  = "/var/log/nomad.log"

server {
  enabled          = true
  bootstrap_expect = 3
  encrypt          = "Do7GerAsNtzK527dxRZJwpJANdS2NTFbKJIxIod84u0="
  license_path     = "/etc/nomad.d/nomad.hclic"
  server_join {
    retry_join = ["10.4.23.44", "10.4.54.112", "10.4.56.33"]
  }
  default_scheduler_config {
    scheduler_algorithm = "spread" # change from default of binpack
  }
}

client {
  enabled = false
}

acl {
  enabled    = true
  token_ttl  = "30s"
  policy_ttl = "60s"
  role_ttl   = "60s"
}

consul {
  address = "consul.example.com:8500"
  ssl = true
  verify_server_hostname = true
}

vault {
  enabled     = true
  address     = "https://vault.example.com:8200"
  create_from_role = "nomad-cluster"
}
`;

const CLIENT_HCL = `name = "nomad_client_a"
data_dir = "/etc/nomad.d/data"
bind_addr = "0.0.0.0"

server {
  enabled = false
}

client {
  enabled    = true
  node_class = "edge"
  node_pool  = "edge-pool"
  servers    = ["1.2.3.4:4647", "5.6.7.8:4647"]

  server_join {
    retry_join = ["provider=aws tag_key=nomad_cluster_id tag_value=us-east-1"]
  }

  meta {
    rack = "r1"
    zone = 3
  }

  options {
    "driver.raw_exec.enable" = "1"
  }

  reserved {
    cpu            = 500
    memory         = 512
    reserved_ports = "22,80"
  }

  host_volume "data" {
    path      = "/srv/data"
    read_only = true
  }

  min_dynamic_port = 21000
  gc_interval      = "2m"
}

plugin "raw_exec" {
  config {
    enabled = true
  }
}

plugin "docker" {
  config {
    volumes {
      enabled = true
    }
  }
}
`;

Deno.test("a server configuration from the seed notes parses", () => {
  const { config, warnings } = parseAgentConfigFile(SERVER_HCL, "server.hcl");
  strictEqual(config.name, "nomad_server_a");
  strictEqual(config.dataDir, "/var/lib/nomad");
  deepStrictEqual(config.advertise, { http: "10.x.x.x", rpc: "10.x.x.x", serf: "10.x.x.x" });
  deepStrictEqual(config.ports, { http: 4646, rpc: 4647, serf: 4648 });
  deepStrictEqual(config.tls, {
    http: true,
    rpc: true,
    caFile: "/etc/certs/ca.crt",
    certFile: "/etc/certs/nomad.crt",
    keyFile: "/etc/certs/nomad.key",
  });
  strictEqual(config.server?.licensePath, "/etc/nomad.d/nomad.hclic");
  strictEqual(config.server?.enabled, true);
  strictEqual(config.server?.bootstrapExpect, 3);
  deepStrictEqual(config.server?.serverJoin?.retryJoin, [
    "10.4.23.44",
    "10.4.54.112",
    "10.4.56.33",
  ]);
  deepStrictEqual(config.server?.defaultSchedulerConfig, {
    schedulerAlgorithm: "spread",
    memoryOversubscriptionEnabled: false,
    rejectJobRegistration: false,
    pauseEvalBroker: false,
    preemptionConfig: {
      systemSchedulerEnabled: true,
      sysbatchSchedulerEnabled: true,
      batchSchedulerEnabled: false,
      serviceSchedulerEnabled: false,
    },
  });
  strictEqual(config.client?.enabled, false);
  deepStrictEqual(config.acl, { enabled: true, tokenTtl: 30e9, policyTtl: 60e9, roleTtl: 60e9 });
  strictEqual(config.consul?.[0]?.address, "consul.example.com:8500");
  strictEqual(config.vault?.[0]?.enabled, true);
  deepStrictEqual(warnings, [
    'server.hcl: "server.license_path" is a Nomad Enterprise setting and has no effect',
    'server.hcl: "consul" is accepted but not supported: this agent does not integrate with it',
    'server.hcl: "vault" is accepted but not supported: this agent does not integrate with it',
  ]);
});

Deno.test("a client configuration parses with options, meta, reserved, host volumes and plugins", () => {
  const { config } = parseAgentConfigFile(CLIENT_HCL, "client.hcl");
  const client = config.client!;
  strictEqual(client.enabled, true);
  strictEqual(client.nodeClass, "edge");
  strictEqual(client.nodePool, "edge-pool");
  deepStrictEqual(client.servers, ["1.2.3.4:4647", "5.6.7.8:4647"]);
  deepStrictEqual(client.serverJoin?.retryJoin, [
    "provider=aws tag_key=nomad_cluster_id tag_value=us-east-1",
  ]);
  deepStrictEqual(client.meta, { rack: "r1", zone: "3" });
  deepStrictEqual(client.options, { "driver.raw_exec.enable": "1" });
  deepStrictEqual(client.reserved, { cpu: 500, memory: 512, reservedPorts: "22,80" });
  deepStrictEqual(client.hostVolumes, { data: { path: "/srv/data", readOnly: true } });
  strictEqual(client.minDynamicPort, 21000);
  strictEqual(client.gcInterval, 120e9);
  deepStrictEqual(config.plugins, {
    raw_exec: { config: { enabled: true }, args: [] },
    docker: { config: { volumes: { enabled: true } }, args: [] },
  });
});

Deno.test("defaults match Nomad's", () => {
  const config = defaultAgentConfig();
  strictEqual(config.region, "global");
  strictEqual(config.datacenter, "dc1");
  strictEqual(config.bindAddr, "0.0.0.0");
  strictEqual(config.logLevel, "INFO");
  deepStrictEqual(config.ports, { http: 4646, rpc: 4647, serf: 4648 });
  strictEqual(config.client.nodePool, "default");
  strictEqual(config.client.minDynamicPort, 20000);
  strictEqual(config.client.maxDynamicPort, 32000);
  strictEqual(config.server.heartbeatGrace, 10e9);
  strictEqual(config.ui.enabled, true);
  strictEqual(config.devMode, false);
});

Deno.test("dev defaults run a one-node server and client with raw_exec on loopback", () => {
  const config = devConfig();
  strictEqual(config.devMode, true);
  strictEqual(config.bindAddr, "127.0.0.1");
  strictEqual(config.logLevel, "DEBUG");
  strictEqual(config.dataDir, "");
  strictEqual(config.server.enabled, true);
  strictEqual(config.server.bootstrapExpect, 1);
  strictEqual(config.client.enabled, true);
  strictEqual(config.client.options["driver.raw_exec.enable"], "true");
  deepStrictEqual(config.plugins.raw_exec, { config: { enabled: true }, args: [] });
  strictEqual(config.ports.http, 4646);
});

Deno.test("merge: later files win except with empty values; servers append, plugins replace", () => {
  const server = parseAgentConfigFile(SERVER_HCL, "server.hcl").config;
  const client = parseAgentConfigFile(CLIENT_HCL, "client.hcl").config;
  const merged = mergeAgentConfig(mergeAgentConfig(defaultAgentConfig(), server), client);
  strictEqual(merged.name, "nomad_client_a");
  strictEqual(merged.dataDir, "/etc/nomad.d/data");
  // As in Nomad, an empty value (false) in a later file does not undo an earlier one.
  strictEqual(merged.server.enabled, true);
  strictEqual(merged.server.bootstrapExpect, 3);
  strictEqual(merged.client.enabled, true);
  strictEqual(merged.client.maxDynamicPort, 32000);
  strictEqual(merged.acl.enabled, true);
  const more = mergeAgentConfig(merged, {
    client: { meta: { zone: "4", extra: "x" }, servers: ["9.9.9.9:4647"] },
    plugins: { raw_exec: { config: { no_cgroups: true } } },
  });
  deepStrictEqual(more.client.meta, { rack: "r1", zone: "4", extra: "x" });
  deepStrictEqual(more.client.servers, ["1.2.3.4:4647", "5.6.7.8:4647", "9.9.9.9:4647"]);
  deepStrictEqual(more.plugins.raw_exec, { config: { no_cgroups: true } });
  strictEqual(merged.client.meta.zone, "3", "merge does not change its inputs");
});

Deno.test("an unknown top-level key is an error with file, line, column and a suggestion", () => {
  throws(
    () => parseAgentConfigFile('name = "a"\n\ndatacentre = "dc2"\n', "agent.hcl"),
    (e: unknown) =>
      e instanceof HclSyntaxError &&
      e.message ===
        'agent.hcl:3:1: Unsupported argument; An argument named "datacentre" is not expected here. Did you mean "datacenter"?',
  );
});

Deno.test("an unknown key inside a block names the block", () => {
  throws(
    () => parseAgentConfigFile("server {\n  bootstrap_expct = 3\n}\n", "s.hcl"),
    /^HclSyntaxError: s\.hcl:2:3: Unsupported argument; An argument named "bootstrap_expct" is not expected here in the server block\. Did you mean "bootstrap_expect"\?$/,
  );
});

Deno.test("wrong value types are errors; numeric and bool strings are accepted as in HCL 1", () => {
  throws(
    () => parseAgentConfigFile('ports {\n  http = "web"\n}\n', "p.hcl"),
    /^HclSyntaxError: p\.hcl:2:3: Incorrect attribute value type; Inappropriate value for "ports\.http"/,
  );
  throws(
    () => parseAgentConfigFile('server {\n  heartbeat_grace = "soon"\n}\n', "p.hcl"),
    /a duration such as "30s"/,
  );
  const { config } = parseAgentConfigFile(
    'server {\n  enabled = "true"\n  bootstrap_expect = "3"\n}\n',
    "p.hcl",
  );
  strictEqual(config.server?.enabled, true);
  strictEqual(config.server?.bootstrapExpect, 3);
});

Deno.test("JSON agent configuration uses the same keys, and errors point at the key", () => {
  const { config } = parseAgentConfigFile(
    JSON.stringify({
      datacenter: "dc2",
      server: { enabled: true, bootstrap_expect: 1 },
      plugin: [{ raw_exec: { config: { enabled: true } } }],
      client: { host_volume: { logs: { path: "/logs" } } },
    }),
    "agent.json",
  );
  strictEqual(config.datacenter, "dc2");
  strictEqual(config.server?.bootstrapExpect, 1);
  deepStrictEqual(config.plugins, { raw_exec: { config: { enabled: true }, args: [] } });
  deepStrictEqual(config.client?.hostVolumes, { logs: { path: "/logs", readOnly: false } });
  throws(
    () => parseAgentConfigFile('{\n  "server": {\n    "enabeld": true\n  }\n}', "a.json"),
    /^HclSyntaxError: a\.json:3:5: Unsupported argument.*Did you mean "enabled"\?/,
  );
});

Deno.test("JSON agent config errors carry the exact line:column of the offending key", () => {
  const source = [
    "{",
    '  "server": [',
    '    {"enabled": true},',
    '    {"enabled": "maybe"}',
    "  ],",
    '  "client": {"meta": {"meta": "x", "rack": {"row": 1}}}',
    "}",
  ].join("\n");
  // The second "enabled" is at fault, not the first occurrence of the name.
  throws(
    () => parseAgentConfigFile(source, "agent.json"),
    /^HclSyntaxError: agent\.json:4:6: Incorrect attribute value type; .*"server\.enabled": a bool/,
  );
  throws(
    () => parseAgentConfigFile(source.replace('"maybe"', "true"), "agent.json"),
    /^HclSyntaxError: agent\.json:6:36: .*"client\.meta\.rack": a string is required/,
  );
  throws(
    () => parseAgentConfigFile('{\n  "server": {"enabled": tru}\n}', "agent.json"),
    /^HclSyntaxError: agent\.json:2:25: Invalid JSON value/,
  );
});

Deno.test("telemetry and autopilot are typed; blocks we do not use are accepted with a warning", () => {
  const { config, warnings } = parseAgentConfigFile(
    'telemetry {\n  collection_interval = "1s"\n}\nautopilot {\n  cleanup_dead_servers = true\n}\nkeyring "awskms" {\n}\n',
    "t.hcl",
  );
  deepStrictEqual(config.telemetry, { collectionInterval: 1e9 });
  deepStrictEqual(config.autopilot, { cleanupDeadServers: true });
  deepStrictEqual(warnings, ['t.hcl: "keyring" is not supported yet and was ignored']);
});

Deno.test("loadAgentConfigPaths reads files and directories in lexical order", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nomad-config-test-" });
  try {
    await Deno.writeTextFile(`${dir}/20-client.hcl`, CLIENT_HCL);
    await Deno.writeTextFile(`${dir}/10-server.hcl`, SERVER_HCL);
    await Deno.writeTextFile(`${dir}/30-extra.json`, '{"log_level": "WARN"}');
    await Deno.writeTextFile(`${dir}/notes.txt`, "not config");
    await Deno.writeTextFile(`${dir}/.hidden.hcl`, "broken {");
    const single = `${dir}/single.hcl.override`;
    await Deno.writeTextFile(single, 'region = "eu"\n');
    const loaded = await loadAgentConfigPaths([dir, single]);
    deepStrictEqual(loaded.files.map((f) => f.slice(dir.length + 1)), [
      "10-server.hcl",
      "20-client.hcl",
      "30-extra.json",
      "single.hcl.override",
    ]);
    strictEqual(loaded.config.name, "nomad_client_a");
    strictEqual(loaded.config.logLevel, "WARN");
    strictEqual(loaded.config.region, "eu");
    strictEqual(loaded.config.server.bootstrapExpect, 3);
    strictEqual(loaded.warnings.length, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
