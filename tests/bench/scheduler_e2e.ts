/**
 * `deno task bench scheduler-e2e`: one job of count 10,000 onto 1,000
 * simulated client nodes through the real server pipeline. The server is a
 * real agent process; the nodes live in this process and, like real clients,
 * register, heartbeat and hold blocking Node.GetClientAllocs queries over RPC
 * (port 4647). The job goes through the HTTP API → job register → Raft log in
 * SQLite (fsync on commit) → eval broker → scheduler worker → plan applier →
 * state store. Prints durable placements per second against the 2,000/s target.
 */

import { RpcPool } from "../../src/rpc/mod.ts";
import { mockNode, testId } from "../../src/scheduler/testing.ts";
import { freePort, killExecutors, startAgent } from "../e2e/harness.ts";

const NODES = 1_000;
const COUNT = 10_000;
const TARGET_PER_SECOND = 2_000;
/** Connections the simulated nodes share (a real cluster has one per client). */
const CONNECTIONS = 16;

/** One simulated client: registers, heartbeats at half its TTL, watches its allocations. */
async function simulatedNode(pool: RpcPool, i: number, stop: AbortSignal): Promise<number> {
  const node = mockNode({ ID: testId(9, i), Name: `sim-${i}`, HTTPAddr: "127.0.0.1:4646" });
  const registered = await pool.call<{ HeartbeatTTL: number }>("Node.Register", { Node: node });
  const heartbeat = (ttlNs: number) => {
    const timer = setTimeout(async () => {
      const next = await pool.call<{ HeartbeatTTL: number }>("Node.UpdateStatus", {
        NodeID: node.ID,
        SecretID: node.SecretID,
      }).catch(() => ({ HeartbeatTTL: ttlNs }));
      if (!stop.aborted) heartbeat(next.HeartbeatTTL);
    }, ttlNs / 1e6 / 2);
    stop.addEventListener("abort", () => clearTimeout(timer), { once: true });
  };
  heartbeat(registered.HeartbeatTTL);
  void (async () => {
    let index = 0;
    while (!stop.aborted) {
      const result = await pool.call<{ Index: number }>("Node.GetClientAllocs", {
        NodeID: node.ID,
        SecretID: node.SecretID,
        MinQueryIndex: index,
        MaxQueryTime: 60e9,
      }, { signal: stop, timeoutMs: 90_000 }).catch(() => null);
      if (result !== null) index = result.Index;
    }
  })();
  return registered.HeartbeatTTL;
}

/** Runs the benchmark and prints its figures. */
export async function benchSchedulerE2e(): Promise<void> {
  const ports = { http: freePort(), rpc: freePort(), serf: freePort() };
  const agent = await startAgent({ dev: false, role: "server", ports });
  const address = agent.address;
  const rpc = `127.0.0.1:${ports.rpc}`;
  const pools = Array.from({ length: CONNECTIONS }, () => new RpcPool([rpc]));
  const stop = new AbortController();
  try {
    let t = performance.now();
    const ttls = await Promise.all(
      Array.from(
        { length: NODES },
        (_, i) => simulatedNode(pools[i % CONNECTIONS]!, i, stop.signal),
      ),
    );
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
    console.log(
      `  ${NODES} nodes registered over RPC in ${(registerMs / 1000).toFixed(2)} s ` +
        `(heartbeat TTL ${Math.max(...ttls) / 1e9} s; each holds a blocking alloc query)`,
    );
    console.log(
      `  submit → all placed: ${seconds.toFixed(2)} s = ${Math.round(rate)} durable placements/s`,
    );
    console.log(
      `  target ≥ ${TARGET_PER_SECOND}/s: ratio ${(rate / TARGET_PER_SECOND).toFixed(2)}`,
    );
  } finally {
    stop.abort();
    for (const pool of pools) pool.close();
    await agent.stop();
    killExecutors(agent.dataDir);
    await Deno.remove(agent.dataDir, { recursive: true }).catch(() => {});
  }
}
