/**
 * Job files (HCL or API JSON) → api.Job JSON, ready for `canonicalizeJob`.
 *
 * @example
 * ```ts
 * import { jobInitTemplate, parseJob } from "./mod.ts";
 * const job = parseJob(jobInitTemplate(true), { filename: "example.nomad.hcl" });
 * job.ID; // "example"
 * ```
 *
 * @module
 */
export { parseJob, type ParseJobOptions } from "./parse_job.ts";
export type { JobFileHost } from "./functions.ts";
export { jobInitTemplate } from "./init_template.ts";
export { JobspecError } from "./errors.ts";
export { parseJsonJob, parseJsonText } from "./json_job.ts";
export type { VarFile } from "./variables.ts";
