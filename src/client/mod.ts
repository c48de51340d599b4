/** The client: fingerprinting, registration, heartbeats, allocation and task runners, logs. */
export * from "./client.ts";
export * from "./alloc_runner.ts";
export * from "./task_runner.ts";
export * from "./server_api.ts";
export * from "./logs.ts";
export * from "./task_env.ts";
export * from "./restarts.ts";
export * from "./alloc_dir.ts";
export * from "./fingerprint.ts";
export * from "./rpc_server_api.ts";
