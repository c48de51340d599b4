/**
 * TCP transport for RPC: a listener that accepts multiplexed connections and
 * a pool of outgoing connections, one per address, with failover across a
 * list of servers.
 */

import { type CallOptions, RpcConnection, RpcError, type RpcHandler } from "./conn.ts";
import { PROTOCOL_RPC } from "./frame.ts";

const CONNECT_TIMEOUT_MS = 5_000;

/** A running RPC listener. */
export interface RpcListener {
  readonly addr: Deno.NetAddr;
  /** Stops accepting and closes every connection. */
  close(): Promise<void>;
}

/** Reads exactly one byte (the protocol preamble) without consuming more. */
async function readPreamble(conn: Deno.Conn): Promise<number | null> {
  const byte = new Uint8Array(1);
  const n = await conn.read(byte);
  return n === 1 ? byte[0]! : null;
}

/** Accepts RPC connections on `hostname:port` and serves each request with `handler`. */
export function listenRpc(
  options: { hostname: string; port: number },
  handler: RpcHandler,
): RpcListener {
  const listener = Deno.listen({ hostname: options.hostname, port: options.port });
  const open = new Set<{ close(): void }>();
  let closed = false;
  const serve = async (conn: Deno.TcpConn) => {
    const addr = conn.remoteAddr;
    const raw = { close: () => closeQuietly(conn) };
    open.add(raw);
    try {
      conn.setNoDelay(true);
      if (await readPreamble(conn) !== PROTOCOL_RPC || closed) return raw.close();
    } catch {
      return raw.close();
    } finally {
      open.delete(raw);
    }
    const rpc = new RpcConnection(conn, { remote: `${addr.hostname}:${addr.port}`, handler });
    open.add(rpc);
    await rpc.done;
    open.delete(rpc);
  };
  const accepting = (async () => {
    for (;;) {
      try {
        void serve(await listener.accept());
      } catch {
        return; // listener closed
      }
    }
  })();
  return {
    addr: listener.addr,
    close: async () => {
      closed = true;
      listener.close();
      await accepting;
      for (const conn of open) conn.close();
    },
  };
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}

/** Dials `address` ("host:port") and sends the RPC preamble. */
export async function dialRpc(address: string, handler?: RpcHandler): Promise<RpcConnection> {
  const colon = address.lastIndexOf(":");
  const hostname = address.slice(0, colon).replace(/^\[|\]$/g, "");
  const port = Number(address.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new RpcError(400, `invalid rpc address ${JSON.stringify(address)}`, true);
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new RpcError(504, `rpc dial ${address} timed out`, true)),
      CONNECT_TIMEOUT_MS,
    );
  });
  let conn: Deno.TcpConn;
  try {
    conn = await Promise.race([Deno.connect({ hostname, port }), timeout]);
  } catch (err) {
    if (err instanceof RpcError) throw err;
    throw new RpcError(503, `rpc dial ${address}: ${(err as Error).message}`, true);
  } finally {
    clearTimeout(timer);
  }
  conn.setNoDelay(true);
  await conn.write(new Uint8Array([PROTOCOL_RPC]));
  return new RpcConnection(conn, { remote: address, ...(handler ? { handler } : {}) });
}

/**
 * Outgoing calls to a list of servers over pooled connections. Calls go to
 * the current server; when it cannot be reached the next one is tried, so a
 * client fails over when a server goes away.
 */
export class RpcPool {
  #servers: string[];
  #current = 0;
  readonly #conns = new Map<string, Promise<RpcConnection>>();
  #closed = false;

  constructor(servers: readonly string[]) {
    if (servers.length === 0) throw new RpcError(400, "no servers to connect to", true);
    this.#servers = [...servers];
  }

  /** The servers, current first. */
  get servers(): readonly string[] {
    return [...this.#servers.slice(this.#current), ...this.#servers.slice(0, this.#current)];
  }

  /** Replaces the server list (for example from a server's answer). */
  setServers(servers: readonly string[]): void {
    if (servers.length === 0) return;
    const current = this.#servers[this.#current];
    this.#servers = [...servers];
    this.#current = Math.max(0, this.#servers.indexOf(current ?? ""));
  }

  /**
   * Calls `method` on the current server. A server that cannot be dialled is
   * skipped for the next; a connection that fails during the call fails the
   * call (the caller decides whether to retry) and moves on to the next server.
   */
  async call<T = unknown>(method: string, args: unknown, options: CallOptions = {}): Promise<T> {
    let lastError: Error | null = null;
    for (let attempt = 0; attempt < this.#servers.length; attempt++) {
      if (this.#closed) throw new RpcError(503, "rpc pool closed", true);
      const address = this.#servers[this.#current]!;
      let conn: RpcConnection;
      try {
        conn = await this.#connection(address);
      } catch (err) {
        lastError = err as Error;
        this.#rotate(address);
        continue;
      }
      try {
        return await conn.call<T>(method, args, options);
      } catch (err) {
        if (err instanceof RpcError && err.transport) this.#rotate(address);
        throw err;
      }
    }
    throw lastError ?? new RpcError(503, "no servers reachable", true);
  }

  /** Closes every pooled connection. */
  close(): void {
    this.#closed = true;
    for (const conn of this.#conns.values()) void conn.then((c) => c.close(), () => {});
    this.#conns.clear();
  }

  #rotate(failed: string): void {
    if (this.#servers[this.#current] === failed) {
      this.#current = (this.#current + 1) % this.#servers.length;
    }
  }

  async #connection(address: string): Promise<RpcConnection> {
    const existing = this.#conns.get(address);
    if (existing !== undefined) {
      const conn = await existing.catch(() => null);
      if (conn !== null && !conn.closed) return conn;
      if (this.#conns.get(address) === existing) this.#conns.delete(address);
    }
    const dialing = dialRpc(address);
    this.#conns.set(address, dialing);
    try {
      const conn = await dialing;
      void conn.done.then(() => {
        if (this.#conns.get(address) === dialing) this.#conns.delete(address);
      });
      return conn;
    } catch (err) {
      if (this.#conns.get(address) === dialing) this.#conns.delete(address);
      throw err;
    }
  }
}
