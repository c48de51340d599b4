/**
 * `deno task bench submit`: starts `agent -dev` from source, submits 50 sequential
 * raw_exec batch jobs, and prints p50/p99 of submit→running and submit→complete
 * plus the agent's idle RSS. A benchmark prints figures; it asserts nothing.
 */

import type { Allocation, AllocationListStub } from "../../src/structs/mod.ts";
import { executorPids, freePort, startAgent } from "../e2e/harness.ts";

/** Jobs submitted one after another. */
export const JOB_COUNT = 50;
/** How long the agent idles before its RSS is read. */
export const IDLE_SETTLE_MS = 3_000;

function rssKB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? "0");
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

function startTicks(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
}

/** The executor started after the agent (in -dev its state dir is a temp dir we do not know). */
function executorPid(agentPid: number): number | undefined {
  const after = startTicks(agentPid);
  return executorPids((_cmdline, pid) => startTicks(pid) >= after)[0];
}

async function waitComplete(address: string, jobID: string): Promise<Allocation> {
  let index = 0;
  for (;;) {
    const res = await fetch(`${address}/v1/job/${jobID}/allocations?index=${index}&wait=30s`);
    index = Number(res.headers.get("X-Nomad-Index") ?? "0");
    const allocs = await res.json() as AllocationListStub[];
    const done = allocs.find((a) => a.ClientStatus === "complete" || a.ClientStatus === "failed");
    if (done !== undefined) {
      return await (await fetch(`${address}/v1/allocation/${done.ID}`)).json();
    }
  }
}

/** Runs the benchmark and prints its figures. */
export async function benchSubmit(): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "nomad-bench-" });
  const agent = await startAgent({
    dataDir,
    ports: { http: freePort(), rpc: freePort(), serf: freePort() },
  });
  try {
    await new Promise((r) => setTimeout(r, IDLE_SETTLE_MS));
    const idleKB = rssKB(agent.process.pid);
    const toRunning: number[] = [];
    const toComplete: number[] = [];
    for (let i = 0; i < JOB_COUNT; i++) {
      const id = `bench-${i}`;
      const body = {
        Job: {
          ID: id,
          Type: "batch",
          TaskGroups: [{
            Name: "g",
            Tasks: [{
              Name: "t",
              Driver: "raw_exec",
              Config: { command: "/bin/sleep", args: ["0.05"] },
            }],
          }],
        },
      };
      const submittedNs = Date.now() * 1e6;
      const submitted = performance.now();
      const res = await fetch(`${agent.address}/v1/jobs`, {
        method: "PUT",
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`submit failed: ${res.status} ${await res.text()}`);
      await res.body?.cancel();
      const alloc = await waitComplete(agent.address, id);
      toComplete.push(performance.now() - submitted);
      const started = alloc.TaskStates?.t?.Events?.find((e) => e.Type === "Started");
      if (started === undefined) {
        throw new Error(`task of ${id} never started: ${JSON.stringify(alloc.TaskStates)}`);
      }
      toRunning.push((started.Time - submittedNs) / 1e6);
    }
    const afterKB = rssKB(agent.process.pid);
    const executor = executorPid(agent.process.pid);
    const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
    console.log(`jobs: ${JOB_COUNT} sequential raw_exec batch jobs (task: sleep 0.05)`);
    console.log(
      `submit → task running : p50 ${fmt(percentile(toRunning, 50))}  p99 ${
        fmt(percentile(toRunning, 99))
      }  (target p50 ≤ 50 ms)`,
    );
    console.log(
      `submit → complete     : p50 ${fmt(percentile(toComplete, 50))}  p99 ${
        fmt(percentile(toComplete, 99))
      }`,
    );
    console.log(`agent -dev idle RSS   : ${(idleKB / 1024).toFixed(1)} MB  (target ≤ 60 MB)`);
    console.log(`agent RSS after jobs  : ${(afterKB / 1024).toFixed(1)} MB`);
    if (executor !== undefined) {
      console.log(`executor RSS          : ${(rssKB(executor) / 1024).toFixed(1)} MB`);
    }
  } finally {
    await agent.stop();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}
