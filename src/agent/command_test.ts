import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { type AgentIo, loadAgentCommandConfig } from "./command.ts";
import type { AgentConfig } from "./config.ts";

function capture(): AgentIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (l) => out.push(l), stderr: (l) => err.push(l) };
}

async function load(args: string[]): Promise<AgentConfig> {
  const io = capture();
  const loaded = await loadAgentCommandConfig(args, io);
  ok(loaded.ok, io.err.join("\n"));
  return loaded.config;
}

const KEY = "Do7GerAsNtzK527dxRZJwpJANdS2NTFbKJIxIod84u0=";

Deno.test("agent flags set their configuration keys", async () => {
  const config = await load([
    "-dev",
    "-bind=0.0.0.0",
    "-data-dir=/tmp/nomad-flags",
    "-plugin-dir=/opt/plugins",
    "-dc=east",
    "-region=eu",
    "-node=n1",
    "-servers=a:4647, b:4647",
    "-join=x",
    "-retry-join=y",
    "-retry-join=z",
    "-retry-interval=5s",
    "-retry-max=3",
    "-rejoin",
    "-raft-protocol=3",
    "-bootstrap-expect=3",
    `-encrypt=${KEY}`,
    "-node-class=gpu",
    "-node-pool=batch",
    "-meta=rack=r1",
    "-meta=zone=z2",
    "-network-interface=eth9",
    "-network-speed=100",
    "-state-dir=/s",
    "-alloc-dir=/a",
    "-log-level=warn",
    "-log-json",
    "-log-include-location",
    "-acl-enabled",
    "-acl-replication-token=secret",
  ]);
  strictEqual(config.bindAddr, "0.0.0.0");
  strictEqual(config.dataDir, "/tmp/nomad-flags");
  strictEqual(config.pluginDir, "/opt/plugins");
  strictEqual(config.datacenter, "east");
  strictEqual(config.region, "eu");
  strictEqual(config.name, "n1");
  deepStrictEqual(config.client.servers, ["a:4647", "b:4647"]);
  deepStrictEqual(config.server.startJoin, ["x"]);
  deepStrictEqual(config.server.retryJoin, ["y", "z"]);
  strictEqual(config.server.retryInterval, 5e9);
  strictEqual(config.server.retryMax, 3);
  strictEqual(config.server.rejoinAfterLeave, true);
  strictEqual(config.server.bootstrapExpect, 3);
  strictEqual(config.server.encrypt, KEY);
  strictEqual(config.client.nodeClass, "gpu");
  strictEqual(config.client.nodePool, "batch");
  deepStrictEqual(config.client.meta, { rack: "r1", zone: "z2" });
  strictEqual(config.client.networkInterface, "eth9");
  strictEqual(config.client.networkSpeed, 100);
  strictEqual(config.client.stateDir, "/s");
  strictEqual(config.client.allocDir, "/a");
  strictEqual(config.logLevel, "warn");
  strictEqual(config.logJson, true);
  strictEqual(config.logIncludeLocation, true);
  strictEqual(config.acl.enabled, true);
  strictEqual(config.acl.replicationToken, "secret");
});

Deno.test("flags override -config files, which load in the order given", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nomad-agent-flags-" });
  try {
    await Deno.mkdir(`${dir}/conf.d`);
    await Deno.writeTextFile(
      `${dir}/conf.d/10-base.hcl`,
      'datacenter = "file-dc"\nregion = "file-region"\nserver {\n  enabled = true\n}\n',
    );
    await Deno.writeTextFile(
      `${dir}/conf.d/20-client.json`,
      '{"client": {"enabled": true, "servers": ["f:4647"]}}',
    );
    await Deno.writeTextFile(
      `${dir}/extra.hcl`,
      'region = "extra-region"\ndata_dir = "/var/lib/x"\n',
    );
    const config = await load([
      `-config=${dir}/conf.d`,
      `-config=${dir}/extra.hcl`,
      "-dc=flag-dc",
      "-servers=g:4647",
      // An empty value never undoes a setting, in flags as in files (Nomad's merge).
      "-server=false",
    ]);
    strictEqual(config.datacenter, "flag-dc");
    strictEqual(config.region, "extra-region");
    strictEqual(config.dataDir, "/var/lib/x");
    strictEqual(config.server.enabled, true);
    deepStrictEqual(config.client.servers, ["f:4647", "g:4647"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("agent refuses a config with an unknown key, naming file, line and column", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nomad-agent-bad-" });
  try {
    await Deno.writeTextFile(`${dir}/bad.hcl`, "server {\n  enabeld = true\n}\n");
    const io = capture();
    const loaded = await loadAgentCommandConfig([`-config=${dir}/bad.hcl`], io);
    strictEqual(loaded.ok, false);
    ok(
      io.err.some((l) => l.includes("bad.hcl:2:3") && l.includes('Did you mean "enabled"?')),
      io.err.join("\n"),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("agent needs server, client or dev mode, and a data dir outside dev mode", async () => {
  const io = capture();
  strictEqual((await loadAgentCommandConfig([], io)).ok, false);
  ok(io.err.some((l) => l.includes("Must specify either server, client or dev mode")));
  const io2 = capture();
  strictEqual((await loadAgentCommandConfig(["-server"], io2)).ok, false);
  ok(io2.err.some((l) => l.includes('"data_dir"')));
});
