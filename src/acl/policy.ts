/**
 * ACL policy documents (HCL or JSON) → a typed {@linkcode AclPolicy} with every
 * `policy = "..."` shorthand expanded into capabilities, as Nomad does. Pure.
 *
 * Field names are Nomad's (`Namespaces`, `Capabilities`, `PathSpec`) so the
 * result compares directly with what Nomad's own parser produces. Two
 * deliberate differences: capability lists never repeat an entry (Nomad's
 * `write` expansion lists `host-volume-read` twice), and a misspelled key
 * inside a rule is an error with a suggestion where Nomad silently drops it.
 */

import { didYouMean, HclSyntaxError, type Range } from "../hcl/core.ts";
import {
  type LabelSchema,
  type Located,
  parseSection,
  type Section,
  type SectionBlock,
} from "./_section.ts";

/** A coarse-grained disposition written as `policy = "..."`. */
export type PolicyDisposition = "read" | "write" | "deny" | "scale" | "list";

/** A `namespace "<glob>" {}` rule. */
export interface NamespacePolicy {
  readonly Name: string;
  /** "" when only capabilities were given. */
  readonly Policy: string;
  readonly Capabilities: readonly string[];
  readonly Variables: VariablesPolicy | null;
}

/** The `variables {}` block of a namespace rule. */
export interface VariablesPolicy {
  readonly Paths: readonly VariablesPathPolicy[];
}

/** A `path "<glob>" { capabilities = [...] }` rule for variables. */
export interface VariablesPathPolicy {
  readonly PathSpec: string;
  readonly Capabilities: readonly string[];
}

/** A labeled rule with policy and capabilities: `host_volume "x" {}`, `node_pool "x" {}`. */
export interface NamedCapabilityPolicy {
  readonly Name: string;
  readonly Policy: string;
  readonly Capabilities: readonly string[];
}

/** An unlabeled rule with only a policy: `agent`, `node`, `quota`, `plugin`. */
export interface LevelPolicy {
  readonly Policy: string;
}

/** An unlabeled rule with policy and capabilities: `operator`, `sentinel`. */
export interface CapabilityPolicy {
  readonly Policy: string;
  readonly Capabilities: readonly string[];
}

/** A whole ACL policy document. */
export interface AclPolicy {
  readonly Namespaces: readonly NamespacePolicy[];
  readonly NodePools: readonly NamedCapabilityPolicy[];
  readonly HostVolumes: readonly NamedCapabilityPolicy[];
  readonly Agent: LevelPolicy | null;
  readonly Node: LevelPolicy | null;
  readonly Operator: CapabilityPolicy | null;
  readonly Quota: LevelPolicy | null;
  readonly Plugin: LevelPolicy | null;
  readonly Sentinel: CapabilityPolicy | null;
}

/** Policies longer than this are refused (Nomad stores rules in Raft; keep entries small). */
export const MAX_POLICY_BYTES = 64 * 1024;

const READ_NAMESPACE = [
  "list-jobs",
  "parse-job",
  "read-job",
  "csi-list-volume",
  "csi-read-volume",
  "read-job-scaling",
  "list-scaling-policies",
  "read-scaling-policy",
  "host-volume-read",
] as const;

/** What each namespace `policy` grants, in the order Nomad lists it. */
export const NAMESPACE_POLICY_CAPABILITIES: Readonly<Record<string, readonly string[]>> = {
  deny: ["deny"],
  read: READ_NAMESPACE,
  write: [
    ...READ_NAMESPACE,
    "scale-job",
    "submit-job",
    "dispatch-job",
    "read-logs",
    "read-fs",
    "alloc-exec",
    "alloc-lifecycle",
    "csi-mount-volume",
    "csi-write-volume",
    "submit-recommendation",
    "host-volume-create",
  ],
  scale: [
    "list-scaling-policies",
    "read-scaling-policy",
    "read-job-scaling",
    "scale-job",
    "read-job",
    "submit-recommendation",
  ],
};

/** Every capability a namespace rule may list. */
export const NAMESPACE_CAPABILITIES: readonly string[] = [
  "deny",
  "list-jobs",
  "parse-job",
  "read-job",
  "submit-job",
  "dispatch-job",
  "read-logs",
  "read-fs",
  "alloc-exec",
  "alloc-node-exec",
  "alloc-lifecycle",
  "sentinel-override",
  "csi-register-plugin",
  "csi-write-volume",
  "csi-read-volume",
  "csi-list-volume",
  "csi-mount-volume",
  "list-scaling-policies",
  "read-scaling-policy",
  "read-job-scaling",
  "scale-job",
  "submit-recommendation",
  "host-volume-create",
  "host-volume-register",
  "host-volume-read",
  "host-volume-write",
  "host-volume-delete",
];

/**
 * Namespace capabilities that imply others (appended after the listed ones):
 * managing host volumes includes reading them.
 */
export const NAMESPACE_IMPLIED_CAPABILITIES: Readonly<Record<string, readonly string[]>> = {
  "host-volume-create": ["host-volume-read"],
  "host-volume-register": ["host-volume-create", "host-volume-read"],
  "host-volume-write": [
    "host-volume-register",
    "host-volume-create",
    "host-volume-delete",
    "host-volume-read",
  ],
};

/** The capabilities a variables path rule may list. */
export const VARIABLES_CAPABILITIES: readonly string[] = [
  "read",
  "write",
  "list",
  "destroy",
  "deny",
];

/** Variables capabilities that imply others: `read` also allows listing. */
const VARIABLES_IMPLIED_CAPABILITIES: Readonly<Record<string, readonly string[]>> = {
  read: ["list"],
};

/** How one kind of rule is checked and expanded. */
interface RuleKind {
  /** What the rule is called in messages, e.g. "namespace". */
  readonly noun: string;
  readonly policies: readonly string[];
  readonly policyRequired: boolean;
  /** null: the rule takes no `capabilities`. */
  readonly capabilities: readonly string[] | null;
  readonly expansion: Readonly<Record<string, readonly string[]>>;
  /** Capabilities that bring others with them. */
  readonly implied?: Readonly<Record<string, readonly string[]>>;
}

const LEVELS = ["read", "write", "deny", "scale"] as const;

const KINDS = {
  namespace: {
    noun: "namespace",
    policies: ["read", "write", "scale", "deny"],
    policyRequired: false,
    capabilities: NAMESPACE_CAPABILITIES,
    expansion: NAMESPACE_POLICY_CAPABILITIES,
    implied: NAMESPACE_IMPLIED_CAPABILITIES,
  },
  host_volume: {
    noun: "host volume",
    policies: LEVELS,
    policyRequired: false,
    capabilities: ["deny", "mount-readonly", "mount-readwrite"],
    expansion: {
      deny: ["deny"],
      read: ["mount-readonly"],
      write: ["mount-readonly", "mount-readwrite"],
    },
  },
  node_pool: {
    noun: "node pool",
    policies: LEVELS,
    policyRequired: false,
    capabilities: ["deny", "read", "write", "delete"],
    expansion: { deny: ["deny"], read: ["read"], write: ["delete", "read", "write"] },
  },
  operator: {
    noun: "operator",
    policies: LEVELS,
    policyRequired: false,
    capabilities: [
      "deny",
      "snapshot-save",
      "license-read",
      "keyring-rotate",
      "keyring-read",
      "keyring-delete",
    ],
    expansion: {
      deny: ["deny"],
      read: ["license-read", "keyring-read"],
      write: ["snapshot-save", "license-read", "keyring-rotate", "keyring-read", "keyring-delete"],
    },
  },
  sentinel: {
    noun: "sentinel",
    policies: LEVELS,
    policyRequired: false,
    capabilities: ["deny", "sentinel-read", "sentinel-submit", "sentinel-delete"],
    expansion: {
      deny: ["deny"],
      read: ["sentinel-read"],
      write: ["sentinel-read", "sentinel-submit", "sentinel-delete"],
    },
  },
  agent: level("agent", LEVELS),
  node: level("node", LEVELS),
  quota: level("quota", LEVELS),
  plugin: level("plugin", ["read", "write", "deny", "list"]),
} as const satisfies Record<string, RuleKind>;

function level(noun: string, policies: readonly string[]): RuleKind {
  return { noun, policies, policyRequired: true, capabilities: null, expansion: {} };
}

type KindName = keyof typeof KINDS;

/** Block types of a policy and their labels, for reading JSON documents. */
const SCHEMA: LabelSchema = {
  namespace: {
    labels: 1,
    body: { variables: { labels: 0, body: { path: { labels: 1, body: {} } } } },
  },
  host_volume: { labels: 1, body: {} },
  node_pool: { labels: 1, body: {} },
  agent: { labels: 0, body: {} },
  node: { labels: 0, body: {} },
  operator: { labels: 0, body: {} },
  quota: { labels: 0, body: {} },
  plugin: { labels: 0, body: {} },
  sentinel: { labels: 0, body: {} },
};

/** Namespace and host volume names: letters, digits, "-" and the "*" glob. */
const NAME_GLOB = /^[a-zA-Z0-9*-]{1,128}$/;
/** Node pool names may also contain "_". */
const NODE_POOL_GLOB = /^[a-zA-Z0-9_*-]{1,128}$/;

function invalid(summary: string, detail: string, range: Range): never {
  throw new HclSyntaxError(summary, detail, range);
}

function quoted(values: readonly string[]): string {
  return values.map((v) => `"${v}"`).join(", ");
}

function suggestion(value: string, candidates: readonly string[]): string {
  const best = didYouMean(value, candidates);
  return best === null ? "" : ` Did you mean "${best}"?`;
}

/** Checks that a section only has the attributes and blocks named. */
function checkKeys(
  section: Section,
  where: string,
  attributes: readonly string[],
  blocks: readonly string[],
): void {
  for (const attr of section.attributes) {
    if (attributes.includes(attr.name)) continue;
    const hint = blocks.includes(attr.name)
      ? ` Did you mean to define a block of type "${attr.name}"?`
      : suggestion(attr.name, [...attributes, ...blocks]);
    invalid(
      "Unsupported argument",
      `An argument named "${attr.name}" is not expected in ${where}.${hint}`,
      attr.nameRange,
    );
  }
  for (const block of section.blocks) {
    if (blocks.includes(block.type)) continue;
    const hint = attributes.includes(block.type)
      ? ` Did you mean to define argument "${block.type}"? If so, use the equals sign to assign it a value.`
      : suggestion(block.type, [...blocks, ...attributes]);
    invalid(
      "Unsupported block type",
      `Blocks of type "${block.type}" are not expected in ${where}.${hint}`,
      block.typeRange,
    );
  }
}

function attribute(section: Section, name: string): Located | undefined {
  const all = section.attributes.filter((a) => a.name === name);
  if (all.length > 1) {
    invalid(
      "Duplicate argument",
      `The argument "${name}" was already set.`,
      all[1]!.nameRange,
    );
  }
  return all[0]?.value;
}

function stringOf(value: Located, field: string): string {
  if (typeof value.value === "string") return value.value;
  return invalid(
    "Incorrect attribute value type",
    `Inappropriate value for "${field}": a string is required.`,
    value.range,
  );
}

function stringsOf(value: Located, field: string): { value: string; range: Range }[] {
  const items = value.items ??
    (Array.isArray(value.value)
      ? value.value.map((v) => ({ value: v, range: value.range }))
      : null);
  if (items === null) {
    invalid(
      "Incorrect attribute value type",
      `Inappropriate value for "${field}": a list of strings is required.`,
      value.range,
    );
  }
  return items.map((item) => ({ value: stringOf(item, field), range: item.range }));
}

/** `listed` followed by what its entries imply, each capability once. */
function withImplied(
  listed: readonly string[],
  implied: Readonly<Record<string, readonly string[]>>,
): string[] {
  const out = new Set(listed);
  for (const capability of listed) {
    if (Object.hasOwn(implied, capability)) { for (const c of implied[capability]!) out.add(c); }
  }
  return [...out];
}

/** Reads `policy` and `capabilities` of one rule and expands the policy. */
function policyAndCapabilities(
  section: Section,
  kind: RuleKind,
  at: { readonly where: string; readonly range: Range },
): { Policy: string; Capabilities: string[] } {
  const policyValue = attribute(section, "policy");
  const policy = policyValue === undefined ? "" : stringOf(policyValue, "policy");
  if (policy === "" && kind.policyRequired) {
    invalid(
      `Invalid ${kind.noun} policy`,
      `The ${at.where} requires "policy" (one of ${quoted(kind.policies)}).`,
      policyValue?.range ?? at.range,
    );
  }
  if (policy !== "" && !kind.policies.includes(policy)) {
    invalid(
      `Invalid ${kind.noun} policy`,
      `"${policy}" is not a valid policy for the ${at.where}; valid policies are ${
        quoted(kind.policies)
      }.${suggestion(policy, kind.policies)}`,
      policyValue!.range,
    );
  }
  const capabilities: string[] = [];
  const listed = attribute(section, "capabilities");
  if (listed !== undefined && kind.capabilities !== null) {
    for (const item of stringsOf(listed, "capabilities")) {
      if (!kind.capabilities.includes(item.value)) {
        invalid(
          `Invalid ${kind.noun} capability`,
          `"${item.value}" is not a capability of the ${at.where}.${
            suggestion(item.value, kind.capabilities)
          }`,
          item.range,
        );
      }
      capabilities.push(item.value);
    }
  }
  capabilities.push(...(kind.expansion[policy] ?? []));
  return { Policy: policy, Capabilities: withImplied(capabilities, kind.implied ?? {}) };
}

function ruleKeys(kind: RuleKind): string[] {
  return kind.capabilities === null ? ["policy"] : ["policy", "capabilities"];
}

function checkName(block: SectionBlock, kind: RuleKind, pattern: RegExp): string {
  const label = block.labels[0];
  if (label === undefined || block.labels.length !== 1) {
    invalid(
      `Invalid ${kind.noun} rule`,
      `A ${block.type} block needs exactly one label: the ${kind.noun} name or glob.`,
      block.labels[1]?.range ?? block.typeRange,
    );
  }
  if (!pattern.test(label.value)) {
    invalid(
      `Invalid ${kind.noun} name`,
      `"${label.value}" is not a valid ${kind.noun} name: use 1 to 128 letters, digits, "-"${
        pattern === NODE_POOL_GLOB ? ', "_"' : ""
      } or the "*" wildcard.`,
      label.range,
    );
  }
  return label.value;
}

function checkNoLabels(block: SectionBlock): void {
  const extra = block.labels[0];
  if (extra !== undefined) {
    invalid(
      `Extraneous label for ${block.type}`,
      `No labels are expected for ${block.type} blocks.`,
      extra.range,
    );
  }
}

function variablesOf(block: SectionBlock, namespace: string): VariablesPolicy {
  checkNoLabels(block);
  const where = `the variables block of namespace "${namespace}"`;
  checkKeys(block.body, where, [], ["path"]);
  const paths = block.body.blocks.map((path): VariablesPathPolicy => {
    const label = path.labels[0];
    if (label === undefined || path.labels.length !== 1 || label.value === "") {
      invalid(
        "Invalid variables path",
        `A path block in ${where} needs exactly one non-empty label: the path or glob.`,
        path.labels[1]?.range ?? path.typeRange,
      );
    }
    const pathWhere = `variables path "${label.value}" of namespace "${namespace}"`;
    checkKeys(path.body, pathWhere, ["capabilities"], []);
    const listed = attribute(path.body, "capabilities");
    const capabilities = listed === undefined ? [] : stringsOf(listed, "capabilities");
    for (const item of capabilities) {
      if (VARIABLES_CAPABILITIES.includes(item.value)) continue;
      invalid(
        "Invalid variable capability",
        `"${item.value}" is not a capability of ${pathWhere}; valid capabilities are ${
          quoted(VARIABLES_CAPABILITIES)
        }.${suggestion(item.value, VARIABLES_CAPABILITIES)}`,
        item.range,
      );
    }
    const values = capabilities.map((c) => c.value);
    // "deny" on a path overrides anything else listed with it.
    const expanded = values.includes("deny")
      ? ["deny"]
      : withImplied(values, VARIABLES_IMPLIED_CAPABILITIES);
    return { PathSpec: label.value, Capabilities: expanded };
  });
  if (paths.length === 0) {
    invalid(
      "Invalid variables policy",
      `${where[0]!.toUpperCase()}${where.slice(1)} has no path blocks.`,
      block.typeRange,
    );
  }
  return { Paths: paths };
}

function namespaceOf(block: SectionBlock): NamespacePolicy {
  const kind = KINDS.namespace;
  const name = checkName(block, kind, NAME_GLOB);
  const where = `namespace "${name}" rule`;
  checkKeys(block.body, `the ${where}`, ruleKeys(kind), ["variables"]);
  const { Policy, Capabilities } = policyAndCapabilities(block.body, kind, {
    where,
    range: block.typeRange,
  });
  const variablesBlocks = block.body.blocks;
  if (variablesBlocks.length > 1) {
    invalid(
      "Duplicate variables block",
      `Only one variables block is allowed in the ${where}.`,
      variablesBlocks[1]!.typeRange,
    );
  }
  const variables = variablesBlocks[0];
  return {
    Name: name,
    Policy,
    Capabilities,
    Variables: variables === undefined ? null : variablesOf(variables, name),
  };
}

function namedOf(
  block: SectionBlock,
  kindName: "host_volume" | "node_pool",
): NamedCapabilityPolicy {
  const kind: RuleKind = KINDS[kindName];
  const name = checkName(block, kind, kindName === "node_pool" ? NODE_POOL_GLOB : NAME_GLOB);
  const where = `${block.type} "${name}" rule`;
  checkKeys(block.body, `the ${where}`, ruleKeys(kind), []);
  return {
    Name: name,
    ...policyAndCapabilities(block.body, kind, { where, range: block.typeRange }),
  };
}

function unlabeledOf(block: SectionBlock, kind: RuleKind): CapabilityPolicy {
  checkNoLabels(block);
  const where = `${block.type} rule`;
  checkKeys(block.body, `the ${where}`, ruleKeys(kind), []);
  return policyAndCapabilities(block.body, kind, { where, range: block.typeRange });
}

/**
 * Parses an ACL policy document (HCL, or JSON when it starts with `{`),
 * validates it and expands every `policy` into capabilities.
 * Throws {@linkcode HclSyntaxError} (`file:line:column`) for any mistake.
 *
 * @example
 * ```ts
 * import { parseAclPolicy } from "./policy.ts";
 * const policy = parseAclPolicy('namespace "dev" {\n  policy = "read"\n}\n', "dev.hcl");
 * policy.Namespaces[0]!.Capabilities.includes("read-job"); // true
 * ```
 */
export function parseAclPolicy(source: string, filename = "policy.hcl"): AclPolicy {
  if (source.length > MAX_POLICY_BYTES) {
    throw new RangeError(
      `Cannot parse ACL policy as '${filename}' is too large: ${source.length} bytes (limit ${MAX_POLICY_BYTES})`,
    );
  }
  const section = parseSection(source, filename, SCHEMA);
  checkKeys(section, "an ACL policy", [], Object.keys(KINDS));
  if (section.blocks.length === 0) {
    invalid("Empty ACL policy", "An ACL policy needs at least one rule block.", section.range);
  }
  const single: Partial<Record<KindName, CapabilityPolicy>> = {};
  const out = {
    Namespaces: [] as NamespacePolicy[],
    NodePools: [] as NamedCapabilityPolicy[],
    HostVolumes: [] as NamedCapabilityPolicy[],
  };
  for (const block of section.blocks) {
    const kindName = block.type as KindName;
    if (kindName === "namespace") out.Namespaces.push(namespaceOf(block));
    else if (kindName === "host_volume") out.HostVolumes.push(namedOf(block, kindName));
    else if (kindName === "node_pool") out.NodePools.push(namedOf(block, kindName));
    else if (single[kindName] !== undefined) {
      invalid(
        `Duplicate ${block.type} block`,
        `Only one ${block.type} block is allowed in an ACL policy.`,
        block.typeRange,
      );
    } else single[kindName] = unlabeledOf(block, KINDS[kindName]);
  }
  const levelOf = (name: KindName): LevelPolicy | null =>
    single[name] === undefined ? null : { Policy: single[name].Policy };
  return {
    ...out,
    Agent: levelOf("agent"),
    Node: levelOf("node"),
    Operator: single.operator ?? null,
    Quota: levelOf("quota"),
    Plugin: levelOf("plugin"),
    Sentinel: single.sentinel ?? null,
  };
}
