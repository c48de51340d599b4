/** Job routes: `/v1/jobs`, `/v1/jobs/parse`, `/v1/validate/job`, `/v1/job/:id[/...]`. */

import type { Context, Hono } from "hono";
import { decodeBase64 } from "../../core/base64.ts";
import { CodedError } from "../../core/errors.ts";
import type { StateSnapshot } from "../../state/mod.ts";
import {
  allocationListStub,
  canonicalizeJob,
  field,
  isObject,
  type Job,
  jobDiff,
  type JobDispatchRequest,
  jobListStub,
} from "../../structs/mod.ts";
import type { HttpBackend } from "../backend.ts";
import { notFound } from "../errors.ts";
import { jobDeployments } from "./deployments.ts";
import { jobScaleStatus } from "./job_scale.ts";
import { blockingQuery, flag, json, namespaceParam, readJsonBody, requireState } from "../query.ts";

function jobIndex(snapshot: StateSnapshot, job: Job | undefined): number {
  return job?.ModifyIndex ?? snapshot.tableIndex("jobs");
}

/** Extracts the job from a register body, applying `?namespace=` / `?region=` like Nomad. */
function registerBody(
  body: unknown,
  options: { namespace: string | undefined; region: string | undefined },
) {
  if (!isObject(body)) throw new CodedError(400, "Request body must be a JSON object");
  const job = field(body, "Job");
  if (!isObject(job)) throw new CodedError(400, "Job must be specified");
  if (options.namespace !== undefined && !field(job, "Namespace")) {
    job.Namespace = options.namespace;
  }
  if (options.region !== undefined && !field(job, "Region")) job.Region = options.region;
  return {
    Job: job,
    EnforceIndex: field(body, "EnforceIndex") === true,
    JobModifyIndex: Number(field(body, "JobModifyIndex") ?? 0),
    EvalPriority: Number(field(body, "EvalPriority") ?? 0),
  };
}

/** Registers the job routes. */
export function jobRoutes(app: Hono, backend: HttpBackend): void {
  app.get("/v1/jobs", async (c) => {
    const state = requireState(backend);
    const namespace = namespaceParam(c);
    const prefix = c.req.query("prefix") ?? "";
    const stubs = await blockingQuery(c, {
      state,
      tables: ["jobs", "job_summary"],
      query: (s) => ({
        value: s.jobs(namespace).filter((j) => j.ID.startsWith(prefix))
          .map((j) => jobListStub(j, s.jobSummary(j.Namespace, j.ID) ?? null)),
        index: s.tableIndex("jobs", "job_summary"),
      }),
    });
    return json(c, stubs);
  });

  const register = async (c: Context, pathID?: string) => {
    const request = registerBody(await readJsonBody(c), {
      namespace: c.req.query("namespace"),
      region: c.req.query("region"),
    });
    if (pathID !== undefined && field(request.Job as Record<string, unknown>, "ID") !== pathID) {
      throw new CodedError(400, "Job ID does not match name");
    }
    const response = await backend.jobRegister(request);
    c.header("X-Nomad-Index", String(response.Index));
    return json(c, response);
  };
  app.on(["PUT", "POST"], "/v1/jobs", (c) => register(c));

  app.on(["PUT", "POST"], "/v1/jobs/parse", async (c) => {
    const body = await readJsonBody(c);
    if (!isObject(body)) throw new CodedError(400, "Request body must be a JSON object");
    const hcl = field(body, "JobHCL");
    if (typeof hcl !== "string" || hcl === "") throw new CodedError(400, "Job spec is empty");
    // Loaded on first use: the parser is not needed by an idle agent.
    const { parseJob } = await import("../../jobspec/mod.ts");
    let parsed: Record<string, unknown>;
    try {
      parsed = parseJob(hcl, {
        filename: "input.hcl",
        varFiles: varFilesOf(field(body, "Variables")),
        // Like Nomad, no file access from the API; uuidv4() and bcrypt() still work.
        randomBytes: (length) => crypto.getRandomValues(new Uint8Array(length)),
      });
    } catch (err) {
      throw new CodedError(400, (err as Error).message);
    }
    return json(c, field(body, "Canonicalize") === true ? canonicalizeJob(parsed) : parsed);
  });

  app.on(["PUT", "POST"], "/v1/validate/job", async (c) => {
    const request = registerBody(await readJsonBody(c), {
      namespace: c.req.query("namespace"),
      region: c.req.query("region"),
    });
    return json(c, backend.jobValidate(request.Job));
  });

  const allocations = async (c: Context, id: string) => {
    const state = requireState(backend);
    const namespace = namespaceParam(c);
    const all = flag(c, "all");
    const stubs = await blockingQuery(c, {
      state,
      tables: ["allocs", "jobs"],
      query: (s) => {
        const job = s.jobByID(namespace, id);
        const allocs = s.allocsByJob(namespace, id)
          .filter((a) =>
            all || job === undefined || a.Job === null || a.Job.CreateIndex === job.CreateIndex
          );
        return { value: allocs.map(allocationListStub), index: s.tableIndex("allocs") };
      },
    });
    return json(c, stubs);
  };

  const evaluations = async (c: Context, id: string) => {
    const state = requireState(backend);
    const namespace = namespaceParam(c);
    const evals = await blockingQuery(c, {
      state,
      tables: ["evals"],
      query: (s) => ({ value: [...s.evalsByJob(namespace, id)], index: s.tableIndex("evals") }),
    });
    return json(c, evals);
  };

  const summary = async (c: Context, id: string) => {
    const state = requireState(backend);
    const namespace = namespaceParam(c);
    const summary = await blockingQuery(c, {
      state,
      tables: ["job_summary"],
      query: (s) => {
        const value = s.jobSummary(namespace, id);
        return { value, index: value?.ModifyIndex ?? s.tableIndex("job_summary") };
      },
    });
    if (summary === undefined) throw notFound("job");
    return json(c, summary);
  };

  const versions = async (c: Context, id: string) => {
    const state = requireState(backend);
    const namespace = namespaceParam(c);
    const versions = await blockingQuery(c, {
      state,
      tables: ["job_versions"],
      query: (s) => ({ value: s.jobVersions(namespace, id), index: s.tableIndex("job_versions") }),
    });
    if (versions.length === 0) throw notFound("job versions");
    // Each version against the one before it, newest first, as Nomad's ?diffs=true.
    const diffs = flag(c, "diffs")
      ? versions.slice(0, -1).map((job, i) => jobDiff(versions[i + 1]!, job, true))
      : null;
    return json(c, {
      Versions: versions,
      Diffs: diffs,
      Index: state.snapshot().tableIndex("job_versions"),
    });
  };

  const info = async (c: Context, id: string) => {
    const state = requireState(backend);
    const namespace = namespaceParam(c);
    const job = await blockingQuery(c, {
      state,
      tables: ["jobs"],
      query: (s) => {
        const value = s.jobByID(namespace, id);
        return { value, index: jobIndex(s, value) };
      },
    });
    if (job === undefined) throw notFound("job");
    return json(c, job);
  };

  // `/deployments` lists the job's deployments; `/deployment` is the latest (or null).
  const deployments = async (c: Context, id: string, latest: boolean) => {
    const state = requireState(backend);
    const namespace = namespaceParam(c);
    const list = await blockingQuery(c, {
      state,
      tables: ["deployment"],
      query: (s) => ({
        value: jobDeployments(s, namespace, id),
        index: s.tableIndex("deployment"),
      }),
    });
    return json(c, latest ? list[0] ?? null : list);
  };

  // Job IDs may contain "/" (dispatched and periodic children), so the route
  // splits a known suffix off the path itself, as Nomad's router does.
  const readers: Record<string, (c: Context, id: string) => Promise<Response>> = {
    allocations,
    evaluations,
    summary,
    versions,
    deployments: (c, id) => deployments(c, id, false),
    deployment: (c, id) => deployments(c, id, true),
    scale: async (c, id) => {
      const namespace = namespaceParam(c);
      const status = await blockingQuery(c, {
        state: requireState(backend),
        tables: ["jobs", "allocs"],
        query: (s) => jobScaleStatus(s, namespace, id),
      });
      if (status === undefined) throw notFound("job");
      return json(c, status);
    },
  };
  app.get("/v1/job/*", (c) => {
    const { id, suffix, whole } = splitJobPath(c.req.path);
    const reader = suffix === undefined ? undefined : readers[suffix];
    return reader !== undefined ? reader(c, id) : info(c, whole);
  });
  const plan = async (c: Context, id: string) => {
    const body = await readJsonBody(c);
    const request = registerBody(body, {
      namespace: c.req.query("namespace"),
      region: c.req.query("region"),
    });
    if (field(request.Job, "ID") !== id) throw new CodedError(400, "Job ID does not match");
    const response = await backend.jobPlan(
      request.Job,
      field(body as Record<string, unknown>, "Diff") === true,
    );
    c.header("X-Nomad-Index", String(response.Index));
    return json(c, response);
  };
  const revert = async (c: Context, id: string) => {
    const body = await readJsonBody(c);
    if (!isObject(body)) throw new CodedError(400, "Request body must be a JSON object");
    const version = field(body, "JobVersion");
    if (typeof version !== "number" || !Number.isInteger(version) || version < 0) {
      throw new CodedError(400, "JobVersion must be a non-negative integer");
    }
    const prior = field(body, "EnforcePriorVersion");
    if (prior !== undefined && prior !== null && typeof prior !== "number") {
      throw new CodedError(400, "EnforcePriorVersion must be an integer");
    }
    const response = await backend.jobRevert(namespaceParam(c), id, {
      JobVersion: version,
      EnforcePriorVersion: typeof prior === "number" ? prior : null,
    });
    c.header("X-Nomad-Index", String(response.Index));
    return json(c, response);
  };
  const scale = async (c: Context, id: string) => {
    const body = await readJsonBody(c);
    if (!isObject(body)) throw new CodedError(400, "Request body must be a JSON object");
    const target = field(body, "Target");
    const group = isObject(target) ? field(target, "Group") : undefined;
    const count = field(body, "Count");
    if (count !== undefined && count !== null && typeof count !== "number") {
      throw new CodedError(400, "Count must be an integer");
    }
    const response = await backend.jobScale(namespaceParam(c), id, {
      Group: typeof group === "string" ? group : "",
      Count: typeof count === "number" ? count : null,
    });
    c.header("X-Nomad-Index", String(response.Index));
    return json(c, response);
  };
  const dispatch = async (c: Context, id: string) => {
    const request = dispatchBody(await readJsonBody(c), {
      id,
      namespace: namespaceParam(c),
      token: c.req.query("idempotency_token"),
    });
    const response = await backend.jobDispatch(request);
    c.header("X-Nomad-Index", String(response.Index));
    return json(c, response);
  };
  const periodicForce = async (c: Context, id: string) => {
    const response = await backend.periodicForce(namespaceParam(c), id);
    c.header("X-Nomad-Index", String(response.Index));
    return json(c, response);
  };
  // Writes under /v1/job/<id>/<suffix>; anything else registers the job.
  const writers: Record<string, (c: Context, id: string) => Promise<Response>> = {
    plan,
    revert,
    scale,
    dispatch,
    // `/v1/job/<id>/periodic/force`: the split leaves "<id>/periodic" as the ID.
    force: (c, id) =>
      id.endsWith(PERIODIC_FORCE_PARENT)
        ? periodicForce(c, id.slice(0, -PERIODIC_FORCE_PARENT.length))
        : register(c, splitJobPath(c.req.path).whole),
  };
  app.on(["PUT", "POST"], "/v1/job/*", (c) => {
    const { id, suffix, whole } = splitJobPath(c.req.path);
    const writer = suffix === undefined ? undefined : writers[suffix];
    return writer !== undefined ? writer(c, id) : register(c, whole);
  });
  app.delete("/v1/job/*", async (c) => {
    const id = splitJobPath(c.req.path).whole;
    const response = await backend.jobDeregister(namespaceParam(c), id, {
      purge: flag(c, "purge"),
    });
    c.header("X-Nomad-Index", String(response.Index));
    return json(c, response);
  });
}

const PERIODIC_FORCE_PARENT = "/periodic";

/** Reads a dispatch body like Nomad's jobDispatchRequest; the query's idempotency_token wins. */
function dispatchBody(
  body: unknown,
  options: { id: string; namespace: string; token: string | undefined },
): JobDispatchRequest {
  if (!isObject(body)) throw new CodedError(400, "Request body must be a JSON object");
  const jobID = field(body, "JobID");
  if (typeof jobID === "string" && jobID !== "" && jobID !== options.id) {
    throw new CodedError(400, "Job ID does not match");
  }
  const payload = field(body, "Payload");
  if (payload !== undefined && payload !== null && typeof payload !== "string") {
    throw new CodedError(400, "Payload must be a base64 string");
  }
  let bytes: Uint8Array;
  try {
    bytes = typeof payload === "string" ? decodeBase64(payload) : new Uint8Array();
  } catch {
    throw new CodedError(400, "illegal base64 data in Payload");
  }
  const meta = field(body, "Meta") ?? {};
  if (!isObject(meta) || Object.values(meta).some((v) => typeof v !== "string")) {
    throw new CodedError(400, "Meta must be an object of strings");
  }
  const token = field(body, "IdempotencyToken");
  const template = field(body, "IdPrefixTemplate");
  return {
    Namespace: options.namespace,
    JobID: options.id,
    Payload: bytes,
    Meta: meta as Record<string, string>,
    IdempotencyToken: options.token ?? (typeof token === "string" ? token : ""),
    IdPrefixTemplate: typeof template === "string" ? template : "",
  };
}

/** Splits `/v1/job/<id>[/<suffix>]`; IDs are percent-decoded. */
function splitJobPath(path: string): { id: string; suffix: string | undefined; whole: string } {
  const rest = path.slice("/v1/job/".length);
  const whole = decodeURIComponent(rest);
  const slash = rest.lastIndexOf("/");
  if (slash < 0) return { id: whole, suffix: undefined, whole };
  return { id: decodeURIComponent(rest.slice(0, slash)), suffix: rest.slice(slash + 1), whole };
}

function varFilesOf(variables: unknown): { filename: string; source: string }[] {
  if (typeof variables !== "string" || variables === "") return [];
  return [{ filename: "variables.hcl", source: variables }];
}
