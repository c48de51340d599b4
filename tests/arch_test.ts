/**
 * Enforces ARCHITECTURE.md: imports flow one way between layers, drivers only
 * use the driver interface, and the pure cores never touch I/O, time or randomness.
 */

import { deepStrictEqual } from "node:assert";

const ROOT = new URL("../", import.meta.url);

/** What each folder may import (besides itself). */
const ALLOWED: Record<string, string[]> = {
  "src/core": [],
  "src/structs": ["src/core"],
  "src/hcl": ["src/core"],
  "src/jobspec": ["src/core", "src/structs", "src/hcl"],
  "src/acl": ["src/core", "src/hcl"],
  "src/raft": ["src/core", "src/structs"],
  // The state store implements the scheduler's StateView interface (types only).
  "src/state": ["src/core", "src/structs", "src/scheduler/types.ts"],
  "src/scheduler": ["src/core", "src/structs"],
  "src/fsm": [
    "src/core",
    "src/structs",
    "src/hcl",
    "src/jobspec",
    "src/raft",
    "src/state",
    "src/scheduler",
  ],
  "src/api": ["src/core", "src/structs"],
};
const BELOW_SHELLS = [
  "src/core",
  "src/structs",
  "src/hcl",
  "src/acl",
  "src/jobspec",
  "src/raft",
  "src/state",
  "src/scheduler",
  "src/fsm",
];
for (const shell of ["src/storage", "src/rpc", "src/http"]) {
  ALLOWED[shell] = [...BELOW_SHELLS, "drivers/driver.ts"];
}
// The server keeps its raft log and the client its state DB in storage; both talk over rpc.
for (const shell of ["src/server", "src/client"]) {
  ALLOWED[shell] = [...BELOW_SHELLS, "src/storage", "src/rpc", "drivers/driver.ts"];
}
ALLOWED["src/agent"] = [
  ...BELOW_SHELLS,
  "src/storage",
  "src/rpc",
  "src/server",
  "src/client",
  "src/http",
  "drivers",
];
ALLOWED["src/cli"] = [...ALLOWED["src/agent"]!, "src/agent", "src/api"];
ALLOWED["drivers"] = ["src/core", "src/structs"];

const PURE = [
  "src/structs",
  "src/hcl",
  "src/acl",
  "src/jobspec",
  "src/raft",
  "src/state",
  "src/fsm",
  "src/scheduler",
];
const IMPURE =
  /\bDeno\.|\bfetch\(|Date\.now\(|new Date\(\)|Math\.random\(|crypto\.randomUUID|crypto\.getRandomValues|\bsetTimeout\(|\bsetInterval\(/;

function* tsFiles(dir: URL): Generator<URL> {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch {
    return;
  }
  for (const entry of entries) {
    if (entry.isDirectory) yield* tsFiles(new URL(`${entry.name}/`, dir));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) {
      yield new URL(entry.name, dir);
    }
  }
}

function folderOf(path: string): string | undefined {
  if (path.startsWith("drivers/")) return "drivers";
  const m = /^(src\/[a-z_]+)\//.exec(path);
  return m?.[1];
}

/**
 * Entry points whose import graphs are checked: the program, plus modules not
 * reachable from it yet (so their rules hold before anything imports them).
 */
const ROOTS = ["main.ts", "src/acl/mod.ts"];

async function moduleGraph(): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  for (const root of ROOTS) {
    for (const [file, deps] of await rootGraph(root)) graph.set(file, deps);
  }
  return graph;
}

async function rootGraph(root: string): Promise<Map<string, string[]>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", root],
    cwd: ROOT,
  }).output();
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: {
      specifier: string;
      dependencies?: { code?: { specifier: string }; type?: { specifier: string } }[];
    }[];
  };
  const rel = (s: string) => s.startsWith(ROOT.href) ? s.slice(ROOT.href.length) : s;
  const graph = new Map<string, string[]>();
  for (const m of info.modules) {
    if (!m.specifier.startsWith(ROOT.href)) continue;
    const deps = (m.dependencies ?? []).flatMap((d) => [d.code?.specifier, d.type?.specifier])
      .filter((s): s is string => s !== undefined).map(rel);
    graph.set(rel(m.specifier), deps);
  }
  return graph;
}

Deno.test("imports flow one way between layers", async () => {
  const violations: string[] = [];
  for (const [file, deps] of await moduleGraph()) {
    const folder = folderOf(file);
    if (folder === undefined) continue;
    const allowed = ALLOWED[folder];
    if (allowed === undefined) continue;
    for (const dep of deps) {
      if (dep.startsWith("npm:") || dep.startsWith("node:")) continue;
      if (folderOf(dep) === folder) {
        if (folder !== "drivers" || dep.startsWith("drivers/")) continue;
      }
      if (allowed.some((a) => dep === a || dep.startsWith(`${a}/`))) continue;
      violations.push(`${file} imports ${dep}`);
    }
  }
  deepStrictEqual(violations, []);
});

Deno.test("pure cores use no I/O, wall-clock time, randomness or timers", async () => {
  const violations: string[] = [];
  for (const folder of PURE) {
    for (const path of tsFiles(new URL(`${folder}/`, ROOT))) {
      const lines = (await Deno.readTextFile(path)).split("\n");
      lines.forEach((line, i) => {
        const code = line.replace(/\/\/.*$/, "");
        if (IMPURE.test(code) && !/^\s*\*/.test(line)) {
          violations.push(`${path.href.slice(ROOT.href.length)}:${i + 1}: ${line.trim()}`);
        }
      });
    }
  }
  deepStrictEqual(violations, []);
});
