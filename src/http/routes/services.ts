/**
 * Native service discovery: `GET /v1/services`, `GET /v1/service/:name` and
 * `DELETE /v1/service/:name/:id` as Nomad's service registration endpoint
 * answers them, and `GET /v1/client/allocation/:id/checks` (check results
 * live on the client that runs the allocation).
 */

import type { Context, Hono } from "hono";
import { md5Hex } from "../../core/md5.ts";
import { CodedError } from "../../core/errors.ts";
import {
  serviceRegistrations,
  serviceRegistrationsByName,
  serviceRegistrationsIndex,
} from "../../state/mod.ts";
import { serviceListStubs, type ServiceRegistration } from "../../structs/mod.ts";
import type { HttpBackend } from "../backend.ts";
import { blockingQuery, json, namespaceParam, requireState, setQueryMeta } from "../query.ts";

const INVALID_METHOD = "Invalid method";

/** Registers the service routes. */
export function serviceRoutes(app: Hono, backend: HttpBackend): void {
  app.all("/v1/services", async (c) => {
    if (c.req.method !== "GET") throw new CodedError(405, INVALID_METHOD);
    const state = requireState(backend);
    const namespace = namespaceParam(c);
    const prefix = c.req.query("prefix") ?? "";
    const list = await blockingQuery(c, {
      state,
      tables: ["service_registrations"],
      query: (s) => ({
        value: serviceListStubs(
          serviceRegistrations(s, namespace).filter((r) => r.ServiceName.startsWith(prefix)),
        ),
        index: serviceRegistrationsIndex(s),
      }),
    });
    return json(c, list);
  });

  app.all("/v1/service/*", async (c) => {
    const parts = c.req.path.slice("/v1/service/".length).split("/");
    if (parts.length === 1) {
      if (c.req.method !== "GET") throw new CodedError(405, INVALID_METHOD);
      if (parts[0] === "") throw new CodedError(400, "missing service name");
      return await getService(c, backend, decodeURIComponent(parts[0]!));
    }
    if (parts.length === 2) {
      if (c.req.method !== "DELETE") throw new CodedError(405, INVALID_METHOD);
      if (parts[1] === "") throw new CodedError(400, "missing service id");
      return await deleteService(c, backend, decodeURIComponent(parts[1]!));
    }
    throw new CodedError(400, "invalid URI");
  });

  app.get("/v1/client/allocation/:id/checks", (c) => {
    if (backend.allocChecks === undefined) {
      throw new CodedError(400, "No local Node and node_id not provided");
    }
    const id = c.req.param("id");
    const checks = backend.allocChecks(id);
    if (checks === undefined) throw new CodedError(404, `Unknown allocation "${id}"`);
    return json(c, checks);
  });
}

async function getService(c: Context, backend: HttpBackend, name: string): Promise<Response> {
  const state = requireState(backend);
  const namespace = namespaceParam(c);
  const choose = c.req.query("choose") ?? "";
  const services = await blockingQuery(c, {
    state,
    tables: ["service_registrations"],
    query: (s) => ({
      value: serviceRegistrationsByName(s, namespace, name),
      index: serviceRegistrationsIndex(s),
    }),
  });
  return json(c, choose === "" ? services : chooseServices(services, choose));
}

const ERR_MALFORMED_CHOOSE = "Parameter for choose must be in form '<number>|<key>'";

/**
 * Nomad's `?choose=<n>|<key>`: a stable subset of `n` instances by rendezvous
 * hashing each instance with the key (md5 of port, alloc, ID, namespace,
 * address, name, tags and key, as Nomad's HashWith).
 */
export function chooseServices(
  services: readonly ServiceRegistration[],
  parameter: string,
): ServiceRegistration[] {
  const bar = parameter.indexOf("|");
  const count = bar < 0 ? NaN : Number(parameter.slice(0, bar));
  const key = bar < 0 ? "" : parameter.slice(bar + 1);
  if (!Number.isInteger(count) || !/^[+-]?\d+$/.test(parameter.slice(0, bar)) || key === "") {
    throw new CodedError(400, `failed to choose services: ${ERR_MALFORMED_CHOOSE}`);
  }
  const ranked = services.map((service) => ({ service, hash: hashWith(service, key) }));
  ranked.sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  return ranked.slice(0, Math.max(0, count)).map((r) => r.service);
}

function hashWith(service: ServiceRegistration, key: string): string {
  const port = new Uint8Array(8);
  new DataView(port.buffer).setBigUint64(0, BigInt(service.Port));
  return md5Hex(
    port,
    ...[
      service.AllocID,
      service.ID,
      service.Namespace,
      service.Address,
      service.ServiceName,
      ...(service.Tags ?? []),
      key,
    ],
  );
}

async function deleteService(c: Context, backend: HttpBackend, id: string): Promise<Response> {
  requireState(backend);
  if (backend.serviceRegistrationDelete === undefined) throw new CodedError(501, "not a server");
  const result = await backend.serviceRegistrationDelete(namespaceParam(c), id);
  setQueryMeta(c, result.Index);
  return c.body(null, 200);
}
