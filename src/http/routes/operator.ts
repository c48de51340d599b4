/** `/v1/operator/scheduler/configuration`: read and change the cluster's scheduler configuration. */

import type { Context, Hono } from "hono";
import { CodedError } from "../../core/errors.ts";
import { decodeSchedulerConfiguration, type SchedulerConfiguration } from "../../structs/mod.ts";
import type { HttpBackend } from "../backend.ts";
import { blockingQuery, json, readJsonBody, requireState, setQueryMeta } from "../query.ts";

/** Path of the scheduler configuration endpoint. */
export const SCHEDULER_CONFIGURATION_PATH = "/v1/operator/scheduler/configuration";

/** The decoded body and optional `?cas=` index of a configuration write. */
async function schedulerWrite(
  c: Context,
): Promise<{ config: SchedulerConfiguration; cas: number | null }> {
  let body: unknown;
  try {
    body = await readJsonBody(c);
  } catch (error) {
    if (!(error instanceof CodedError) || error.code !== 400) throw error;
    const reason = error.message.replace(/^Failed to decode request body: /, "");
    throw new CodedError(400, `Error parsing scheduler config: ${reason}`);
  }
  const config = decodeSchedulerConfiguration(body);
  const casText = c.req.query("cas");
  if (casText === undefined) return { config, cas: null };
  if (!/^\d+$/.test(casText) || !Number.isSafeInteger(Number(casText))) {
    throw new CodedError(
      400,
      `Error parsing cas value: strconv.ParseUint: parsing ${
        JSON.stringify(casText)
      }: invalid syntax`,
    );
  }
  return { config, cas: Number(casText) };
}

/** Registers `GET` and `PUT`/`POST` of {@linkcode SCHEDULER_CONFIGURATION_PATH}. */
export function operatorRoutes(app: Hono, backend: HttpBackend): void {
  app.get(SCHEDULER_CONFIGURATION_PATH, async (c) => {
    const state = requireState(backend);
    const { config, index } = await blockingQuery(c, {
      state,
      tables: ["scheduler_config"],
      query: (snapshot) => {
        const index = snapshot.tableIndex("scheduler_config");
        return { value: { config: snapshot.schedulerConfig(), index }, index };
      },
    });
    return json(c, {
      SchedulerConfig: config,
      Index: Math.max(1, index),
      LastContact: 0,
      KnownLeader: true,
    });
  });

  const write = async (c: Context) => {
    requireState(backend);
    const { config, cas } = await schedulerWrite(c);
    const result = await backend.schedulerSetConfiguration(config, cas);
    setQueryMeta(c, result.Index);
    return json(c, result);
  };
  app.put(SCHEDULER_CONFIGURATION_PATH, write);
  app.post(SCHEDULER_CONFIGURATION_PATH, write);
}
