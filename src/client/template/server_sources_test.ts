import assert from "node:assert/strict";
import { startTestServer } from "../../server/testing.ts";
import { mockAlloc, mockJob, mockNode } from "../../scheduler/testing.ts";
import type { Server } from "../../server/server.ts";
import type { Allocation, ServiceRegistration } from "../../structs/mod.ts";
import { serverTemplateSources, type TemplateServerApi } from "./server_sources.ts";
import { fetchDependency } from "./sources.ts";

const node = mockNode();

/** The in-process server calls, as the agent's localServerApi wires them. */
function localApi(server: Server): TemplateServerApi {
  return {
    readVariables: (namespace, prefix, options) => server.readVariables(namespace, prefix, options),
    readServiceRegistrations: (namespace, name, options) =>
      server.readServiceRegistrations(namespace, name, options),
  };
}

async function withServer(fn: (server: Server) => Promise<void>): Promise<void> {
  const server = startTestServer();
  try {
    await fn(server);
  } finally {
    await server.shutdown();
  }
}

function setVariable(server: Server, path: string, items: Record<string, string>) {
  return server.variableApply("set", {
    Namespace: "default",
    Path: path,
    Items: items,
    ModifyIndex: 0,
  });
}

/** Places one running allocation on the node (registrations of unknown allocations are dropped). */
async function placeAllocation(server: Server): Promise<Allocation> {
  const job = mockJob();
  const alloc = mockAlloc(job, node, { index: 0 });
  await server.raft.apply({ Type: "NodeRegister", Node: node, UpdatedAt: 0, Evals: [] });
  await server.raft.apply({
    Type: "ApplyPlanResults",
    Job: job,
    AllocsUpdated: [alloc],
    AllocsStopped: [],
    EvalID: "e",
  });
  return alloc;
}

function registration(
  alloc: Allocation,
  id: string,
  name: string,
  tags: string[],
  port: number,
): ServiceRegistration {
  return {
    ID: id,
    ServiceName: name,
    Namespace: "default",
    NodeID: node.ID,
    Datacenter: "dc1",
    JobID: alloc.JobID,
    AllocID: alloc.ID,
    Tags: tags,
    Address: "127.0.0.1",
    Port: port,
    CreateIndex: 0,
    ModifyIndex: 0,
  };
}

const once = (minIndex = 0) => ({
  namespace: "default",
  minIndex,
  signal: new AbortController().signal,
});

Deno.test("a variable lookup is the prefix list filtered to the exact path", async () => {
  await withServer(async (server) => {
    const sources = serverTemplateSources(localApi(server));
    await setVariable(server, "nomad/jobs/web", { a: "1" });
    await setVariable(server, "nomad/jobs/web2", { b: "2" });
    const { variable, index } = await sources.variable("nomad/jobs/web", once());
    assert.equal(variable?.Path, "nomad/jobs/web");
    assert.deepEqual(variable?.Items, { a: "1" });
    assert.ok(index > 0);
    const absent = await sources.variable("nomad/jobs/we", once());
    assert.equal(absent.variable, null, "a prefix of a path is not a variable");
    const { variables } = await sources.variables("nomad/jobs/", once());
    assert.deepEqual(variables.map((v) => v.Path), ["nomad/jobs/web", "nomad/jobs/web2"]);
    const other = await sources.variables("nomad/jobs/", { ...once(), namespace: "prod" });
    assert.deepEqual(other.variables, [], "another namespace sees none");
  });
});

Deno.test("a variable lookup blocks until the variable changes after the index", async () => {
  await withServer(async (server) => {
    const sources = serverTemplateSources(localApi(server));
    await setVariable(server, "nomad/jobs/web", { greeting: "hello" });
    const first = await sources.variable("nomad/jobs/web", once());
    const waiting = sources.variable("nomad/jobs/web", once(first.index));
    let settled = false;
    void waiting.then(() => settled = true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(settled, false, "no change yet, so the lookup still blocks");
    await setVariable(server, "nomad/jobs/web", { greeting: "bye" });
    const second = await waiting;
    assert.deepEqual(second.variable?.Items, { greeting: "bye" });
    assert.ok(second.index > first.index);
  });
});

Deno.test("an aborted lookup returns instead of blocking", async () => {
  await withServer(async (server) => {
    const sources = serverTemplateSources(localApi(server));
    const first = await sources.variable("nomad/jobs/none", once());
    assert.equal(first.variable, null);
    const controller = new AbortController();
    const waiting = sources.variable("nomad/jobs/none", {
      namespace: "default",
      minIndex: first.index,
      signal: controller.signal,
    });
    controller.abort();
    assert.equal((await waiting).variable, null);
  });
});

Deno.test("service lookups map registrations and summarize names with their tags", async () => {
  await withServer(async (server) => {
    const sources = serverTemplateSources(localApi(server));
    const alloc = await placeAllocation(server);
    await server.serviceRegistrationUpsert(node.ID, [
      registration(alloc, "db-1", "db", ["primary"], 5432),
      registration(alloc, "db-2", "db", ["replica"], 5433),
      registration(alloc, "web-1", "web", [], 8080),
    ]);
    const { services } = await sources.service("db", once());
    assert.deepEqual(services.map((s) => [s.Name, s.Port, s.Tags]), [
      ["db", 5432, ["primary"]],
      ["db", 5433, ["replica"]],
    ]);
    const tagged = await fetchDependency(
      sources,
      { kind: "service", name: "db", tag: "replica", namespace: "default" },
      once(),
    );
    assert.deepEqual((tagged.value as { ID: string }[]).map((s) => s.ID), ["db-2"]);
    const all = await sources.services(once());
    assert.deepEqual(all.services, [
      { Name: "db", Namespace: "default", Tags: ["primary", "replica"] },
      { Name: "web", Namespace: "default", Tags: [] },
    ]);
    const none = await sources.service("cache", once());
    assert.deepEqual(none.services, []);
  });
});
