/**
 * Typed client for Nomad's /v1 HTTP API, used by the CLI and tests. Errors use
 * Nomad's wording (`Unexpected response code: 404 (job not found)`).
 *
 * @module
 */
export { NomadClient } from "./client.ts";
export {
  type ClientConfig,
  configFromEnv,
  DEFAULT_ADDRESS,
  HttpCore,
  MAX_BLOCKING_WAIT_MS,
  type QueryOptions,
  type QueryResult,
  type WriteOptions,
} from "./http_core.ts";
export { ApiError, ConnectionError, describeNetworkFailure, dialAddress } from "./errors.ts";
export { byCreateIndexDescending, compareStrings, jobPath, JobsApi } from "./jobs.ts";
export { AllocationsApi, EvaluationsApi } from "./allocations.ts";
export { NodesApi } from "./nodes.ts";
export { DeploymentsApi } from "./deployments.ts";
export { AgentApi, SearchApi, StatusApi } from "./agent.ts";
export { ClientFsApi, type LogOptions, type LogType, type Origin } from "./client_fs.ts";
export { type AllocFileInfo, AllocFsApi } from "./client_fs.ts";
export { ExecError, type ExecOptions, type TerminalSize } from "./allocations_exec.ts";
export {
  base64Decode,
  decodeFrame,
  isHeartbeat,
  readFrames,
  StreamFrameDecoder,
} from "./stream_frames.ts";
export type * from "./types.ts";
export { VariableConflictError, VariablesApi } from "./variables.ts";
export { ServicesApi } from "./services.ts";
