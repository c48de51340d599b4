/**
 * Test harness for end-to-end tests: real agents as child processes on free
 * loopback ports, the real CLI, and cleanup of everything they start.
 */

const ROOT = new URL("../../", import.meta.url);
const MAIN = new URL("main.ts", ROOT).pathname;
/** Longest wait for an agent to answer /v1/agent/health. */
export const AGENT_START_TIMEOUT_MS = 20_000;

/**
 * A free TCP port on 127.0.0.1, drawn from 10000–19999: below the kernel's
 * ephemeral range (32768+), where outgoing connections would otherwise take a
 * port between our check and the agent's bind, and below Nomad's dynamic task
 * ports (20000–32000).
 */
export function freePort(): number {
  for (;;) {
    const port = 10_000 + Math.floor(Math.random() * 10_000);
    try {
      Deno.listen({ hostname: "127.0.0.1", port }).close();
      return port;
    } catch {
      // taken: draw again
    }
  }
}

/** A running agent process. */
export interface TestAgent {
  address: string;
  dataDir: string;
  configPath: string;
  process: Deno.ChildProcess;
  /** Lines the agent logged so far. */
  output(): string;
  /** Graceful stop (SIGINT) and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash. */
  kill(): Promise<void>;
}

/** Options of {@linkcode startAgent}. */
export interface StartAgentOptions {
  /** `-dev` (default true). */
  dev?: boolean;
  /** Reuse a data dir and config (restart after a crash). */
  dataDir?: string;
  ports?: { http: number; rpc: number; serf: number };
  /** Extra agent config HCL appended to the generated file. */
  extraConfig?: string;
  /**
   * Without -dev: "server" runs a server only, "client" a client only that
   * joins `servers` (RPC addresses) over RPC; the default runs both.
   */
  role?: "server" | "client";
  servers?: string[];
}

/** The agent config for a non-dev agent in `dataDir` with the given role. */
function roleConfig(dataDir: string, options: StartAgentOptions): string {
  const server = options.role !== "client";
  const client = options.role !== "server";
  const servers = (options.servers ?? []).map((s) => JSON.stringify(s)).join(", ");
  return [
    `data_dir = "${dataDir}/data"`,
    `server {\n  enabled = ${server}\n${server ? "  bootstrap_expect = 1\n" : ""}}`,
    `client {\n  enabled = ${client}\n${servers ? `  servers = [${servers}]\n` : ""}}`,
    `plugin "raw_exec" {\n  config {\n    enabled = true\n  }\n}`,
  ].join("\n");
}

/** Starts `nomad agent` from source and waits until it is healthy. */
export async function startAgent(options: StartAgentOptions = {}): Promise<TestAgent> {
  const dev = options.dev ?? true;
  const dataDir = options.dataDir ?? await Deno.makeTempDir({ prefix: "nomad-e2e-" });
  const ports = options.ports ?? { http: freePort(), rpc: freePort(), serf: freePort() };
  const configPath = `${dataDir}/agent.hcl`;
  const config = [
    `bind_addr = "127.0.0.1"`,
    `ports {\n  http = ${ports.http}\n  rpc  = ${ports.rpc}\n  serf = ${ports.serf}\n}`,
    dev ? "" : roleConfig(dataDir, options),
    options.extraConfig ?? "",
  ].join("\n");
  await Deno.writeTextFile(configPath, config);
  const args = ["run", "-A", MAIN, "agent", ...(dev ? ["-dev"] : []), "-config", configPath];
  const process = new Deno.Command(Deno.execPath(), {
    args,
    stdout: "piped",
    stderr: "piped",
    cwd: dataDir,
  }).spawn();
  let output = "";
  const decoder = new TextDecoder();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) output += decoder.decode(chunk);
  };
  const pumps = Promise.all([pump(process.stdout), pump(process.stderr)]);
  const address = `http://127.0.0.1:${ports.http}`;
  const status = process.status;
  const deadline = Date.now() + AGENT_START_TIMEOUT_MS;
  let exited = false;
  status.then(() => (exited = true));
  for (;;) {
    if (exited) throw new Error(`agent exited during start:\n${output}`);
    if (Date.now() > deadline) {
      process.kill("SIGKILL");
      await status;
      throw new Error(`agent did not become healthy:\n${output}`);
    }
    try {
      if (options.role === "server") {
        const res = await fetch(`${address}/v1/agent/health`);
        await res.body?.cancel();
        if (res.ok) break;
      } else {
        const res = await fetch(`${address}/v1/nodes`);
        const nodes = await res.json() as { Status: string }[];
        if (res.ok && nodes.some((n) => n.Status === "ready")) break;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    address,
    dataDir,
    configPath,
    process,
    output: () => output,
    async stop() {
      if (!exited) process.kill("SIGINT");
      await status;
      await pumps;
    },
    async kill() {
      if (!exited) process.kill("SIGKILL");
      await status;
      await pumps;
    },
  };
}

/** Result of a CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI from source against `address`. */
export async function nomad(
  address: string,
  args: string[],
  options: { cwd?: string; stdin?: string } = {},
): Promise<CliResult> {
  const command = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    env: { NOMAD_ADDR: address, NO_COLOR: "1" },
    cwd: options.cwd ?? ROOT.pathname,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
  const child = command.spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const out = await child.output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

/** GET a JSON endpoint and return body and index. */
export async function getJson<T>(
  address: string,
  path: string,
): Promise<{ body: T; index: number; status: number }> {
  const res = await fetch(`${address}${path}`);
  const text = await res.text();
  return {
    body: (text === "" ? null : JSON.parse(text)) as T,
    index: Number(res.headers.get("X-Nomad-Index") ?? "0"),
    status: res.status,
  };
}

/** Polls `check` until it returns a value (not undefined) or the timeout passes. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** True when a process with this PID exists (and is not a zombie). */
export function processAlive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/\) Z /.test(stat);
  } catch {
    return false;
  }
}

/** Writes a job file into a temp dir and returns its path. */
export async function writeJobFile(dir: string, name: string, text: string): Promise<string> {
  const path = `${dir}/${name}`;
  await Deno.writeTextFile(path, text);
  return path;
}

/** Path of a fixture under tests/fixtures. */
export function fixture(path: string): string {
  return new URL(`tests/fixtures/${path}`, ROOT).pathname;
}

/** PIDs of running `nomad executor` helpers whose command line passes `match`. */
export function executorPids(
  match: (cmdline: string, pid: number) => boolean = () => true,
): number[] {
  const pids: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const cmdline = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`).replaceAll("\0", " ");
      if (cmdline.includes(" executor -socket ") && match(cmdline, Number(entry.name))) {
        pids.push(Number(entry.name));
      }
    } catch {
      // the process is gone
    }
  }
  return pids;
}

/** Stops executor helpers left by a non-dev agent under `dataDir` (they outlive agents by design). */
export function killExecutors(dataDir: string): void {
  for (const pid of executorPids((cmdline) => cmdline.includes(dataDir))) {
    try {
      Deno.kill(pid, "SIGTERM");
    } catch {
      // already exited
    }
  }
}
