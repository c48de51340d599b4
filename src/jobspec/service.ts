/** `service` blocks and their `check` and `check_restart` blocks. */

import type { JsonObject } from "../structs/decode.ts";
import { HclSyntaxError, isValueObject, type ScopedBlock, toStringValue } from "../hcl/mod.ts";
import { Stanza, type StanzaSpec } from "./stanza.ts";

const CHECK_RESTART: StanzaSpec = {
  fields: {
    limit: ["Limit", "int"],
    grace: ["Grace", "duration"],
    ignore_warnings: ["IgnoreWarnings", "bool"],
  },
};

const CHECK: StanzaSpec = {
  fields: {
    name: ["Name", "string"],
    type: ["Type", "string"],
    command: ["Command", "string"],
    args: ["Args", "strings"],
    path: ["Path", "string"],
    protocol: ["Protocol", "string"],
    port: ["PortLabel", "string"],
    method: ["Method", "string"],
    interval: ["Interval", "duration"],
    timeout: ["Timeout", "duration"],
    initial_status: ["InitialStatus", "string"],
    tls_skip_verify: ["TLSSkipVerify", "bool"],
    tls_server_name: ["TLSServerName", "string"],
    body: ["Body", "string"],
    task: ["TaskName", "string"],
    on_update: ["OnUpdate", "string"],
    success_before_passing: ["SuccessBeforePassing", "int"],
    failures_before_critical: ["FailuresBeforeCritical", "int"],
    failures_before_warning: ["FailuresBeforeWarning", "int"],
    address_mode: ["AddressMode", "string"],
    expose: ["Expose", "bool"],
    grpc_service: ["GRPCService", "string"],
    grpc_use_tls: ["GRPCUseTLS", "bool"],
    notes: ["Notes", "string"],
  },
  attributes: ["header"],
  blocks: { header: {}, check_restart: {} },
};

const SERVICE: StanzaSpec = {
  fields: {
    name: ["Name", "string"],
    port: ["PortLabel", "string"],
    tags: ["Tags", "strings"],
    canary_tags: ["CanaryTags", "strings"],
    enable_tag_override: ["EnableTagOverride", "bool"],
    address_mode: ["AddressMode", "string"],
    address: ["Address", "string"],
    task: ["TaskName", "string"],
    provider: ["Provider", "string"],
    on_update: ["OnUpdate", "string"],
    cluster: ["Cluster", "string"],
  },
  maps: { meta: "Meta", canary_meta: "CanaryMeta", tagged_addresses: "TaggedAddresses" },
  blocks: { check: {}, check_restart: {} },
  lenient: { connect: "Connect", identity: "Identity", weights: "Weights" },
};

/** HTTP check headers: `header { Name = ["v1", "v2"] }` → map of string lists. */
function decodeHeader(st: Stanza): Record<string, string[]> | undefined {
  const value = st.mapValue("header");
  if (value === undefined || value === null) return undefined;
  const out: Record<string, string[]> = {};
  for (const [name, v] of Object.entries(isValueObject(value) ? value : {})) {
    if (!Array.isArray(v)) {
      const range = st.attribute("header")?.expr.range ?? st.single("header")!.block.typeRange;
      throw new HclSyntaxError(
        "Incorrect attribute value type",
        `Header "${name}" must be a list of strings.`,
        range,
      );
    }
    out[name] = v.map(toStringValue);
  }
  return out;
}

function decodeCheck(scoped: ScopedBlock): JsonObject {
  const st = Stanza.of(scoped, CHECK);
  const out = st.decodeInto({});
  const header = decodeHeader(st);
  if (header !== undefined) out.Header = header;
  const restart = st.single("check_restart");
  if (restart !== undefined) out.CheckRestart = Stanza.of(restart, CHECK_RESTART).decodeInto({});
  return out;
}

/** One `service` block (group or task level). */
export function decodeService(scoped: ScopedBlock): JsonObject {
  const st = Stanza.of(scoped, SERVICE);
  const out = st.decodeInto({});
  const checks = st.blocks("check").map(decodeCheck);
  if (checks.length > 0) out.Checks = checks;
  const restart = st.single("check_restart");
  if (restart !== undefined) out.CheckRestart = Stanza.of(restart, CHECK_RESTART).decodeInto({});
  return out;
}
