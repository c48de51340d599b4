/** The server shell around the pure cores: raft runner, broker, workers, plan applier, endpoints. */
export * from "./server.ts";
export * from "./raft.ts";
export * from "./eval_broker.ts";
export * from "./blocked_evals.ts";
export * from "./plan_applier.ts";
export * from "./heartbeats.ts";
export * from "./rpc_endpoints.ts";
