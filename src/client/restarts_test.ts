import { strictEqual } from "node:assert";
import { NS_PER_MINUTE, NS_PER_SECOND } from "../core/clock.ts";
import { seededRng } from "../core/rng.ts";
import type { RestartPolicy } from "../structs/mod.ts";
import { newRestartTracker, nextRestart } from "./restarts.ts";

const policy: RestartPolicy = {
  Attempts: 2,
  Interval: 30 * NS_PER_MINUTE,
  Delay: 15 * NS_PER_SECOND,
  Mode: "fail",
  RenderTemplates: false,
};

Deno.test("a batch task that exits 0 is done, not restarted", () => {
  const { decision } = nextRestart(newRestartTracker(0), {
    policy,
    batch: true,
    exitCode: 0,
    failedToStart: false,
    nowNs: 1,
    rng: seededRng(1),
  });
  strictEqual(decision.action, "done");
});

Deno.test("a failing task restarts with jittered delay until attempts are used, then fails", () => {
  let tracker = newRestartTracker(0);
  const rng = seededRng(2);
  for (let i = 0; i < 2; i++) {
    const next = nextRestart(tracker, {
      policy,
      batch: false,
      exitCode: 1,
      failedToStart: false,
      nowNs: i,
      rng,
    });
    tracker = next.tracker;
    strictEqual(next.decision.action, "restart");
    if (next.decision.action === "restart") {
      strictEqual(
        next.decision.delayNs >= policy.Delay && next.decision.delayNs <= policy.Delay * 1.25,
        true,
      );
    }
  }
  const last = nextRestart(tracker, {
    policy,
    batch: false,
    exitCode: 1,
    failedToStart: false,
    nowNs: 3,
    rng,
  });
  strictEqual(last.decision.action, "fail");
  if (last.decision.action === "fail") {
    strictEqual(
      last.decision.reason,
      'Exceeded allowed attempts 2 in interval 30m0s and mode is "fail"',
    );
  }
});

Deno.test("restarts outside the interval start a fresh count", () => {
  const tracker = { intervalStartNs: 0, count: 2 };
  const next = nextRestart(tracker, {
    policy,
    batch: false,
    exitCode: 1,
    failedToStart: false,
    nowNs: 31 * NS_PER_MINUTE,
    rng: seededRng(3),
  });
  strictEqual(next.decision.action, "restart");
  strictEqual(next.tracker.count, 1);
});

Deno.test("delay mode waits for the interval to end instead of failing", () => {
  const tracker = { intervalStartNs: 0, count: 2 };
  const next = nextRestart(tracker, {
    policy: { ...policy, Mode: "delay" },
    batch: false,
    exitCode: 1,
    failedToStart: false,
    nowNs: 10 * NS_PER_MINUTE,
    rng: seededRng(4),
  });
  strictEqual(next.decision.action, "restart");
  if (next.decision.action === "restart") {
    strictEqual(next.decision.delayNs >= 20 * NS_PER_MINUTE, true);
  }
});

Deno.test("zero attempts in fail mode never restarts", () => {
  const next = nextRestart(newRestartTracker(0), {
    policy: { ...policy, Attempts: 0 },
    batch: false,
    exitCode: 1,
    failedToStart: false,
    nowNs: 1,
    rng: seededRng(5),
  });
  strictEqual(next.decision.action, "fail");
});
