/**
 * `deno task bench tasks`: starts an agent (server and client) from source,
 * then 1 and then 50 `raw_exec` sleep tasks on its client, and prints the
 * agent's RSS, the total RSS of the helper processes (`nomad executor`), and
 * the memory each task costs beyond its own process: amortized (everything
 * the agent and helpers grew from no task to 50) and marginal (from 1 task to
 * 50, once the helper runs). Target: ≤ 5 MB per task. Then kills the agent
 * with SIGKILL, restarts it on the same data dir and prints how long until its
 * client serves every task again (restored and reattached), PIDs unchanged.
 * Prints figures only.
 */

import type { AllocationListStub } from "../../src/structs/mod.ts";
import {
  executorPids,
  freePort,
  killExecutors,
  startAgent,
  type TestAgent,
} from "../e2e/harness.ts";

const TASKS = 50;
const TARGET_MB_PER_TASK = 5;
const SETTLE_MS = 3_000;

function rssKB(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? "0");
  } catch {
    return 0;
  }
}

function job(count: number) {
  return {
    Job: {
      ID: "sleepers",
      Type: "service",
      Datacenters: ["dc1"],
      TaskGroups: [{
        Name: "g",
        Count: count,
        Tasks: [{
          Name: "sleep",
          Driver: "raw_exec",
          Config: { command: "/bin/sleep", args: ["3600"] },
          Resources: { CPU: 10, MemoryMB: 10 },
        }],
      }],
    },
  };
}

async function runTasks(address: string, count: number): Promise<void> {
  const res = await fetch(`${address}/v1/jobs`, {
    method: "PUT",
    body: JSON.stringify(job(count)),
  });
  if (!res.ok) throw new Error(`register failed: ${res.status} ${await res.text()}`);
  await res.body?.cancel();
  let index = 0;
  for (;;) {
    const list = await fetch(`${address}/v1/job/sleepers/allocations?index=${index}&wait=30s`);
    index = Number(list.headers.get("X-Nomad-Index") ?? "0");
    const allocs = await list.json() as AllocationListStub[];
    if (allocs.filter((a) => a.ClientStatus === "running").length >= count) return;
  }
}

interface Sample {
  agentKB: number;
  helpersKB: number;
  helpers: number;
}

async function sample(agentPid: number, dataDir: string): Promise<Sample> {
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const helpers = executorPids((cmdline) => cmdline.includes(dataDir));
  return {
    agentKB: rssKB(agentPid),
    helpersKB: helpers.reduce((sum, pid) => sum + rssKB(pid), 0),
    helpers: helpers.length,
  };
}

const mb = (kb: number) => (kb / 1024).toFixed(1);

/** How many of the job's allocations the agent's client serves logs for (restored runners). */
async function servedTasks(address: string): Promise<number> {
  const allocs = await fetch(`${address}/v1/job/sleepers/allocations`)
    .then((r) => r.json() as Promise<AllocationListStub[]>);
  let served = 0;
  for (const a of allocs) {
    const logs = await fetch(
      `${address}/v1/client/fs/logs/${a.ID}?task=sleep&type=stdout&plain=true`,
    ).catch(() => null);
    await logs?.body?.cancel();
    if (logs?.ok) served++;
  }
  return served;
}

/** SIGKILL, restart on the same data dir, and time until every task is served again. */
async function reattach(
  agent: TestAgent,
  ports: { http: number; rpc: number; serf: number },
): Promise<TestAgent> {
  const sleepers = () =>
    [...Deno.readDirSync("/proc")].filter((e) => /^\d+$/.test(e.name)).filter((e) => {
      try {
        return Deno.readTextFileSync(`/proc/${e.name}/cmdline`) === "/bin/sleep\u00003600\u0000";
      } catch {
        return false;
      }
    }).map((e) => Number(e.name)).sort((a, b) => a - b);
  const before = sleepers();
  await agent.kill();
  const t0 = performance.now();
  const next = await startAgent({ dev: false, ports, dataDir: agent.dataDir });
  const healthyMs = performance.now() - t0;
  while (await servedTasks(next.address) < TASKS) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const servedMs = performance.now() - t0;
  const after = sleepers();
  const same = before.length === after.length && before.every((pid, i) => pid === after[i]);
  console.log(
    `  SIGKILL + restart: agent healthy after ${(healthyMs / 1000).toFixed(2)} s, all ${TASKS} ` +
      `tasks served again after ${(servedMs / 1000).toFixed(2)} s; task PIDs unchanged: ${same}`,
  );
  return next;
}

/** Runs the benchmark and prints its figures. */
export async function benchTasks(): Promise<void> {
  const ports = { http: freePort(), rpc: freePort(), serf: freePort() };
  let agent: TestAgent = await startAgent({ dev: false, ports });
  try {
    const none = await sample(agent.process.pid, agent.dataDir);
    await runTasks(agent.address, 1);
    const one = await sample(agent.process.pid, agent.dataDir);
    await runTasks(agent.address, TASKS);
    const all = await sample(agent.process.pid, agent.dataDir);
    const total = (s: Sample) => s.agentKB + s.helpersKB;
    const amortized = (total(all) - total(none)) / TASKS;
    const marginal = (total(all) - total(one)) / (TASKS - 1);
    console.log(`tasks: ${TASKS} raw_exec sleep tasks on one client (agent from source)`);
    for (
      const [label, s] of [["0 tasks", none], ["1 task", one], [`${TASKS} tasks`, all]] as const
    ) {
      console.log(
        `  ${label.padEnd(9)} agent RSS ${mb(s.agentKB)} MB, helpers RSS ${
          mb(s.helpersKB)
        } MB (${s.helpers} executor process${s.helpers === 1 ? "" : "es"})`,
      );
    }
    console.log(
      `  per task, amortized (0 → ${TASKS}): ${mb(amortized)} MB; marginal (1 → ${TASKS}): ${
        mb(marginal)
      } MB`,
    );
    console.log(
      `  target ≤ ${TARGET_MB_PER_TASK} MB per task: ratio ${
        (amortized / 1024 / TARGET_MB_PER_TASK).toFixed(2)
      } (amortized)`,
    );
    agent = await reattach(agent, ports);
  } finally {
    // Stop the job and wait for its tasks to exit: they would outlive the agent otherwise.
    await fetch(`${agent.address}/v1/job/sleepers`, { method: "DELETE" })
      .then((r) => r.body?.cancel()).catch(() => {});
    for (let i = 0; i < 300; i++) {
      const allocs = await fetch(`${agent.address}/v1/job/sleepers/allocations`)
        .then((r) => r.json() as Promise<AllocationListStub[]>).catch(() => []);
      if (allocs.every((a) => a.ClientStatus !== "running" && a.ClientStatus !== "pending")) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await agent.stop();
    killExecutors(agent.dataDir);
    await Deno.remove(agent.dataDir, { recursive: true }).catch(() => {});
  }
}
