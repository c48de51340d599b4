/**
 * Behaviour of parseJob beyond the corpus: errors, warnings and the decoding
 * rules the goldens in tests/fixtures/jobspecs pin down field by field.
 */

import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { canonicalizeJob } from "../structs/canonicalize.ts";
import type { JsonObject } from "../structs/decode.ts";
import { HclSyntaxError } from "../hcl/mod.ts";
import { jobInitTemplate, parseJob } from "./mod.ts";

// Fixtures are read by the test (the parser itself never touches the file system).
const fixture = (name: string) =>
  Deno.readTextFileSync(new URL(`../../tests/fixtures/jobspecs/${name}`, import.meta.url));

const groups = (job: JsonObject) => job.TaskGroups as JsonObject[];
const tasks = (group: JsonObject) => group.Tasks as JsonObject[];

/** The value without null, "", 0, false and empty fields: what a job file set. */
function setFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(setFields);
  if (typeof value !== "object" || value === null) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    const kept = setFields(v);
    const empty = kept === null || kept === "" || kept === 0 || kept === false ||
      (Array.isArray(kept) && kept.length === 0);
    if (!empty) out[k] = kept;
  }
  return out;
}

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

Deno.test("parsed jobs have every api.Job field, unset ones null", () => {
  const job = parseJob(fixture("example.nomad.hcl"), { filename: "example.nomad.hcl" });
  strictEqual(job.ID, "example");
  strictEqual(job.Region, null);
  strictEqual(job.Priority, null);
  deepStrictEqual(Object.keys(job).slice(0, 4), ["Region", "Namespace", "ID", "Name"]);
  const task = tasks(groups(job)[0]!)[0]!;
  deepStrictEqual(setFields(task.Resources), { CPU: 500, MemoryMB: 256 });
});

Deno.test("syntax_error reports the broken line", () => {
  hclError(
    () =>
      parseJob(fixture("../errors/syntax_error.nomad.hcl"), { filename: "syntax_error.nomad.hcl" }),
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
    () => parseJob(wrap("      confg {\n      }"), { filename: "t.nomad" }),
    /^t\.nomad:5:7: Unsupported block type; Blocks of type "confg" are not expected here\. Did you mean "config"\?$/,
  );
  hclError(
    () => parseJob(wrap('      config = { image = "x" }'), { filename: "t.nomad" }),
    /Did you mean to define a block of type "config"\?/,
  );
});

/** [stanza body placed in a task, misspelled name, the suggestion]. */
const TYPOS: ReadonlyArray<readonly [string, string, string]> = [
  ["resources {\n memroy = 1\n}", "memroy", "memory"],
  ['resources {\n device "gpu" {\n cuont = 1\n }\n}', "cuont", "count"],
  ['resources {\n numa {\n afinity = "none"\n }\n}', "afinity", "affinity"],
  ["logs {\n max_file = 1\n}", "max_file", "max_files"],
  ['template {\n destinaton = "x"\n}', "destinaton", "destination"],
  ['template {\n wait {\n mn = "1s"\n }\n}', "mn", "min"],
  ['template {\n change_script {\n comand = "x"\n }\n}', "comand", "command"],
  ['artifact {\n sorce = "x"\n}', "sorce", "source"],
  ['lifecycle {\n hok = "prestart"\n}', "hok", "hook"],
  ["restart {\n atempts = 1\n}", "atempts", "attempts"],
  ["vault {\n polices = []\n}", "polices", "policies"],
  ['consul {\n namepace = "x"\n}', "namepace", "namespace"],
  ['identity {\n aud = []\n tll = "1h"\n}', "tll", "ttl"],
  ['csi_plugin {\n mount_di = "/csi"\n}', "mount_di", "mount_dir"],
  ['volume_mount {\n volum = "x"\n}', "volum", "volume"],
  ['dispatch_payload {\n fil = "x"\n}', "fil", "file"],
  ['constraint {\n atribute = "x"\n}', "atribute", "attribute"],
  ["affinity {\n wieght = 1\n}", "wieght", "weight"],
  ['service {\n prot = "x"\n}', "prot", "port"],
  ['service {\n check {\n intervl = "1s"\n }\n}', "intervl", "interval"],
  ["service {\n check {\n check_restart {\n limt = 1\n }\n }\n}", "limt", "limit"],
  ["service {\n connect {\n sidecar_servce {}\n }\n}", "sidecar_servce", "sidecar_service"],
  ['scaling "cpu" {\n mx = 1\n}', "mx", "max"],
  ['action "a" {\n command = "x"\n arg = []\n}', "arg", "args"],
  ['kill_timout = "1s"', "kill_timout", "kill_timeout"],
];

Deno.test("unknown names in every task stanza are errors with a suggestion", () => {
  for (const [body, typo, suggestion] of TYPOS) {
    const pattern = new RegExp(
      `^t\\.nomad:\\d+:\\d+: Unsupported (argument|block type); .*"${typo}" .*Did you mean "${suggestion}"\\?$`,
    );
    hclError(() => parseJob(wrap(body), { filename: "t.nomad" }), pattern);
  }
});

Deno.test("unknown names in job and group stanzas are errors with a suggestion", () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ['  periodic {\n    cronn = "x"\n  }', "cron"],
    ['  parameterized {\n    payloadd = "x"\n  }', "payload"],
    ["  update {\n    canery = 1\n  }", "canary"],
    ["  migrate {\n    max_paralel = 1\n  }", "max_parallel"],
    ["  reschedule {\n    unlimted = true\n  }", "unlimited"],
    ['  spread {\n    atribute = "x"\n  }', "attribute"],
    ['  ui {\n    descripton = "x"\n  }', "description"],
    ["  multiregion {\n    stratgy {}\n  }", "strategy"],
    ['  datacenter = ["dc1"]', "datacenters"],
    ['  group "g" {\n    ephemeral_disk {\n      sise = 1\n    }\n  }', "size"],
    ['  group "g" {\n    disconnect {\n      lost_afer = "1h"\n    }\n  }', "lost_after"],
    [
      '  group "g" {\n    network {\n      port "p" {\n        statc = 1\n      }\n    }\n  }',
      "static",
    ],
    [
      '  group "g" {\n    network {\n      dns {\n        server = []\n      }\n    }\n  }',
      "servers",
    ],
    ['  group "g" {\n    volume "v" {\n      sorce = "x"\n    }\n  }', "source"],
    ['  group "g" {\n    scaling {\n      mn = 1\n    }\n  }', "min"],
  ];
  for (const [body, suggestion] of cases) {
    hclError(
      () => parseJob(`job "j" {\n${body}\n}\n`, { filename: "j.nomad" }),
      new RegExp(`^j\\.nomad:\\d+:\\d+: .*Did you mean "${suggestion}"\\?$`),
    );
  }
});

Deno.test("stanzas this agent does not run are decoded and warned about once per kind", () => {
  const warnings: string[] = [];
  const job = parseJob(
    wrap(
      '      vault {\n        role = "app"\n      }\n      identity {\n        env = true\n      }',
    ),
    { filename: "t.nomad", onWarning: (w) => warnings.push(w) },
  );
  const task = tasks(groups(job)[0]!)[0]!;
  strictEqual((task.Vault as JsonObject).Role, "app");
  strictEqual((task.Identity as JsonObject).Env, true);
  deepStrictEqual(warnings, [
    "The vault block is accepted but not supported by this agent; it is ignored.",
    "The identity block is accepted but not supported by this agent; it is ignored.",
  ]);
  const twice: string[] = [];
  parseJob(
    `job "j" {\n  group "a" {\n    consul {}\n  }\n  group "b" {\n    consul {}\n  }\n}\n`,
    { filename: "j", onWarning: (w) => twice.push(w) },
  );
  strictEqual(twice.length, 1);
  const none: string[] = [];
  parseJob(fixture("example.nomad.hcl"), { filename: "e", onWarning: (w) => none.push(w) });
  deepStrictEqual(none, []);
});

Deno.test("blocks that may appear once, and required arguments, are checked", () => {
  hclError(
    () => parseJob('job "j" {\n  update {}\n  update {}\n}\n', { filename: "j" }),
    /^j:3:3: Duplicate update block; Only one update block is allowed\. Another was defined at j:2,3-9\.$/,
  );
  hclError(
    () => parseJob('job "j" {\n  meta { a = "1" }\n  meta = { b = "2" }\n}\n', { filename: "j" }),
    /^j:2:3: Duplicate meta block/,
  );
  hclError(
    () => parseJob(wrap("      lifecycle {\n      }"), { filename: "t" }),
    /^t:5:17: Missing required argument; The argument "hook" is required/,
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
  hclError(
    () => parseJob('job "j" {\n  meta {\n    a = null\n  }\n}\n', { filename: "j" }),
    /^j:3:9: Unsuitable value type; Unsuitable value: null value is not allowed$/,
  );
});

Deno.test("numbers written as strings convert, and a static port is reserved", () => {
  const job = parseJob(
    'job "j" {\n  group "g" {\n    network {\n      port "lb" {\n        static = "8889"\n      }\n    }\n  }\n}\n',
    { filename: "j" },
  );
  deepStrictEqual(setFields(groups(job)[0]!.Networks), [{
    ReservedPorts: [{ Label: "lb", Value: 8889 }],
  }]);
});

Deno.test("constraint shorthands set the operator; '=' is the default", () => {
  const job = parseJob(
    'job "j" {\n  constraint {\n    distinct_hosts = true\n  }\n  constraint {\n    attribute = "a"\n    regexp = "^x"\n  }\n  constraint {\n    attribute = "b"\n    value = "c"\n  }\n}\n',
    { filename: "j" },
  );
  deepStrictEqual(job.Constraints, [
    { LTarget: "", RTarget: "true", Operand: "distinct_hosts" },
    { LTarget: "a", RTarget: "^x", Operand: "regexp" },
    { LTarget: "b", RTarget: "c", Operand: "=" },
  ]);
});

Deno.test("driver config turns blocks and object attributes into lists of maps", () => {
  const job = parseJob(
    wrap(
      '      config {\n        image = "x"\n        labels = { a = "b" }\n        gone = null\n        mount {\n          type = "bind"\n        }\n        plugin "p" {\n          v = 1\n        }\n      }',
    ),
    { filename: "t" },
  );
  deepStrictEqual(tasks(groups(job)[0]!)[0]!.Config, {
    image: "x",
    labels: [{ a: "b" }],
    mount: [{ type: "bind" }],
    plugin: [{ p: [{ v: 1 }] }],
  });
});

Deno.test("the seed's tetris games job with a labeled network is rejected, as Nomad does", () => {
  const src =
    'job "tetris" {\n  group "games" {\n    network "web" {\n      port "web" {\n        to = 80\n      }\n    }\n  }\n}\n';
  hclError(
    () => parseJob(src, { filename: "tetris.nomad" }),
    /^tetris\.nomad:3:13: Extraneous label for network; No labels are expected for network blocks\.$/,
  );
});

Deno.test("a missing closing brace is a clear syntax error", () => {
  hclError(
    () =>
      parseJob('job "tetris" {\n  group "games" {\n    count = 1\n}\n', { filename: "t.nomad" }),
    /^t\.nomad:1:14: Unclosed configuration block/,
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
  deepStrictEqual(setFields(groups(parseJob(src, { filename: "j" }))[0]!.Networks), [{
    DynamicPorts: [{ Label: "http" }, { Label: "grpc" }],
  }]);
});

Deno.test("a job written in the old style with a task directly in the job gets its own group", () => {
  const job = parseJob('job "j" {\n  task "t" {\n    driver = "raw_exec"\n  }\n}\n', {
    filename: "j",
  });
  deepStrictEqual(setFields(job.TaskGroups), [{
    Name: "t",
    Tasks: [{ Name: "t", Driver: "raw_exec" }],
  }]);
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
