/**
 * Bad job files: every error names the file, line and column, says what is
 * wrong and names the offending field. Most positions are the ones Nomad's
 * own parser reports (compared with tests/oracle); the rest point at the
 * quote of a string value or the token that broke the syntax.
 */

import { ok, strictEqual } from "node:assert";
import { HclSyntaxError } from "../src/hcl/mod.ts";
import { parseJob } from "../src/jobspec/mod.ts";

/** A job whose single task has `body` inside it. */
const T = (body: string) => `job "web" {\n  group "g" {\n    task "t" {\n${body}\n    }\n  }\n}\n`;
/** A job whose single group has `body` before its task. */
const G = (body: string) =>
  `job "web" {\n  group "g" {\n${body}\n    task "t" {\n      driver = "raw_exec"\n    }\n  }\n}\n`;

interface BadInput {
  name: string;
  source: string;
  /** "line:column" of the error. */
  at: string;
  summary: string;
  /** Text the message must contain: the offending name, a suggestion. */
  mentions: string[];
}

const CASES: BadInput[] = [
  {
    name: "unclosed_block",
    source: 'job "web" {\n  group "g" {\n    task "t" {\n      driver = "raw_exec"\n    }\n',
    at: "2:13",
    summary: "Unclosed configuration block",
    mentions: ["closing brace"],
  },
  {
    name: "unterminated_string",
    source: T('      driver = "raw_exec\n'),
    at: "4:16",
    summary: "Unterminated template string",
    mentions: ["closing marker"],
  },
  {
    name: "unknown_attribute",
    source: T('      drivr = "raw_exec"'),
    at: "4:7",
    summary: "Unsupported argument",
    mentions: ['"drivr"', 'Did you mean "driver"?'],
  },
  {
    name: "unknown_block",
    source: G('    taks "x" {\n    }'),
    at: "3:5",
    summary: "Unsupported block type",
    mentions: ['"taks"', 'Did you mean "task"?'],
  },
  {
    name: "missing_label",
    source: 'job "web" {\n  group {\n  }\n}\n',
    at: "2:9",
    summary: "Missing name for group",
    mentions: ["group"],
  },
  {
    name: "extra_label",
    source: G('    network "a" "b" {\n    }'),
    at: "3:13",
    summary: "Extraneous label for network",
    mentions: ["network"],
  },
  {
    name: "count_not_number",
    source: G('    count = "many"'),
    at: "3:13",
    summary: "Incorrect attribute value type",
    mentions: ['"count"'],
  },
  {
    name: "priority_list",
    source:
      'job "web" {\n  priority = [1]\n  group "g" {\n    task "t" {\n      driver = "raw_exec"\n    }\n  }\n}\n',
    at: "2:14",
    summary: "Incorrect attribute value type",
    mentions: ['"priority"'],
  },
  {
    name: "duplicate_attribute",
    source: G("    count = 1\n    count = 2"),
    at: "4:5",
    summary: "Attribute redefined",
    mentions: ['"count"'],
  },
  {
    name: "bad_duration",
    source: T('      driver = "raw_exec"\n      kill_timeout = "5 minutes"'),
    at: "5:22",
    summary: "Invalid duration",
    mentions: ['"kill_timeout"'],
  },
  {
    name: "undefined_variable",
    source: G("    count = var.nope"),
    at: "3:16",
    summary: "Unsupported attribute",
    mentions: ['"nope"'],
  },
  {
    name: "undefined_local",
    source: G("    count = local.nope"),
    at: "3:18",
    summary: "Unsupported attribute",
    mentions: ['"nope"'],
  },
  {
    name: "unknown_function",
    source: T('      driver = uper("raw_exec")'),
    at: "4:16",
    summary: "Call to unknown function",
    mentions: ['"uper"', 'Did you mean "upper"?'],
  },
  {
    name: "function_arg_type",
    source: T('      driver = upper(["raw_exec"])'),
    at: "4:22",
    summary: "Invalid function argument",
    mentions: ['"str"'],
  },
  {
    name: "unterminated_heredoc",
    source: T('      driver = "raw_exec"\n      template {\n        data = <<EOF\nhello\n'),
    at: "6:16",
    summary: "Unterminated template string",
    mentions: ['"EOF"'],
  },
  {
    name: "bad_template_directive",
    source: T('      driver = "raw_exec"\n      env {\n        A = "%{ if }x%{ endif }"\n      }'),
    at: "6:20",
    summary: "Invalid expression",
    mentions: ["expression"],
  },
  {
    name: "unmatched_endif",
    source: T('      driver = "raw_exec"\n      env {\n        A = "x%{ endif }"\n      }'),
    at: "6:15",
    summary: "Unexpected template directive",
    mentions: ["endif"],
  },
  {
    name: "variable_validation",
    source:
      'variable "n" {\n  type    = number\n  default = 0\n  validation {\n    condition     = var.n > 0\n    error_message = "The n value must be positive."\n  }\n}\n' +
      G("    count = var.n"),
    at: "5:21",
    summary: "Invalid value for variable",
    mentions: ["The n value must be positive"],
  },
  {
    name: "variable_type_mismatch",
    source: 'variable "n" {\n  type    = number\n  default = "many"\n}\n' + G("    count = var.n"),
    at: "3:13",
    summary: "Invalid default value for variable",
    mentions: ["type constraint"],
  },
  {
    name: "index_out_of_range",
    source: G("    count = [1, 2][5]"),
    at: "3:20",
    summary: "Invalid index",
    mentions: ["collection"],
  },
  {
    name: "unsupported_object_attribute",
    source: G("    count = { a = 1 }.b"),
    at: "3:22",
    summary: "Unsupported attribute",
    mentions: ['"b"'],
  },
  {
    name: "for_over_number",
    source: T(
      '      driver = "raw_exec"\n      meta {\n        x = join(",", [for x in 5 : x])\n      }',
    ),
    at: "6:33",
    summary: "Iteration over non-iterable value",
    mentions: ["'for' expression"],
  },
  {
    name: "condition_not_bool",
    source: G('    count = "yes" ? 1 : 2'),
    at: "3:13",
    summary: "Incorrect condition type",
    mentions: ["bool"],
  },
  {
    name: "invalid_number",
    source: G("    count = 1.2.3"),
    at: "3:17",
    summary: "Invalid index",
    mentions: ["indices"],
  },
  {
    name: "bad_escape",
    source: T('      driver = "raw\\qexec"'),
    at: "4:20",
    summary: "Invalid escape sequence",
    mentions: ['"q"'],
  },
  {
    name: "duplicate_job",
    source: 'job "a" {\n}\njob "b" {\n}\n',
    at: "3:1",
    summary: "Duplicate job block",
    mentions: ["job"],
  },
  {
    name: "block_for_attribute",
    source: T("      driver {\n      }"),
    at: "4:7",
    summary: "Unsupported block type",
    mentions: ['"driver"'],
  },
  {
    name: "attribute_for_block",
    source: T('      driver = "raw_exec"\n      resources = { cpu = 100 }'),
    at: "5:7",
    summary: "Unsupported argument",
    mentions: ['"resources"'],
  },
  {
    name: "dynamic_for_each_number",
    source: T(
      '      driver = "raw_exec"\n      dynamic "artifact" {\n        for_each = 3\n        content {\n          source = "x"\n        }\n      }',
    ),
    at: "6:20",
    summary: "Invalid dynamic for_each value",
    mentions: ["for_each"],
  },
  {
    name: "locals_cycle",
    source: "locals {\n  a = local.b\n  b = local.a\n}\n" + G("    count = 1"),
    at: "2:3",
    summary: "Circular reference",
    mentions: ['"a"'],
  },
  {
    name: "unknown_root_block",
    source: 'jobb "web" {\n}\n',
    at: "1:1",
    summary: "Unsupported block type",
    mentions: ['"jobb"', 'Did you mean "job"?'],
  },
  {
    name: "bad_type_expression",
    source: 'variable "n" {\n  type = lst(string)\n}\n' + G("    count = 1"),
    at: "2:10",
    summary: "Invalid type specification",
    mentions: ["type"],
  },
  {
    name: "unknown_update_field",
    source: G("    update {\n      max_paralel = 2\n    }"),
    at: "4:7",
    summary: "Unsupported argument",
    mentions: ['"max_paralel"', 'Did you mean "max_parallel"?'],
  },
  {
    name: "port_without_label",
    source: G("    network {\n      port {\n      }\n    }"),
    at: "4:12",
    summary: "Missing name for port",
    mentions: ["port"],
  },
  {
    name: "wrong_bool",
    source: T('      driver = "raw_exec"\n      leader = "sometimes"'),
    at: "5:16",
    summary: "Incorrect attribute value type",
    mentions: ['"leader"'],
  },
  {
    name: "unknown_variable_attribute",
    source: 'variable "n" {\n  defualt = 1\n}\n' + G("    count = 1"),
    at: "2:3",
    summary: "Unsupported argument",
    mentions: ['"defualt"', 'Did you mean "default"?'],
  },
  {
    name: "missing_equals",
    source: G("    count 3"),
    at: "3:11",
    summary: "Argument or block definition required",
    mentions: ['"3"'],
  },
  {
    name: "division_by_zero",
    source: G("    count = 1 / 0"),
    at: "3:17",
    summary: "Division by zero",
    mentions: ["zero"],
  },
];

for (const c of CASES) {
  Deno.test(`bad job file: ${c.name} is reported at ${c.at}`, () => {
    let error: unknown;
    try {
      parseJob(c.source, { filename: "bad.nomad.hcl" });
    } catch (e) {
      error = e;
    }
    ok(error instanceof HclSyntaxError, `expected an HclSyntaxError, got ${String(error)}`);
    const prefix = `bad.nomad.hcl:${c.at}: ${c.summary}`;
    strictEqual(error.message.slice(0, prefix.length), prefix, error.message);
    for (const text of c.mentions) ok(error.message.includes(text), error.message);
  });
}

Deno.test("the bad inputs are all different problems", () => {
  ok(CASES.length >= 30);
  strictEqual(new Set(CASES.map((c) => c.source)).size, CASES.length);
});
