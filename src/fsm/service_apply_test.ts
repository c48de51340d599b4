import { deepStrictEqual, strictEqual } from "node:assert";
import { mockAlloc, mockJob, mockNode } from "../scheduler/testing.ts";
import { serviceRegistrations, serviceRegistrationsByName, StateStore } from "../state/mod.ts";
import type { Allocation, ServiceRegistration } from "../structs/mod.ts";
import { Fsm } from "./fsm.ts";

const node = mockNode();
const job = mockJob();

function registration(alloc: Allocation, name: string, extra: Partial<ServiceRegistration> = {}) {
  return {
    ID: `_nomad-task-${alloc.ID}-web-${name}-http`,
    ServiceName: name,
    Namespace: "default",
    NodeID: alloc.NodeID,
    Datacenter: "dc1",
    JobID: alloc.JobID,
    AllocID: alloc.ID,
    Tags: ["a"],
    Address: "127.0.0.1",
    Port: 8080,
    CreateIndex: 0,
    ModifyIndex: 0,
    ...extra,
  };
}

/** A store with a node and two running allocations on it. */
function setup() {
  const state = new StateStore();
  const fsm = new Fsm(state);
  const a1 = mockAlloc(job, node, { index: 0 });
  const a2 = mockAlloc(job, node, { index: 1 });
  fsm.apply(1, { Type: "NodeRegister", Node: node, UpdatedAt: 0, Evals: [] });
  fsm.apply(2, {
    Type: "ApplyPlanResults",
    Job: job,
    AllocsUpdated: [a1, a2],
    AllocsStopped: [],
    EvalID: "e",
  });
  fsm.apply(3, {
    Type: "AllocClientUpdate",
    Allocs: [a1, a2].map((a) => ({
      ID: a.ID,
      ClientStatus: "running" as const,
      ClientDescription: "",
      TaskStates: null,
      ModifyTime: 1,
    })),
    Evals: [],
  });
  return { state, fsm, a1, a2 };
}

Deno.test("service registrations are stored with indexes and read by name", () => {
  const { state, fsm, a1, a2 } = setup();
  const result = fsm.apply(4, {
    Type: "ServiceRegistrationUpsert",
    Services: [registration(a1, "web"), registration(a2, "web"), registration(a1, "db")],
  });
  strictEqual(result.serviceRegistrations, 3);
  const snapshot = state.snapshot();
  strictEqual(snapshot.tableIndex("service_registrations"), 4);
  deepStrictEqual(
    serviceRegistrationsByName(snapshot, "default", "web").map((r) => r.AllocID).sort(),
    [a1.ID, a2.ID].sort(),
  );
  deepStrictEqual(serviceRegistrationsByName(snapshot, "other", "web"), []);
  const stored = serviceRegistrationsByName(snapshot, "default", "db")[0]!;
  deepStrictEqual([stored.CreateIndex, stored.ModifyIndex], [4, 4]);

  // The same registration again changes nothing; a new port updates ModifyIndex only.
  strictEqual(
    fsm.apply(5, { Type: "ServiceRegistrationUpsert", Services: [registration(a1, "db")] })
      .serviceRegistrations,
    0,
  );
  strictEqual(state.snapshot().tableIndex("service_registrations"), 4);
  fsm.apply(6, {
    Type: "ServiceRegistrationUpsert",
    Services: [registration(a1, "db", { Port: 9090 })],
  });
  const updated = serviceRegistrationsByName(state.snapshot(), "default", "db")[0]!;
  deepStrictEqual([updated.Port, updated.CreateIndex, updated.ModifyIndex], [9090, 4, 6]);
});

Deno.test("a registration for an unknown or finished allocation is not stored", () => {
  const { state, fsm, a1 } = setup();
  const unknown = { ...registration(a1, "web"), AllocID: "no-such-alloc", ID: "x" };
  strictEqual(
    fsm.apply(4, { Type: "ServiceRegistrationUpsert", Services: [unknown] }).serviceRegistrations,
    0,
  );
  deepStrictEqual(serviceRegistrations(state.snapshot(), "*"), []);
});

Deno.test("delete by ID removes one registration and reports a missing one", () => {
  const { state, fsm, a1 } = setup();
  const r = registration(a1, "web");
  fsm.apply(4, { Type: "ServiceRegistrationUpsert", Services: [r] });
  strictEqual(
    fsm.apply(5, { Type: "ServiceRegistrationDeleteByID", Namespace: "other", ID: r.ID })
      .serviceRegistrations,
    0,
  );
  strictEqual(
    fsm.apply(6, { Type: "ServiceRegistrationDeleteByID", Namespace: "default", ID: r.ID })
      .serviceRegistrations,
    1,
  );
  deepStrictEqual(serviceRegistrations(state.snapshot(), "*"), []);
  strictEqual(state.snapshot().tableIndex("service_registrations"), 6);
});

Deno.test("registrations go when their allocation becomes client-terminal, is collected, or its node goes down", () => {
  const { state, fsm, a1, a2 } = setup();
  fsm.apply(4, {
    Type: "ServiceRegistrationUpsert",
    Services: [registration(a1, "web"), registration(a2, "web")],
  });
  // An update that keeps a1 running leaves its registration alone.
  fsm.apply(5, {
    Type: "AllocClientUpdate",
    Allocs: [{
      ID: a1.ID,
      ClientStatus: "running",
      ClientDescription: "",
      TaskStates: null,
      ModifyTime: 2,
    }],
    Evals: [],
  });
  strictEqual(state.snapshot().tableIndex("service_registrations"), 4);
  fsm.apply(6, {
    Type: "AllocClientUpdate",
    Allocs: [{
      ID: a1.ID,
      ClientStatus: "complete",
      ClientDescription: "",
      TaskStates: null,
      ModifyTime: 3,
    }],
    Evals: [],
  });
  deepStrictEqual(serviceRegistrations(state.snapshot(), "*").map((r) => r.AllocID), [a2.ID]);

  fsm.apply(7, {
    Type: "NodeUpdateStatus",
    NodeID: node.ID,
    Status: "down",
    UpdatedAt: 0,
    Event: null,
    Evals: [],
  });
  deepStrictEqual(serviceRegistrations(state.snapshot(), "*"), []);
});

Deno.test("garbage collection of an allocation removes its registrations", () => {
  const { state, fsm, a1 } = setup();
  fsm.apply(4, { Type: "ServiceRegistrationUpsert", Services: [registration(a1, "web")] });
  fsm.apply(5, {
    Type: "GarbageCollect",
    Evals: [],
    Allocs: [a1.ID],
    Jobs: [],
    Nodes: [],
  });
  deepStrictEqual(serviceRegistrations(state.snapshot(), "*"), []);
});

Deno.test("delete by allocation removes all of its registrations only", () => {
  const { state, fsm, a1, a2 } = setup();
  fsm.apply(4, {
    Type: "ServiceRegistrationUpsert",
    Services: [registration(a1, "web"), registration(a1, "db"), registration(a2, "web")],
  });
  strictEqual(
    fsm.apply(5, { Type: "ServiceRegistrationDeleteByAlloc", AllocIDs: [a1.ID, "nope"] })
      .serviceRegistrations,
    2,
  );
  deepStrictEqual(serviceRegistrations(state.snapshot(), "default").map((r) => r.AllocID), [
    a2.ID,
  ]);
});
