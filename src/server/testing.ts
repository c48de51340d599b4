/** A real in-memory server for tests: one scheduler, raw_exec accepted, sequential IDs. */

import { nullLogger } from "../core/logger.ts";
import { seededRng } from "../core/rng.ts";
import { Server, type ServerConfig } from "./server.ts";

/**
 * Starts a server with a `:memory:` raft log; `overrides` replace any setting.
 * IDs are UUIDs counting up from 1, so tests can predict them.
 */
export function startTestServer(overrides: Partial<ServerConfig> = {}): Server {
  let n = 0;
  return Server.start({
    region: "global",
    datacenter: "dc1",
    nodeName: "test",
    rpcAddress: "127.0.0.1:4647",
    raftPath: ":memory:",
    numSchedulers: 1,
    driverSchemas: { raw_exec: { name: "raw_exec", validate: () => [] } },
    clock: { nowNs: () => Date.now() * 1e6 },
    rng: seededRng(1),
    newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`,
    logger: nullLogger,
    ...overrides,
  });
}
