import { strictEqual } from "node:assert";
import { canonicalizeJob, emptyDesiredTransition, type Node } from "../structs/mod.ts";
import { allocDirPaths, taskDirPaths } from "./alloc_dir.ts";
import { buildTaskEnv, cpusetString, interpolate, interpolateConfig } from "./task_env.ts";

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

function envFor(options: {
  jobFields?: Record<string, unknown>;
  taskFields?: Record<string, unknown>;
  allocated?: Record<string, unknown>;
  shared?: Record<string, unknown>;
  hostEnv?: Record<string, string>;
}): Record<string, string> {
  const j = canonicalizeJob({
    ID: "api",
    Name: "api-name",
    ...options.jobFields,
    TaskGroups: [{
      Name: "g",
      Meta: { tier: "group" },
      Tasks: [{
        Name: "t",
        Driver: "raw_exec",
        Resources: { CPU: 250, MemoryMB: 128 },
        ...options.taskFields,
      }],
    }],
  });
  const allocDir = allocDirPaths("/data/alloc", "a1b2c3d4e5f6");
  return buildTaskEnv({
    alloc: {
      ID: "a1b2c3d4e5f6",
      Name: "api.g[0]",
      JobID: "api",
      Job: j,
      TaskGroup: "g",
      Namespace: "prod",
      AllocatedResources: {
        Tasks: options.allocated === undefined ? {} : { t: options.allocated },
        TaskLifecycles: null,
        Shared: { DiskMB: 300, Networks: null, Ports: null, ...options.shared },
      },
      DesiredTransition: emptyDesiredTransition(),
    } as never,
    task: j.TaskGroups[0]!.Tasks[0]!,
    node: {
      ...node,
      ID: "node-uuid",
      Name: "worker-1",
      NodeClass: "gpu",
      NodePool: "batch",
      Attributes: { "kernel.name": "linux", "nomad.region": "eu" },
    } as Node,
    allocDir,
    taskDir: taskDirPaths(allocDir, "t"),
    hostEnv: options.hostEnv ?? { PATH: "/bin", HOME: "/root" },
  });
}

Deno.test("task env: identity, placement and directory variables", () => {
  const env = envFor({ jobFields: { ParentID: "api/periodic-1" } });
  const expected: Record<string, string | undefined> = {
    NOMAD_ALLOC_ID: "a1b2c3d4e5f6",
    NOMAD_SHORT_ALLOC_ID: "a1b2c3d4",
    NOMAD_ALLOC_NAME: "api.g[0]",
    NOMAD_ALLOC_INDEX: "0",
    NOMAD_JOB_ID: "api",
    NOMAD_JOB_NAME: "api-name",
    NOMAD_JOB_PARENT_ID: "api/periodic-1",
    NOMAD_GROUP_NAME: "g",
    NOMAD_TASK_NAME: "t",
    NOMAD_NAMESPACE: "prod",
    NOMAD_REGION: "eu",
    NOMAD_DC: "dc1",
    NOMAD_ALLOC_DIR: "/data/alloc/a1b2c3d4e5f6/alloc",
    NOMAD_TASK_DIR: "/data/alloc/a1b2c3d4e5f6/t/local",
    NOMAD_SECRETS_DIR: "/data/alloc/a1b2c3d4e5f6/t/secrets",
    NOMAD_CPU_LIMIT: "250",
    NOMAD_MEMORY_LIMIT: "128",
    NOMAD_MEMORY_MAX_LIMIT: undefined,
    NOMAD_CPU_CORES: undefined,
  };
  for (const [key, value] of Object.entries(expected)) strictEqual(env[key], value, key);
  strictEqual(envFor({}).NOMAD_JOB_PARENT_ID, undefined, "no parent, no variable");
});

Deno.test("task env: limits come from the allocated resources, reserved cores as a cpuset", () => {
  const env = envFor({
    allocated: {
      Cpu: { CpuShares: 2000, ReservedCores: [5, 0, 1, 2] },
      Memory: { MemoryMB: 512, MemoryMaxMB: 1024 },
      Networks: null,
      Devices: null,
    },
  });
  strictEqual(env.NOMAD_CPU_LIMIT, "2000");
  strictEqual(env.NOMAD_CPU_CORES, "0-2,5");
  strictEqual(env.NOMAD_MEMORY_LIMIT, "512");
  strictEqual(env.NOMAD_MEMORY_MAX_LIMIT, "1024");
  const cases: [number[], string][] = [[[], ""], [[3], "3"], [[0, 1], "0-1"], [
    [1, 3, 4, 5, 7],
    "1,3-5,7",
  ]];
  for (const [cores, text] of cases) strictEqual(cpusetString(cores), text, JSON.stringify(cores));
});

Deno.test("task env: port variables for mapped, unmapped and group network ports", () => {
  const env = envFor({
    shared: {
      Ports: [
        { Label: "http", Value: 25000, To: 8080, HostIP: "10.0.0.5" },
        { Label: "db-port", Value: 25001, To: 0, HostIP: "10.0.0.5" },
      ],
      Networks: [{ ReservedPorts: [{ Label: "admin", Value: 9000, To: 90 }], DynamicPorts: null }],
    },
  });
  const expected: Record<string, string> = {
    NOMAD_PORT_http: "8080",
    NOMAD_ALLOC_PORT_http: "8080",
    NOMAD_HOST_PORT_http: "25000",
    NOMAD_IP_http: "10.0.0.5",
    NOMAD_HOST_IP_http: "10.0.0.5",
    NOMAD_ADDR_http: "10.0.0.5:25000",
    NOMAD_HOST_ADDR_http: "10.0.0.5:25000",
    NOMAD_PORT_db_port: "25001",
    NOMAD_HOST_PORT_db_port: "25001",
    NOMAD_PORT_admin: "90",
    NOMAD_HOST_PORT_admin: "9000",
  };
  for (const [key, value] of Object.entries(expected)) strictEqual(env[key], value, key);
});

Deno.test("task env: meta as written and upper-cased, interpolated, optional dispatch meta empty", () => {
  const env = envFor({
    jobFields: {
      Meta: { "owner.team": "core", zone: "${node.datacenter}" },
      Dispatched: true,
      ParameterizedJob: { Payload: "optional", MetaRequired: null, MetaOptional: ["build"] },
    },
    taskFields: { Meta: { tier: "task" } },
  });
  strictEqual(env.NOMAD_META_owner_team, "core");
  strictEqual(env.NOMAD_META_OWNER_TEAM, "core");
  strictEqual(env.NOMAD_META_zone, "dc1");
  strictEqual(env.NOMAD_META_tier, "task", "task meta overrides group meta");
  strictEqual(env.NOMAD_META_build, "");
  strictEqual(env.NOMAD_META_BUILD, "");
});

Deno.test("task env: the env block interpolates node, attr, meta, NOMAD_* and env references", () => {
  const cases: [string, string][] = [
    ["${node.unique.id}", "node-uuid"],
    ["${node.unique.name}", "worker-1"],
    ["${node.datacenter}", "dc1"],
    ["${node.class}", "gpu"],
    ["${node.region}", "eu"],
    ["${node.pool}", "batch"],
    ["${attr.kernel.name}", "linux"],
    ["${node.attr.kernel.name}", "linux"],
    ["${meta.rack}", "r1"],
    ["${node.meta.rack}", "r1"],
    ["${NOMAD_ALLOC_ID}/${NOMAD_TASK_NAME}", "a1b2c3d4e5f6/t"],
    ["${env.HOME}", "/root"],
    ['${env["HOME"]}', "/root"],
    ["${HOME}", "/root"],
    ["${env.NOMAD_JOB_ID}", "api"],
    ["${nope.x} ${NOMAD_NOPE}", "${nope.x} ${NOMAD_NOPE}"],
  ];
  const taskEnv = Object.fromEntries(cases.map(([template], i) => [`V${i}`, template]));
  const env = envFor({ taskFields: { Env: taskEnv } });
  cases.forEach(([template, value], i) => strictEqual(env[`V${i}`], value, template));
});

Deno.test("task env: host variables never override NOMAD_* but the env block does override host ones", () => {
  const env = envFor({
    hostEnv: { PATH: "/bin", NOMAD_ALLOC_ID: "spoofed" },
    taskFields: { Env: { PATH: "/opt/bin:${PATH}" } },
  });
  strictEqual(env.NOMAD_ALLOC_ID, "a1b2c3d4e5f6");
  strictEqual(env.PATH, "/opt/bin:/bin");
});
