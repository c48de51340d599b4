import assert from "node:assert/strict";
import { NS_PER_HOUR, NS_PER_MINUTE, NS_PER_SECOND } from "../core/mod.ts";
import type { Allocation, ReschedulePolicy } from "../structs/mod.ts";
import {
  nextDelayNs,
  nextRescheduleTime,
  nextRescheduleTracker,
  rescheduleDecision,
} from "./reschedule.ts";
import { formatRfc3339Nano } from "./time_format.ts";
import { mockAlloc, mockJob, mockNode, TEST_NOW_NS } from "./testing.ts";

function failedAlloc(policy: Partial<ReschedulePolicy>, delays: number[] = []): Allocation {
  const job = mockJob();
  const tg = job.TaskGroups[0]!;
  const withPolicy = {
    ...job,
    TaskGroups: [{ ...tg, ReschedulePolicy: { ...tg.ReschedulePolicy!, ...policy } }],
  };
  return mockAlloc(withPolicy, mockNode(), {
    ClientStatus: "failed",
    ModifyTime: TEST_NOW_NS,
    RescheduleTracker: delays.length === 0 ? null : {
      Events: delays.map((Delay, i) => ({
        RescheduleTime: TEST_NOW_NS - (delays.length - i) * NS_PER_MINUTE,
        PrevAllocID: `prev-${i}`,
        PrevNodeID: `node-${i}`,
        Delay,
      })),
    },
  });
}

const S = NS_PER_SECOND;

Deno.test("constant delay stays at the base delay", () => {
  const alloc = failedAlloc({ DelayFunction: "constant", Delay: 5 * S }, [5 * S, 5 * S]);
  assert.equal(nextDelayNs(alloc), 5 * S);
});

Deno.test("exponential delay doubles the last delay up to max_delay", () => {
  const policy = { DelayFunction: "exponential" as const, Delay: 30 * S, MaxDelay: NS_PER_HOUR };
  assert.equal(nextDelayNs(failedAlloc(policy)), 30 * S);
  assert.equal(nextDelayNs(failedAlloc(policy, [30 * S])), 60 * S);
  assert.equal(nextDelayNs(failedAlloc(policy, [40 * NS_PER_MINUTE])), NS_PER_HOUR);
});

Deno.test("fibonacci delay adds the last two delays", () => {
  const policy = { DelayFunction: "fibonacci" as const, Delay: 5 * S, MaxDelay: NS_PER_HOUR };
  assert.equal(nextDelayNs(failedAlloc(policy, [5 * S])), 5 * S);
  assert.equal(nextDelayNs(failedAlloc(policy, [5 * S, 5 * S])), 10 * S);
  assert.equal(nextDelayNs(failedAlloc(policy, [5 * S, 10 * S])), 15 * S);
});

Deno.test("the fail time comes from the latest task FinishedAt", () => {
  const alloc = {
    ...failedAlloc({ DelayFunction: "constant", Delay: 5 * S }),
    TaskStates: {
      web: {
        State: "dead" as const,
        Failed: true,
        Restarts: 0,
        LastRestart: null,
        StartedAt: null,
        FinishedAt: formatRfc3339Nano(TEST_NOW_NS - 60 * S),
        Events: null,
      },
    },
  };
  assert.deepEqual(nextRescheduleTime(alloc), { timeNs: TEST_NOW_NS - 55 * S, eligible: true });
});

Deno.test("limited attempts count reschedules within the interval", () => {
  const policy = {
    Attempts: 2,
    Interval: NS_PER_HOUR,
    Unlimited: false,
    DelayFunction: "constant" as const,
  };
  assert.equal(nextRescheduleTime(failedAlloc(policy, [5 * S])).eligible, true);
  assert.equal(nextRescheduleTime(failedAlloc(policy, [5 * S, 5 * S])).eligible, false);
});

Deno.test("a failed allocation past its delay is rescheduled now, otherwise later", () => {
  const alloc = failedAlloc({ DelayFunction: "constant", Delay: 30 * S });
  assert.deepEqual(rescheduleDecision(alloc, { nowNs: TEST_NOW_NS + 31 * S, evalID: "e" }), {
    now: true,
    later: false,
    timeNs: TEST_NOW_NS + 30 * S,
  });
  assert.deepEqual(rescheduleDecision(alloc, { nowNs: TEST_NOW_NS, evalID: "e" }), {
    now: false,
    later: true,
    timeNs: TEST_NOW_NS + 30 * S,
  });
});

Deno.test("the follow-up evaluation reschedules its allocation even before the delay", () => {
  const alloc = { ...failedAlloc({ Delay: 30 * S }), FollowupEvalID: "follow" };
  assert.equal(rescheduleDecision(alloc, { nowNs: TEST_NOW_NS, evalID: "follow" }).now, true);
  assert.equal(rescheduleDecision(alloc, { nowNs: TEST_NOW_NS, evalID: "other" }).later, false);
});

Deno.test("the replacement's tracker carries past events and adds this reschedule", () => {
  const prev = failedAlloc({
    Unlimited: true,
    Attempts: 0,
    DelayFunction: "exponential",
    Delay: 30 * S,
  }, [
    30 * S,
  ]);
  const tracker = nextRescheduleTracker(prev, TEST_NOW_NS);
  assert.equal(tracker.Events?.length, 2);
  assert.deepEqual(tracker.Events?.[1], {
    RescheduleTime: TEST_NOW_NS,
    PrevAllocID: prev.ID,
    PrevNodeID: prev.NodeID,
    Delay: 60 * S,
  });
});
