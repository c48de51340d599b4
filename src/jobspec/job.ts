/** The `job "id" { ... }` block. */

import type { JsonObject } from "../structs/decode.ts";
import type { ScopedBlock } from "../hcl/mod.ts";
import { decodeGroup } from "./group.ts";
import { decodePlacement } from "./placement.ts";
import {
  decodeMigrate,
  decodeParameterized,
  decodePeriodic,
  decodeReschedule,
  decodeUpdate,
} from "./policies.ts";
import { Stanza, type StanzaSpec } from "./stanza.ts";
import { decodeTask } from "./task.ts";

const JOB: StanzaSpec = {
  fields: {
    name: ["Name", "string"],
    region: ["Region", "string"],
    namespace: ["Namespace", "string"],
    type: ["Type", "string"],
    priority: ["Priority", "int"],
    all_at_once: ["AllAtOnce", "bool"],
    datacenters: ["Datacenters", "strings"],
    node_pool: ["NodePool", "string"],
    vault_token: ["VaultToken", "string"],
    consul_token: ["ConsulToken", "string"],
  },
  maps: { meta: "Meta" },
  blocks: {
    group: { labels: ["name"] },
    task: { labels: ["name"] },
    constraint: {},
    affinity: {},
    spread: {},
    update: {},
    periodic: {},
    parameterized: {},
    reschedule: {},
    migrate: {},
  },
  lenient: { multiregion: "Multiregion", vault: "Vault", consul: "Consul", ui: "UI" },
};

/**
 * Decodes the job block into api.Job JSON. A task written directly in the job
 * (an old shorthand) becomes a group of the same name holding that task.
 */
export function decodeJob(scoped: ScopedBlock): JsonObject {
  const st = Stanza.of(scoped, JOB);
  const id = st.label();
  const out = st.decodeInto({ ID: id });
  if (out.Name === undefined) out.Name = id;
  decodePlacement(st, out, { spread: true });
  const single: ReadonlyArray<[string, string, (s: ScopedBlock) => JsonObject]> = [
    ["update", "Update", decodeUpdate],
    ["periodic", "Periodic", decodePeriodic],
    ["parameterized", "ParameterizedJob", decodeParameterized],
    ["reschedule", "Reschedule", decodeReschedule],
    ["migrate", "Migrate", decodeMigrate],
  ];
  for (const [type, field, decode] of single) {
    const block = st.single(type);
    if (block !== undefined) out[field] = decode(block);
  }
  const groups = st.blocks("group").map(decodeGroup);
  for (const task of st.blocks("task")) {
    const decoded = decodeTask(task);
    groups.push({ Name: decoded.Name, Tasks: [decoded] });
  }
  out.TaskGroups = groups;
  return out;
}
