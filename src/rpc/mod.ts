/** RPC on port 4647: msgpack (own codec) frames over TCP, multiplexed calls, pooled connections with failover. */
export * from "./conn.ts";
export * from "./frame.ts";
export * from "./msgpack.ts";
export * from "./transport.ts";
