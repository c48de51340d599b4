/** Applying a scheduler configuration write (Nomad's SchedulerSetConfig / SchedulerCASConfig). */

import type { Txn } from "../state/mod.ts";
import type { SchedulerConfigEntry } from "./messages.ts";

/**
 * Stores the entry's configuration at the transaction's index, keeping the
 * first CreateIndex. A CAS write only applies when a configuration exists and
 * its ModifyIndex equals the entry's; returns whether it was stored.
 */
export function applySchedulerConfig(txn: Txn, entry: SchedulerConfigEntry): boolean {
  const existing = txn.schedulerConfig();
  if (entry.CAS && (existing === null || existing.ModifyIndex !== entry.Config.ModifyIndex)) {
    return false;
  }
  txn.setSchedulerConfig({
    ...entry.Config,
    PreemptionConfig: { ...entry.Config.PreemptionConfig },
    CreateIndex: existing?.CreateIndex ?? txn.index,
    ModifyIndex: txn.index,
  });
  return true;
}
