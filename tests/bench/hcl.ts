/**
 * `deno task bench hcl`: parse + decode time of a 1,000-line job file
 * (variables, locals, groups with services, checks, templates, constraints,
 * for expressions and function calls). Target: ≤ 20 ms per parse.
 */

import { parseJob } from "../../src/jobspec/mod.ts";

/** A realistic job file of at least `minLines` lines. */
export function bigJobFile(minLines: number): string {
  const head = [
    'variable "image_tag" {',
    "  type    = string",
    '  default = "1.2.3"',
    "}",
    "",
    'variable "regions" {',
    "  type    = list(string)",
    '  default = ["eu-west", "us-east", "ap-south"]',
    "}",
    "",
    "locals {",
    "  labels = { for r in var.regions : r => upper(r) }",
    '  tag    = "v${var.image_tag}"',
    "}",
    "",
    'job "big" {',
    '  datacenters = ["dc1", "dc2"]',
    '  type        = "service"',
    "",
  ];
  const lines = [...head];
  for (let g = 0; lines.length < minLines - 2; g++) {
    lines.push(
      `  group "g${g}" {`,
      `    count = ${(g % 3) + 1}`,
      "",
      "    network {",
      '      port "http" {}',
      `      port "admin" { static = ${20000 + g} }`,
      "    }",
      "",
      "    constraint {",
      '      attribute = "${attr.kernel.name}"',
      '      value     = "linux"',
      "    }",
      "",
      "    restart {",
      "      attempts = 3",
      '      interval = "5m"',
      '      delay    = "15s"',
      '      mode     = "delay"',
      "    }",
      "",
      "    service {",
      `      name = "svc-${g}"`,
      '      port = "http"',
      '      tags = [for r in var.regions : "region-${r}"]',
      '      provider = "nomad"',
      "",
      "      check {",
      '        type     = "http"',
      '        path     = "/health"',
      '        interval = "10s"',
      '        timeout  = "2s"',
      "      }",
      "    }",
      "",
      `    task "t${g}" {`,
      '      driver = "raw_exec"',
      "",
      "      config {",
      '        command = "/bin/sh"',
      `        args    = ["-c", "echo ${"$"}{NOMAD_TASK_NAME} ${g} && sleep 3600"]`,
      "      }",
      "",
      "      env {",
      "        TAG    = local.tag",
      `        INDEX  = "${g}"`,
      '        REGION = join(",", var.regions)',
      "      }",
      "",
      "      template {",
      "        data        = <<EOF",
      '{{ range nomadService "svc" }}{{ .Address }}:{{ .Port }}{{ end }}',
      "EOF",
      '        destination = "local/upstreams.txt"',
      '        change_mode = "restart"',
      "      }",
      "",
      "      resources {",
      `        cpu    = ${100 + g}`,
      "        memory = 128",
      "      }",
      "    }",
      "  }",
      "",
    );
  }
  lines.push("}", "");
  return lines.join("\n");
}

/** Runs the benchmark and prints its figures. */
export function benchHcl(): Promise<void> {
  const source = bigJobFile(1000);
  const lineCount = source.split("\n").length - 1;
  const parse = () => parseJob(source, { filename: "big.nomad.hcl" });
  let t = performance.now();
  const job = parse();
  const cold = performance.now() - t;
  for (let i = 0; i < 20; i++) parse();
  const runs: number[] = [];
  for (let i = 0; i < 100; i++) {
    t = performance.now();
    parse();
    runs.push(performance.now() - t);
  }
  runs.sort((a, b) => a - b);
  const groups = (job.TaskGroups as unknown[]).length;
  const ms = (n: number) => `${n.toFixed(2)} ms`;
  console.log(`hcl: ${lineCount}-line job file, ${groups} groups, parse + decode`);
  console.log(`  first parse (cold JIT): ${ms(cold)}`);
  console.log(
    `  warm, 100 runs: p50 ${ms(runs[49]!)}  p90 ${ms(runs[89]!)}  max ${ms(runs[99]!)}`,
  );
  console.log(`  target ≤ 20 ms (p50): ratio ${(runs[49]! / 20).toFixed(2)}`);
  return Promise.resolve();
}
