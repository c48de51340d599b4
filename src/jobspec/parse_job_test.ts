import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { canonicalizeJob } from "../structs/canonicalize.ts";
import type { JsonObject } from "../structs/decode.ts";
import { HclSyntaxError } from "../hcl/mod.ts";
import { jobInitTemplate, parseJob } from "./mod.ts";

// Fixtures are read by the test (the parser itself never touches the file system).
const fixture = (name: string) =>
  Deno.readTextFileSync(new URL(`../../tests/fixtures/jobs/${name}`, import.meta.url));

const groups = (job: JsonObject) => job.TaskGroups as JsonObject[];
const tasks = (group: JsonObject) => group.Tasks as JsonObject[];

function hclError(fn: () => unknown, pattern: RegExp): void {
  throws(fn, (e: unknown) => {
    if (!(e instanceof HclSyntaxError)) throw e;
    if (!pattern.test(e.message)) {
      throw new Error(`message ${JSON.stringify(e.message)} does not match ${pattern}`);
    }
    return true;
  });
}

const wrap = (body: string) =>
  `job "j" {\n  group "g" {\n    task "t" {\n      driver = "raw_exec"\n${body}\n    }\n  }\n}\n`;

Deno.test("example job parses into api.Job JSON", () => {
  const job = parseJob(fixture("example.nomad.hcl"), { filename: "example.nomad.hcl" });
  strictEqual(job.ID, "example");
  strictEqual(job.Name, "example");
  deepStrictEqual(job.Datacenters, ["dc1"]);
  const group = groups(job)[0]!;
  strictEqual(group.Name, "cache");
  deepStrictEqual(group.Networks, [{ DynamicPorts: [{ Label: "db", To: 6379, Value: 0 }] }]);
  const task = tasks(group)[0]!;
  strictEqual(task.Driver, "docker");
  deepStrictEqual(task.Config, { image: "redis:7", ports: ["db"], auth_soft_fail: true });
  deepStrictEqual(task.Resources, { CPU: 500, MemoryMB: 256 });
});

Deno.test("batch_echo keeps the runtime variable in its arguments", () => {
  const job = parseJob(fixture("batch_echo.nomad.hcl"), { filename: "batch_echo.nomad.hcl" });
  strictEqual(job.Type, "batch");
  const group = groups(job)[0]!;
  deepStrictEqual(group.RestartPolicy, { Attempts: 0, Mode: "fail" });
  const task = tasks(group)[0]!;
  strictEqual(task.Driver, "raw_exec");
  deepStrictEqual(task.Config, {
    command: "/bin/sh",
    args: ["-c", "echo hello from ${NOMAD_JOB_NAME}"],
  });
});

Deno.test("service_http has three copies, a dynamic port, a service check and durations in ns", () => {
  const job = parseJob(fixture("service_http.nomad.hcl"), { filename: "service_http.nomad.hcl" });
  deepStrictEqual(job.Update, { MaxParallel: 1, MinHealthyTime: 5e9, HealthyDeadline: 60e9 });
  const group = groups(job)[0]!;
  strictEqual(group.Count, 3);
  deepStrictEqual(group.Networks, [{ DynamicPorts: [{ Label: "http", Value: 0 }] }]);
  deepStrictEqual(group.Services, [{
    Name: "service-http",
    PortLabel: "http",
    Provider: "nomad",
    Checks: [{ Type: "tcp", Interval: 10e9, Timeout: 2e9 }],
  }]);
  const task = tasks(group)[0]!;
  strictEqual(task.KillTimeout, 10e9);
  deepStrictEqual(task.Env, { LISTEN_ADDR: "${NOMAD_ADDR_http}" });
  ok(String((task.Config as JsonObject).args).includes("serving on ${NOMAD_PORT_http}"));
});

Deno.test("syntax_error reports the broken line", () => {
  hclError(
    () => parseJob(fixture("syntax_error.nomad.hcl"), { filename: "syntax_error.nomad.hcl" }),
    /^syntax_error\.nomad\.hcl:5:12: Invalid expression; expected the start of an expression, but found a newline$/,
  );
});

Deno.test("every fixture and the init templates are accepted by canonicalizeJob", () => {
  for (const name of ["example.nomad.hcl", "batch_echo.nomad.hcl", "service_http.nomad.hcl"]) {
    const job = canonicalizeJob(parseJob(fixture(name), { filename: name }));
    ok(job.TaskGroups.length > 0, name);
  }
  const batch = canonicalizeJob(parseJob(fixture("batch_echo.nomad.hcl"), { filename: "b" }));
  strictEqual(batch.TaskGroups[0]!.RestartPolicy.Attempts, 0);
  strictEqual(batch.TaskGroups[0]!.RestartPolicy.Interval, 24 * 3600e9);
  for (const short of [true, false]) {
    const job = canonicalizeJob(
      parseJob(jobInitTemplate(short), { filename: "example.nomad.hcl" }),
    );
    strictEqual(job.ID, "example");
    strictEqual(job.TaskGroups[0]!.Name, "cache");
    strictEqual(job.TaskGroups[0]!.Tasks[0]!.Resources.MemoryMB, 256);
    strictEqual(job.TaskGroups[0]!.Networks![0]!.DynamicPorts![0]!.To, 6379);
  }
});

Deno.test("a misspelled argument is reported with position and a suggestion", () => {
  const src = 'job "web" {\n  group "g" {\n    cuont = 3\n  }\n}\n';
  hclError(
    () => parseJob(src, { filename: "web.nomad" }),
    /^web\.nomad:3:5: Unsupported argument; An argument named "cuont" is not expected here\. Did you mean "count"\?$/,
  );
  hclError(
    () => parseJob(wrap("      resources {\n        memroy = 1\n      }"), { filename: "t.nomad" }),
    /t\.nomad:6:9: .*Did you mean "memory"\?/,
  );
  hclError(
    () => parseJob(wrap("      drvier = 1"), { filename: "t.nomad" }),
    /Unsupported argument.*Did you mean "driver"\?/,
  );
  hclError(
    () => parseJob(wrap("      confg {\n      }"), { filename: "t.nomad" }),
    /Unsupported block type; Blocks of type "confg" are not expected here\. Did you mean "config"\?/,
  );
});

Deno.test("a negative count passes through so the server's validation reports it", () => {
  const job = parseJob('job "j" {\n  group "g" {\n    count = -1\n  }\n}\n', { filename: "j" });
  strictEqual(groups(job)[0]!.Count, -1);
});

Deno.test("wrong value types are reported at the value", () => {
  hclError(
    () => parseJob('job "j" {\n  priority = "high"\n}\n', { filename: "j" }),
    /^j:2:14: Incorrect attribute value type; Inappropriate value for attribute "priority": a number is required/,
  );
  hclError(
    () => parseJob('job "j" {\n  update {\n    stagger = "5 minutes"\n  }\n}\n', { filename: "j" }),
    /^j:3:15: Invalid duration/,
  );
});

Deno.test("numbers written as strings convert, as in HCL", () => {
  const job = parseJob(
    'job "j" {\n  group "g" {\n    network {\n      port "lb" {\n        static = "8889"\n      }\n    }\n  }\n}\n',
    { filename: "j" },
  );
  deepStrictEqual(groups(job)[0]!.Networks, [{ ReservedPorts: [{ Label: "lb", Value: 8889 }] }]);
});

Deno.test("constraints decode attribute/operator/value and the shorthand forms", () => {
  const src = [
    'job "j" {',
    "  constraint {",
    '    attribute = "${attr.kernel.name}"',
    '    value     = "linux"',
    "  }",
    "  constraint {",
    "    distinct_hosts = true",
    "  }",
    "  constraint {",
    '    attribute = "${attr.nomad.version}"',
    '    version   = ">= 1.2"',
    "  }",
    "  constraint {",
    '    attribute = "${meta.rack}"',
    '    regexp    = "r[0-9]"',
    "  }",
    "  constraint {",
    '    distinct_property = "${meta.rack}"',
    '    value             = "2"',
    "  }",
    "  constraint {",
    '    attribute    = "${meta.tags}"',
    '    set_contains = "a,b"',
    "  }",
    "  constraint {",
    '    attribute = "${attr.cpu.arch}"',
    '    operator  = "!="',
    '    value     = "arm64"',
    "  }",
    "}",
    "",
  ].join("\n");
  deepStrictEqual(parseJob(src, { filename: "j" }).Constraints, [
    { LTarget: "${attr.kernel.name}", RTarget: "linux" },
    { Operand: "distinct_hosts" },
    { LTarget: "${attr.nomad.version}", Operand: "version", RTarget: ">= 1.2" },
    { LTarget: "${meta.rack}", Operand: "regexp", RTarget: "r[0-9]" },
    { RTarget: "2", Operand: "distinct_property", LTarget: "${meta.rack}" },
    { LTarget: "${meta.tags}", Operand: "set_contains", RTarget: "a,b" },
    { LTarget: "${attr.cpu.arch}", Operand: "!=", RTarget: "arm64" },
  ]);
});

Deno.test("affinities and spreads decode with targets", () => {
  const src = [
    'job "j" {',
    "  affinity {",
    '    attribute = "${node.datacenter}"',
    '    value     = "us-west1"',
    "    weight    = 100",
    "  }",
    "  spread {",
    '    attribute = "${node.datacenter}"',
    "    weight    = 50",
    '    target "us-east1" {',
    "      percent = 60",
    "    }",
    "  }",
    "}",
    "",
  ].join("\n");
  const job = parseJob(src, { filename: "j" });
  deepStrictEqual(job.Affinities, [{
    LTarget: "${node.datacenter}",
    RTarget: "us-west1",
    Weight: 100,
  }]);
  deepStrictEqual(job.Spreads, [{
    Attribute: "${node.datacenter}",
    Weight: 50,
    SpreadTarget: [{ Value: "us-east1", Percent: 60 }],
  }]);
  canonicalizeJob(job);
});

Deno.test("job-level fields, periodic, parameterized and reschedule decode", () => {
  const src = [
    'job "nightly" {',
    '  name        = "Nightly Report"',
    '  region      = "eu"',
    '  namespace   = "ops"',
    "  priority    = 70",
    "  all_at_once = true",
    '  node_pool   = "batch"',
    '  type        = "batch"',
    "  meta {",
    '    owner = "team-a"',
    "    level = 3",
    "  }",
    "  periodic {",
    '    crons            = ["0 2 * * *"]',
    "    prohibit_overlap = true",
    '    time_zone        = "Europe/Berlin"',
    "  }",
    "  parameterized {",
    '    payload       = "required"',
    '    meta_required = ["day"]',
    "  }",
    "  reschedule {",
    "    attempts  = 2",
    '    interval  = "1h"',
    '    delay_function = "constant"',
    "    unlimited = false",
    "  }",
    "}",
    "",
  ].join("\n");
  const job = parseJob(src, { filename: "j" });
  strictEqual(job.Name, "Nightly Report");
  strictEqual(job.Region, "eu");
  strictEqual(job.Namespace, "ops");
  strictEqual(job.Priority, 70);
  strictEqual(job.AllAtOnce, true);
  strictEqual(job.NodePool, "batch");
  deepStrictEqual(job.Meta, { owner: "team-a", level: "3" });
  deepStrictEqual(job.Periodic, {
    SpecType: "cron",
    Specs: ["0 2 * * *"],
    ProhibitOverlap: true,
    TimeZone: "Europe/Berlin",
  });
  deepStrictEqual(job.ParameterizedJob, { Payload: "required", MetaRequired: ["day"] });
  deepStrictEqual(job.Reschedule, {
    Attempts: 2,
    Interval: 3600e9,
    DelayFunction: "constant",
    Unlimited: false,
  });
  const canonical = canonicalizeJob(job);
  strictEqual(canonical.Periodic?.TimeZone, "Europe/Berlin");
});

Deno.test("group stanzas decode: restart, reschedule, ephemeral_disk, update, migrate, scaling, volume, meta", () => {
  const src = [
    'job "j" {',
    '  group "g" {',
    "    count = 2",
    '    meta = { tier = "web" }',
    '    shutdown_delay = "5s"',
    "    restart {",
    "      attempts = 3",
    '      interval = "5m"',
    '      delay    = "10s"',
    '      mode     = "delay"',
    "    }",
    "    reschedule {",
    '      delay     = "30s"',
    '      max_delay = "10m"',
    "    }",
    "    ephemeral_disk {",
    "      size   = 500",
    "      sticky = true",
    "    }",
    "    update {",
    "      canary       = 1",
    "      auto_promote = true",
    "    }",
    "    migrate {",
    "      max_parallel = 2",
    "    }",
    "    scaling {",
    "      min = 1",
    "      max = 5",
    "      policy {",
    '        cooldown = "1m"',
    "      }",
    "    }",
    '    volume "data" {',
    '      type      = "host"',
    '      source    = "data"',
    "      read_only = true",
    "    }",
    '    task "t" {',
    '      driver = "raw_exec"',
    "      volume_mount {",
    '        volume      = "data"',
    '        destination = "/data"',
    "      }",
    "    }",
    "  }",
    "}",
    "",
  ].join("\n");
  const group = groups(parseJob(src, { filename: "j" }))[0]!;
  strictEqual(group.Count, 2);
  deepStrictEqual(group.Meta, { tier: "web" });
  strictEqual(group.ShutdownDelay, 5e9);
  deepStrictEqual(group.RestartPolicy, {
    Attempts: 3,
    Interval: 300e9,
    Delay: 10e9,
    Mode: "delay",
  });
  deepStrictEqual(group.ReschedulePolicy, { Delay: 30e9, MaxDelay: 600e9 });
  deepStrictEqual(group.EphemeralDisk, { SizeMB: 500, Sticky: true });
  deepStrictEqual(group.Update, { Canary: 1, AutoPromote: true });
  deepStrictEqual(group.Migrate, { MaxParallel: 2 });
  deepStrictEqual(group.Scaling, {
    Type: "horizontal",
    Min: 1,
    Max: 5,
    Policy: { cooldown: "1m" },
  });
  deepStrictEqual(group.Volumes, {
    data: { Name: "data", Type: "host", Source: "data", ReadOnly: true },
  });
  deepStrictEqual(tasks(group)[0]!.VolumeMounts, [{ Volume: "data", Destination: "/data" }]);
});

Deno.test("task stanzas decode: env, meta, logs, templates, artifacts, lifecycle, restart, legacy network", () => {
  const body = [
    '      user         = "nobody"',
    '      kill_signal  = "SIGTERM"',
    "      leader       = true",
    "      env = { PORT = 8080, DEBUG = true }",
    "      meta {",
    '        version = "1.0"',
    "      }",
    "      logs {",
    "        max_files     = 3",
    "        max_file_size = 5",
    "      }",
    "      template {",
    "        data = <<-EOF",
    '          addr={{ env "NOMAD_ADDR_http" }}',
    "          dir=${NOMAD_TASK_DIR}",
    "        EOF",
    '        destination = "local/app.conf"',
    '        change_mode = "signal"',
    '        change_signal = "SIGHUP"',
    '        splay = "3s"',
    "        wait {",
    '          min = "2s"',
    '          max = "10s"',
    "        }",
    "      }",
    "      artifact {",
    '        source      = "https://example.com/app.tar.gz"',
    '        destination = "local/app"',
    "        options {",
    '          checksum = "sha256:abc"',
    "        }",
    "      }",
    "      lifecycle {",
    '        hook    = "prestart"',
    "        sidecar = false",
    "      }",
    "      restart {",
    "        attempts = 1",
    "      }",
    "      resources {",
    "        cpu        = 200",
    "        memory     = 128",
    "        memory_max = 256",
    "        cores      = 0",
    "        network {",
    "          mbits = 10",
    '          port "admin" {}',
    "        }",
    '        device "nvidia/gpu" {',
    "          count = 2",
    "        }",
    "      }",
  ].join("\n");
  const task = tasks(groups(parseJob(wrap(body), { filename: "t" }))[0]!)[0]!;
  strictEqual(task.User, "nobody");
  strictEqual(task.KillSignal, "SIGTERM");
  strictEqual(task.Leader, true);
  deepStrictEqual(task.Env, { PORT: "8080", DEBUG: "true" });
  deepStrictEqual(task.Meta, { version: "1.0" });
  deepStrictEqual(task.LogConfig, { MaxFiles: 3, MaxFileSizeMB: 5 });
  deepStrictEqual(task.Templates, [{
    EmbeddedTmpl: 'addr={{ env "NOMAD_ADDR_http" }}\ndir=${NOMAD_TASK_DIR}\n',
    DestPath: "local/app.conf",
    ChangeMode: "signal",
    ChangeSignal: "SIGHUP",
    Splay: 3e9,
    Wait: { Min: 2e9, Max: 10e9 },
  }]);
  deepStrictEqual(task.Artifacts, [{
    GetterSource: "https://example.com/app.tar.gz",
    RelativeDest: "local/app",
    GetterOptions: { checksum: "sha256:abc" },
  }]);
  deepStrictEqual(task.Lifecycle, { Hook: "prestart", Sidecar: false });
  deepStrictEqual(task.RestartPolicy, { Attempts: 1 });
  deepStrictEqual(task.Resources, {
    CPU: 200,
    MemoryMB: 128,
    MemoryMaxMB: 256,
    Cores: 0,
    Networks: [{ MBits: 10, DynamicPorts: [{ Label: "admin", Value: 0 }] }],
    Devices: [{ Name: "nvidia/gpu", Count: 2 }],
  });
});

Deno.test("driver config keeps nested blocks as objects, repeated blocks as lists, and HCL types", () => {
  const body = [
    "      config {",
    '        image = "nginx"',
    "        port_map {",
    "          http = 8080",
    "        }",
    "        mount {",
    '          type = "bind"',
    "        }",
    "        mount {",
    '          type = "tmpfs"',
    "        }",
    "        privileged = false",
    "        memory_hard_limit = 512",
    "      }",
  ].join("\n");
  const task = tasks(groups(parseJob(wrap(body), { filename: "t" }))[0]!)[0]!;
  deepStrictEqual(task.Config, {
    image: "nginx",
    port_map: { http: 8080 },
    mount: [{ type: "bind" }, { type: "tmpfs" }],
    privileged: false,
    memory_hard_limit: 512,
  });
});

Deno.test("blocks Nomad supports but we do not implement yet are accepted", () => {
  const src = [
    'job "j" {',
    "  vault {",
    '    policies = ["read"]',
    "  }",
    '  group "g" {',
    "    consul {",
    '      namespace = "x"',
    "    }",
    "    network {",
    '      mode = "bridge"',
    "    }",
    "    service {",
    '      name = "api"',
    '      port = "9090"',
    "      connect {",
    "        sidecar_service {}",
    "      }",
    "    }",
    '    task "t" {',
    '      driver = "docker"',
    "      identity {",
    "        env = true",
    "      }",
    '      identity "vault_default" {',
    '        aud = ["vault.io"]',
    "      }",
    "      csi_plugin {",
    '        id = "ebs"',
    "      }",
    "    }",
    "  }",
    "}",
    "",
  ].join("\n");
  const job = parseJob(src, { filename: "j" });
  deepStrictEqual(job.Vault, { Policies: ["read"] });
  const group = groups(job)[0]!;
  deepStrictEqual(group.Consul, { Namespace: "x" });
  deepStrictEqual((group.Services as JsonObject[])[0]!.Connect, { SidecarService: {} });
  const task = tasks(group)[0]!;
  deepStrictEqual(task.Identity, { Env: true });
  deepStrictEqual(task.Identities, [{ Name: "vault_default", Aud: ["vault.io"] }]);
  canonicalizeJob(job);
});

// From the seed notes: the first "tetris" job is valid HCL and parses.
const TETRIS = `job "tetris" {
    # ...
    # Specify the datacenters this job can run in
    datacenters = ["dc1"]

    #type of service i.e service,batch etc.
    type = "service"

    constraint {
    attribute = "$[attr.kernel.name}"
    value = "linux"
    }

    update {
    #update job but one task at a time only\`
    max_parallel = 1
    }

    # ...
}
`;

Deno.test("the seed's tetris job with a constraint and update parses", () => {
  const job = parseJob(TETRIS, { filename: "tetris.nomad" });
  deepStrictEqual(job.Constraints, [{ LTarget: "$[attr.kernel.name}", RTarget: "linux" }]);
  deepStrictEqual(job.Update, { MaxParallel: 1 });
  deepStrictEqual(job.TaskGroups, []);
});

const TETRIS_GAMES = (networkLabel: string) =>
  `job "tetris" {
    datacenters = ["dc1"]
    group "games" {
        count = 1

        network ${networkLabel}{
            port "web"{
                to = 80
            }
        }
        task "tetris" {
            driver = "docker"
            config {
                image = "bsord/tetris"
                ports = ["web"]
                auth_soft_fail = true
            }
            resources {
                cpu = 500 # 500MHz
                memory = 256 # 256MB
                network {
                mbits = 10
                }
            }
        }
    }
}
`;

Deno.test("the seed's tetris games job parses once its braces are balanced", () => {
  const job = parseJob(TETRIS_GAMES(""), { filename: "tetris.nomad" });
  const group = groups(job)[0]!;
  deepStrictEqual(group.Networks, [{ DynamicPorts: [{ Label: "web", To: 80, Value: 0 }] }]);
  deepStrictEqual(tasks(group)[0]!.Resources, {
    CPU: 500,
    MemoryMB: 256,
    Networks: [{ MBits: 10 }],
  });
  canonicalizeJob(job);
});

Deno.test("a labeled group network block is rejected, as Nomad does", () => {
  // Decision: Nomad's network block takes no label, so `network "web" {}` from
  // the seed notes is an error here too rather than being silently accepted.
  hclError(
    () => parseJob(TETRIS_GAMES('"web"'), { filename: "tetris.nomad" }),
    /^tetris\.nomad:6:17: Extraneous label for network; No labels are expected for network blocks\.$/,
  );
});

Deno.test("the seed's tetris games job with a missing closing brace is a clear syntax error", () => {
  const unbalanced = TETRIS_GAMES("").replace(/\n {8}\}\n {4}\}\n\}\n$/, "\n    }\n}\n");
  hclError(
    () => parseJob(unbalanced, { filename: "tetris.nomad" }),
    /^tetris\.nomad:1:14: Unclosed configuration block/,
  );
});

Deno.test("dynamic blocks expand inside a job", () => {
  const src = [
    'job "j" {',
    '  group "g" {',
    "    network {",
    '      dynamic "port" {',
    '        for_each = ["http", "grpc"]',
    "        labels   = [port.value]",
    "        content {}",
    "      }",
    "    }",
    "  }",
    "}",
    "",
  ].join("\n");
  deepStrictEqual(groups(parseJob(src, { filename: "j" }))[0]!.Networks, [{
    DynamicPorts: [{ Label: "http", Value: 0 }, { Label: "grpc", Value: 0 }],
  }]);
});

Deno.test("a job written in the old style with a task directly in the job gets its own group", () => {
  const job = parseJob('job "j" {\n  task "t" {\n    driver = "raw_exec"\n  }\n}\n', {
    filename: "j",
  });
  deepStrictEqual(job.TaskGroups, [{ Name: "t", Tasks: [{ Name: "t", Driver: "raw_exec" }] }]);
});

Deno.test("a file without a job block, or with two, is rejected", () => {
  hclError(
    () => parseJob('variable "x" {\n  default = 1\n}\n', { filename: "j" }),
    /Missing job block/,
  );
  hclError(
    () => parseJob('job "a" {\n}\njob "b" {\n}\n', { filename: "j" }),
    /^j:3:1: Duplicate job block/,
  );
});
