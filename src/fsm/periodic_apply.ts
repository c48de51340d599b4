/**
 * The periodic_launch table as Nomad's FSM keeps it: registering an active
 * periodic job records its insertion time as a first "launch" (so a new leader
 * can tell whether a launch was missed), and registering a launched child
 * `<parent>/periodic-<unix seconds>` records that launch on the parent.
 */

import { deepFreeze, isParameterizedJob, isPeriodicActive, type Job } from "../structs/mod.ts";
import { nsKey, type Txn } from "../state/mod.ts";

/** Separates a periodic parent's ID from the launch time in a child's ID. */
export const PERIODIC_LAUNCH_SUFFIX = "/periodic-";

/** Launch time (Unix seconds) encoded in a periodic child's ID, or null. */
export function periodicLaunchSeconds(childID: string): number | null {
  const at = childID.lastIndexOf(PERIODIC_LAUNCH_SUFFIX);
  if (at < 0) return null;
  const text = childID.slice(at + PERIODIC_LAUNCH_SUFFIX.length);
  return /^\d+$/.test(text) ? Number(text) : null;
}

function upsertLaunch(txn: Txn, job: { Namespace: string; ID: string }, launchNs: number): void {
  const key = nsKey(job.Namespace, job.ID);
  const existing = txn.read("periodicLaunches").get(key);
  txn.write("periodicLaunches").set(
    key,
    deepFreeze({
      Namespace: job.Namespace,
      ID: job.ID,
      Launch: launchNs,
      CreateIndex: existing?.CreateIndex ?? txn.index,
      ModifyIndex: txn.index,
    }),
  );
}

/** Records launches for a job just registered at `submitTimeNs`. */
export function recordPeriodicLaunch(txn: Txn, job: Job, submitTimeNs: number): void {
  if (isPeriodicActive(job) && !txn.read("periodicLaunches").has(nsKey(job.Namespace, job.ID))) {
    upsertLaunch(txn, job, submitTimeNs);
  }
  if (job.ParentID === "") return;
  const parent = txn.read("jobs").get(nsKey(job.Namespace, job.ParentID));
  if (parent === undefined || parent.Periodic === null || isParameterizedJob(parent)) return;
  const seconds = periodicLaunchSeconds(job.ID);
  if (seconds !== null) upsertLaunch(txn, parent, seconds * 1e9);
}

/** Forgets a purged job's launches. */
export function deletePeriodicLaunch(txn: Txn, namespace: string, id: string): void {
  const key = nsKey(namespace, id);
  if (txn.read("periodicLaunches").has(key)) txn.write("periodicLaunches").delete(key);
}
