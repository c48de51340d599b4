/**
 * The raw_exec task `config` block, checked when a job is submitted. Keys follow
 * Nomad's raw_exec documentation; messages follow Nomad's HCL decoder wording.
 */
import type { DriverConfigSchema } from "../driver.ts";

/** Keys a raw_exec `config` block may contain. */
export const RAW_EXEC_CONFIG_KEYS = [
  "command",
  "args",
  "cgroup_v1_override",
  "cgroup_v2_override",
  "oom_score_adj",
  "work_dir",
] as const;

/** Largest oom_score_adj the kernel accepts. */
export const MAX_OOM_SCORE_ADJ = 1000;

/** A decoded raw_exec task config. */
export interface RawExecTaskConfig {
  command: string;
  args: string[];
  /** Null leaves Nomad's default of 0 to the driver. */
  oomScoreAdj: number | null;
  /** Working directory override; null means the task directory. */
  workDir: string | null;
}

function isPrimitive(value: unknown): value is string | number | boolean {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

function typeError(key: string, expected: string): string {
  return `Incorrect attribute value type: Inappropriate value for attribute "${key}": ${expected} required.`;
}

function validateOptional(config: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const args = config["args"];
  // HCL converts numbers and bools in a list(string) to strings; accept them as Nomad does.
  if (args !== undefined && (!Array.isArray(args) || !args.every(isPrimitive))) {
    errors.push(typeError("args", "list of string"));
  }
  const oom = config["oom_score_adj"];
  if (oom !== undefined) {
    if (typeof oom !== "number" || !Number.isInteger(oom)) {
      errors.push(typeError("oom_score_adj", "number"));
    } else if (oom < 0 || oom > MAX_OOM_SCORE_ADJ) {
      errors.push(`oom_score_adj must be between 0 and ${MAX_OOM_SCORE_ADJ}: got ${oom}`);
    }
  }
  const workDir = config["work_dir"];
  if (workDir !== undefined) {
    if (typeof workDir !== "string") errors.push(typeError("work_dir", "string"));
    else if (workDir !== "" && !workDir.startsWith("/")) {
      errors.push(`work_dir must be an absolute path: got "${workDir}"`);
    }
  }
  const v1 = config["cgroup_v1_override"];
  if (
    v1 !== undefined &&
    (typeof v1 !== "object" || v1 === null || Array.isArray(v1) ||
      !Object.values(v1).every((x) => typeof x === "string"))
  ) {
    errors.push(typeError("cgroup_v1_override", "map of string"));
  }
  const v2 = config["cgroup_v2_override"];
  if (v2 !== undefined && typeof v2 !== "string") {
    errors.push(typeError("cgroup_v2_override", "string"));
  }
  return errors;
}

/**
 * Validates a raw_exec task `config` block (pure).
 *
 * @example
 * ```ts
 * import { rawExecConfigSchema } from "./schema.ts";
 * rawExecConfigSchema.validate({ args: ["1"] });
 * // ['Missing required argument: The argument "command" is required, but no definition was found.']
 * ```
 */
export const rawExecConfigSchema: DriverConfigSchema = {
  name: "raw_exec",
  validate(config: Record<string, unknown>): string[] {
    const errors: string[] = [];
    const allowed: readonly string[] = RAW_EXEC_CONFIG_KEYS;
    for (const key of Object.keys(config)) {
      if (!allowed.includes(key)) {
        errors.push(`Unsupported argument: An argument named "${key}" is not expected here.`);
      }
    }
    const command = config["command"];
    if (command === undefined || command === null) {
      errors.push(
        `Missing required argument: The argument "command" is required, but no definition was found.`,
      );
    } else if (typeof command !== "string") {
      errors.push(typeError("command", "string"));
    } else if (command.trim() === "") {
      errors.push(`Invalid value for "command": the command must not be empty.`);
    }
    return [...errors, ...validateOptional(config)];
  },
};

/**
 * Decodes a config block that passed {@linkcode rawExecConfigSchema}; throws a TypeError
 * listing the problems otherwise.
 */
export function decodeRawExecConfig(config: Record<string, unknown>): RawExecTaskConfig {
  const errors = rawExecConfigSchema.validate(config);
  if (errors.length > 0) throw new TypeError(errors.join("; "));
  const args = (config["args"] ?? []) as (string | number | boolean)[];
  const oom = config["oom_score_adj"];
  const workDir = config["work_dir"];
  return {
    command: config["command"] as string,
    args: args.map(String),
    oomScoreAdj: typeof oom === "number" ? oom : null,
    workDir: typeof workDir === "string" && workDir !== "" ? workDir : null,
  };
}
