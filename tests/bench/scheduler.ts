/**
 * `deno task bench scheduler`: in process, 5,000 simulated nodes in a state
 * store and one service job of count 10,000; runs the generic scheduler once
 * and prints placements/s. Target: ≥ 20,000 placements/s on one core. The
 * planner commits every plan without copying, so the figure is the
 * scheduler's own cost (reconcile, feasibility, ranking, plan building).
 */

import { nullLogger, seededRng, uuidFrom } from "../../src/core/mod.ts";
import { nsKey, StateStore } from "../../src/state/mod.ts";
import { deepFreeze, type Plan, type PlanResult } from "../../src/structs/mod.ts";
import { processEvaluation } from "../../src/scheduler/mod.ts";
import type { Planner } from "../../src/scheduler/mod.ts";
import { mockEval, mockJob, mockNode, testId } from "../../src/scheduler/testing.ts";

/** Simulated client nodes. */
export const NODE_COUNT = 5_000;
/** Allocations the job asks for. */
export const JOB_COUNT = 10_000;
/** Placements per second the scheduler should reach on one core. */
export const TARGET_PLACEMENTS_PER_SECOND = 20_000;
/** Runs measured after one warm-up run; the best is reported. */
export const MEASURED_RUNS = 3;

function buildState(): StateStore {
  const store = new StateStore();
  const job = mockJob({
    ID: "bench",
    Name: "bench",
    TaskGroups: [{
      Name: "web",
      Count: JOB_COUNT,
      EphemeralDisk: { SizeMB: 150 },
      Networks: [{ DynamicPorts: [{ Label: "http" }] }],
      Tasks: [{
        Name: "web",
        Driver: "exec",
        Config: { command: "/bin/date" },
        Resources: { CPU: 100, MemoryMB: 128 },
      }],
    }],
  });
  store.transact(1, (txn) => {
    const nodes = txn.write("nodes");
    for (let i = 0; i < NODE_COUNT; i++) {
      const node = mockNode({ ID: testId(7, i), Name: `sim-${i}` });
      nodes.set(node.ID, deepFreeze({ ...node, CreateIndex: 1, ModifyIndex: 1 }));
    }
    txn.write("jobs").set(
      nsKey(job.Namespace, job.ID),
      deepFreeze({ ...job, CreateIndex: 1, ModifyIndex: 1, JobModifyIndex: 1 }),
    );
  });
  return store;
}

/** A planner that commits whole plans without copying and counts placements. */
function countingPlanner(): { planner: Planner; placed: () => number } {
  let placed = 0;
  const planner: Planner = {
    submitPlan(plan: Plan) {
      const result: PlanResult = {
        NodeUpdate: plan.NodeUpdate,
        NodeAllocation: plan.NodeAllocation,
        RefreshIndex: 0,
        AllocIndex: 2,
      };
      for (const allocs of Object.values(plan.NodeAllocation)) placed += allocs.length;
      return Promise.resolve({ result, refreshedState: null });
    },
    updateEval: () => Promise.resolve(),
    createEval: () => Promise.resolve(),
    reblockEval: () => Promise.resolve(),
  };
  return { planner, placed: () => placed };
}

async function runOnce(store: StateStore, seed: number): Promise<{ ms: number; placed: number }> {
  const state = store.snapshot();
  const job = state.jobByID("default", "bench");
  if (job === undefined) throw new Error("bench job missing");
  const { planner, placed } = countingPlanner();
  const idRng = seededRng(seed ^ 0x5f3759df);
  const started = performance.now();
  await processEvaluation(mockEval(job), {
    state,
    planner,
    nowNs: 1_704_067_200_000_000_000,
    rng: seededRng(seed),
    newId: () => uuidFrom(idRng),
    logger: nullLogger,
  });
  return { ms: performance.now() - started, placed: placed() };
}

/** Runs the benchmark and prints its figures. */
export async function benchScheduler(): Promise<void> {
  const store = buildState();
  await runOnce(store, 1); // warm-up: JIT and the state's lazy indexes
  let best = { ms: Infinity, placed: 0 };
  for (let run = 0; run < MEASURED_RUNS; run++) {
    const result = await runOnce(store, run + 2);
    if (result.ms < best.ms) best = result;
  }
  const perSecond = best.placed / (best.ms / 1000);
  console.log(`nodes:        ${NODE_COUNT}`);
  console.log(`placements:   ${best.placed} of ${JOB_COUNT}`);
  console.log(`time:         ${best.ms.toFixed(1)} ms (best of ${MEASURED_RUNS})`);
  console.log(`placements/s: ${Math.round(perSecond)}`);
  console.log(
    `target:       ${TARGET_PLACEMENTS_PER_SECOND}/s (ratio ${
      (perSecond / TARGET_PLACEMENTS_PER_SECOND).toFixed(2)
    })`,
  );
}

if (import.meta.main) await benchScheduler();
