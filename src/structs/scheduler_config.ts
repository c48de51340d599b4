/**
 * The cluster's scheduler configuration (Nomad's SchedulerConfiguration):
 * stored in the state store through the raft log, seeded from the agent's
 * `server { default_scheduler_config { ... } }` on a new cluster and changed
 * later through `/v1/operator/scheduler/configuration`.
 */

import { CodedError } from "../core/errors.ts";

/** How the scheduler scores nodes; "" means the default, binpack. */
export type SchedulerConfigAlgorithm = "binpack" | "spread" | "";

/** Which schedulers may preempt lower-priority allocations. */
export interface PreemptionConfig {
  SystemSchedulerEnabled: boolean;
  SysBatchSchedulerEnabled: boolean;
  BatchSchedulerEnabled: boolean;
  ServiceSchedulerEnabled: boolean;
}

/** The scheduler configuration with Nomad's JSON field names, in Nomad's order. */
export interface SchedulerConfiguration {
  SchedulerAlgorithm: SchedulerConfigAlgorithm;
  PreemptionConfig: PreemptionConfig;
  MemoryOversubscriptionEnabled: boolean;
  RejectJobRegistration: boolean;
  PauseEvalBroker: boolean;
  CreateIndex: number;
  ModifyIndex: number;
}

/** Nomad's defaults: binpack, preemption only for system and sysbatch jobs. */
export const DEFAULT_SCHEDULER_CONFIGURATION: Readonly<SchedulerConfiguration> = Object.freeze({
  SchedulerAlgorithm: "binpack",
  PreemptionConfig: Object.freeze({
    SystemSchedulerEnabled: true,
    SysBatchSchedulerEnabled: true,
    BatchSchedulerEnabled: false,
    ServiceSchedulerEnabled: false,
  }),
  MemoryOversubscriptionEnabled: false,
  RejectJobRegistration: false,
  PauseEvalBroker: false,
  CreateIndex: 0,
  ModifyIndex: 0,
});

/** Nomad's error for job register, dispatch and scale while registration is rejected. */
export const ERR_JOB_REGISTRATION_DISABLED =
  "Job registration, dispatch, and scale are disabled by the scheduler configuration";

/** The algorithm a configuration selects ("" means binpack). */
export function effectiveSchedulerAlgorithm(
  config: Pick<SchedulerConfiguration, "SchedulerAlgorithm"> | null | undefined,
): "binpack" | "spread" {
  return config?.SchedulerAlgorithm === "spread" ? "spread" : "binpack";
}

function bool(value: unknown, field: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") {
    throw new CodedError(
      400,
      `Error parsing scheduler config: json: cannot unmarshal ${
        jsonKind(value)
      } into Go struct field SchedulerConfiguration.${field} of type bool`,
    );
  }
  return value;
}

function jsonKind(value: unknown): string {
  if (typeof value === "string") return "string";
  if (typeof value === "number") return "number";
  if (Array.isArray(value)) return "array";
  return typeof value === "object" ? "object" : typeof value;
}

/**
 * Decodes a request body into a configuration as Nomad's HTTP handler does:
 * missing fields are false or "", wrong JSON types are a 400 "Error parsing
 * scheduler config: ...", and an unknown algorithm is a 400 "invalid
 * scheduler algorithm: ...". Indexes are not taken from the body.
 *
 * @example
 * ```ts
 * import { decodeSchedulerConfiguration } from "./scheduler_config.ts";
 * decodeSchedulerConfiguration({ SchedulerAlgorithm: "spread" }).SchedulerAlgorithm; // "spread"
 * ```
 */
export function decodeSchedulerConfiguration(body: unknown): SchedulerConfiguration {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new CodedError(
      400,
      `Error parsing scheduler config: json: cannot unmarshal ${
        jsonKind(body)
      } into Go value of type api.SchedulerConfiguration`,
    );
  }
  const input = body as Record<string, unknown>;
  const algorithm = input["SchedulerAlgorithm"] ?? "";
  if (typeof algorithm !== "string") {
    throw new CodedError(
      400,
      `Error parsing scheduler config: json: cannot unmarshal ${
        jsonKind(algorithm)
      } into Go struct field SchedulerConfiguration.SchedulerAlgorithm of type api.SchedulerAlgorithm`,
    );
  }
  const preemption = input["PreemptionConfig"] ?? {};
  if (typeof preemption !== "object" || preemption === null || Array.isArray(preemption)) {
    throw new CodedError(
      400,
      `Error parsing scheduler config: json: cannot unmarshal ${
        jsonKind(preemption)
      } into Go struct field SchedulerConfiguration.PreemptionConfig of type api.PreemptionConfig`,
    );
  }
  const p = preemption as Record<string, unknown>;
  const config: SchedulerConfiguration = {
    SchedulerAlgorithm: algorithm as SchedulerConfigAlgorithm,
    PreemptionConfig: {
      SystemSchedulerEnabled: bool(
        p["SystemSchedulerEnabled"],
        "PreemptionConfig.SystemSchedulerEnabled",
      ),
      SysBatchSchedulerEnabled: bool(
        p["SysBatchSchedulerEnabled"],
        "PreemptionConfig.SysBatchSchedulerEnabled",
      ),
      BatchSchedulerEnabled: bool(
        p["BatchSchedulerEnabled"],
        "PreemptionConfig.BatchSchedulerEnabled",
      ),
      ServiceSchedulerEnabled: bool(
        p["ServiceSchedulerEnabled"],
        "PreemptionConfig.ServiceSchedulerEnabled",
      ),
    },
    MemoryOversubscriptionEnabled: bool(
      input["MemoryOversubscriptionEnabled"],
      "MemoryOversubscriptionEnabled",
    ),
    RejectJobRegistration: bool(input["RejectJobRegistration"], "RejectJobRegistration"),
    PauseEvalBroker: bool(input["PauseEvalBroker"], "PauseEvalBroker"),
    CreateIndex: 0,
    ModifyIndex: 0,
  };
  validateSchedulerConfiguration(config);
  return config;
}

/** Throws Nomad's 400 for an unknown algorithm ("" is allowed and means binpack). */
export function validateSchedulerConfiguration(
  config: Pick<SchedulerConfiguration, "SchedulerAlgorithm">,
): void {
  const algorithm: string = config.SchedulerAlgorithm;
  if (algorithm !== "" && algorithm !== "binpack" && algorithm !== "spread") {
    throw new CodedError(400, `invalid scheduler algorithm: ${algorithm}`);
  }
}

/**
 * Whether job register, dispatch and scale are allowed (Nomad's
 * registrationsAreAllowed): always for a management token, otherwise only
 * while `RejectJobRegistration` is off.
 */
export function registrationsAllowed(
  config: Pick<SchedulerConfiguration, "RejectJobRegistration"> | null,
  caller: { management: boolean },
): boolean {
  return caller.management || config === null || !config.RejectJobRegistration;
}

/**
 * Nomad's register warnings for tasks that set `memory_max` while memory
 * oversubscription is off: the value is ignored by the scheduler.
 */
export function memoryOversubscriptionWarnings(
  job: {
    TaskGroups: readonly {
      Name: string;
      Tasks: readonly { Name: string; Resources: { MemoryMaxMB: number } }[];
    }[];
  },
  enabled: boolean,
): string[] {
  if (enabled) return [];
  const warnings: string[] = [];
  for (const group of job.TaskGroups) {
    for (const task of group.Tasks) {
      if (task.Resources.MemoryMaxMB === 0) continue;
      warnings.push(
        `Memory oversubscription is not enabled; Task "${group.Name}.${task.Name}" memory_max value will be ignored. Update the Scheduler Configuration to allow oversubscription.`,
      );
    }
  }
  return warnings;
}

/**
 * Joins warnings as Nomad's register response does ("1 warning:\n\n* ..."), or
 * "" when there are none.
 *
 * @example
 * ```ts
 * import { formatWarnings } from "./scheduler_config.ts";
 * formatWarnings(["a"]); // "1 warning:\n\n* a"
 * ```
 */
export function formatWarnings(warnings: readonly string[]): string {
  if (warnings.length === 0) return "";
  const head = warnings.length === 1 ? "1 warning:\n" : `${warnings.length} warnings:\n`;
  return head + warnings.map((w) => `\n* ${w.trim()}`).join("");
}
