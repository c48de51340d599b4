import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { HclSyntaxError } from "../hcl/mod.ts";
import { type AclPolicy, parseAclPolicy } from "./mod.ts";

const FIXTURES = new URL("../../tests/fixtures/acl/", import.meta.url);

/** Fixtures Nomad accepts but we reject on purpose (a misspelled key Nomad drops silently). */
const STRICTER_THAN_NOMAD = new Set(["bad_key_typo.hcl"]);

/** Where each bad fixture must fail, and words the message must contain. */
const EXPECTED_ERRORS: Record<string, [line: number, column: number, text: string]> = {
  "bad_policy_typo.hcl": [2, 12, 'Invalid namespace policy; "wirte" is not a valid policy'],
  "bad_capability_typo.hcl": [3, 33, 'Did you mean "read-job"?'],
  "bad_namespace_name.hcl": [1, 11, '"team_a" is not a valid namespace name'],
  "bad_rule_typo.hcl": [
    1,
    1,
    'Blocks of type "nodee" are not expected in an ACL policy. Did you mean "node"?',
  ],
  "bad_variables_capability.hcl": [4, 23, '"reed" is not a capability of variables path "app/*"'],
  "bad_variables_no_paths.hcl": [3, 3, "has no path blocks"],
  "bad_node_list.hcl": [2, 12, '"list" is not a valid policy for the node rule'],
  "bad_plugin_scale.hcl": [2, 12, '"scale" is not a valid policy for the plugin rule'],
  "bad_host_volume_capability.hcl": [
    2,
    19,
    '"mount" is not a capability of the host_volume "data" rule',
  ],
  "bad_empty.hcl": [1, 1, "Empty ACL policy"],
  "bad_node_missing_policy.hcl": [1, 1, 'The node rule requires "policy"'],
  "bad_json_capability.json": [4, 37, 'Did you mean "submit-job"?'],
  "bad_key_typo.hcl": [
    2,
    3,
    'An argument named "polcy" is not expected in the namespace "default" rule. Did you mean "policy"?',
  ],
  "bad_operator_capability.hcl": [
    2,
    19,
    '"snapshot-restore" is not a capability of the operator rule',
  ],
};

interface NomadOutput {
  Error?: string;
  Policy?: Record<string, unknown>;
}

function fixtureNames(): string[] {
  return [...Deno.readDirSync(FIXTURES)].map((e) => e.name)
    .filter((n) => !n.endsWith(".nomad.json") && (n.endsWith(".hcl") || n.endsWith(".json")))
    .sort();
}

function readFixture(name: string): { source: string; nomad: NomadOutput } {
  const source = Deno.readTextFileSync(new URL(name, FIXTURES));
  const golden = name.replace(/\.(hcl|json)$/, ".nomad.json");
  return { source, nomad: JSON.parse(Deno.readTextFileSync(new URL(golden, FIXTURES))) };
}

/** Nomad's output in our shape: empty lists instead of null, no repeated capabilities. */
function normalizeNomad(policy: Record<string, unknown>): AclPolicy {
  const caps = (list: unknown) => [...new Set((list as string[] | null) ?? [])];
  type Rule = { Name?: string; Policy: string; Capabilities?: string[] | null };
  const named = (list: unknown) =>
    ((list as Rule[] | null) ?? []).map((r) => ({
      Name: r.Name,
      Policy: r.Policy,
      Capabilities: caps(r.Capabilities),
    }));
  const levelOf = (rule: unknown) => rule === null ? null : { Policy: (rule as Rule).Policy };
  const withCaps = (rule: unknown) =>
    rule === null
      ? null
      : { Policy: (rule as Rule).Policy, Capabilities: caps((rule as Rule).Capabilities) };
  type Ns = Rule & {
    Variables: { Paths: { PathSpec: string; Capabilities: string[] | null }[] } | null;
  };
  return {
    Namespaces: ((policy.Namespaces as Ns[] | null) ?? []).map((n) => ({
      Name: n.Name!,
      Policy: n.Policy,
      Capabilities: caps(n.Capabilities),
      Variables: n.Variables === null ? null : {
        Paths: n.Variables.Paths.map((p) => ({
          PathSpec: p.PathSpec,
          Capabilities: caps(p.Capabilities),
        })),
      },
    })),
    NodePools: named(policy.NodePools) as AclPolicy["NodePools"],
    HostVolumes: named(policy.HostVolumes) as AclPolicy["HostVolumes"],
    Agent: levelOf(policy.Agent),
    Node: levelOf(policy.Node),
    Operator: withCaps(policy.Operator),
    Quota: levelOf(policy.Quota),
    Plugin: levelOf(policy.Plugin),
    Sentinel: withCaps(policy.Sentinel),
  };
}

Deno.test("acl fixtures: at least 10 policies Nomad accepts and 8 it rejects", () => {
  const names = fixtureNames();
  const verdicts = names.map((n) => readFixture(n).nomad.Error === undefined);
  ok(verdicts.filter((v) => v).length >= 10);
  ok(names.filter((n) => n.startsWith("bad_")).length >= 8);
});

for (const name of fixtureNames()) {
  const { source, nomad } = readFixture(name);
  if (nomad.Policy !== undefined && !STRICTER_THAN_NOMAD.has(name)) {
    Deno.test(`acl policy ${name} expands exactly as Nomad's parser does`, () => {
      deepStrictEqual(parseAclPolicy(source, name), normalizeNomad(nomad.Policy!));
    });
    continue;
  }
  Deno.test(`acl policy ${name} is rejected with file:line:column and the field`, () => {
    const expected = EXPECTED_ERRORS[name];
    ok(expected !== undefined, `no expected error listed for ${name}`);
    const [line, column, text] = expected;
    throws(() => parseAclPolicy(source, name), (error: unknown) => {
      ok(error instanceof HclSyntaxError, String(error));
      strictEqual(`${error.line}:${error.column}`, `${line}:${column}`, error.message);
      ok(error.message.startsWith(`${name}:${line}:${column}: `), error.message);
      ok(error.message.includes(text), error.message);
      return true;
    });
  });
}

Deno.test("acl namespace write grants everything read grants", () => {
  const policy = parseAclPolicy(
    'namespace "a" {\n  policy = "write"\n}\nnamespace "b" {\n  policy = "read"\n}\n',
  );
  const [write, read] = policy.Namespaces;
  ok(read!.Capabilities.every((c) => write!.Capabilities.includes(c)));
  strictEqual(new Set(write!.Capabilities).size, write!.Capabilities.length);
});

Deno.test("acl variables read capability also allows list", () => {
  const policy = parseAclPolicy(
    'namespace "a" {\n  variables {\n    path "x/*" {\n      capabilities = ["read"]\n    }\n  }\n}\n',
  );
  deepStrictEqual(policy.Namespaces[0]!.Variables, {
    Paths: [{ PathSpec: "x/*", Capabilities: ["read", "list"] }],
  });
});

Deno.test("acl rejects a capabilities value that is not a list of strings", () => {
  throws(
    () => parseAclPolicy('namespace "a" {\n  capabilities = "read-job"\n}\n', "p.hcl"),
    /p\.hcl:2:18: Incorrect attribute value type; .*"capabilities": a list of strings/,
  );
});

Deno.test("acl rejects a second node block and an oversized document", () => {
  throws(
    () => parseAclPolicy('node {\n  policy = "read"\n}\nnode {\n  policy = "write"\n}\n', "p.hcl"),
    /p\.hcl:4:1: Duplicate node block/,
  );
  throws(() => parseAclPolicy(`# ${"x".repeat(70_000)}\n`), RangeError);
});

Deno.test("acl JSON syntax errors carry a position", () => {
  throws(
    () => parseAclPolicy('{\n  "node": {"policy": "read",}\n}\n', "p.json"),
    /p\.json:2:29: Invalid JSON/,
  );
});
