/**
 * Job.Dispatch: checks a dispatch request against its parameterized job with
 * Nomad's rules and messages, and derives the dispatched child job. Pure
 * except for the IDs and time the caller passes in.
 */

import { encodeBase64 } from "../core/base64.ts";
import { CodedError } from "../core/errors.ts";
import { snappyEncode } from "../core/snappy.ts";
import type { StateSnapshot } from "../state/mod.ts";
import {
  isParameterizedJob,
  type Job,
  type JobDispatchRequest,
  type JobDispatchResponse,
} from "../structs/mod.ts";

export type { JobDispatchRequest, JobDispatchResponse };

/** Largest payload a dispatch accepts, in bytes before compression (Nomad's limit). */
export const DISPATCH_PAYLOAD_SIZE_LIMIT = 16 * 1024;

/** Separates a parameterized job's ID from a dispatched child's suffix. */
export const DISPATCH_LAUNCH_SUFFIX = "/dispatch-";

/** Nomad's RPC errors reach HTTP as 500 with the plain message. */
function rpcError(message: string): CodedError {
  return new CodedError(500, message);
}

/** The parameterized job a request dispatches; throws Nomad's errors. */
export function dispatchTarget(snapshot: StateSnapshot, request: JobDispatchRequest): Job {
  if (request.JobID === "") throw rpcError("missing parameterized job ID");
  const job = snapshot.jobByID(request.Namespace, request.JobID);
  if (job === undefined) throw rpcError("parameterized job not found");
  if (!isParameterizedJob(job)) {
    throw rpcError(`Specified job "${request.JobID}" is not a parameterized job`);
  }
  if (job.Stop) throw rpcError(`Specified job "${request.JobID}" is stopped`);
  return job;
}

/**
 * The first problem of a request against its parameterized job, or null.
 *
 * @example
 * ```ts ignore
 * dispatchRequestError({ Payload: new Uint8Array(), Meta: {} }, job);
 * // "Payload is not provided but required by parameterized job"
 * ```
 */
export function dispatchRequestError(
  request: Pick<JobDispatchRequest, "Payload" | "Meta">,
  job: Job,
): string | null {
  const config = job.ParameterizedJob!;
  const hasPayload = request.Payload.length !== 0;
  if (config.Payload === "required" && !hasPayload) {
    return "Payload is not provided but required by parameterized job";
  }
  if (config.Payload === "forbidden" && hasPayload) {
    return "Payload provided but forbidden by parameterized job";
  }
  if (request.Payload.length > DISPATCH_PAYLOAD_SIZE_LIMIT) {
    return `Payload exceeds maximum size; ${request.Payload.length} > ${DISPATCH_PAYLOAD_SIZE_LIMIT}`;
  }
  const required = new Set(config.MetaRequired ?? []);
  const optional = new Set(config.MetaOptional ?? []);
  const keys = Object.keys(request.Meta);
  const unpermitted = keys.filter((k) => !required.has(k) && !optional.has(k));
  if (unpermitted.length > 0) {
    return `Dispatch request included unpermitted metadata keys: [${unpermitted.join(" ")}]`;
  }
  const missing = [...required].filter((k) => !(k in request.Meta));
  if (missing.length > 0) {
    return `Dispatch did not provide required meta keys: [${missing.join(" ")}]`;
  }
  return null;
}

/** A child of `parent` already dispatched with `token` (Nomad returns it instead of a new one). */
export function idempotentChild(
  snapshot: StateSnapshot,
  parent: Job,
  token: string,
): Job | undefined {
  if (token === "") return undefined;
  return snapshot.childJobs(parent.Namespace, parent.ID)
    .find((child) => child.DispatchIdempotencyToken === token);
}

/** `<parent>/dispatch-[<template>-]<unix seconds>-<8 hex>`. */
export function dispatchedID(
  parentID: string,
  options: { idPrefixTemplate: string; nowMs: number; uuid: string },
): string {
  const seconds = Math.floor(options.nowMs / 1000);
  const unique = options.uuid.slice(0, 8);
  const template = options.idPrefixTemplate === "" ? "" : `${options.idPrefixTemplate}-`;
  return `${parentID}${DISPATCH_LAUNCH_SUFFIX}${template}${seconds}-${unique}`;
}

/** The dispatched child: the parent with meta merged and the payload snappy-compressed. */
export function deriveDispatchChild(
  parent: Job,
  options: { request: JobDispatchRequest; nowMs: number; uuid: string },
): Job {
  const { request } = options;
  const id = dispatchedID(parent.ID, {
    idPrefixTemplate: request.IdPrefixTemplate,
    nowMs: options.nowMs,
    uuid: options.uuid,
  });
  const meta = Object.keys(request.Meta).length === 0 && parent.Meta === null
    ? null
    : { ...parent.Meta, ...request.Meta };
  return {
    ...structuredClone(parent),
    ID: id,
    Name: id,
    ParentID: parent.ID,
    Dispatched: true,
    DispatchIdempotencyToken: request.IdempotencyToken,
    Meta: meta,
    Payload: encodeBase64(snappyEncode(request.Payload)),
    Status: "pending",
    StatusDescription: "",
  };
}
