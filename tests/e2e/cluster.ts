/**
 * One real agent in this process (server, HTTP API and its own client) plus
 * one extra in-process client whose link to the server a test can cut
 * (`AgentTestOptions.extraClients`). There is no RPC listener yet, so a
 * client-only agent cannot join a server; this stands in for a second host.
 */

import { Agent } from "../../src/agent/agent.ts";
import { loadAgentCommandConfig, resolveSettings } from "../../src/agent/command.ts";
import { nullLogger } from "../../src/core/logger.ts";
import type { NodeListStub } from "../../src/structs/mod.ts";
import { freePort, getJson, killExecutors, waitFor } from "./harness.ts";

/** A running two-node cluster. */
export interface Cluster {
  agent: Agent;
  address: string;
  dir: string;
}

/** Starts the cluster with the given heartbeat TTL (and the same grace), e.g. "1s". */
export async function startCluster(prefix: string, heartbeat: string): Promise<Cluster> {
  const dir = await Deno.makeTempDir({ prefix });
  const config = `${dir}/agent.hcl`;
  await Deno.writeTextFile(
    config,
    [
      `ports {\n  http = ${freePort()}\n  rpc = ${freePort()}\n  serf = ${freePort()}\n}`,
      `data_dir = "${dir}/data"`,
      `server {\n  min_heartbeat_ttl = "${heartbeat}"\n  heartbeat_grace = "${heartbeat}"\n}`,
    ].join("\n"),
  );
  const loaded = await loadAgentCommandConfig(["-dev", "-config", config]);
  if (!loaded.ok) throw new Error("bad test agent config");
  const settings = await resolveSettings(loaded.config);
  const agent = await Agent.start(settings, nullLogger, { extraClients: 1 });
  const address = `http://127.0.0.1:${agent.httpAddress.port}`;
  await waitFor("two ready nodes", async () => {
    const nodes = (await getJson<NodeListStub[]>(address, "/v1/nodes")).body;
    return nodes.filter((n) => n.Status === "ready").length === 2 ? true : undefined;
  });
  return { agent, address, dir };
}

/** Stops the agent, its executors and removes its directory. */
export async function stopCluster(cluster: Cluster): Promise<void> {
  await cluster.agent.shutdown();
  killExecutors(cluster.dir);
  await Deno.remove(cluster.dir, { recursive: true }).catch(() => {});
}
