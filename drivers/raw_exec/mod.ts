/**
 * The raw_exec task driver: runs a command without isolation under the shared executor.
 *
 * @example
 * ```ts ignore
 * import { RawExecDriver } from "./mod.ts";
 * const driver = new RawExecDriver({ executor: () => ExecutorClient.connect(opts), enabled: true });
 * const handle = await driver.startTask(taskConfig);
 * const exit = await driver.waitTask(handle.taskId);
 * ```
 */
export {
  DEFAULT_KILL_SIGNAL,
  DEFAULT_OOM_SCORE_ADJ,
  RAW_EXEC_DRIVER_NAME,
  RawExecDriver,
  TASK_NOT_FOUND,
} from "./driver.ts";
export type { RawExecDriverOptions, RawExecDriverState } from "./driver.ts";
export {
  decodeRawExecConfig,
  MAX_OOM_SCORE_ADJ,
  RAW_EXEC_CONFIG_KEYS,
  rawExecConfigSchema,
} from "./schema.ts";
export type { RawExecTaskConfig } from "./schema.ts";
