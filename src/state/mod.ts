/** In-memory indexed state: tables, snapshots (StateView) and watch sets for blocking queries. */
export * from "./store.ts";
export * from "./snapshot.ts";
export * from "./watch.ts";
export * from "./services.ts";
