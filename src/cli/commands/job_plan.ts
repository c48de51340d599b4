/** `nomad job plan` (alias `nomad plan`): dry-run a job and show what would change. */

import type {
  FieldDiff,
  JobDiff,
  JobPlanResponse,
  ObjectDiff,
  TaskDiff,
  TaskGroupDiff,
} from "../../structs/mod.ts";
import type { Command, CommandContext } from "../cli.ts";
import { formatList, quote } from "../format.ts";
import { CommandError, errorMessage, formatAllocMetrics } from "../helpers.ts";
import {
  addClientFlags,
  clientFromFlags,
  commandErrorText,
  commandFlagSet,
  generalOptionsUsage,
  parseFlags,
} from "../meta.ts";
import { loadJobFile } from "./job_file.ts";

const HELP = `
Usage: nomad job plan [options] <path>
Alias: nomad plan

  Plan invokes a dry-run of the scheduler to determine the effects of submitting
  either a new or updated version of a job. The plan will not result in any
  changes to the cluster but gives insight into whether the job could be run
  successfully and how it would affect existing allocations.

  If the supplied path is "-", the jobfile is read from stdin. Otherwise
  it is read from the file at the supplied path.

  A job modify index is returned with the plan. This value can be used when
  submitting the job using "nomad job run -check-index", which will check that
  the job was not modified between the plan and run command before invoking the
  scheduler. This ensures the job has not been modified since the plan.

  A structured diff between the local and remote job is displayed to
  give insight into what the scheduler will attempt to do and why.

  If the job has specified the region, the -region flag and NOMAD_REGION
  environment variable are overridden and the job's region is used.

  Plan will return one of the following exit codes:
    * 0: No allocations created or destroyed.
    * 1: Allocations created or destroyed.
    * 255: Error determining plan results.

General Options:

  ${generalOptionsUsage()}

Plan Options:

  -diff
    Determines whether the diff between the remote job and planned job is shown.
    Defaults to true.

  -json
    Parses the job file as JSON. If the outer object has a Job field, such as
    from "nomad job inspect" or "nomad run -output", the value of the field is
    used as the job.

  -hcl2-strict
    Whether an error should be produced from the HCL2 parser where a variable
    has been supplied which is not defined within the root variables. Defaults
    to true.

  -policy-override
    Sets the flag to force override any soft mandatory Sentinel policies.

  -var 'key=value'
    Variable for template, can be used multiple times.

  -var-file=path
    Path to HCL2 file containing user variables.

  -verbose
    Increase diff verbosity.
`;

/** Exit code when planning failed. */
const PLAN_ERROR = 255;

/** `nomad job plan`. */
export const jobPlanCommand: Command = {
  name: "job plan",
  synopsis: "Dry-run a job update to determine its effects",
  help: () => HELP.trim(),
  run: (args, ctx) => runJobPlan(jobPlanCommand, args, ctx),
};

/** Runs `job plan` for `command` (shared by the `plan` alias). */
export async function runJobPlan(
  command: Command,
  args: string[],
  ctx: CommandContext,
): Promise<number> {
  const flags = commandFlagSet(command, ctx);
  const clientFlags = addClientFlags(flags);
  const diff = flags.bool("diff", true);
  const policyOverride = flags.bool("policy-override");
  const verbose = flags.bool("verbose");
  const json = flags.bool("json");
  flags.bool("hcl2-strict", true);
  flags.string("vault-namespace");
  const vars = flags.stringList("var");
  const varFiles = flags.stringList("var-file");
  const positional = parseFlags(flags, args);
  if (positional === null) return PLAN_ERROR;
  if (positional.length !== 1) {
    ctx.ui.error("This command takes one argument: <path>");
    ctx.ui.error(commandErrorText(command));
    return PLAN_ERROR;
  }
  const path = positional[0]!;
  let response: JobPlanResponse;
  let jobType = "";
  try {
    const loaded = await loadJobFile(
      { path, vars: vars.value, varFiles: varFiles.value, json: json.value },
      ctx.io,
    );
    jobType = typeof loaded.job["Type"] === "string" ? loaded.job["Type"] : "";
    try {
      response = await clientFromFlags(ctx, clientFlags).jobs.plan(loaded.job, {
        diff: true,
        policyOverride: policyOverride.value,
      });
    } catch (error) {
      throw new CommandError(`Error during plan: ${errorMessage(error)}`);
    }
  } catch (error) {
    if (error instanceof CommandError) {
      ctx.ui.error(error.message);
      return PLAN_ERROR;
    }
    throw error;
  }
  if (diff.value && response.Diff !== null) {
    ctx.ui.output(`${formatJobDiff(response.Diff, verbose.value).trim()}\n`);
  }
  ctx.ui.output("Scheduler dry-run:");
  ctx.ui.output(formatDryRun(response, jobType));
  ctx.ui.output("");
  if (response.Warnings !== "") ctx.ui.output(`Job Warnings:\n${response.Warnings}\n`);
  const preemptions = formatPreemptions(response);
  if (preemptions !== null) ctx.ui.output(preemptions);
  const runArgs = [
    ...vars.value.map((v) => `-var=${quote(v)} `),
    ...varFiles.value.map((f) => `-var-file=${quote(f)} `),
  ].join("");
  ctx.ui.output(formatJobModifyIndex(response.JobModifyIndex, runArgs, path));
  return planExitCode(response);
}

/** Below this many preempted allocations each is listed; otherwise they are summarized. */
const PREEMPTION_DISPLAY_THRESHOLD = 10;

/**
 * Nomad's "Preemptions:" section: each preempted allocation when few, else
 * counts per job (or per job type when many jobs); null when none.
 */
export function formatPreemptions(response: Pick<JobPlanResponse, "Annotations">): string | null {
  const allocs = response.Annotations?.PreemptedAllocs ?? [];
  if (allocs.length === 0) return null;
  const head = "Preemptions:\n\n";
  if (allocs.length < PREEMPTION_DISPLAY_THRESHOLD) {
    const rows = allocs.map((a) => `${a.ID}|${a.JobID}|${a.TaskGroup}`);
    return head + formatList(["Alloc ID|Job ID|Task Group", ...rows]);
  }
  const byJob = new Map<string, { id: string; namespace: string; type: string; count: number }>();
  for (const a of allocs) {
    const key = `${a.JobType}\u0000${a.Namespace}\u0000${a.JobID}`;
    const entry = byJob.get(key) ??
      { id: a.JobID, namespace: a.Namespace, type: a.JobType, count: 0 };
    entry.count += 1;
    byJob.set(key, entry);
  }
  const jobs = [...byJob.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
  if (jobs.length < PREEMPTION_DISPLAY_THRESHOLD) {
    const rows = jobs.map((j) => `${j.id}|${j.namespace}|${j.type}|${j.count}`);
    return head + formatList(["Job ID|Namespace|Job Type|Preemptions", ...rows]);
  }
  const byType = new Map<string, number>();
  for (const j of jobs) byType.set(j.type, (byType.get(j.type) ?? 0) + j.count);
  const rows = [...byType].map(([type, count]) => `${type}|${count}`);
  return head + formatList(["Job Type|Preemptions", ...rows]);
}

/** 1 when allocations would be created or destroyed, else 0. */
export function planExitCode(response: JobPlanResponse): number {
  if (response.Diff?.Type === "None") return 0;
  for (const d of Object.values(response.Annotations?.DesiredTGUpdates ?? {})) {
    if (d.Stop + d.Place + d.Migrate + d.DestructiveUpdate + d.Canary > 0) return 1;
  }
  return 0;
}

function formatDryRun(response: JobPlanResponse, jobType: string): string {
  const failed = response.FailedTGAllocs ?? {};
  const groups = Object.keys(failed).sort();
  if (groups.length === 0) return "- All tasks successfully allocated.";
  let out = jobType === "system"
    ? "- WARNING: Failed to place allocations on all nodes.\n"
    : "- WARNING: Failed to place all allocations.\n";
  for (const group of groups) {
    const metric = failed[group]!;
    const noun = metric.CoalescedFailures > 0 ? "allocations" : "allocation";
    out += `  Task Group ${quote(group)} (failed to place ${
      metric.CoalescedFailures + 1
    } ${noun}):\n`;
    out += `${formatAllocMetrics(metric, false, "    ")}\n\n`;
  }
  return out.replace(/\n$/, "");
}

function formatJobModifyIndex(index: number, args: string, path: string): string {
  return `Job Modify Index: ${index}
To submit the job with version verification run:

nomad job run -check-index ${index} ${args}${path}

When running the job with the check-index flag, the job will only be run if the
job modify index given matches the server-side version. If the index has
changed, another user has modified the job and the plan's results are
potentially invalid.`;
}

/** The annotated job diff as Nomad prints it. */
export function formatJobDiff(job: JobDiff, verbose: boolean): string {
  let out = `${marker(job.Type)}Job: ${quote(job.ID)}\n`;
  const [longestField, fieldMarker] = longestPrefixes(job.Fields, job.Objects);
  let longestMarker = fieldMarker;
  for (const tg of job.TaskGroups ?? []) {
    longestMarker = Math.max(longestMarker, markerLength(tg.Type));
  }
  if (job.Type === "Edited" || verbose) {
    const fo = alignedFieldsAndObjects(job.Fields, job.Objects, 0, longestField, longestMarker);
    out += fo;
    if (fo.length > 0) out += "\n";
  }
  for (const tg of job.TaskGroups ?? []) {
    out += `${formatGroupDiff(tg, longestMarker - markerLength(tg.Type), verbose)}\n`;
  }
  return out;
}

function formatGroupDiff(tg: TaskGroupDiff, prefix: number, verbose: boolean): string {
  let out = `${marker(tg.Type)}${" ".repeat(prefix)}Task Group: ${quote(tg.Name)}`;
  const updates = Object.entries(tg.Updates ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  out += updates.length > 0
    ? ` (${updates.map(([kind, n]) => `${n} ${kind}`).join(", ")})\n`
    : "\n";
  const [longestField, fieldMarker] = longestPrefixes(tg.Fields, tg.Objects);
  let longestMarker = fieldMarker;
  for (const task of tg.Tasks ?? []) {
    longestMarker = Math.max(longestMarker, markerLength(task.Type));
  }
  const sub = prefix + 2;
  if (tg.Type === "Edited" || verbose) {
    const fo = alignedFieldsAndObjects(tg.Fields, tg.Objects, sub, longestField, longestMarker);
    out += fo;
    if (fo.length > 0) out += "\n";
  }
  for (const task of tg.Tasks ?? []) {
    out += `${formatTaskDiff(task, sub, longestMarker - markerLength(task.Type), verbose)}\n`;
  }
  return out;
}

function formatTaskDiff(task: TaskDiff, start: number, prefix: number, verbose: boolean): string {
  let out = `${" ".repeat(start)}${marker(task.Type)}${" ".repeat(prefix)}Task: ${
    quote(task.Name)
  }`;
  if ((task.Annotations ?? []).length > 0) out += ` (${task.Annotations!.join(", ")})`;
  if (task.Type === "None") return out;
  if ((task.Type === "Deleted" || task.Type === "Added") && !verbose) return out;
  out += "\n";
  const [longestField, longestMarker] = longestPrefixes(task.Fields, task.Objects);
  return out +
    alignedFieldsAndObjects(task.Fields, task.Objects, start + 2, longestField, longestMarker);
}

function formatObjectDiff(diff: ObjectDiff, start: number, keyPrefix: number): string {
  let out = `${" ".repeat(start)}${marker(diff.Type)}${" ".repeat(keyPrefix)}${diff.Name} {\n`;
  const [longestField, longestMarker] = longestPrefixes(diff.Fields, diff.Objects);
  out += alignedFieldsAndObjects(
    diff.Fields,
    diff.Objects,
    start + keyPrefix + 2,
    longestField,
    longestMarker,
  );
  return `${out}\n${" ".repeat(start + markerLength(diff.Type) + keyPrefix)}}`;
}

function formatFieldDiff(diff: FieldDiff, start: number, keyPrefix: number, valuePrefix: number) {
  let out = `${" ".repeat(start)}${marker(diff.Type)}${" ".repeat(keyPrefix)}${diff.Name}: ${
    " ".repeat(valuePrefix)
  }`;
  switch (diff.Type) {
    case "Added":
      out += quote(diff.New);
      break;
    case "Deleted":
      out += quote(diff.Old);
      break;
    case "Edited":
      out += `${quote(diff.Old)} => ${quote(diff.New)}`;
      break;
    default:
      out += quote(diff.New);
  }
  if ((diff.Annotations ?? []).length > 0) out += ` (${diff.Annotations!.join(", ")})`;
  return out;
}

function alignedFieldsAndObjects(
  fields: FieldDiff[] | null,
  objects: ObjectDiff[] | null,
  start: number,
  longestField: number,
  longestMarker: number,
): string {
  const lines: string[] = [];
  for (const field of fields ?? []) {
    lines.push(formatFieldDiff(
      field,
      start,
      longestMarker - markerLength(field.Type),
      longestField - field.Name.length,
    ));
  }
  for (const object of objects ?? []) {
    lines.push(formatObjectDiff(object, start, longestMarker - markerLength(object.Type)));
  }
  return lines.join("\n");
}

function longestPrefixes(
  fields: FieldDiff[] | null,
  objects: ObjectDiff[] | null,
): [number, number] {
  let longestField = 0;
  let longestMarker = 0;
  for (const f of fields ?? []) {
    longestField = Math.max(longestField, f.Name.length);
    longestMarker = Math.max(longestMarker, markerLength(f.Type));
  }
  for (const o of objects ?? []) longestMarker = Math.max(longestMarker, markerLength(o.Type));
  return [longestField, longestMarker];
}

function marker(type: string): string {
  return type === "Added" ? "+ " : type === "Deleted" ? "- " : type === "Edited" ? "+/- " : "";
}

function markerLength(type: string): number {
  return marker(type).length;
}
