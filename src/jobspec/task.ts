/** `task` blocks and what only tasks have: resources, logs, templates, artifacts, lifecycle. */

import type { JsonObject } from "../structs/decode.ts";
import type { ScopedBlock } from "../hcl/mod.ts";
import { decodeNetwork } from "./network.ts";
import { decodePlacement } from "./placement.ts";
import { decodeRestart } from "./policies.ts";
import { decodeService } from "./service.ts";
import { rawBlock, Stanza, type StanzaSpec } from "./stanza.ts";

const TASK: StanzaSpec = {
  fields: {
    driver: ["Driver", "string"],
    user: ["User", "string"],
    kill_timeout: ["KillTimeout", "duration"],
    kill_signal: ["KillSignal", "string"],
    leader: ["Leader", "bool"],
    shutdown_delay: ["ShutdownDelay", "duration"],
    kind: ["Kind", "string"],
  },
  maps: { meta: "Meta", env: "Env" },
  attributes: ["config"],
  blocks: {
    config: {},
    resources: {},
    service: {},
    constraint: {},
    affinity: {},
    logs: {},
    template: {},
    artifact: {},
    lifecycle: {},
    restart: {},
    volume_mount: {},
    dispatch_payload: {},
  },
  lenient: {
    vault: "Vault",
    consul: "Consul",
    identity: "Identities",
    csi_plugin: "CSIPluginConfig",
    scaling: "ScalingPolicies",
    action: "Actions",
    schedule: "Schedule",
    secret: "Secrets",
  },
};

const RESOURCES: StanzaSpec = {
  fields: {
    cpu: ["CPU", "int"],
    cores: ["Cores", "int"],
    memory: ["MemoryMB", "int"],
    memory_max: ["MemoryMaxMB", "int"],
    disk: ["DiskMB", "int"],
    iops: ["IOPS", "int"],
  },
  blocks: { network: {}, device: { labels: ["name"] } },
  lenient: { numa: "NUMA" },
};

const DEVICE: StanzaSpec = {
  fields: { count: ["Count", "int"] },
  blocks: { constraint: {}, affinity: {} },
};

const LOGS: StanzaSpec = {
  fields: {
    max_files: ["MaxFiles", "int"],
    max_file_size: ["MaxFileSizeMB", "int"],
    disabled: ["Disabled", "bool"],
    enabled: ["Enabled", "bool"],
  },
};

const TEMPLATE: StanzaSpec = {
  fields: {
    source: ["SourcePath", "string"],
    destination: ["DestPath", "string"],
    data: ["EmbeddedTmpl", "string"],
    change_mode: ["ChangeMode", "string"],
    change_signal: ["ChangeSignal", "string"],
    splay: ["Splay", "duration"],
    perms: ["Perms", "string"],
    uid: ["Uid", "int"],
    gid: ["Gid", "int"],
    left_delimiter: ["LeftDelim", "string"],
    right_delimiter: ["RightDelim", "string"],
    env: ["Envvars", "bool"],
    once: ["Once", "bool"],
    error_on_missing_key: ["ErrMissingKey", "bool"],
    vault_grace: ["VaultGrace", "duration"],
  },
  blocks: { wait: {}, change_script: {} },
};

const TEMPLATE_WAIT: StanzaSpec = {
  fields: { min: ["Min", "duration"], max: ["Max", "duration"] },
};

const CHANGE_SCRIPT: StanzaSpec = {
  fields: {
    command: ["Command", "string"],
    args: ["Args", "strings"],
    timeout: ["Timeout", "duration"],
    fail_on_error: ["FailOnError", "bool"],
  },
};

const ARTIFACT: StanzaSpec = {
  fields: {
    source: ["GetterSource", "string"],
    destination: ["RelativeDest", "string"],
    mode: ["GetterMode", "string"],
    chown: ["Chown", "bool"],
  },
  maps: { options: "GetterOptions", headers: "GetterHeaders" },
};

const LIFECYCLE: StanzaSpec = {
  fields: { hook: ["Hook", "string"], sidecar: ["Sidecar", "bool"] },
};

const VOLUME_MOUNT: StanzaSpec = {
  fields: {
    volume: ["Volume", "string"],
    destination: ["Destination", "string"],
    read_only: ["ReadOnly", "bool"],
    propagation_mode: ["PropagationMode", "string"],
    selinux_label: ["SELinuxLabel", "string"],
  },
};

const DISPATCH_PAYLOAD: StanzaSpec = { fields: { file: ["File", "string"] } };

function decodeResources(scoped: ScopedBlock): JsonObject {
  const st = Stanza.of(scoped, RESOURCES);
  const out = st.decodeInto({});
  const networks = st.blocks("network").map(decodeNetwork);
  if (networks.length > 0) out.Networks = networks;
  const devices = st.blocks("device").map((d) => {
    const device = Stanza.of(d, DEVICE);
    const decoded = device.decodeInto({ Name: device.label() });
    decodePlacement(device, decoded, { spread: false });
    return decoded;
  });
  if (devices.length > 0) out.Devices = devices;
  return out;
}

function decodeTemplate(scoped: ScopedBlock): JsonObject {
  const st = Stanza.of(scoped, TEMPLATE);
  const out = st.decodeInto({});
  const wait = st.single("wait");
  if (wait !== undefined) out.Wait = Stanza.of(wait, TEMPLATE_WAIT).decodeInto({});
  const script = st.single("change_script");
  if (script !== undefined) out.ChangeScript = Stanza.of(script, CHANGE_SCRIPT).decodeInto({});
  return out;
}

/** Decodes each block of `type` with `spec` into a list at `out[field]`. */
function list(
  st: Stanza,
  out: JsonObject,
  type: string,
  field: string,
  decode: (s: ScopedBlock) => JsonObject,
): void {
  const items = st.blocks(type).map(decode);
  if (items.length > 0) out[field] = items;
}

/** `type` appears at most once and decodes into `out[field]`. */
function one(
  st: Stanza,
  out: JsonObject,
  type: string,
  field: string,
  decode: (s: ScopedBlock) => JsonObject,
): void {
  const scoped = st.single(type);
  if (scoped !== undefined) out[field] = decode(scoped);
}

function simple(spec: StanzaSpec): (scoped: ScopedBlock) => JsonObject {
  return (scoped) => Stanza.of(scoped, spec).decodeInto({});
}

/**
 * One `task "name" { ... }` block. The driver `config` is opaque here: nested
 * blocks become objects (arrays when repeated) and values keep their HCL types.
 */
export function decodeTask(scoped: ScopedBlock): JsonObject {
  const st = Stanza.of(scoped, TASK);
  const out = st.decodeInto({ Name: st.label() });
  const config = st.mapValue("config");
  if (config !== undefined) out.Config = config;
  decodePlacement(st, out, { spread: false });
  one(st, out, "resources", "Resources", decodeResources);
  one(st, out, "logs", "LogConfig", simple(LOGS));
  one(st, out, "lifecycle", "Lifecycle", simple(LIFECYCLE));
  one(st, out, "restart", "RestartPolicy", decodeRestart);
  one(st, out, "dispatch_payload", "DispatchPayload", simple(DISPATCH_PAYLOAD));
  list(st, out, "service", "Services", decodeService);
  list(st, out, "template", "Templates", decodeTemplate);
  list(st, out, "artifact", "Artifacts", simple(ARTIFACT));
  list(st, out, "volume_mount", "VolumeMounts", simple(VOLUME_MOUNT));
  const identities = st.blocks("identity");
  if (identities.length > 0) {
    // Nomad keeps the unnamed identity apart from the named ones.
    const raw = identities.map(rawBlock);
    const unnamed = raw.filter((r) => !("Name" in r));
    delete out.Identities;
    if (unnamed.length > 0) out.Identity = unnamed[0]!;
    const named = raw.filter((r) => "Name" in r);
    if (named.length > 0) out.Identities = named;
  }
  return out;
}
