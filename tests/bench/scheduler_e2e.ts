/**
 * `deno task bench scheduler-e2e`: one job of count 10,000 onto 1,000
 * simulated nodes through the real server pipeline: HTTP API → job register
 * → Raft log in SQLite (fsync on commit) → eval broker → scheduler worker →
 * plan applier → state store. Prints durable placements per second against
 * the 2,000/s target. Nodes are registered through the server's own endpoint
 * in process: the RPC listener (port 4647) arrives with the clustering issue.
 */

import { Agent } from "../../src/agent/agent.ts";
import { loadAgentCommandConfig, resolveSettings } from "../../src/agent/command.ts";
import { nullLogger } from "../../src/core/logger.ts";
import { mockNode, testId } from "../../src/scheduler/testing.ts";
import { freePort } from "../e2e/harness.ts";

const NODES = 1_000;
const COUNT = 10_000;
const TARGET_PER_SECOND = 2_000;

/** Runs the benchmark and prints its figures. */
export async function benchSchedulerE2e(): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "nomad-bench-sched-" });
  const config = `${dir}/agent.hcl`;
  await Deno.writeTextFile(
    config,
    [
      `data_dir = "${dir}/data"`,
      `ports {\n  http = ${freePort()}\n  rpc = ${freePort()}\n  serf = ${freePort()}\n}`,
      `server {\n  enabled = true\n  bootstrap_expect = 1\n  min_heartbeat_ttl = "1h"\n}`,
      `client {\n  enabled = false\n}`,
    ].join("\n"),
  );
  const loaded = await loadAgentCommandConfig(["-config", config]);
  if (!loaded.ok) throw new Error("bad bench agent config");
  const agent = await Agent.start(await resolveSettings(loaded.config), nullLogger);
  const address = `http://127.0.0.1:${agent.httpAddress.port}`;
  try {
    const server = agent.server!;
    let t = performance.now();
    for (let i = 0; i < NODES; i++) {
      await server.nodeRegister(mockNode({ ID: testId(9, i), Name: `sim-${i}` }));
    }
    const registerMs = performance.now() - t;
    const job = {
      Job: {
        ID: "bench",
        Type: "batch",
        Datacenters: ["dc1"],
        TaskGroups: [{
          Name: "g",
          Count: COUNT,
          Tasks: [{
            Name: "t",
            Driver: "exec",
            Config: { command: "/bin/true" },
            Resources: { CPU: 20, MemoryMB: 16 },
          }],
        }],
      },
    };
    t = performance.now();
    const res = await fetch(`${address}/v1/jobs`, { method: "PUT", body: JSON.stringify(job) });
    if (!res.ok) throw new Error(`register failed: ${res.status} ${await res.text()}`);
    await res.body?.cancel();
    let placed = 0;
    let index = 0;
    while (placed < COUNT) {
      const summary = await fetch(`${address}/v1/job/bench/summary?index=${index}&wait=10s`);
      index = Number(summary.headers.get("X-Nomad-Index") ?? index);
      const body = await summary.json();
      const g = body.Summary.g;
      placed = g.Starting + g.Running + g.Complete + g.Failed + g.Lost;
    }
    const seconds = (performance.now() - t) / 1000;
    const rate = COUNT / seconds;
    console.log(
      `scheduler-e2e: ${COUNT} placements on ${NODES} nodes via HTTP, raft (SQLite) and the plan applier`,
    );
    console.log(`  ${NODES} nodes registered in ${(registerMs / 1000).toFixed(2)} s`);
    console.log(
      `  submit → all placed: ${seconds.toFixed(2)} s = ${Math.round(rate)} durable placements/s`,
    );
    console.log(
      `  target ≥ ${TARGET_PER_SECOND}/s: ratio ${(rate / TARGET_PER_SECOND).toFixed(2)}`,
    );
  } finally {
    await agent.shutdown();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
