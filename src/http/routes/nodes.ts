/** Node routes. */

import type { Hono } from "hono";
import type { Context } from "hono";
import { CodedError } from "../../core/errors.ts";
import {
  nodeForApi,
  nodeListStub,
  type NodeUpdateDrainRequest,
  type NodeUpdateEligibilityRequest,
} from "../../structs/mod.ts";
import type { HttpBackend } from "../backend.ts";
import { notFound } from "../errors.ts";
import { blockingQuery, flag, json, readJsonBody, requireState } from "../query.ts";

/**
 * Registers `/v1/nodes`, `/v1/node/:id`, `/v1/node/:id/allocations`, and the
 * writes `/v1/node/:id/drain` and `/v1/node/:id/eligibility` (PUT or POST).
 */
export function nodeRoutes(app: Hono, backend: HttpBackend): void {
  app.on(["PUT", "POST"], "/v1/node/:id/drain", async (c) => {
    requireState(backend);
    const request = decodeDrainRequest(c.req.param("id"), await readNodeBody(c));
    const response = await backend.nodeUpdateDrain(request);
    c.header("X-Nomad-Index", String(response.Index));
    return json(c, response);
  });

  app.on(["PUT", "POST"], "/v1/node/:id/eligibility", async (c) => {
    requireState(backend);
    const request = decodeEligibilityRequest(c.req.param("id"), await readNodeBody(c));
    const response = await backend.nodeUpdateEligibility(request);
    c.header("X-Nomad-Index", String(response.Index));
    return json(c, response);
  });

  app.get("/v1/nodes", async (c) => {
    const state = requireState(backend);
    const prefix = c.req.query("prefix") ?? "";
    const options = { attributes: flag(c, "os"), resources: flag(c, "resources") };
    const stubs = await blockingQuery(c, {
      state,
      tables: ["nodes"],
      query: (s) => ({
        value: s.nodes().filter((n) => n.ID.startsWith(prefix)).map((n) =>
          nodeListStub(n, options)
        ),
        index: s.tableIndex("nodes"),
      }),
    });
    return json(c, stubs);
  });

  app.get("/v1/node/:id/allocations", async (c) => {
    const state = requireState(backend);
    const id = c.req.param("id");
    const allocs = await blockingQuery(c, {
      state,
      tables: ["allocs"],
      query: (s) => ({ value: [...s.allocsByNode(id)], index: s.tableIndex("allocs") }),
    });
    return json(c, allocs);
  });

  app.get("/v1/node/:id", async (c) => {
    const state = requireState(backend);
    const id = c.req.param("id");
    const node = await blockingQuery(c, {
      state,
      tables: ["nodes"],
      query: (s) => {
        // Nomad accepts an ID prefix here when it is unique.
        const exact = s.nodeByID(id);
        const matches = exact !== undefined
          ? [exact]
          : s.nodes().filter((n) => n.ID.startsWith(id));
        const value = matches.length === 1 ? matches[0] : undefined;
        return { value, index: value?.ModifyIndex ?? s.tableIndex("nodes") };
      },
    });
    if (node === undefined) throw notFound("node");
    return json(c, nodeForApi(node));
  });
}

/** Go's decodeBody on an empty body fails with "EOF" (a 400). */
async function readNodeBody(c: Context): Promise<unknown> {
  try {
    return await readJsonBody(c);
  } catch (error) {
    if (error instanceof CodedError && error.message === "Request body is empty") {
      throw new CodedError(400, "EOF");
    }
    throw error;
  }
}

function typeError(field: string, want: string, value: unknown): CodedError {
  const got = value === null
    ? "null"
    : Array.isArray(value)
    ? "array"
    : typeof value === "boolean"
    ? "bool"
    : typeof value;
  return new CodedError(
    400,
    `json: cannot unmarshal ${got} into Go struct field ${field} of type ${want}`,
  );
}

function object(value: unknown, field: string): Record<string, unknown> | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "object" || Array.isArray(value)) throw typeError(field, "object", value);
  return value as Record<string, unknown>;
}

function field<T extends boolean | string | number>(
  body: Record<string, unknown>,
  key: string,
  spec: { path: string; goType: string; zero: T },
): T {
  const value = body[key];
  if (value === undefined || value === null) return spec.zero;
  const ok = typeof value === typeof spec.zero &&
    (typeof value !== "number" || Number.isInteger(value));
  if (!ok) throw typeError(spec.path, spec.goType, value);
  return value as T;
}

/** Decodes a drain body as Go's JSON decoder would, with its error wording. */
export function decodeDrainRequest(nodeID: string, input: unknown): NodeUpdateDrainRequest {
  const body = object(input, "api.NodeUpdateDrainRequest") ?? {};
  const spec = object(body["DrainSpec"], "NodeUpdateDrainRequest.DrainSpec");
  const meta = object(body["Meta"], "NodeUpdateDrainRequest.Meta");
  for (const [key, value] of Object.entries(meta ?? {})) {
    if (typeof value !== "string") {
      throw typeError(`NodeUpdateDrainRequest.Meta.${key}`, "string", value);
    }
  }
  return {
    NodeID: nodeID,
    DrainSpec: spec === null ? null : {
      Deadline: field(spec, "Deadline", {
        path: "NodeUpdateDrainRequest.DrainSpec.Deadline",
        goType: "time.Duration",
        zero: 0,
      }),
      IgnoreSystemJobs: field(spec, "IgnoreSystemJobs", {
        path: "NodeUpdateDrainRequest.DrainSpec.IgnoreSystemJobs",
        goType: "bool",
        zero: false,
      }),
    },
    MarkEligible: field(body, "MarkEligible", {
      path: "NodeUpdateDrainRequest.MarkEligible",
      goType: "bool",
      zero: false,
    }),
    Meta: meta as Record<string, string> | null,
  };
}

/** Decodes an eligibility body; the path's node ID fills an empty NodeID, as Nomad does. */
export function decodeEligibilityRequest(
  nodeID: string,
  input: unknown,
): NodeUpdateEligibilityRequest {
  const body = object(input, "structs.NodeUpdateEligibilityRequest") ?? {};
  const id = field(body, "NodeID", {
    path: "NodeUpdateEligibilityRequest.NodeID",
    goType: "string",
    zero: "",
  });
  return {
    NodeID: id === "" ? nodeID : id,
    Eligibility: field(body, "Eligibility", {
      path: "NodeUpdateEligibilityRequest.Eligibility",
      goType: "string",
      zero: "",
    }),
  };
}
