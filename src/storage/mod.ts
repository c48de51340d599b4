/** SQLite storage: raft log and stable store (and, later, snapshots and the client state DB). */
export * from "./log_store.ts";
export * from "./client_state.ts";
