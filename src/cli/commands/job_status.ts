/** `nomad job status [<job>]`: the job list, or one job's summary, failures and allocations. */

import { ApiError, type NomadClient } from "../../api/mod.ts";
import type { Job } from "../../structs/mod.ts";
import type { Command, CommandContext } from "../cli.ts";
import { formatKV, formatList } from "../format.ts";
import {
  CommandError,
  createStatusListOutput,
  errorMessage,
  formatAllocListStubs,
  jobIdByPrefix,
} from "../helpers.ts";
import {
  addClientFlags,
  allNamespaces,
  clientFromFlags,
  commandErrorText,
  commandFlagSet,
  generalOptionsUsage,
  idLength,
  parseFlags,
} from "../meta.ts";
import {
  formatChildrenTable,
  formatDeployment,
  formatEvaluations,
  formatJobBasics,
  formatPlacementFailures,
  formatSummaryTable,
  isParameterized,
  isPeriodic,
  latestFailedPlacement,
} from "./job_status_format.ts";

const HELP = `
Usage: nomad job status [options] <job>

  Display status information about a job. If no job ID is given, a list of all
  known jobs will be displayed.

General Options:

  ${generalOptionsUsage()}

Status Options:

  -short
    Display short output. Used only when a single job is being
    queried, and drops verbose information about allocations.

  -evals
    Display the evaluations associated with the job.

  -all-allocs
    Display all allocations matching the job ID, including those from an older
    instance of the job.

  -json
    Output the job status in its JSON format.

  -verbose
    Display full information.
`;

/** Options of a status run. */
interface StatusOptions {
  short: boolean;
  evals: boolean;
  allAllocs: boolean;
  json: boolean;
  verbose: boolean;
  length: number;
}

/** `nomad job status`. */
export const jobStatusCommand: Command = {
  name: "job status",
  synopsis: "Display status information about a job",
  help: () => HELP.trim(),
  run: (args, ctx) => runJobStatus(jobStatusCommand, args, ctx),
};

/** Runs `job status` for `command` (shared by the top-level `status`). */
export async function runJobStatus(
  command: Command,
  args: string[],
  ctx: CommandContext,
): Promise<number> {
  const flags = commandFlagSet(command, ctx);
  const clientFlags = addClientFlags(flags);
  const short = flags.bool("short");
  const evals = flags.bool("evals");
  const allAllocs = flags.bool("all-allocs");
  const json = flags.bool("json");
  const template = flags.string("t");
  const verbose = flags.bool("verbose");
  const positional = parseFlags(flags, args);
  if (positional === null) return 1;
  if (positional.length > 1) {
    ctx.ui.error("This command takes either no arguments or one: <job>");
    ctx.ui.error(commandErrorText(command));
    return 1;
  }
  if (template.value !== "") {
    ctx.ui.error("Error: Go templates (-t) are not supported; use -json");
    return 1;
  }
  const options: StatusOptions = {
    short: short.value,
    evals: evals.value,
    allAllocs: allAllocs.value,
    json: json.value,
    verbose: verbose.value,
    length: idLength(verbose.value),
  };
  const client = clientFromFlags(ctx, clientFlags);
  try {
    if (positional.length === 0) return await listJobs(client, options, ctx);
    const { id, namespace } = await jobIdByPrefix(client, (positional[0] ?? "").trim());
    return await showJob(namespace === "" ? client : client.with({ namespace }), id, options, ctx);
  } catch (error) {
    ctx.ui.error(errorMessage(error));
    return 1;
  }
}

async function listJobs(
  client: NomadClient,
  options: StatusOptions,
  ctx: CommandContext,
): Promise<number> {
  let jobs;
  try {
    jobs = (await client.jobs.list()).data;
  } catch (error) {
    throw new CommandError(`Error querying jobs: ${errorMessage(error)}`);
  }
  if (jobs.length === 0) {
    ctx.ui.output("No running jobs");
  } else if (options.json) {
    const all = [];
    for (const job of jobs) {
      all.push(await jobJson(client.with({ namespace: job.Namespace }), job.ID, options));
    }
    ctx.ui.output(JSON.stringify(all, null, 4));
  } else {
    ctx.ui.output(createStatusListOutput(jobs, allNamespaces(client)));
  }
  return 0;
}

async function showJob(
  client: NomadClient,
  id: string,
  options: StatusOptions,
  ctx: CommandContext,
): Promise<number> {
  let job: Job;
  try {
    job = (await client.jobs.info(id)).data;
  } catch (error) {
    throw new CommandError(`Error querying job: ${errorMessage(error)}`);
  }
  if (options.json) {
    ctx.ui.output(JSON.stringify([await jobJson(client, job.ID, options)], null, 4));
    return 0;
  }
  ctx.ui.output(formatJobBasics(job, ctx.io.now()));
  if (options.short) return 0;
  if (isPeriodic(job) && !isParameterized(job)) {
    await outputChildren(client, job, "periodic", ctx);
  } else if (isParameterized(job)) {
    const p = job.ParameterizedJob;
    ctx.ui.output("\nParameterized Job");
    ctx.ui.output(formatKV([
      `Payload|${p?.Payload ?? ""}`,
      `Required Metadata|${(p?.MetaRequired ?? []).join(", ")}`,
      `Optional Metadata|${(p?.MetaOptional ?? []).join(", ")}`,
    ]));
    await outputChildren(client, job, "dispatch", ctx);
  } else {
    await outputJobInfo(client, job, options, ctx);
  }
  return 0;
}

async function outputJobInfo(
  client: NomadClient,
  job: Job,
  options: StatusOptions,
  ctx: CommandContext,
): Promise<void> {
  const allocs = await wrap(
    "Error querying job allocations",
    client.jobs.allocations(job.ID, options.allAllocs),
  );
  const evals = await wrap("Error querying job evaluations", client.jobs.evaluations(job.ID));
  const deployment = await latestDeployment(client, job.ID);
  await outputSummary(client, job, ctx);
  if (options.verbose || options.evals) {
    ctx.ui.output("\nEvaluations");
    ctx.ui.output(formatEvaluations(evals.data, options.length));
  }
  const failed = latestFailedPlacement(evals.data);
  if (failed !== undefined) {
    ctx.ui.output("\nPlacement Failure");
    ctx.ui.output(formatPlacementFailures(failed));
  }
  if (deployment !== null) {
    ctx.ui.output("\nLatest Deployment");
    ctx.ui.output(formatDeployment(deployment, options.length));
  }
  ctx.ui.output("\nAllocations");
  ctx.ui.output(
    formatAllocListStubs(allocs.data, {
      verbose: options.verbose,
      length: options.length,
      nowMs: ctx.io.now(),
    }),
  );
}

async function outputSummary(client: NomadClient, job: Job, ctx: CommandContext): Promise<void> {
  const summary = (await wrap("Error querying job summary", client.jobs.summary(job.ID))).data;
  if (summary === null) return;
  const periodic = isPeriodic(job);
  const parameterized = isParameterized(job);
  if (!periodic && !parameterized) {
    ctx.ui.output("\nSummary");
    ctx.ui.output(formatSummaryTable(summary));
  }
  const children = summary.Children;
  const sum = children ? children.Pending + children.Running + children.Dead : 0;
  if (children && (parameterized || periodic || sum > 0)) {
    ctx.ui.output(parameterized ? "\nParameterized Job Summary" : "\nChildren Job Summary");
    ctx.ui.output(formatChildrenTable(summary));
  }
}

async function outputChildren(
  client: NomadClient,
  job: Job,
  kind: "periodic" | "dispatch",
  ctx: CommandContext,
): Promise<void> {
  await outputSummary(client, job, ctx);
  const prefix = `${job.ID}/${kind}-`;
  const children = (await wrap("Error querying job", client.jobs.prefixList(prefix))).data
    .filter((child) => child.ParentID === job.ID);
  if (children.length === 0) {
    ctx.ui.output(
      kind === "periodic"
        ? "\nNo instances of periodic job found"
        : "\nNo dispatched instances of parameterized job found",
    );
    return;
  }
  ctx.ui.output(kind === "periodic" ? "\nPreviously Launched Jobs" : "\nDispatched Jobs");
  ctx.ui.output(formatList(["ID|Status", ...children.map((c) => `${c.ID}|${c.Status}`)]));
}

/** `GET /v1/job/:id/deployment`; a server without deployments (404, no body) counts as none. */
async function latestDeployment(client: NomadClient, id: string) {
  try {
    return (await client.jobs.latestDeployment(id)).data;
  } catch (error) {
    if (error instanceof ApiError && error.statusCode === 404 && error.body === "") return null;
    throw new CommandError(`Error querying latest job deployment: ${errorMessage(error)}`);
  }
}

async function jobJson(
  client: NomadClient,
  id: string,
  options: StatusOptions,
): Promise<Record<string, unknown>> {
  const summary = await wrap("Error querying job summary", client.jobs.summary(id));
  const allocations = await wrap(
    "Error querying job allocations",
    client.jobs.allocations(id, options.allAllocs),
  );
  const deployment = await latestDeployment(client, id);
  const evaluations = await wrap("Error querying job evaluations", client.jobs.evaluations(id));
  return {
    Summary: summary.data,
    Allocations: allocations.data,
    LatestDeployment: deployment,
    Evaluations: evaluations.data,
  };
}

async function wrap<T>(context: string, promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    throw new CommandError(`${context}: ${errorMessage(error)}`);
  }
}
