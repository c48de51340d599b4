import { deepStrictEqual, ok, rejects, strictEqual, throws } from "node:assert";
import { CodedError } from "../core/errors.ts";
import { encodeFrame, FrameDecoder, MAX_FRAME_BYTES, PROTOCOL_RPC, REQUEST } from "./frame.ts";
import type { RpcError, RpcHandler } from "./conn.ts";
import { dialRpc, listenRpc, RpcPool } from "./transport.ts";

const loopback = { hostname: "127.0.0.1", port: 0 };

const handler: RpcHandler = async (method, args, { signal }) => {
  switch (method) {
    case "Echo":
      return args;
    case "Fail":
      throw new CodedError(404, "job not found");
    case "Crash":
      throw new Error("boom");
    case "Sleep": {
      const { ms } = args as { ms: number };
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, ms);
        signal.addEventListener("abort", () => {
          clearTimeout(timer);
          reject(new Error("cancelled"));
        });
      });
      return ms;
    }
    default:
      throw new CodedError(400, `rpc: unknown method ${method}`);
  }
};

function address(listener: { addr: Deno.NetAddr }): string {
  return `127.0.0.1:${listener.addr.port}`;
}

Deno.test("frames split across chunks decode into the same messages", () => {
  const frames = [encodeFrame([REQUEST, 1, "Echo", { a: [1, "x", null] }]), encodeFrame([2, 1])];
  const bytes = new Uint8Array([...frames[0]!, ...frames[1]!]);
  const decoder = new FrameDecoder();
  const messages = [];
  for (let i = 0; i < bytes.length; i += 3) messages.push(...decoder.push(bytes.slice(i, i + 3)));
  deepStrictEqual(messages, [[0, 1, "Echo", { a: [1, "x", null] }], [2, 1]]);
});

Deno.test("an oversized or malformed frame is refused", () => {
  const header = new Uint8Array(4);
  new DataView(header.buffer).setUint32(0, MAX_FRAME_BYTES + 1);
  let threw = false;
  try {
    new FrameDecoder().push(header);
  } catch (err) {
    threw = err instanceof RangeError;
  }
  ok(threw, "oversized frame accepted");
  const bad = encodeFrame([REQUEST, 1, "x", null]);
  bad[5] = 0x07; // array of 4 becomes a positive fixint
  let malformed = false;
  try {
    new FrameDecoder().push(bad);
  } catch {
    malformed = true;
  }
  ok(malformed, "malformed frame accepted");
});

Deno.test("calls return results and remote errors keep their code", async () => {
  const listener = listenRpc(loopback, handler);
  const conn = await dialRpc(address(listener));
  try {
    deepStrictEqual(await conn.call("Echo", { Node: { ID: "n1", Meta: { a: "b" } } }), {
      Node: { ID: "n1", Meta: { a: "b" } },
    });
    const bytes = new Uint8Array([1, 2, 3]);
    deepStrictEqual(await conn.call("Echo", bytes), bytes);
    await rejects(conn.call("Fail", null), (err: RpcError) => {
      strictEqual(err.code, 404);
      strictEqual(err.message, "job not found");
      strictEqual(err.transport, false);
      return true;
    });
    await rejects(conn.call("Crash", null), { code: 500, message: "boom" });
    await rejects(conn.call("Nope", null), { code: 400, message: "rpc: unknown method Nope" });
  } finally {
    conn.close();
    await listener.close();
  }
});

Deno.test("many calls share one connection and complete out of order", async () => {
  const listener = listenRpc(loopback, handler);
  const conn = await dialRpc(address(listener));
  try {
    const order: number[] = [];
    const calls = [60, 10, 30].map((ms) =>
      conn.call<number>("Sleep", { ms }).then((v) => order.push(v))
    );
    const echoes = Array.from({ length: 500 }, (_, i) => conn.call<number>("Echo", i));
    deepStrictEqual(await Promise.all(echoes), Array.from({ length: 500 }, (_, i) => i));
    await Promise.all(calls);
    deepStrictEqual(order, [10, 30, 60]);
  } finally {
    conn.close();
    await listener.close();
  }
});

Deno.test("an aborted call is cancelled on the server; a timed-out call fails", async () => {
  let cancelled = false;
  const listener = listenRpc(loopback, async (method, args, context) => {
    if (method === "Wait") {
      await new Promise<void>((resolve) =>
        context.signal.addEventListener("abort", () => {
          cancelled = true;
          resolve();
        })
      );
      return null;
    }
    return await handler(method, args, context);
  });
  const conn = await dialRpc(address(listener));
  try {
    const controller = new AbortController();
    const call = conn.call("Wait", null, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("stop waiting")), 20);
    await rejects(call, { message: "stop waiting" });
    for (let i = 0; i < 100 && !cancelled; i++) await new Promise((r) => setTimeout(r, 10));
    ok(cancelled, "server handler was not cancelled");
    await rejects(conn.call("Sleep", { ms: 1000 }, { timeoutMs: 20 }), (err: RpcError) => {
      strictEqual(err.code, 504);
      ok(err.transport);
      return true;
    });
    // The connection is still usable.
    strictEqual(await conn.call("Echo", "still here"), "still here");
  } finally {
    conn.close();
    await listener.close();
  }
});

Deno.test("a wrong preamble or garbage frame closes the connection; the listener keeps serving", async () => {
  const listener = listenRpc(loopback, handler);
  try {
    for (const bytes of [[0x47, 0x45, 0x54], [PROTOCOL_RPC, 0, 0, 0, 2, 0xc1, 0xc1]]) {
      const raw = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
      await raw.write(new Uint8Array(bytes));
      const buf = new Uint8Array(16);
      strictEqual(await raw.read(buf), null, "server should close the connection");
      raw.close();
    }
    const conn = await dialRpc(address(listener));
    strictEqual(await conn.call("Echo", 1), 1);
    conn.close();
  } finally {
    await listener.close();
  }
});

Deno.test("calls in flight fail with a transport error when the server goes away", async () => {
  const listener = listenRpc(loopback, handler);
  const conn = await dialRpc(address(listener));
  const call = conn.call("Sleep", { ms: 5_000 });
  await listener.close();
  await rejects(call, (err: RpcError) => err.transport && err.code === 503);
  ok(conn.closed);
});

Deno.test("the pool fails over to the next server and reuses one connection per server", async () => {
  const first = listenRpc(
    loopback,
    async (method, args, context) =>
      method === "Who" ? "first" : await handler(method, args, context),
  );
  const second = listenRpc(
    loopback,
    async (method, args, context) =>
      method === "Who" ? "second" : await handler(method, args, context),
  );
  // A port with nothing listening: dial fails and the pool moves on.
  const dead = Deno.listen(loopback);
  const deadAddress = `127.0.0.1:${(dead.addr as Deno.NetAddr).port}`;
  dead.close();
  const pool = new RpcPool([deadAddress, address(first), address(second)]);
  try {
    strictEqual(await pool.call("Who", null), "first");
    strictEqual(await pool.call("Who", null), "first");
    await first.close();
    // The call that finds the closed connection fails; the pool then uses the next server.
    const next = await pool.call("Who", null).catch(() => pool.call("Who", null));
    strictEqual(next, "second");
    deepStrictEqual(pool.servers[0], address(second));
  } finally {
    pool.close();
    await second.close();
  }
});

Deno.test("a pool with no reachable server fails with a transport error", async () => {
  throws(() => new RpcPool([]), { code: 400 });
  const pool = new RpcPool(["127.0.0.1:1", "nonsense"]);
  await rejects(pool.call("Echo", 1), (err: RpcError) => err.transport);
  pool.close();
});
