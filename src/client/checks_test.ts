import { deepStrictEqual, ok, strictEqual } from "node:assert";
import {
  type CheckOutcome,
  checkRestartUpdate,
  httpCheck,
  scriptCheck,
  tcpCheck,
} from "./checks.ts";

/** A loopback HTTP server answering each path with a fixed status and body. */
async function withHttpServer(fn: (port: number, seen: string[][]) => Promise<void>) {
  const seen: string[][] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    seen.push([
      req.method,
      req.headers.get("X-Probe") ?? "",
      req.headers.get("User-Agent") ?? "",
    ]);
    const path = new URL(req.url).pathname;
    if (path === "/ok") return new Response("fine");
    if (path === "/moved") return new Response("accepted", { status: 202 });
    if (path === "/slow") {
      return new Promise((r) => setTimeout(() => r(new Response("late")), 2000));
    }
    return new Response("broken".repeat(1000), { status: 503 });
  });
  try {
    await fn(server.addr.port, seen);
  } finally {
    await server.shutdown();
  }
}

const base = { protocol: "http", address: "127.0.0.1", method: "", headers: null, body: "" };

Deno.test("http checks pass below 400 and fail otherwise, with Nomad's outputs", async () => {
  await withHttpServer(async (port, seen) => {
    deepStrictEqual(await httpCheck({ ...base, port, path: "/ok", timeoutMs: 5000 }), {
      status: "success",
      output: "nomad: http ok",
      statusCode: 200,
    });
    deepStrictEqual(await httpCheck({ ...base, port, path: "/moved", timeoutMs: 5000 }), {
      status: "success",
      output: "accepted",
      statusCode: 202,
    });
    const failed = await httpCheck({ ...base, port, path: "/down", timeoutMs: 5000 });
    deepStrictEqual([failed.status, failed.statusCode, failed.output.length], [
      "failure",
      503,
      3 * 1024,
    ]);
    await httpCheck({
      ...base,
      port,
      path: "/ok",
      method: "post",
      headers: { "X-Probe": ["one", "two"] },
      body: "ping",
      timeoutMs: 5000,
    });
    const [method, probe, agent] = seen.at(-1)!;
    deepStrictEqual([method, probe], ["POST", "one, two"]);
    ok(agent?.startsWith("Nomad/"));
    const slow = await httpCheck({ ...base, port, path: "/slow", timeoutMs: 100 });
    deepStrictEqual(slow, { status: "failure", output: "nomad: context deadline exceeded" });
  });
});

Deno.test("tcp checks pass when a connection opens and fail when refused", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const accepting = (async () => {
    for await (const conn of listener) conn.close();
  })();
  deepStrictEqual(await tcpCheck({ address: "127.0.0.1", port, timeoutMs: 5000 }), {
    status: "success",
    output: "nomad: tcp ok",
  });
  listener.close();
  await accepting.catch(() => {});
  const refused = await tcpCheck({ address: "127.0.0.1", port, timeoutMs: 5000 });
  strictEqual(refused.status, "failure");
  ok(refused.output.startsWith(`dial tcp 127.0.0.1:${port}: `), refused.output);
});

/** A real exec: runs the command on the host. */
async function hostExec(command: string[], options: { timeoutMs: number }) {
  const output = await new Deno.Command(command[0]!, {
    args: command.slice(1),
    signal: AbortSignal.timeout(options.timeoutMs),
  }).output();
  return { stdout: output.stdout, stderr: output.stderr, exitCode: output.code };
}

Deno.test("script checks: exit 0 passes, 1 warns, others fail", async () => {
  const run = (script: string) =>
    scriptCheck({ command: "/bin/sh", args: ["-c", script], timeoutMs: 5000, exec: hostExec });
  deepStrictEqual(await run("echo up"), { status: "success", output: "up\n" });
  deepStrictEqual(await run("echo meh; exit 1"), {
    status: "failure",
    output: "meh\n",
    warning: true,
  });
  deepStrictEqual(await run("echo bad >&2; exit 2"), { status: "failure", output: "bad\n" });
  const broken = await scriptCheck({
    command: "/no/such/binary",
    args: [],
    timeoutMs: 5000,
    exec: hostExec,
  });
  strictEqual(broken.status, "failure");
});

const failure: CheckOutcome = { status: "failure", output: "" };
const success: CheckOutcome = { status: "success", output: "" };
const policy = { limit: 3, graceNs: 10e9, intervalNs: 1e9, ignoreWarnings: false };

Deno.test("check_restart restarts after limit consecutive failures past the grace period", () => {
  let state = { unhealthySinceNs: null as number | null };
  const step = (outcome: CheckOutcome, nowNs: number, p = policy) => {
    const next = checkRestartUpdate(state, { outcome, policy: p, lastStartNs: 0, nowNs });
    state = next.state;
    return next.restart;
  };
  strictEqual(step(failure, 5e9), false, "inside grace");
  strictEqual(state.unhealthySinceNs, null);
  strictEqual(step(failure, 11e9), false);
  strictEqual(step(failure, 12e9), false);
  strictEqual(step(success, 13e9), false, "a pass resets the count");
  strictEqual(step(failure, 14e9), false);
  strictEqual(step(failure, 15e9), false);
  strictEqual(step(failure, 16e9), true, "third consecutive failure");
  strictEqual(state.unhealthySinceNs, null);
  const warning: CheckOutcome = { ...failure, warning: true };
  const ignoring = { ...policy, limit: 1, ignoreWarnings: true };
  strictEqual(step(warning, 20e9, ignoring), false, "warnings ignored");
  strictEqual(step(warning, 20e9, { ...ignoring, ignoreWarnings: false }), true);
  strictEqual(step(failure, 20e9, { ...policy, limit: 0 }), false, "limit 0 never restarts");
});
