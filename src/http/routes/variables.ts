/**
 * Variables: `GET /v1/vars`, and `GET/PUT/POST/DELETE /v1/var/:path` with
 * `?cas=` check-and-set (409 and the current variable on a mismatch), as
 * Nomad's variables endpoint answers them.
 */

import type { Context, Hono } from "hono";
import { CodedError } from "../../core/errors.ts";
import { isObject, type Variable, variableMetadata } from "../../structs/mod.ts";
import type { HttpBackend } from "../backend.ts";
import { blockingQuery, json, namespaceParam, readJsonBody, requireState } from "../query.ts";

/** The check-and-set index of `?cas=`, or null without one. */
function casParam(c: Context): number | null {
  const raw = c.req.query("cas");
  if (raw === undefined || raw === "") return null;
  if (!/^\d+$/.test(raw)) {
    throw new CodedError(
      400,
      `can not parse cas: strconv.ParseUint: parsing ${JSON.stringify(raw)}: invalid syntax`,
    );
  }
  return Number(raw);
}

/** Decodes a variable body as Go's JSON decoder would into Nomad's VariableDecrypted. */
async function variableBody(
  c: Context,
): Promise<{ Namespace: string; Items: Record<string, string> | null }> {
  const body = await readJsonBody(c);
  if (!isObject(body)) {
    throw new CodedError(
      400,
      "json: cannot unmarshal value into Go value of type structs.VariableDecrypted",
    );
  }
  const namespace = body.Namespace ?? "";
  if (typeof namespace !== "string") {
    throw new CodedError(
      400,
      `json: cannot unmarshal ${
        goType(namespace)
      } into Go struct field VariableDecrypted.Namespace of type string`,
    );
  }
  const items = body.Items ?? null;
  if (items !== null && !isObject(items)) {
    throw new CodedError(
      400,
      `json: cannot unmarshal ${
        goType(items)
      } into Go struct field VariableDecrypted.Items of type structs.VariableItems`,
    );
  }
  for (const value of Object.values(items ?? {})) {
    if (typeof value !== "string") {
      throw new CodedError(
        400,
        `json: cannot unmarshal ${
          goType(value)
        } into Go struct field VariableDecrypted.Items of type string`,
      );
    }
  }
  return { Namespace: namespace, Items: items as Record<string, string> | null };
}

function goType(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  return typeof value === "object" ? "object" : typeof value;
}

function variablePath(c: Context): string {
  const path = c.req.path.slice("/v1/var/".length);
  if (path === "") throw new CodedError(400, "missing variable path");
  return path;
}

function written(
  c: Context,
  result: { Output: Variable | null; Conflict: Variable | null; Index: number },
) {
  if (result.Conflict !== null) {
    c.header("X-Nomad-Index", String(result.Conflict.ModifyIndex));
    return json(c, result.Conflict, 409);
  }
  c.header("X-Nomad-Index", String(result.Index));
  return result.Output === null ? c.body(null, 204) : json(c, result.Output);
}

/** Registers the variable routes. */
export function variableRoutes(app: Hono, backend: HttpBackend): void {
  app.get("/v1/vars", async (c) => {
    const state = requireState(backend);
    const namespace = namespaceParam(c);
    const prefix = c.req.query("prefix") ?? "";
    const list = await blockingQuery(c, {
      state,
      tables: ["variables"],
      query: (s) => ({
        value: s.variables(namespace, prefix).map(variableMetadata),
        index: s.tableIndex("variables"),
      }),
    });
    return json(c, list);
  });

  app.get("/v1/var/*", async (c) => {
    const state = requireState(backend);
    const namespace = namespaceParam(c);
    const path = variablePath(c);
    const variable = await blockingQuery(c, {
      state,
      tables: ["variables"],
      query: (s) => {
        const found = s.variable(namespace, path);
        return { value: found, index: found?.ModifyIndex ?? s.tableIndex("variables") };
      },
    });
    if (variable === undefined) throw new CodedError(404, "variable not found");
    return json(c, variable);
  });

  const upsert = async (c: Context) => {
    const path = variablePath(c);
    const body = await variableBody(c);
    if (body.Items === null || Object.keys(body.Items).length === 0) {
      throw new CodedError(400, "variable missing required Items object");
    }
    const cas = casParam(c);
    const result = await backend.variableApply(cas === null ? "set" : "cas", {
      Namespace: body.Namespace || namespaceParam(c),
      Path: path,
      Items: body.Items,
      ModifyIndex: cas ?? 0,
    });
    return written(c, result);
  };
  app.put("/v1/var/*", upsert);
  app.post("/v1/var/*", upsert);

  app.delete("/v1/var/*", async (c) => {
    const path = variablePath(c);
    const cas = casParam(c);
    const result = await backend.variableApply(cas === null ? "delete" : "delete-cas", {
      Namespace: namespaceParam(c),
      Path: path,
      Items: null,
      ModifyIndex: cas ?? 0,
    });
    return written(c, result);
  });
}
