/** The deterministic FSM that applies raft log entries to the state store. */
export * from "./fsm.ts";
export * from "./messages.ts";
export * from "./periodic_apply.ts";
export * from "./variable_apply.ts";
export * from "./service_apply.ts";
