/** Choosing an allocation's task for `alloc exec|signal|restart` (Nomad's lookupAllocTask). */

import type { Allocation } from "../../structs/mod.ts";
import { formatList, limit, SHORT_ID_LENGTH } from "../format.ts";
import { CommandError } from "../helpers.ts";

/** The task names of the allocation's group. */
export function allocTaskNames(alloc: Allocation): string[] {
  const group = alloc.Job?.TaskGroups?.find((g) => g.Name === alloc.TaskGroup);
  if (group === undefined) {
    throw new CommandError(`Could not find allocation task group: ${alloc.TaskGroup}`);
  }
  return group.Tasks.map((t) => t.Name);
}

/** Nomad's validateTaskExistsInAllocation. */
export function validateTaskExists(alloc: Allocation, task: string): void {
  const names = allocTaskNames(alloc);
  if (names.includes(task)) return;
  throw new CommandError(`Could not find task named: ${task}, found:\n${formatList(names)}`);
}

/** The only task of the allocation, or Nomad's error listing them. */
export function onlyTask(alloc: Allocation): string {
  const names = allocTaskNames(alloc);
  if (names.length === 1 && names[0] !== undefined) return names[0];
  const listing = names.map((n) => `  * ${n}\n`).join("");
  throw new CommandError(
    `Allocation ${
      JSON.stringify(limit(alloc.ID, SHORT_ID_LENGTH))
    } is running the following tasks:\n${listing}\nPlease specify the task.`,
  );
}
