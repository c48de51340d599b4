import { strictEqual } from "node:assert";
import { canonicalizeJob, emptyDesiredTransition, type Node } from "../structs/mod.ts";
import { allocDirPaths, taskDirPaths } from "./alloc_dir.ts";
import { buildTaskEnv, interpolate, interpolateConfig } from "./task_env.ts";

const job = canonicalizeJob({
  ID: "web",
  Meta: { team: "core" },
  TaskGroups: [{
    Name: "g",
    Tasks: [{
      Name: "t",
      Driver: "raw_exec",
      Env: { GREETING: "on ${attr.kernel.name} port ${NOMAD_PORT_http}", KEEP: "${unknown.x}" },
    }],
  }],
});

const node = {
  ID: "n1",
  Name: "host",
  Datacenter: "dc1",
  NodeClass: "",
  NodePool: "default",
  Attributes: { "kernel.name": "linux" },
  Meta: { rack: "r1" },
} as unknown as Node;

Deno.test("task env has NOMAD_* ids, dirs, ports and interpolated env values", () => {
  const allocDir = allocDirPaths("/data/alloc", "0123456789abcdef");
  const env = buildTaskEnv({
    alloc: {
      ID: "0123456789abcdef",
      Name: "web.g[2]",
      JobID: "web",
      Job: job,
      TaskGroup: "g",
      Namespace: "default",
      AllocatedResources: {
        Tasks: {},
        TaskLifecycles: null,
        Shared: {
          DiskMB: 300,
          Networks: null,
          Ports: [{ Label: "http", Value: 23456, To: 0, HostIP: "127.0.0.1" }],
        },
      },
      DesiredTransition: emptyDesiredTransition(),
    } as never,
    task: job.TaskGroups[0]!.Tasks[0]!,
    node,
    allocDir,
    taskDir: taskDirPaths(allocDir, "t"),
    hostEnv: { PATH: "/bin" },
  });
  strictEqual(env.NOMAD_ALLOC_INDEX, "2");
  strictEqual(env.NOMAD_SHORT_ALLOC_ID, "01234567");
  strictEqual(env.NOMAD_PORT_http, "23456");
  strictEqual(env.NOMAD_ADDR_http, "127.0.0.1:23456");
  strictEqual(env.NOMAD_TASK_DIR, "/data/alloc/0123456789abcdef/t/local");
  strictEqual(env.NOMAD_ALLOC_DIR, "/data/alloc/0123456789abcdef/alloc");
  strictEqual(env.NOMAD_META_team, "core");
  strictEqual(env.NOMAD_META_TEAM, "core");
  strictEqual(env.GREETING, "on linux port 23456");
  strictEqual(env.KEEP, "${unknown.x}", "unknown references stay as written");
  strictEqual(env.PATH, "/bin");
});

Deno.test("interpolation covers env[...] and nested config values", () => {
  strictEqual(interpolate('${env["a.b"]}-${X}', { "a.b": "1", X: "2" }), "1-2");
  const config = interpolateConfig({ args: ["-p", "${NOMAD_PORT_x}"], n: 3 }, {
    NOMAD_PORT_x: "9",
  });
  strictEqual(JSON.stringify(config), '{"args":["-p","9"],"n":3}');
});
