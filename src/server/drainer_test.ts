import { deepStrictEqual, ok, strictEqual } from "node:assert";
import { Fsm } from "../fsm/mod.ts";
import { mockAlloc, mockJob, mockNode, TEST_NOW_NS, testId } from "../scheduler/testing.ts";
import { StateStore } from "../state/mod.ts";
import type { Allocation, DrainStrategy, Job, Node, TaskState } from "../structs/mod.ts";
import { allocHealth, forceDeadlineNs, planDrain, ZERO_TIME } from "./drainer.ts";
import { drainEntry } from "./drainer_endpoints.ts";

const SECOND = 1e9;

/** A state store fed through the real FSM, with helpers for the drain scenarios. */
function cluster() {
  const state = new StateStore();
  const fsm = new Fsm(state);
  let index = 0;
  const apply = (entry: Parameters<Fsm["apply"]>[1]) => fsm.apply(++index, entry);
  return {
    state,
    apply,
    node(n: number, overrides: Partial<Node> = {}): Node {
      const node = mockNode({ ID: testId(1, n), Name: `node-${n}`, ...overrides });
      apply({ Type: "NodeRegister", Node: node, UpdatedAt: TEST_NOW_NS, Evals: [] });
      return node;
    },
    job(overrides: Record<string, unknown> = {}): Job {
      const job = mockJob(overrides);
      apply({ Type: "JobRegister", Job: job, Eval: null, SubmitTime: TEST_NOW_NS });
      return state.snapshot().jobByID(job.Namespace, job.ID)!;
    },
    allocs(list: Allocation[]): void {
      apply({
        Type: "ApplyPlanResults",
        Job: null,
        AllocsUpdated: list,
        AllocsStopped: [],
        EvalID: "e",
      });
    },
    drain(nodeID: string, deadlineNs: number, ignoreSystem = false): void {
      const entry = drainEntry(state.snapshot(), {
        NodeID: nodeID,
        DrainSpec: { Deadline: deadlineNs, IgnoreSystemJobs: ignoreSystem },
        MarkEligible: false,
        Meta: null,
      }, TEST_NOW_NS);
      apply(entry);
    },
  };
}

const running: TaskState = {
  State: "running",
  Failed: false,
  Restarts: 0,
  LastRestart: null,
  StartedAt: new Date(TEST_NOW_NS / 1e6 - 60_000).toISOString(),
  FinishedAt: null,
  Events: null,
};

function serviceJob(c: ReturnType<typeof cluster>, count: number, maxParallel = 1): Job {
  return c.job({
    TaskGroups: [{
      Name: "web",
      Count: count,
      Migrate: { MaxParallel: maxParallel, MinHealthyTime: 10 * SECOND },
      Tasks: [{ Name: "web", Driver: "exec", Config: { command: "/bin/sleep" } }],
    }],
  });
}

Deno.test("drainer marks at most max_parallel service allocations while the rest stay healthy", () => {
  const c = cluster();
  const a = c.node(1);
  c.node(2);
  const job = serviceJob(c, 3, 1);
  c.allocs([0, 1, 2].map((i) => mockAlloc(job, a, { index: i, TaskStates: { web: running } })));
  c.drain(a.ID, 3600 * SECOND);
  const first = planDrain(c.state.snapshot(), TEST_NOW_NS);
  strictEqual(first.migrate.length, 1);
  deepStrictEqual(first.complete, []);
  strictEqual(first.migrate[0]!.Name, "example.web[0]");
  // Once marked, the same decision asks for nothing more until a replacement is healthy.
  c.apply({
    Type: "AllocUpdateDesiredTransition",
    Allocs: {
      [first.migrate[0]!.ID]: {
        Migrate: true,
        Reschedule: null,
        ForceReschedule: null,
        NoShutdownDelay: null,
      },
    },
    Evals: [],
  });
  strictEqual(planDrain(c.state.snapshot(), TEST_NOW_NS).migrate.length, 0);
});

Deno.test("drainer moves the next batch once the replacement on another node is healthy", () => {
  const c = cluster();
  const a = c.node(1);
  const b = c.node(2);
  const job = serviceJob(c, 2, 1);
  const [old0, old1] = [0, 1].map((i) =>
    mockAlloc(job, a, { index: i, TaskStates: { web: running } })
  );
  c.allocs([
    {
      ...old0!,
      DesiredStatus: "stop",
      DesiredTransition: { ...old0!.DesiredTransition, Migrate: true },
    },
    old1!,
  ]);
  c.drain(a.ID, 3600 * SECOND);
  const startedNow = { ...running, StartedAt: new Date(TEST_NOW_NS / 1e6).toISOString() };
  c.allocs([mockAlloc(job, b, { index: 0, TaskStates: { web: startedNow } })]);
  const young = planDrain(c.state.snapshot(), TEST_NOW_NS);
  strictEqual(young.migrate.length, 0, "replacement younger than min_healthy_time");
  strictEqual(young.wakeAtNs, TEST_NOW_NS + 10 * SECOND);
  const later = planDrain(c.state.snapshot(), TEST_NOW_NS + 10 * SECOND);
  deepStrictEqual(later.migrate.map((x) => x.ID), [old1!.ID]);
});

Deno.test("drainer trusts the client's deployment health over task run time", () => {
  const alloc = mockAlloc(mockJob(), mockNode(), {
    TaskStates: { web: running },
    DeploymentStatus: { Healthy: false, Timestamp: "", Canary: false, ModifyIndex: 1 },
  });
  deepStrictEqual(allocHealth(alloc, { nowNs: TEST_NOW_NS, minHealthyNs: 0 }), {
    healthy: false,
    healthyAtNs: null,
  });
  const pending = mockAlloc(mockJob(), mockNode(), { ClientStatus: "pending" });
  strictEqual(allocHealth(pending, { nowNs: TEST_NOW_NS, minHealthyNs: 0 }).healthy, false);
});

Deno.test("drainer leaves batch allocations until the deadline, then marks everything and completes", () => {
  const c = cluster();
  const a = c.node(1);
  const batch = c.job({ ID: "batch", Type: "batch" });
  const alloc = mockAlloc(batch, a, { TaskStates: { web: running } });
  c.allocs([alloc]);
  c.drain(a.ID, 60 * SECOND);
  const before = planDrain(c.state.snapshot(), TEST_NOW_NS);
  deepStrictEqual(before.migrate, []);
  deepStrictEqual(before.complete, []);
  strictEqual(before.wakeAtNs, TEST_NOW_NS + 60 * SECOND);
  const at = planDrain(c.state.snapshot(), TEST_NOW_NS + 60 * SECOND);
  deepStrictEqual(at.migrate.map((x) => x.ID), [alloc.ID]);
  deepStrictEqual(at.complete, [{ nodeID: a.ID, deadlined: true }]);
});

Deno.test("drainer stops system allocations last and completes when the rest has left", () => {
  const c = cluster();
  const a = c.node(1);
  const service = serviceJob(c, 1);
  const system = c.job({ ID: "sys", Type: "system" });
  const web = mockAlloc(service, a, { TaskStates: { web: running } });
  const sys = mockAlloc(system, a, { TaskStates: { web: running } });
  c.allocs([web, sys]);
  c.drain(a.ID, 0);
  const first = planDrain(c.state.snapshot(), TEST_NOW_NS);
  // count 1, max_parallel 1: the service alloc may go at once; the system one waits.
  deepStrictEqual(first.migrate.map((x) => x.ID), [web.ID]);
  deepStrictEqual(first.complete, []);
  c.apply({
    Type: "AllocClientUpdate",
    Allocs: [{
      ID: web.ID,
      ClientStatus: "complete",
      ClientDescription: "",
      TaskStates: null,
      ModifyTime: TEST_NOW_NS,
    }],
    Evals: [],
  });
  const done = planDrain(c.state.snapshot(), TEST_NOW_NS);
  deepStrictEqual(done.migrate.map((x) => x.ID), [sys.ID]);
  deepStrictEqual(done.complete, [{ nodeID: a.ID, deadlined: false }]);
});

Deno.test("drainer with IgnoreSystemJobs completes without touching system allocations", () => {
  const c = cluster();
  const a = c.node(1);
  const system = c.job({ ID: "sys", Type: "system" });
  c.allocs([mockAlloc(system, a)]);
  c.drain(a.ID, -1, true);
  const decision = planDrain(c.state.snapshot(), TEST_NOW_NS);
  deepStrictEqual(decision.migrate, []);
  deepStrictEqual(decision.complete, [{ nodeID: a.ID, deadlined: true }]);
});

Deno.test("drain completion clears the strategy, keeps the node ineligible and records events", () => {
  const c = cluster();
  const a = c.node(1);
  c.drain(a.ID, 3600 * SECOND);
  const draining = c.state.snapshot().nodeByID(a.ID)!;
  strictEqual(draining.SchedulingEligibility, "ineligible");
  strictEqual(draining.Drain, true);
  strictEqual(draining.LastDrain?.Status, "draining");
  strictEqual(draining.Events?.at(-1)?.Message, "Node drain strategy set");
  const decision = planDrain(c.state.snapshot(), TEST_NOW_NS);
  deepStrictEqual(decision.complete, [{ nodeID: a.ID, deadlined: false }]);
  c.apply({
    Type: "NodeDrainComplete",
    NodeIDs: [a.ID],
    UpdatedAt: TEST_NOW_NS,
    Event: {
      Message: "Node drain complete",
      Subsystem: "Drain",
      Details: null,
      Timestamp: "",
      CreateIndex: 0,
    },
  });
  const done = c.state.snapshot().nodeByID(a.ID)!;
  strictEqual(done.DrainStrategy, null);
  strictEqual(done.Drain, false);
  strictEqual(done.SchedulingEligibility, "ineligible");
  strictEqual(done.LastDrain?.Status, "complete");
  strictEqual(done.Events?.at(-1)?.Message, "Node drain complete");
  ok(planDrain(c.state.snapshot(), TEST_NOW_NS).complete.length === 0);
});

Deno.test("force deadlines: negative is now, zero is none, positive is start plus deadline", () => {
  const base: DrainStrategy = {
    Deadline: 0,
    IgnoreSystemJobs: false,
    ForceDeadline: ZERO_TIME,
    StartedAt: ZERO_TIME,
  };
  strictEqual(forceDeadlineNs({ ...base, Deadline: -1 }), -Infinity);
  strictEqual(forceDeadlineNs(base), null);
  const c = cluster();
  const a = c.node(1);
  c.drain(a.ID, 90 * SECOND);
  const strategy = c.state.snapshot().nodeByID(a.ID)!.DrainStrategy!;
  strictEqual(forceDeadlineNs(strategy), TEST_NOW_NS + 90 * SECOND);
  strictEqual(strategy.StartedAt, new Date(TEST_NOW_NS / 1e6).toISOString());
});

Deno.test("a client re-registering during a drain keeps the server's drain and eligibility", () => {
  const c = cluster();
  const a = c.node(1);
  c.drain(a.ID, 3600 * SECOND);
  c.apply({ Type: "NodeRegister", Node: a, UpdatedAt: TEST_NOW_NS, Evals: [] });
  const node = c.state.snapshot().nodeByID(a.ID)!;
  strictEqual(node.Drain, true);
  strictEqual(node.DrainStrategy?.Deadline, 3600 * SECOND);
  strictEqual(node.SchedulingEligibility, "ineligible");
  strictEqual(node.LastDrain?.Status, "draining");
});
