import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import type { JsonObject } from "../structs/decode.ts";
import { HclSyntaxError } from "../hcl/mod.ts";
import { JobspecError, parseJob, type ParseJobOptions } from "./mod.ts";

const JOB = `
variable "image" {
  type        = string
  default     = "redis:6"
  description = "The image to run"
}

variable "replicas" {
  type    = number
  default = 1
}

variable "ports" {
  type    = list(string)
  default = ["db"]
}

locals {
  name  = "cache-\${local.env}"
  env   = "prod"
  tags  = concat(var.ports, ["extra"])
}

job "example" {
  group "cache" {
    count = var.replicas

    task "redis" {
      driver = "docker"

      config {
        image = var.image
        ports = var.ports
        args  = ["--name", local.name, "--dir", "\${NOMAD_ALLOC_DIR}"]
      }

      meta {
        tags = join(",", local.tags)
      }
    }
  }
}
`;

function config(options: Partial<ParseJobOptions> = {}): JsonObject {
  const job = parseJob(JOB, { filename: "vars.nomad.hcl", ...options });
  const group = (job.TaskGroups as JsonObject[])[0]!;
  const task = (group.Tasks as JsonObject[])[0]!;
  return { count: group.Count, ...(task.Config as JsonObject), meta: task.Meta };
}

Deno.test("variables use their defaults and locals resolve in dependency order", () => {
  deepStrictEqual(config(), {
    count: 1,
    image: "redis:6",
    ports: ["db"],
    args: ["--name", "cache-prod", "--dir", "${NOMAD_ALLOC_DIR}"],
    meta: { tags: "db,extra" },
  });
});

Deno.test("variable precedence is default < NOMAD_VAR_ env < var files < -var", () => {
  const env = { NOMAD_VAR_image: "redis:env", NOMAD_VAR_replicas: "2", PATH: "/bin" };
  strictEqual(config({ env }).image, "redis:env");
  strictEqual(config({ env }).count, 2);
  const varFiles = [
    { filename: "a.vars", source: 'image = "redis:file-a"\nreplicas = 4\n' },
    { filename: "b.vars.json", source: '{"image": "redis:file-b"}' },
  ];
  strictEqual(config({ env, varFiles }).image, "redis:file-b");
  strictEqual(config({ env, varFiles }).count, 4);
  strictEqual(config({ env, varFiles, variables: { image: "redis:cli" } }).image, "redis:cli");
});

Deno.test("-var and env values convert to the declared type; complex types use HCL syntax", () => {
  strictEqual(config({ variables: { replicas: "5" } }).count, 5);
  deepStrictEqual(config({ variables: { ports: '["a", "b"]' } }).ports, ["a", "b"]);
  deepStrictEqual(config({ env: { NOMAD_VAR_ports: '["c"]' } }).ports, ["c"]);
});

Deno.test("an undeclared -var is a clear error", () => {
  throws(
    () => config({ variables: { imgae: "x" } }),
    (e: unknown) =>
      e instanceof JobspecError &&
      e.message.startsWith(
        'Undefined -var variable: A "imgae" variable was passed in the command line but was not found in known variables.',
      ),
  );
});

Deno.test("an undeclared variable in a var file is reported at its line", () => {
  throws(
    () => config({ varFiles: [{ filename: "bad.vars", source: 'image = "x"\nreplica = 2\n' }] }),
    /^HclSyntaxError: bad\.vars:2:1: Undefined variable; A "replica" variable was set but was not found/,
  );
});

Deno.test("a -var value of the wrong type is a clear error", () => {
  throws(
    () => config({ variables: { replicas: "many" } }),
    /Invalid argument value for -var variable; The received arg value for replicas is not compatible with the variable's type constraint: a number is required\./,
  );
});

Deno.test("a variable without default and value is reported at its declaration", () => {
  const src = 'variable "image" {\n  type = string\n}\njob "j" {\n}\n';
  throws(
    () => parseJob(src, { filename: "j.hcl" }),
    (e: unknown) =>
      e instanceof HclSyntaxError &&
      e.message.startsWith(
        'j.hcl:1:1: Unset variable "image"; A used variable must be set or have a default value',
      ),
  );
  const used =
    'variable "image" {\n  type = string\n}\njob "j" {\n  datacenters = [var.image]\n}\n';
  const job = parseJob(used, { filename: "j.hcl", variables: { image: "dc9" } });
  deepStrictEqual(job.Datacenters, ["dc9"]);
});

Deno.test("an untyped variable takes -var values as strings", () => {
  const job = parseJob('variable "n" {}\njob "j" {\n  meta {\n    n = var.n\n  }\n}\n', {
    filename: "j",
    variables: { n: "007" },
  });
  deepStrictEqual(job.Meta, { n: "007" });
});

Deno.test("a variables block declares variables with defaults", () => {
  const job = parseJob('variables {\n  dc = "east"\n}\njob "j" {\n  datacenters = [var.dc]\n}\n', {
    filename: "j",
  });
  deepStrictEqual(job.Datacenters, ["east"]);
});

Deno.test("validation blocks reject bad values with their message", () => {
  const src = [
    'variable "replicas" {',
    "  type = number",
    "  default = 1",
    "  validation {",
    "    condition     = var.replicas > 0",
    '    error_message = "Replicas must be positive."',
    "  }",
    "}",
    'job "j" {',
    "}",
    "",
  ].join("\n");
  parseJob(src, { filename: "v.hcl" });
  throws(
    () => parseJob(src, { filename: "v.hcl", variables: { replicas: "0" } }),
    /^HclSyntaxError: v\.hcl:5:21: Invalid value for variable; Replicas must be positive\./,
  );
});

Deno.test("a default of the wrong type is reported at the default", () => {
  throws(
    () =>
      parseJob('variable "n" {\n  type = number\n  default = "x"\n}\njob "j" {\n}\n', {
        filename: "d.hcl",
      }),
    /^HclSyntaxError: d\.hcl:3:13: Invalid default value for variable; This default value is not compatible with the variable's type constraint: a number is required\./,
  );
});

Deno.test("referencing an undeclared variable or local is an error with its position", () => {
  throws(
    () => parseJob('job "j" {\n  region = var.nope\n}\n', { filename: "r.hcl" }),
    /^HclSyntaxError: r\.hcl:2:15: Unsupported attribute; This object does not have an attribute named "nope"/,
  );
  throws(
    () =>
      parseJob('locals {\n  a = local.b\n  b = local.a\n}\njob "j" {\n}\n', { filename: "c.hcl" }),
    /Circular reference/,
  );
});

Deno.test("duplicate variable declarations are rejected", () => {
  throws(
    () =>
      parseJob(
        'variable "a" {\n  default = 1\n}\nvariable "a" {\n  default = 2\n}\njob "j" {\n}\n',
        { filename: "d.hcl" },
      ),
    /^HclSyntaxError: d\.hcl:4:1: Duplicate variable declaration/,
  );
});

const TYPED = `
variable "ports" {
  default = [80]
}
variable "n" {
  default = 1
}
variable "note" {
  default = "x"
}
job "j" {
  meta {
    ports = jsonencode(var.ports)
    n     = jsonencode(var.n)
    note  = var.note
  }
}
`;

Deno.test("a default without a type gives the variable the default's type", () => {
  const job = parseJob(TYPED, {
    filename: "t.hcl",
    variables: { ports: "[8080]", n: "7" },
  });
  deepStrictEqual(job.Meta, { ports: "[8080]", n: "7", note: "x" });
  throws(
    () => parseJob(TYPED, { filename: "t.hcl", variables: { ports: "[1, 2]" } }),
    /The received arg value for ports is not compatible with the variable's type constraint: tuple required\./,
  );
});

Deno.test("JSON variable files take strings literally; HCL ones reject functions", () => {
  const job = parseJob(TYPED, {
    filename: "t.hcl",
    varFiles: [{ filename: "v.json", source: '{"note": "${not.a.ref}", "n": "3"}' }],
  });
  deepStrictEqual(job.Meta, { ports: "[80]", n: "3", note: "${not.a.ref}" });
  throws(
    () =>
      parseJob(TYPED, {
        filename: "t.hcl",
        varFiles: [{ filename: "v.hcl", source: 'note = upper("x")\n' }],
      }),
    /v\.hcl:1:8: Function calls not allowed/,
  );
});

Deno.test("Nomad's variable blocks take exact types and no sensitive or nullable", () => {
  const job = (body: string) => `variable "v" {\n${body}\n}\njob "j" {\n}\n`;
  throws(
    () =>
      parseJob(job("  type = object({ a = optional(string) })\n  default = {}"), {
        filename: "o.hcl",
      }),
    /Optional attribute modifier is only for type constraints/,
  );
  throws(
    () => parseJob(job('  type = any\n  default = "x"'), { filename: "a.hcl" }),
    /The keyword "any" cannot be used in this type specification/,
  );
  throws(
    () => parseJob(job('  sensitive = true\n  default = "x"'), { filename: "s.hcl" }),
    /Unsupported argument; An argument named "sensitive" is not expected here/,
  );
});

Deno.test("a job in HCL's JSON syntax declares and uses variables", () => {
  const src = JSON.stringify({
    variable: { dc: { type: "list(string)", default: ["east"] } },
    locals: { first: "${var.dc[0]}" },
    job: { j: { datacenters: "${var.dc}", meta: { first: "${local.first}" } } },
  });
  const job = parseJob(src, { filename: "j.nomad.json", variables: { dc: '["west"]' } });
  deepStrictEqual(job.Datacenters, ["west"]);
  deepStrictEqual(job.Meta, { first: "west" });
});
