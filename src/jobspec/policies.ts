/** Policy blocks: restart, reschedule, update, migrate, periodic, parameterized, ephemeral_disk. */

import type { JsonObject } from "../structs/decode.ts";
import type { ScopedBlock } from "../hcl/mod.ts";
import { Stanza, type StanzaSpec } from "./stanza.ts";

const RESTART: StanzaSpec = {
  fields: {
    attempts: ["Attempts", "int"],
    interval: ["Interval", "duration"],
    delay: ["Delay", "duration"],
    mode: ["Mode", "string"],
    render_templates: ["RenderTemplates", "bool"],
  },
};

const RESCHEDULE: StanzaSpec = {
  fields: {
    attempts: ["Attempts", "int"],
    interval: ["Interval", "duration"],
    delay: ["Delay", "duration"],
    delay_function: ["DelayFunction", "string"],
    max_delay: ["MaxDelay", "duration"],
    unlimited: ["Unlimited", "bool"],
  },
};

const UPDATE: StanzaSpec = {
  fields: {
    stagger: ["Stagger", "duration"],
    max_parallel: ["MaxParallel", "int"],
    health_check: ["HealthCheck", "string"],
    min_healthy_time: ["MinHealthyTime", "duration"],
    healthy_deadline: ["HealthyDeadline", "duration"],
    progress_deadline: ["ProgressDeadline", "duration"],
    canary: ["Canary", "int"],
    auto_revert: ["AutoRevert", "bool"],
    auto_promote: ["AutoPromote", "bool"],
  },
};

const MIGRATE: StanzaSpec = {
  fields: {
    max_parallel: ["MaxParallel", "int"],
    health_check: ["HealthCheck", "string"],
    min_healthy_time: ["MinHealthyTime", "duration"],
    healthy_deadline: ["HealthyDeadline", "duration"],
  },
};

const PERIODIC: StanzaSpec = {
  fields: {
    cron: ["Spec", "string"],
    crons: ["Specs", "strings"],
    prohibit_overlap: ["ProhibitOverlap", "bool"],
    time_zone: ["TimeZone", "string"],
    enabled: ["Enabled", "bool"],
  },
};

const PARAMETERIZED: StanzaSpec = {
  fields: {
    payload: ["Payload", "string"],
    meta_required: ["MetaRequired", "strings"],
    meta_optional: ["MetaOptional", "strings"],
  },
};

const EPHEMERAL_DISK: StanzaSpec = {
  fields: {
    size: ["SizeMB", "int"],
    sticky: ["Sticky", "bool"],
    migrate: ["Migrate", "bool"],
  },
};

function simple(spec: StanzaSpec): (scoped: ScopedBlock) => JsonObject {
  return (scoped) => Stanza.of(scoped, spec).decodeInto({});
}

/** `restart { attempts, interval, delay, mode }` → RestartPolicy. */
export const decodeRestart = simple(RESTART);
/** `reschedule { ... }` → ReschedulePolicy (job level: Reschedule). */
export const decodeReschedule = simple(RESCHEDULE);
/** `update { ... }` → UpdateStrategy. */
export const decodeUpdate = simple(UPDATE);
/** `migrate { ... }` → MigrateStrategy. */
export const decodeMigrate = simple(MIGRATE);
/** `parameterized { ... }` → ParameterizedJob. */
export const decodeParameterized = simple(PARAMETERIZED);
/** `ephemeral_disk { size, sticky, migrate }` → EphemeralDisk. */
export const decodeEphemeralDisk = simple(EPHEMERAL_DISK);

/** `periodic { cron | crons, ... }` → Periodic, with SpecType "cron". */
export function decodePeriodic(scoped: ScopedBlock): JsonObject {
  return Stanza.of(scoped, PERIODIC).decodeInto({ SpecType: "cron" });
}
