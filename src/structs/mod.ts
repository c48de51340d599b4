/** Nomad's data model with its JSON field names; canonicalize and validate jobs. */
export * from "./job.ts";
export * from "./allocation.ts";
export * from "./evaluation.ts";
export * from "./node.ts";
export * from "./plan.ts";
export * from "./deployment.ts";
export * from "./canonicalize.ts";
export * from "./validate.ts";
export * from "./decode.ts";
export * from "./copy.ts";
export * from "./requests.ts";
export * from "./diff.ts";
export * from "./scheduler_config.ts";
export * from "./variable.ts";
export * from "./service_registration.ts";
