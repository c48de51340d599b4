/**
 * The executor's wire protocol: newline-delimited JSON over a unix socket.
 * Request `{"id":1,"method":"start","params":{...}}`, answer `{"id":1,"result":...}`
 * or `{"id":1,"error":"...","kind":"not_found"}`. Answers may come out of order
 * (a `wait` long-polls), so callers match them by `id`.
 */
import type { ExitResult } from "../driver.ts";
import {
  MAX_LOG_FILES,
  MAX_STOP_TIMEOUT_MS,
  MAX_TASK_ARGS,
  MAX_TASK_ID_BYTES,
  MAX_TASK_NAME_BYTES,
  MIN_LOG_FILE_SIZE_BYTES,
} from "./limits.ts";

/** Methods the executor answers. */
export const EXECUTOR_METHODS = [
  "ping",
  "start",
  "wait",
  "stop",
  "signal",
  "inspect",
  "list",
  "destroy",
  "stats",
  "adopt",
  "shutdown",
] as const;
/** One of {@linkcode EXECUTOR_METHODS}. */
export type ExecutorMethod = typeof EXECUTOR_METHODS[number];

/** Classes of executor failure, so callers can tell bad input from a lost task. */
export const EXECUTOR_ERROR_KINDS = [
  "invalid_argument",
  "not_found",
  "exists",
  "limit",
  "unavailable",
  "internal",
] as const;
/** One of {@linkcode EXECUTOR_ERROR_KINDS}. */
export type ExecutorErrorKind = typeof EXECUTOR_ERROR_KINDS[number];

/** A failure reported by (or on the way to) the executor. */
export class ExecutorError extends Error {
  override name = "ExecutorError";
  /** What kind of failure this is. */
  readonly kind: ExecutorErrorKind;

  /** @param kind class of failure; `message` is shown to users */
  constructor(kind: ExecutorErrorKind, message: string, options?: ErrorOptions) {
    super(message, options);
    this.kind = kind;
  }
}

/** Where and how a task's stdout/stderr are written. */
export interface TaskLogSpec {
  /** Directory for `<name>.stdout.N` / `<name>.stderr.N`. */
  directory: string;
  /** Task name used as the file name prefix. */
  name: string;
  maxFiles: number;
  maxFileSizeBytes: number;
}

/** Parameters of `start`. */
export interface StartRequest {
  id: string;
  command: string;
  args: string[];
  /** The task's full environment; nothing is inherited from the executor. */
  env: Record<string, string>;
  cwd: string;
  /** Unix user to run as; empty runs as the executor's user (the only mode supported now). */
  user: string;
  logs: TaskLogSpec;
  /** Value for /proc/<pid>/oom_score_adj; null leaves the inherited value. */
  oomScoreAdj: number | null;
}

/** Parameters of `stop`. */
export interface StopRequest {
  id: string;
  signal: string;
  timeoutMs: number;
}

/** Parameters of `signal`. */
export interface SignalRequest {
  id: string;
  signal: string;
}

/** Parameters of methods that name one task. */
export interface TaskIdRequest {
  id: string;
}

/** Parameters of `adopt`: take over a task whose executor record was lost. */
export interface AdoptRequest {
  id: string;
  pid: number;
  /** Process start time in clock ticks since boot (/proc/<pid>/stat field 22). */
  startTicks: number;
  startedAt: string;
  logs: TaskLogSpec;
}

/** Parameters of `shutdown`. */
export interface ShutdownRequest {
  signal: string;
  timeoutMs: number;
}

/** What the executor knows about one task. */
export interface TaskInfo {
  id: string;
  pid: number;
  startTicks: number;
  state: "running" | "exited";
  startedAt: string;
  completedAt: string | null;
  exitResult: ExitResult | null;
  /** True when the executor does not own the process (it restarted, or `adopt`). */
  adopted: boolean;
}

/** Resource usage of a task's process group. */
export interface TaskStats {
  id: string;
  timestampMs: number;
  pids: number[];
  rssBytes: number;
  /** utime + stime of the group plus its reaped children, in clock ticks. */
  cpuTicks: number;
}

/** One request line. */
export interface RequestMessage {
  id: number;
  method: string;
  params?: unknown;
}

/** One response line. */
export type ResponseMessage =
  | { id: number; result: unknown }
  | { id: number; error: string; kind: ExecutorErrorKind };

type JsonObject = Record<string, unknown>;

function invalid(message: string): ExecutorError {
  return new ExecutorError("invalid_argument", message);
}

/** Reads `value` as a JSON object or throws an invalid_argument error. */
export function asObject(value: unknown, what: string): JsonObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalid(`${what} must be an object`);
  }
  return value as JsonObject;
}

function str(o: JsonObject, key: string, maxBytes = Number.MAX_SAFE_INTEGER): string {
  const v = o[key];
  if (typeof v !== "string") throw invalid(`"${key}" must be a string`);
  if (v.length > maxBytes) throw invalid(`"${key}" is longer than ${maxBytes} bytes`);
  return v;
}

function int(o: JsonObject, key: string, min: number, max: number): number {
  const v = o[key];
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw invalid(`"${key}" must be an integer in [${min}, ${max}]: got ${JSON.stringify(v)}`);
  }
  return v;
}

function taskId(o: JsonObject): string {
  const id = str(o, "id", MAX_TASK_ID_BYTES);
  if (id === "") throw invalid(`"id" must not be empty`);
  return id;
}

function stringList(o: JsonObject, key: string): string[] {
  const v = o[key] ?? [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
    throw invalid(`"${key}" must be a list of strings`);
  }
  if (v.length > MAX_TASK_ARGS) throw invalid(`"${key}" has more than ${MAX_TASK_ARGS} items`);
  return v as string[];
}

function stringMap(o: JsonObject, key: string): Record<string, string> {
  const v = asObject(o[key] ?? {}, `"${key}"`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== "string") throw invalid(`"${key}.${k}" must be a string`);
    if (k === "" || k.includes("=") || k.includes("\0") || x.includes("\0")) {
      throw invalid(`"${key}" has an invalid variable ${JSON.stringify(k)}`);
    }
    out[k] = x;
  }
  return out;
}

/** Parses a log spec; the name must be usable as a file name prefix. */
export function parseLogSpec(value: unknown): TaskLogSpec {
  const o = asObject(value, `"logs"`);
  const name = str(o, "name", MAX_TASK_NAME_BYTES);
  if (name === "" || name.includes("/") || name === "." || name === "..") {
    throw invalid(`"logs.name" must be a file name: got ${JSON.stringify(name)}`);
  }
  const directory = str(o, "directory");
  if (!directory.startsWith("/")) throw invalid(`"logs.directory" must be an absolute path`);
  return {
    directory,
    name,
    maxFiles: int(o, "maxFiles", 1, MAX_LOG_FILES),
    maxFileSizeBytes: int(o, "maxFileSizeBytes", MIN_LOG_FILE_SIZE_BYTES, Number.MAX_SAFE_INTEGER),
  };
}

/** Parses `start` parameters. */
export function parseStartRequest(params: unknown): StartRequest {
  const o = asObject(params, "params");
  const command = str(o, "command");
  if (command === "") throw invalid(`"command" must not be empty`);
  const cwd = str(o, "cwd");
  if (!cwd.startsWith("/")) throw invalid(`"cwd" must be an absolute path: got ${cwd}`);
  const oom = o["oomScoreAdj"];
  return {
    id: taskId(o),
    command,
    args: stringList(o, "args"),
    env: stringMap(o, "env"),
    cwd,
    user: typeof o["user"] === "string" ? o["user"] : "",
    logs: parseLogSpec(o["logs"]),
    oomScoreAdj: oom === undefined || oom === null ? null : int(o, "oomScoreAdj", -1000, 1000),
  };
}

/** Parses `stop` parameters. */
export function parseStopRequest(params: unknown, defaultTimeoutMs: number): StopRequest {
  const o = asObject(params, "params");
  return {
    id: taskId(o),
    signal: o["signal"] === undefined ? "SIGINT" : str(o, "signal"),
    timeoutMs: o["timeoutMs"] === undefined
      ? defaultTimeoutMs
      : int(o, "timeoutMs", 0, MAX_STOP_TIMEOUT_MS),
  };
}

/** Parses `signal` parameters. */
export function parseSignalRequest(params: unknown): SignalRequest {
  const o = asObject(params, "params");
  return { id: taskId(o), signal: str(o, "signal") };
}

/** Parses parameters that only name a task. */
export function parseTaskIdRequest(params: unknown): TaskIdRequest {
  return { id: taskId(asObject(params, "params")) };
}

/** Parses `adopt` parameters. */
export function parseAdoptRequest(params: unknown): AdoptRequest {
  const o = asObject(params, "params");
  return {
    id: taskId(o),
    pid: int(o, "pid", 1, 2 ** 31 - 1),
    startTicks: int(o, "startTicks", 0, Number.MAX_SAFE_INTEGER),
    startedAt: str(o, "startedAt"),
    logs: parseLogSpec(o["logs"]),
  };
}

/** Parses `shutdown` parameters (all optional). */
export function parseShutdownRequest(params: unknown, defaultTimeoutMs: number): ShutdownRequest {
  const o = asObject(params ?? {}, "params");
  return {
    signal: o["signal"] === undefined ? "SIGTERM" : str(o, "signal"),
    timeoutMs: o["timeoutMs"] === undefined
      ? defaultTimeoutMs
      : int(o, "timeoutMs", 0, MAX_STOP_TIMEOUT_MS),
  };
}

function isExitResult(v: unknown): v is ExitResult {
  if (typeof v !== "object" || v === null) return false;
  const o = v as JsonObject;
  return typeof o["exitCode"] === "number" && typeof o["signal"] === "number" &&
    typeof o["oomKilled"] === "boolean";
}

/** Checks the shape of a task info sent by the executor. */
export function decodeTaskInfo(value: unknown): TaskInfo {
  const o = asObject(value, "task info");
  const ok = typeof o["id"] === "string" && typeof o["pid"] === "number" &&
    typeof o["startTicks"] === "number" &&
    (o["state"] === "running" || o["state"] === "exited") &&
    typeof o["startedAt"] === "string" &&
    (o["completedAt"] === null || typeof o["completedAt"] === "string") &&
    (o["exitResult"] === null || isExitResult(o["exitResult"])) &&
    typeof o["adopted"] === "boolean";
  if (!ok) throw new ExecutorError("internal", `malformed task info: ${JSON.stringify(value)}`);
  return o as unknown as TaskInfo;
}

/** Checks the shape of task stats sent by the executor. */
export function decodeTaskStats(value: unknown): TaskStats {
  const o = asObject(value, "task stats");
  const ok = typeof o["id"] === "string" && typeof o["timestampMs"] === "number" &&
    Array.isArray(o["pids"]) && typeof o["rssBytes"] === "number" &&
    typeof o["cpuTicks"] === "number";
  if (!ok) throw new ExecutorError("internal", `malformed task stats: ${JSON.stringify(value)}`);
  return o as unknown as TaskStats;
}

/** Parses one response line; throws on anything that is not a response. */
export function decodeResponse(line: string): ResponseMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (cause) {
    throw new ExecutorError("internal", `executor sent invalid JSON: ${line.slice(0, 200)}`, {
      cause,
    });
  }
  const o = asObject(parsed, "response");
  if (typeof o["id"] !== "number") throw new ExecutorError("internal", "response without id");
  if (typeof o["error"] === "string") {
    const kind = EXECUTOR_ERROR_KINDS.find((k) => k === o["kind"]) ?? "internal";
    return { id: o["id"], error: o["error"], kind };
  }
  return { id: o["id"], result: o["result"] };
}

/** Exit result used when an adopted process ends: only its parent could learn the status. */
export const UNKNOWN_EXIT: ExitResult = {
  exitCode: -1,
  signal: 0,
  oomKilled: false,
  error: "task exited while not a child of the running executor; exit status unknown",
};
