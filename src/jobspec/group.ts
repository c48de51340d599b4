/** `group` blocks and what only groups have: count, networks, volumes, scaling. */

import type { JsonObject } from "../structs/decode.ts";
import type { ScopedBlock } from "../hcl/mod.ts";
import { decodeNetwork } from "./network.ts";
import { decodePlacement } from "./placement.ts";
import {
  decodeEphemeralDisk,
  decodeMigrate,
  decodeReschedule,
  decodeRestart,
  decodeUpdate,
} from "./policies.ts";
import { decodeService } from "./service.ts";
import { Stanza, type StanzaSpec } from "./stanza.ts";
import { decodeTask } from "./task.ts";

const GROUP: StanzaSpec = {
  fields: {
    count: ["Count", "int"],
    shutdown_delay: ["ShutdownDelay", "duration"],
    stop_after_client_disconnect: ["StopAfterClientDisconnect", "duration"],
    max_client_disconnect: ["MaxClientDisconnect", "duration"],
    prevent_reschedule_on_lost: ["PreventRescheduleOnLost", "bool"],
  },
  maps: { meta: "Meta" },
  blocks: {
    task: { labels: ["name"] },
    constraint: {},
    affinity: {},
    spread: {},
    restart: {},
    reschedule: {},
    ephemeral_disk: {},
    update: {},
    migrate: {},
    network: {},
    service: {},
    volume: { labels: ["name"] },
    scaling: {},
  },
  lenient: { consul: "Consul", vault: "Vault", disconnect: "Disconnect" },
};

const VOLUME: StanzaSpec = {
  fields: {
    type: ["Type", "string"],
    source: ["Source", "string"],
    read_only: ["ReadOnly", "bool"],
    access_mode: ["AccessMode", "string"],
    attachment_mode: ["AttachmentMode", "string"],
    per_alloc: ["PerAlloc", "bool"],
    sticky: ["Sticky", "bool"],
  },
  lenient: { mount_options: "MountOptions" },
};

const SCALING: StanzaSpec = {
  fields: {
    min: ["Min", "int"],
    max: ["Max", "int"],
    enabled: ["Enabled", "bool"],
  },
  attributes: ["policy"],
  blocks: { policy: {} },
};

function decodeVolumes(st: Stanza): JsonObject | undefined {
  const blocks = st.blocks("volume");
  if (blocks.length === 0) return undefined;
  const out: JsonObject = {};
  for (const scoped of blocks) {
    const volume = Stanza.of(scoped, VOLUME);
    out[volume.label()] = volume.decodeInto({ Name: volume.label() });
  }
  return out;
}

function decodeScaling(scoped: ScopedBlock): JsonObject {
  const st = Stanza.of(scoped, SCALING);
  const out = st.decodeInto({ Type: "horizontal" });
  const policy = st.mapValue("policy");
  if (policy !== undefined) out.Policy = policy;
  return out;
}

/** One `group "name" { ... }` block. A negative count passes through for server validation. */
export function decodeGroup(scoped: ScopedBlock): JsonObject {
  const st = Stanza.of(scoped, GROUP);
  const out = st.decodeInto({ Name: st.label() });
  decodePlacement(st, out, { spread: true });
  const single: ReadonlyArray<[string, string, (s: ScopedBlock) => JsonObject]> = [
    ["restart", "RestartPolicy", decodeRestart],
    ["reschedule", "ReschedulePolicy", decodeReschedule],
    ["ephemeral_disk", "EphemeralDisk", decodeEphemeralDisk],
    ["update", "Update", decodeUpdate],
    ["migrate", "Migrate", decodeMigrate],
    ["scaling", "Scaling", decodeScaling],
  ];
  for (const [type, field, decode] of single) {
    const block = st.single(type);
    if (block !== undefined) out[field] = decode(block);
  }
  const networks = st.blocks("network").map(decodeNetwork);
  if (networks.length > 0) out.Networks = networks;
  const services = st.blocks("service").map(decodeService);
  if (services.length > 0) out.Services = services;
  const volumes = decodeVolumes(st);
  if (volumes !== undefined) out.Volumes = volumes;
  out.Tasks = st.blocks("task").map(decodeTask);
  return out;
}
