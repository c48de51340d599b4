/**
 * Deployment routes: `/v1/deployments`, `/v1/deployment/:id`,
 * `/v1/deployment/allocations/:id`, and the promote / fail / pause writes.
 */

import type { Context, Hono } from "hono";
import { CodedError } from "../../core/errors.ts";
import type { StateSnapshot } from "../../state/mod.ts";
import { allocationListStub, type Deployment, field, isObject } from "../../structs/mod.ts";
import type { HttpBackend } from "../backend.ts";
import { notFound } from "../errors.ts";
import { blockingQuery, json, namespaceParam, readJsonBody, requireState } from "../query.ts";

/** The job's deployments, newest first (`/v1/job/:id/deployments`). */
export function jobDeployments(s: StateSnapshot, namespace: string, jobID: string): Deployment[] {
  return s.deploymentsByJob(namespace, jobID);
}

/** Reads `{DeploymentID, ...}` and checks it names the deployment in the path, as Nomad does. */
async function deploymentBody(c: Context, id: string): Promise<Record<string, unknown>> {
  const body = await readJsonBody(c);
  if (!isObject(body)) throw new CodedError(400, "Request body must be a JSON object");
  const named = field(body, "DeploymentID");
  if (typeof named !== "string" || named === "") {
    throw new CodedError(400, "DeploymentID must be specified");
  }
  if (named !== id) throw new CodedError(400, "Deployment ID does not match");
  return body;
}

function groupsOf(body: Record<string, unknown>): string[] {
  const groups = field(body, "Groups");
  if (groups === undefined || groups === null) return [];
  if (!Array.isArray(groups) || groups.some((g) => typeof g !== "string")) {
    throw new CodedError(400, "Groups must be a list of task group names");
  }
  return groups as string[];
}

function idsOf(body: Record<string, unknown>, name: string): string[] {
  const ids = field(body, name);
  if (ids === undefined || ids === null) return [];
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== "string")) {
    throw new CodedError(400, `${name} must be a list of allocation IDs`);
  }
  return ids as string[];
}

function writeResponse(c: Context, response: { Index: number }): Response {
  c.header("X-Nomad-Index", String(response.Index));
  return json(c, response);
}

/** Registers the deployment routes. */
export function deploymentRoutes(app: Hono, backend: HttpBackend): void {
  app.get("/v1/deployments", async (c) => {
    const state = requireState(backend);
    const namespace = namespaceParam(c);
    const prefix = c.req.query("prefix") ?? "";
    const list = await blockingQuery(c, {
      state,
      tables: ["deployment"],
      query: (s) => ({
        value: s.deployments(namespace).filter((d) => d.ID.startsWith(prefix)),
        index: s.tableIndex("deployment"),
      }),
    });
    return json(c, list);
  });

  app.get("/v1/deployment/allocations/:id", async (c) => {
    const state = requireState(backend);
    const id = c.req.param("id");
    const stubs = await blockingQuery(c, {
      state,
      tables: ["allocs", "deployment"],
      query: (s) => {
        const d = s.deploymentByID(id);
        const allocs = d === undefined
          ? []
          : s.allocsByJob(d.Namespace, d.JobID).filter((a) => a.DeploymentID === id);
        return { value: allocs.map(allocationListStub), index: s.tableIndex("allocs") };
      },
    });
    return json(c, stubs);
  });

  app.on(["PUT", "POST"], "/v1/deployment/promote/:id", async (c) => {
    const id = c.req.param("id");
    const body = await deploymentBody(c, id);
    const response = await backend.deploymentPromote(id, {
      all: field(body, "All") === true,
      groups: groupsOf(body),
    });
    return writeResponse(c, response);
  });

  app.on(["PUT", "POST"], "/v1/deployment/fail/:id", async (c) => {
    return writeResponse(c, await backend.deploymentFail(c.req.param("id")));
  });

  app.on(["PUT", "POST"], "/v1/deployment/pause/:id", async (c) => {
    const id = c.req.param("id");
    const body = await deploymentBody(c, id);
    const pause = field(body, "Pause");
    if (pause !== undefined && typeof pause !== "boolean") {
      throw new CodedError(400, "Pause must be a boolean");
    }
    return writeResponse(c, await backend.deploymentPause(id, pause === true));
  });

  app.on(["PUT", "POST"], "/v1/deployment/allocation-health/:id", async (c) => {
    const id = c.req.param("id");
    const body = await deploymentBody(c, id);
    const response = await backend.deploymentSetAllocHealth(id, {
      healthy: idsOf(body, "HealthyAllocationIDs"),
      unhealthy: idsOf(body, "UnhealthyAllocationIDs"),
    });
    return writeResponse(c, response);
  });

  app.get("/v1/deployment/:id", async (c) => {
    const state = requireState(backend);
    const id = c.req.param("id");
    const deployment = await blockingQuery(c, {
      state,
      tables: ["deployment"],
      query: (s) => {
        const value = s.deploymentByID(id);
        return { value, index: value?.ModifyIndex ?? s.tableIndex("deployment") };
      },
    });
    if (deployment === undefined) throw notFound("deployment");
    return json(c, deployment);
  });
}
