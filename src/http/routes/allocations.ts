/** Allocation and evaluation routes. */

import type { Hono } from "hono";
import { allocationListStub } from "../../structs/mod.ts";
import type { HttpBackend } from "../backend.ts";
import { notFound } from "../errors.ts";
import { blockingQuery, json, namespaceParam, requireState } from "../query.ts";

/** Registers `/v1/allocations`, `/v1/allocation/:id`, `/v1/evaluations`, `/v1/evaluation/:id[/allocations]`. */
export function allocationRoutes(app: Hono, backend: HttpBackend): void {
  app.get("/v1/allocations", async (c) => {
    const state = requireState(backend);
    const namespace = namespaceParam(c);
    const prefix = c.req.query("prefix") ?? "";
    const stubs = await blockingQuery(c, {
      state,
      tables: ["allocs"],
      query: (s) => ({
        value: s.allocs(namespace).filter((a) => a.ID.startsWith(prefix)).map(allocationListStub),
        index: s.tableIndex("allocs"),
      }),
    });
    return json(c, stubs);
  });

  app.get("/v1/allocation/:id", async (c) => {
    const state = requireState(backend);
    const id = c.req.param("id");
    const alloc = await blockingQuery(c, {
      state,
      tables: ["allocs"],
      query: (s) => {
        const value = s.allocByID(id);
        return { value, index: value?.ModifyIndex ?? s.tableIndex("allocs") };
      },
    });
    if (alloc === undefined) throw notFound("alloc");
    return json(c, alloc);
  });

  app.get("/v1/evaluations", async (c) => {
    const state = requireState(backend);
    const namespace = namespaceParam(c);
    const prefix = c.req.query("prefix") ?? "";
    const jobID = c.req.query("job");
    const status = c.req.query("status");
    const evals = await blockingQuery(c, {
      state,
      tables: ["evals"],
      query: (s) => ({
        value: s.evals(namespace).filter((e) =>
          e.ID.startsWith(prefix) && (jobID === undefined || e.JobID === jobID) &&
          (status === undefined || e.Status === status)
        ),
        index: s.tableIndex("evals"),
      }),
    });
    return json(c, evals);
  });

  app.get("/v1/evaluation/:id/allocations", async (c) => {
    const state = requireState(backend);
    const id = c.req.param("id");
    const stubs = await blockingQuery(c, {
      state,
      tables: ["allocs"],
      query: (s) => ({
        value: s.allocs("*").filter((a) => a.EvalID === id).map(allocationListStub),
        index: s.tableIndex("allocs"),
      }),
    });
    return json(c, stubs);
  });

  app.get("/v1/evaluation/:id", async (c) => {
    const state = requireState(backend);
    const id = c.req.param("id");
    const evaluation = await blockingQuery(c, {
      state,
      tables: ["evals"],
      query: (s) => {
        const value = s.evalByID(id);
        return { value, index: value?.ModifyIndex ?? s.tableIndex("evals") };
      },
    });
    if (evaluation === undefined) throw notFound("eval");
    return json(c, evaluation);
  });
}
