import { deepStrictEqual, strictEqual } from "node:assert";
import { StateStore } from "../state/mod.ts";
import { DEFAULT_SCHEDULER_CONFIGURATION, type SchedulerConfiguration } from "../structs/mod.ts";
import { Fsm } from "./fsm.ts";

function config(fields: Partial<SchedulerConfiguration>): SchedulerConfiguration {
  return { ...DEFAULT_SCHEDULER_CONFIGURATION, ...fields };
}

Deno.test("a scheduler configuration write stores it with Raft indexes", () => {
  const state = new StateStore();
  const fsm = new Fsm(state);
  strictEqual(state.snapshot().schedulerConfig(), null);
  strictEqual(state.snapshot().schedulerAlgorithm(), "binpack");
  const result = fsm.apply(5, {
    Type: "SchedulerConfig",
    Config: config({ SchedulerAlgorithm: "spread", CreateIndex: 99, ModifyIndex: 99 }),
    CAS: false,
  });
  strictEqual(result.updated, true);
  const stored = state.snapshot().schedulerConfig();
  strictEqual(stored?.CreateIndex, 5);
  strictEqual(stored?.ModifyIndex, 5);
  strictEqual(state.snapshot().schedulerAlgorithm(), "spread");
  strictEqual(state.snapshot().tableIndex("scheduler_config"), 5);
  strictEqual(Object.isFrozen(stored), true);
  fsm.apply(6, { Type: "SchedulerConfig", Config: config({}), CAS: false });
  deepStrictEqual(
    [
      state.snapshot().schedulerConfig()?.CreateIndex,
      state.snapshot().schedulerConfig()?.ModifyIndex,
    ],
    [5, 6],
    "CreateIndex is kept",
  );
});

Deno.test("a CAS write applies only when ModifyIndex matches the stored one", () => {
  const state = new StateStore();
  const fsm = new Fsm(state);
  const noneYet = fsm.apply(1, { Type: "SchedulerConfig", Config: config({}), CAS: true });
  strictEqual(noneYet.updated, false, "CAS fails when nothing is stored");
  strictEqual(state.snapshot().schedulerConfig(), null);
  fsm.apply(2, { Type: "SchedulerConfig", Config: config({}), CAS: false });
  const stale = fsm.apply(3, {
    Type: "SchedulerConfig",
    Config: config({ PauseEvalBroker: true, ModifyIndex: 1 }),
    CAS: true,
  });
  strictEqual(stale.updated, false);
  strictEqual(state.snapshot().schedulerConfig()?.PauseEvalBroker, false);
  strictEqual(state.snapshot().tableIndex("scheduler_config"), 2);
  const fresh = fsm.apply(4, {
    Type: "SchedulerConfig",
    Config: config({ PauseEvalBroker: true, ModifyIndex: 2 }),
    CAS: true,
  });
  strictEqual(fresh.updated, true);
  strictEqual(state.snapshot().schedulerConfig()?.PauseEvalBroker, true);
  strictEqual(state.snapshot().schedulerConfig()?.ModifyIndex, 4);
});

Deno.test("memory oversubscription follows the stored configuration", () => {
  const state = new StateStore();
  const fsm = new Fsm(state);
  strictEqual(state.snapshot().memoryOversubscriptionEnabled(), false);
  fsm.apply(1, {
    Type: "SchedulerConfig",
    Config: config({ MemoryOversubscriptionEnabled: true }),
    CAS: false,
  });
  strictEqual(state.snapshot().memoryOversubscriptionEnabled(), true);
});
