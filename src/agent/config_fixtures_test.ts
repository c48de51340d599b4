import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { HclSyntaxError } from "../hcl/mod.ts";
import { defaultAgentConfig, loadAgentConfigPaths, mergeAgentConfig } from "./config.ts";
import { parseAgentConfigFile } from "./config_parse.ts";

const FIXTURES = new URL("../../tests/fixtures/agent/", import.meta.url);

function fixture(name: string): string {
  return Deno.readTextFileSync(new URL(name, FIXTURES));
}

/** Seed configurations that are not valid agent files, and why (checked against Nomad). */
const BAD_SEEDS: Record<string, RegExp> = {
  // `datacenter "dc1" { ... }` blocks: Nomad fails to decode them too.
  "seed_1.hcl": /seed_1\.hcl:2:1: .*"datacenter": a string is required/,
  // A made-up gossip key: Nomad refuses it when the agent starts.
  "seed_12.hcl": /seed_12\.hcl:5:2: Invalid value; .*"server\.encrypt": must be a base64 key/,
};

const seeds = [...Deno.readDirSync(FIXTURES)].map((e) => e.name)
  .filter((n) => /^seed_\d+\.hcl$/.test(n)).sort();

Deno.test("every agent configuration in the seed documents is extracted", () => {
  ok(seeds.length >= 14, `found ${seeds.length} seed configs`);
});

for (const name of seeds) {
  const bad = BAD_SEEDS[name];
  Deno.test(`seed agent config ${name} ${bad ? "is rejected with its position" : "loads"}`, () => {
    const source = fixture(name);
    if (bad !== undefined) {
      throws(() => parseAgentConfigFile(source, name), bad);
      return;
    }
    const { config } = parseAgentConfigFile(source, name);
    const merged = mergeAgentConfig(defaultAgentConfig(), config);
    ok(
      merged.server.enabled || merged.client.enabled || merged.acl.enabled ||
        merged.plugins.raw_exec !== undefined || Object.keys(config).length > 0,
    );
  });
}

Deno.test("seed 3 (server.hcl) fills server, join, scheduler and ACL settings", () => {
  const { config } = parseAgentConfigFile(fixture("seed_3.hcl"), "seed_3.hcl");
  const merged = mergeAgentConfig(defaultAgentConfig(), config);
  strictEqual(merged.server.bootstrapExpect, 3);
  deepStrictEqual(merged.server.serverJoin.retryJoin, ["10.4.23.44", "10.4.54.112", "10.4.56.33"]);
  strictEqual(merged.server.defaultSchedulerConfig?.schedulerAlgorithm, "spread");
  strictEqual(merged.acl.policyTtl, 60e9);
  strictEqual(merged.logFile, "/var/log/nomad.log");
});

Deno.test("seed 14 (single node with ACLs) enables server, client and ACLs", () => {
  const { config } = parseAgentConfigFile(fixture("seed_14.hcl"), "seed_14.hcl");
  const merged = mergeAgentConfig(defaultAgentConfig(), config);
  strictEqual(merged.logLevel, "DEBUG");
  strictEqual(merged.acl.enabled, true);
  strictEqual(merged.server.enabled && merged.client.enabled, true);
  strictEqual(merged.name, "example.com");
});

Deno.test("full.hcl: every documented key parses and is visible in the config", () => {
  const { config: file, warnings } = parseAgentConfigFile(fixture("full.hcl"), "full.hcl");
  const c = mergeAgentConfig(defaultAgentConfig(), file);
  strictEqual(c.logLevel, "warn");
  strictEqual(c.logRotateBytes, 1048576);
  strictEqual(c.logRotateDuration, 12 * 3600e9);
  strictEqual(c.logRotateMaxFiles, 5);
  strictEqual(c.disableUpdateCheck, true);
  deepStrictEqual(c.httpApiResponseHeaders, { "Access-Control-Allow-Origin": "*" });
  deepStrictEqual(c.ports, { http: 5646, rpc: 5647, serf: 5648 });
  strictEqual(c.addresses.rpc, "10.0.0.5");
  strictEqual(c.advertise.serf, "10.0.0.5:5648");
  strictEqual(c.tls.tlsMinVersion, "tls13");
  strictEqual(c.tls.verifyHttpsClient, true);
  deepStrictEqual(c.limits, {
    httpsHandshakeTimeout: 10e9,
    httpMaxConnsPerClient: 200,
    rpcHandshakeTimeout: 6e9,
    rpcMaxConnsPerClient: 300,
  });
  deepStrictEqual(c.server.serverJoin, {
    retryJoin: ["10.0.0.6", "10.0.0.7"],
    retryInterval: 15e9,
    retryMax: 3,
    startJoin: ["10.0.0.8"],
  });
  deepStrictEqual(c.server.retryJoin, ["10.0.0.9"]);
  deepStrictEqual(c.server.defaultSchedulerConfig?.preemptionConfig, {
    systemSchedulerEnabled: true,
    sysbatchSchedulerEnabled: true,
    batchSchedulerEnabled: true,
    serviceSchedulerEnabled: true,
  });
  strictEqual(c.server.maxHeartbeatsPerSecond, 100.5);
  // enabled_schedulers appends to the defaults, as Nomad's merge does.
  deepStrictEqual(c.server.enabledSchedulers.slice(-2), ["service", "batch"]);
  strictEqual(c.server.raftMultiplier, 5);
  strictEqual(c.server.upgradeVersion, "1.2.3");
  strictEqual(c.client.reserved.cores, "0-1");
  deepStrictEqual(c.client.hostNetworks.public, {
    cidr: "203.0.113.0/24",
    interface: "eth1",
    reservedPorts: "22",
  });
  strictEqual(c.client.noHostUuid, false, "no_host_uuid = false overrides the default");
  deepStrictEqual(c.client.drainOnShutdown, {
    deadline: 1800e9,
    force: true,
    ignoreSystemJobs: true,
  });
  deepStrictEqual(c.client.template.wait, { min: 5e9, max: 240e9 });
  strictEqual(c.client.artifact.httpMaxSizeBytes, 10e9);
  strictEqual(c.client.artifact.decompressionSizeLimitBytes, 1024 ** 3);
  strictEqual(c.client.cgroupParent, "custom.slice");
  strictEqual(c.acl.replicationToken, "8c3e2f5a-0000-4000-8000-000000000000");
  strictEqual(c.telemetry.prometheusMetrics, true);
  strictEqual(c.autopilot.lastContactThreshold, 500e6);
  strictEqual(c.autopilot.cleanupDeadServers, true, "false is empty and ignored by a merge");
  strictEqual(c.ui.enabled, false);
  strictEqual(c.ui.label.text, "staging");
  deepStrictEqual(c.plugins.docker?.config, { allow_privileged: true, volumes: { enabled: true } });
  deepStrictEqual(c.audit, { enabled: true });
  deepStrictEqual(warnings.map((w) => w.replace(/^full\.hcl: /, "")), [
    '"audit" is a Nomad Enterprise setting and has no effect',
    '"consul" is accepted but not supported: this agent does not integrate with it',
    '"vault" is accepted but not supported: this agent does not integrate with it',
  ]);
});

Deno.test("values are validated with the key's position", () => {
  const cases: [string, RegExp][] = [
    ['log_level = "LOUD"\n', /a\.hcl:1:1: Invalid value; .*"log_level": must be one of "TRACE"/],
    [
      'server {\n  default_scheduler_config {\n    scheduler_algorithm = "fast"\n  }\n}\n',
      /a\.hcl:3:5: Invalid value; .*must be one of "binpack", "spread"; got "fast"/,
    ],
    ["ports {\n  rpc = 70000\n}\n", /a\.hcl:2:3: .*"ports\.rpc": must be between 1 and 65535/],
    ['client {\n  artifact {\n    http_max_size = "lots"\n  }\n}\n', /a size such as "100MB"/],
    ['client {\n  gc_interval = "abc"\n}\n', /a\.hcl:2:3: .*a duration such as "30s"/],
    ['tls {\n  tls_min_version = "ssl3"\n}\n', /"tls\.tls_min_version": must be one of/],
    ['client {\n  preferred_address_family = "ipx"\n}\n', /must be one of "", "ipv4", "ipv6"/],
    ["server {\n  raft_protocol = 1\n}\n", /must be between 2 and 3/],
  ];
  for (const [source, expected] of cases) {
    throws(() => parseAgentConfigFile(source, "a.hcl"), (e: unknown) => {
      ok(e instanceof HclSyntaxError, String(e));
      ok(expected.test(e.message), e.message);
      return true;
    });
  }
});

Deno.test("unknown keys suggest the nearest key of the block", () => {
  throws(
    () => parseAgentConfigFile("client {\n  drain_on_shutdwn {\n  }\n}\n", "c.hcl"),
    /c\.hcl:2:3: Unsupported argument; .*in the client block\. Did you mean "drain_on_shutdown"\?/,
  );
  throws(
    () => parseAgentConfigFile("log_rotate_byte = 10\n", "c.hcl"),
    /Did you mean "log_rotate_bytes"\?/,
  );
});

Deno.test("merge follows Nomad: empty values ignored, pointer settings override", () => {
  const first = parseAgentConfigFile(
    'log_json = true\ndisable_update_check = true\nui {\n  enabled = true\n}\nclient {\n  node_class = "x"\n  no_host_uuid = true\n}\ntls {\n  http = true\n}\n',
    "1.hcl",
  ).config;
  const second = parseAgentConfigFile(
    'log_json = false\ndisable_update_check = false\nui {\n  enabled = false\n}\nclient {\n  node_class = ""\n  no_host_uuid = false\n}\ntls {\n  http = false\n}\n',
    "2.hcl",
  ).config;
  const c = mergeAgentConfig(mergeAgentConfig(defaultAgentConfig(), first), second);
  strictEqual(c.logJson, true);
  strictEqual(c.disableUpdateCheck, false);
  strictEqual(c.ui.enabled, false);
  strictEqual(c.client.nodeClass, "x");
  strictEqual(c.client.noHostUuid, false);
  strictEqual(c.tls.http, true);
});

Deno.test("merge follows Nomad: which lists append, which replace, and whole blocks", () => {
  const a = parseAgentConfigFile(
    'server {\n  server_join {\n    retry_join = ["a"]\n  }\n  retry_join = ["legacy1"]\n  start_join = ["x"]\n}\nclient {\n  servers = ["s1"]\n  meta {\n    a = "1"\n  }\n  host_volume "v1" {\n    path = "/v1"\n    read_only = true\n  }\n}\nplugin "raw_exec" {\n  config {\n    enabled = true\n    no_cgroups = true\n  }\n}\n',
    "a.hcl",
  ).config;
  const b = parseAgentConfigFile(
    'server {\n  server_join {\n    retry_join = ["b"]\n  }\n  retry_join = ["legacy2"]\n  start_join = ["y"]\n}\nclient {\n  servers = ["s2"]\n  meta {\n    b = "2"\n  }\n  host_volume "v1" {\n    path = "/v1b"\n  }\n}\nplugin "raw_exec" {\n  config {\n    enabled = false\n  }\n}\n',
    "b.hcl",
  ).config;
  const c = mergeAgentConfig(mergeAgentConfig(defaultAgentConfig(), a), b);
  deepStrictEqual(c.server.serverJoin.retryJoin, ["b"]);
  deepStrictEqual(c.server.retryJoin, ["legacy1", "legacy2"]);
  deepStrictEqual(c.server.startJoin, ["x", "y"]);
  deepStrictEqual(c.client.servers, ["s1", "s2"]);
  deepStrictEqual(c.client.meta, { a: "1", b: "2" });
  deepStrictEqual(c.client.hostVolumes.v1, { path: "/v1b", readOnly: false });
  deepStrictEqual(c.plugins.raw_exec, { config: { enabled: false }, args: [] });
});

Deno.test("JSON agent configs decode like HCL, including lists of blocks", () => {
  const { config } = parseAgentConfigFile(
    JSON.stringify({
      log_rotate_duration: "1h",
      server: [{ enabled: true, default_scheduler_config: [{ scheduler_algorithm: "spread" }] }],
      client: {
        enabled: true,
        drain_on_shutdown: { deadline: "5m" },
        template: { max_stale: "1s" },
      },
      consul: [{ address: "a:8500" }, { name: "other", address: "b:8500" }],
      plugin: { raw_exec: [{ config: [{ enabled: true }] }] },
    }),
    "agent.json",
  );
  strictEqual(config.logRotateDuration, 3600e9);
  strictEqual(config.server?.defaultSchedulerConfig?.schedulerAlgorithm, "spread");
  strictEqual(config.client?.drainOnShutdown?.deadline, 300e9);
  strictEqual(config.client?.template?.maxStale, 1e9);
  strictEqual(config.consul?.length, 2);
  deepStrictEqual(config.plugins?.raw_exec, { config: { enabled: true }, args: [] });
});

Deno.test("a -config directory loads seed files in lexical order and merges them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nomad-config-seeds-" });
  try {
    await Deno.writeTextFile(`${dir}/a-server.hcl`, fixture("seed_3.hcl"));
    await Deno.writeTextFile(`${dir}/b-client.hcl`, fixture("seed_4.hcl"));
    await Deno.writeTextFile(
      `${dir}/c-raw-exec.json`,
      '{"plugin": {"raw_exec": {"config": {"enabled": true}}}}',
    );
    const loaded = await loadAgentConfigPaths([dir]);
    deepStrictEqual(loaded.files.map((f) => f.slice(dir.length + 1)), [
      "a-server.hcl",
      "b-client.hcl",
      "c-raw-exec.json",
    ]);
    strictEqual(loaded.config.name, "nomad_client_a");
    strictEqual(loaded.config.server.enabled, true, "a later enabled = false is ignored");
    strictEqual(loaded.config.client.enabled, true);
    strictEqual(loaded.config.plugins.raw_exec?.config.enabled, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
