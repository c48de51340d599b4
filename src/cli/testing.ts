/**
 * Test support for CLI commands: a tiny fake Nomad HTTP server on a random
 * port, a runner that captures stdout/stderr, and fixture builders for the
 * API objects commands print.
 */

import {
  type Allocation,
  canonicalizeJob,
  emptyAllocationMetric,
  emptyDesiredTransition,
  type Evaluation,
  type Job,
  type JobSummary,
  newEvaluation,
  type Node,
} from "../structs/mod.ts";
import { main } from "./mod.ts";

/** Fixed clock for tests: 2024-01-08T11:42:25Z. */
export const TEST_NOW_MS = Date.UTC(2024, 0, 8, 11, 42, 25);

/** Output and exit code of one CLI run. */
export interface CapturedRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Inputs of one CLI run. */
export interface RunOptions {
  env?: Record<string, string>;
  stdin?: string;
  /** Answers for prompts, one per line. */
  lines?: string[];
  nowMs?: number;
  signal?: AbortSignal;
}

/** Runs `nomad <args>` in-process with captured output. */
export async function runNomad(
  args: readonly string[],
  options: RunOptions = {},
): Promise<CapturedRun> {
  let stdout = "";
  let stderr = "";
  const decoder = new TextDecoder();
  const lines = [...(options.lines ?? [])];
  const text = (chunk: string | Uint8Array) =>
    typeof chunk === "string" ? chunk : decoder.decode(chunk);
  const code = await main(args, {
    stdout: { write: (chunk) => void (stdout += text(chunk)) },
    stderr: { write: (chunk) => void (stderr += text(chunk)) },
    env: options.env ?? {},
    readStdin: () => Promise.resolve(options.stdin ?? ""),
    readLine: () => Promise.resolve(lines.shift() ?? null),
    interruptSignal: () => options.signal ?? new AbortController().signal,
    now: () => options.nowMs ?? TEST_NOW_MS,
  });
  return { code, stdout, stderr };
}

/** Answers a request to the fake server; a plain value is sent as JSON. */
export type Route = unknown | ((request: Request, url: URL) => Response | Promise<Response>);

/** One request the fake server received. */
export interface RecordedRequest {
  method: string;
  path: string;
  search: URLSearchParams;
  headers: Headers;
  body: string;
}

/** A running fake server. */
export interface FakeNomad {
  /** `http://127.0.0.1:<port>`. */
  address: string;
  /** Requests in arrival order. */
  requests: RecordedRequest[];
  /** Stops the server. */
  close(): Promise<void>;
}

/** A JSON response with Nomad's index headers. */
export function jsonResponse(data: unknown, index = 1, status = 200): Response {
  return new Response(JSON.stringify(data), {
    status,
    headers: {
      "Content-Type": "application/json",
      "X-Nomad-Index": String(index),
      "X-Nomad-KnownLeader": "true",
      "X-Nomad-LastContact": "0",
    },
  });
}

/** A plain-text error like Nomad's (`404 job not found`). */
export function textError(status: number, body: string): Response {
  return new Response(body, { status, headers: { "Content-Type": "text/plain" } });
}

/**
 * Starts a server answering `"METHOD /path"` routes (query string ignored);
 * anything else gets 404 with an empty body, as Nomad's router does.
 */
export function fakeNomad(routes: Record<string, Route>): FakeNomad {
  const requests: RecordedRequest[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      const url = new URL(request.url);
      const body = await request.text();
      requests.push({
        method: request.method,
        path: decodeURIComponent(url.pathname),
        search: url.searchParams,
        headers: request.headers,
        body,
      });
      const route = routes[`${request.method} ${decodeURIComponent(url.pathname)}`];
      if (route === undefined) return new Response("", { status: 404 });
      if (typeof route === "function") {
        return await (route as (r: Request, u: URL) => Response | Promise<Response>)(request, url);
      }
      return jsonResponse(route);
    },
  );
  return {
    address: `http://127.0.0.1:${server.addr.port}`,
    requests,
    close: () => server.shutdown(),
  };
}

/** Runs `fn` against a fake server and always stops it. */
export async function withFakeNomad<T>(
  routes: Record<string, Route>,
  fn: (server: FakeNomad) => Promise<T>,
): Promise<T> {
  const server = fakeNomad(routes);
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

/** Nanoseconds `seconds` before {@linkcode TEST_NOW_MS}. */
export function agoNs(seconds: number): number {
  return (TEST_NOW_MS - seconds * 1000) * 1e6;
}

/** A canonical service job "example" with group "cache" and task "redis". */
export function jobFixture(overrides: Record<string, unknown> = {}): Job {
  const job = canonicalizeJob({
    ID: "example",
    Datacenters: ["dc1"],
    TaskGroups: [{ Name: "cache", Count: 1, Tasks: [{ Name: "redis", Driver: "docker" }] }],
    ...overrides,
  });
  return {
    ...job,
    Status: "running",
    SubmitTime: agoNs(3600),
    CreateIndex: 10,
    ModifyIndex: 12,
    JobModifyIndex: 10,
  };
}

/** A job summary with one group. */
export function summaryFixture(
  group = "cache",
  counts: Partial<JobSummary["Summary"][string]> = {},
): JobSummary {
  return {
    JobID: "example",
    Namespace: "default",
    Summary: {
      [group]: {
        Queued: 0,
        Complete: 0,
        Failed: 0,
        Running: 1,
        Starting: 0,
        Lost: 0,
        Unknown: 0,
        ...counts,
      },
    },
    Children: { Pending: 0, Running: 0, Dead: 0 },
    CreateIndex: 10,
    ModifyIndex: 12,
  };
}

/** An evaluation of the example job. */
export function evalFixture(fields: Partial<Evaluation> = {}): Evaluation {
  return newEvaluation({
    ID: "5d8b9d09-aaaa-bbbb-cccc-000000000001",
    Namespace: "default",
    Priority: 50,
    Type: "service",
    TriggeredBy: "job-register",
    JobID: "example",
    CreateIndex: 11,
    ModifyIndex: 13,
    ...fields,
  });
}

/** A running allocation of the example job on node 9b7f1fb1. */
export function allocationFixture(fields: Partial<Allocation> = {}): Allocation {
  return {
    ID: "8ba85cef-1111-2222-3333-444455556666",
    Namespace: "default",
    EvalID: "5d8b9d09-aaaa-bbbb-cccc-000000000001",
    Name: "example.cache[0]",
    NodeID: "9b7f1fb1-aaaa-bbbb-cccc-ddddeeeeffff",
    NodeName: "node-1",
    JobID: "example",
    Job: jobFixture(),
    TaskGroup: "cache",
    AllocatedResources: null,
    Metrics: emptyAllocationMetric(),
    DesiredStatus: "run",
    DesiredDescription: "",
    DesiredTransition: emptyDesiredTransition(),
    ClientStatus: "running",
    ClientDescription: "Tasks are running",
    TaskStates: null,
    PreviousAllocation: "",
    NextAllocation: "",
    DeploymentID: "",
    DeploymentStatus: null,
    RescheduleTracker: null,
    FollowupEvalID: "",
    PreemptedAllocations: null,
    PreemptedByAllocation: "",
    CreateIndex: 12,
    ModifyIndex: 14,
    AllocModifyIndex: 12,
    CreateTime: agoNs(63),
    ModifyTime: agoNs(5),
    ...fields,
  };
}

/** A ready client node. */
export function nodeFixture(fields: Partial<Node> = {}): Node {
  return {
    ID: "9b7f1fb1-aaaa-bbbb-cccc-ddddeeeeffff",
    SecretID: "",
    Datacenter: "dc1",
    Name: "node-1",
    HTTPAddr: "127.0.0.1:4646",
    TLSEnabled: false,
    Attributes: { "nomad.version": "0.1.0", "os.name": "linux" },
    NodeResources: {
      Cpu: { CpuShares: 4000, TotalCpuCores: 4, ReservableCpuCores: null },
      Memory: { MemoryMB: 8192 },
      Disk: { DiskMB: 10240 },
      Networks: null,
      Devices: null,
      MinDynamicPort: 20000,
      MaxDynamicPort: 32000,
    },
    ReservedResources: {
      Cpu: { CpuShares: 0 },
      Memory: { MemoryMB: 0 },
      Disk: { DiskMB: 0 },
      Networks: { ReservedHostPorts: "" },
    },
    Links: null,
    Meta: {},
    NodeClass: "",
    NodePool: "default",
    ComputedClass: "",
    Drain: false,
    DrainStrategy: null,
    SchedulingEligibility: "eligible",
    Status: "ready",
    StatusDescription: "",
    StatusUpdatedAt: 0,
    Events: null,
    Drivers: {},
    HostVolumes: null,
    HostNetworks: null,
    LastDrain: null,
    CreateIndex: 5,
    ModifyIndex: 6,
    ...fields,
  };
}

/** Replaces every RFC 3339 timestamp (as the monitor prints them) with `<time>`. */
export function maskTimes(text: string): string {
  return text.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})/g, "<time>");
}
