/** Named limits: every queue, body, batch and retry in the system has one. */

/** Largest accepted HTTP request body. */
export const MAX_REQUEST_BODY_BYTES = 16 * 1024 * 1024;
/** Longest a blocking query may wait (Nomad's MaxBlockingRPCQueryTime). */
export const MAX_BLOCKING_QUERY_MS = 300_000;
/** Default blocking query wait when `wait` is not given. */
export const DEFAULT_BLOCKING_QUERY_MS = 300_000;
/** Blocking waits get up to wait/16 random jitter, as in Nomad. */
export const BLOCKING_JITTER_FRACTION = 16;
/** Most evaluations the broker holds ready at once before refusing more. */
export const MAX_BROKER_EVALS = 100_000;
/** Most plans waiting for the plan applier. */
export const MAX_PLAN_QUEUE = 10_000;
/** Scheduler retries of a plan that was only partly committed (service). */
export const MAX_SERVICE_SCHEDULE_ATTEMPTS = 5;
/** Scheduler retries of a plan that was only partly committed (batch). */
export const MAX_BATCH_SCHEDULE_ATTEMPTS = 2;
/** Allocation updates the client sends in one batch. */
export const MAX_ALLOC_UPDATE_BATCH = 500;
/** Task events kept per task (Nomad keeps the last 10). */
export const MAX_TASK_EVENTS = 10;
/** Largest job count accepted. */
export const MAX_JOB_COUNT = 100_000;
/** Bytes in one log stream frame (Nomad: 64 KiB). */
export const STREAM_FRAME_BYTES = 64 * 1024;
