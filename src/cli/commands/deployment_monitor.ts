/**
 * Deployment output shared by `nomad deployment ...` and the `job run`
 * monitor: Nomad's status block and list table, and a non-interactive
 * monitor that follows a deployment (and an auto-revert's rollback).
 */

import type { NomadClient } from "../../api/mod.ts";
import type { Deployment } from "../../structs/mod.ts";
import { formatKV, formatList, formatTime, limit, quote } from "../format.ts";
import { errorMessage, formatAllocListStubs } from "../helpers.ts";
import type { CliIo } from "../io.ts";
import { formatDeploymentGroups } from "./job_status_format.ts";

/** Longest one blocking query of the deployment monitor waits. */
export const DEPLOYMENT_BLOCKING_WAIT_MS = 5_000;
/** Most deployments followed through auto-reverts by one monitor. */
export const MAX_FOLLOWED_DEPLOYMENTS = 10;
/** Polls for the rollback deployment after an auto-revert, 250 ms apart. */
export const ROLLBACK_POLLS = 20;

/** Nomad's formatDeployment: the header block plus the "Deployed" table. */
export function formatDeploymentStatus(d: Deployment, length: number): string {
  const base = formatKV([
    `ID|${limit(d.ID, length)}`,
    `Job ID|${d.JobID}`,
    `Job Version|${d.JobVersion}`,
    `Status|${d.Status}`,
    `Description|${d.StatusDescription}`,
  ]);
  if (Object.keys(d.TaskGroups ?? {}).length === 0) return base;
  return `${base}\n\nDeployed\n${formatDeploymentGroups(d)}`;
}

/** Nomad's formatDeployments: the list table, newest first. */
export function formatDeploymentList(list: readonly Deployment[], length: number): string {
  if (list.length === 0) return "No deployments found";
  const rows = [...list].sort((a, b) => b.CreateIndex - a.CreateIndex)
    .map((d) =>
      `${limit(d.ID, length)}|${d.JobID}|${d.JobVersion}|${d.Status}|${d.StatusDescription}`
    );
  return formatList(["ID|Job ID|Job Version|Status|Description", ...rows]);
}

/**
 * Follows a deployment until it finishes (Nomad's non-interactive monitor):
 * prints the status block whenever it changes, and follows the rollback
 * deployment of an auto-revert. With `verbose`, each block also lists the
 * deployment's allocations, as Nomad's monitor does. Returns the final status.
 */
export async function monitorDeployment(
  io: CliIo,
  client: NomadClient,
  options: { id: string; length: number; verbose?: boolean },
): Promise<string> {
  let id = options.id;
  let status = "";
  for (let followed = 0; followed < MAX_FOLLOWED_DEPLOYMENTS; followed++) {
    const d = await followOne(io, client, {
      id,
      length: options.length,
      verbose: options.verbose ?? false,
    });
    if (d === null) return status;
    status = d.Status;
    if (d.Status !== "failed" || !Object.values(d.TaskGroups).some((s) => s.AutoRevert)) {
      return status;
    }
    const rollback = await waitForRollback(client, d);
    if (rollback === null) return status;
    io.stdout.write(
      `\n==> ${formatTime(io.now())}: Monitoring rollback deployment ${
        quote(limit(rollback.ID, options.length))
      }\n`,
    );
    id = rollback.ID;
  }
  return status;
}

/** Nomad's verbose monitor section: "Allocations" and the deployment's allocation table. */
async function allocationsSection(
  io: CliIo,
  client: NomadClient,
  options: { id: string; length: number },
): Promise<string> {
  try {
    const stubs = (await client.deployments.allocations(options.id)).data;
    const table = formatAllocListStubs(stubs, {
      verbose: true,
      length: options.length,
      nowMs: io.now(),
    });
    return `\n\nAllocations\n${table}`;
  } catch (error) {
    return `\n\nAllocations\nError fetching allocations: ${errorMessage(error)}`;
  }
}

async function followOne(
  io: CliIo,
  client: NomadClient,
  options: { id: string; length: number; verbose: boolean },
): Promise<Deployment | null> {
  let index = 0;
  let last = "";
  for (;;) {
    let d: Deployment;
    try {
      const response = await client.deployments.info(
        options.id,
        index > 0 ? { index, waitMs: DEPLOYMENT_BLOCKING_WAIT_MS } : {},
      );
      d = response.data;
      index = Math.max(index, response.index);
    } catch (error) {
      io.stderr.write(`Error fetching deployment: ${errorMessage(error)}\n`);
      return null;
    }
    const text = formatDeploymentStatus(d, options.length) +
      (options.verbose ? await allocationsSection(io, client, options) : "");
    if (text !== last) {
      // Each status block follows a blank line, as Nomad prints them.
      io.stdout.write("\n");
      last = text;
      const block = `${formatTime(io.now())}\n${text}`;
      io.stdout.write(`${block.split("\n").map((l) => (l === "" ? "" : `    ${l}`)).join("\n")}\n`);
    }
    if (d.Status !== "running" && d.Status !== "pending" && d.Status !== "paused") return d;
    if (d.Status === "paused") await new Promise((r) => setTimeout(r, 1_000));
  }
}

/** The deployment an auto-revert started, if one appears within a few seconds. */
async function waitForRollback(
  client: NomadClient,
  failed: Deployment,
): Promise<Deployment | null> {
  for (let attempt = 0; attempt < ROLLBACK_POLLS; attempt++) {
    const latest = (await client.jobs.latestDeployment(failed.JobID)).data;
    if (latest !== null && latest.ID !== failed.ID) {
      return (await client.deployments.info(latest.ID)).data;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return null;
}
