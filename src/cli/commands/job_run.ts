/** `nomad job run` (alias `nomad run`): submit a job file and monitor its evaluation. */

import {
  ApiError,
  type JobPayload,
  type JobRegisterResponse,
  type JobSubmission,
  type NomadClient,
} from "../../api/mod.ts";
import { goJson } from "../../core/go_json.ts";
import type { Command, CommandContext } from "../cli.ts";
import { quote } from "../format.ts";
import { CommandError, errorMessage } from "../helpers.ts";
import {
  addClientFlags,
  clientFromFlags,
  commandErrorText,
  commandFlagSet,
  generalOptionsUsage,
  idLength,
  parseFlags,
} from "../meta.ts";
import { loadJobFile } from "./job_file.ts";
import { EvalMonitor } from "./monitor.ts";

const HELP = `
Usage: nomad job run [options] <path>
Alias: nomad run

  Starts running a new job or updates an existing job using
  the specification located at <path>. This is the main command
  used to interact with Nomad.

  If the supplied path is "-", the jobfile is read from stdin. Otherwise
  it is read from the file at the supplied path.

  Upon successful job submission, this command will immediately
  enter an interactive monitor. This is useful to watch Nomad's
  internals make scheduling decisions and place the submitted work
  onto nodes. The monitor will end once job placement is done. It
  is safe to exit the monitor early using ctrl+c.

  On successful job submission and scheduling, exit code 0 will be
  returned. If there are job placement issues encountered
  (unsatisfiable constraints, resource exhaustion, etc), then the
  exit code will be 2. Any other errors, including client connection
  issues or internal errors, are indicated by exit code 1.

General Options:

  ${generalOptionsUsage()}

Run Options:

  -check-index
    If set, the job is only registered or updated if the passed
    job modify index matches the server side version. If a check-index value of
    zero is passed, the job is only registered if it does not yet exist.

  -detach
    Return immediately instead of entering monitor mode. After job submission,
    the evaluation ID will be printed to the screen.

  -eval-priority
    Override the priority of the evaluations produced as a result of this job
    submission. By default, this is set to the priority of the job.

  -json
    Parses the job file as JSON. If the outer object has a Job field, such as
    from "nomad job inspect" or "nomad run -output", the value of the field is
    used as the job.

  -hcl2-strict
    Whether an error should be produced from the HCL2 parser where a variable
    has been supplied which is not defined within the root variables. Defaults
    to true.

  -output
    Output the JSON that would be submitted to the HTTP API without submitting
    the job.

  -policy-override
    Sets the flag to force override any soft mandatory Sentinel policies.

  -preserve-counts
    If set, the existing task group counts will be preserved when updating a job.

  -var 'key=value'
    Variable for template, can be used multiple times.

  -var-file=path
    Path to HCL2 file containing user variables.

  -verbose
    Display full information.
`;

/** Matches the server's check-index rejection to print just its reason. */
const ENFORCE_INDEX_PATTERN = /\((Enforcing job modify index.*)\)/;

/** `nomad job run`. */
export const jobRunCommand: Command = {
  name: "job run",
  synopsis: "Run a new job or update an existing job",
  help: () => HELP.trim(),
  run: (args, ctx) => runJobRun(jobRunCommand, args, ctx),
};

/** The flags of `job run`. */
function defineFlags(command: Command, ctx: CommandContext) {
  const flags = commandFlagSet(command, ctx);
  const client = addClientFlags(flags);
  return {
    flags,
    client,
    detach: flags.bool("detach"),
    verbose: flags.bool("verbose"),
    output: flags.bool("output"),
    policyOverride: flags.bool("policy-override"),
    preserveCounts: flags.bool("preserve-counts"),
    json: flags.bool("json"),
    hcl1: flags.bool("hcl1"),
    strict: flags.bool("hcl2-strict", true),
    checkIndex: flags.string("check-index"),
    consulToken: flags.string("consul-token"),
    consulNamespace: flags.string("consul-namespace"),
    vaultToken: flags.string("vault-token"),
    vaultNamespace: flags.string("vault-namespace"),
    vars: flags.stringList("var"),
    varFiles: flags.stringList("var-file"),
    evalPriority: flags.int("eval-priority"),
  };
}

/** Runs `job run` for `command` (shared by the `run` alias). */
export async function runJobRun(
  command: Command,
  args: string[],
  ctx: CommandContext,
): Promise<number> {
  const f = defineFlags(command, ctx);
  const positional = parseFlags(f.flags, args);
  if (positional === null) return 1;
  if (positional.length !== 1) {
    ctx.ui.error("This command takes one argument: <path>");
    ctx.ui.error(commandErrorText(command));
    return 1;
  }
  if (f.hcl1.value) {
    ctx.ui.error("Invalid job options: HCLv1 is no longer supported; use HCL2.");
    return 1;
  }
  try {
    const path = positional[0] ?? "";
    const loaded = await loadJobFile(
      { path, vars: f.vars.value, varFiles: f.varFiles.value, json: f.json.value },
      ctx.io,
    );
    const job = applyTokens(loaded.job, f, ctx.io.env);
    if (f.output.value) {
      ctx.ui.output(goJson({ Job: job }, 4));
      return 0;
    }
    const client = jobScopedClient(clientFromFlags(ctx, f.client), job);
    const response = await register(client, job, loaded.submission, f, ctx);
    if (response === null) return 1;
    response.Warnings = joinWarnings(loaded.warnings, response.Warnings);
    return await afterRegister(client, job, response, {
      detach: f.detach.value,
      verbose: f.verbose.value,
    }, ctx);
  } catch (error) {
    if (error instanceof CommandError) {
      ctx.ui.error(error.message);
      return 1;
    }
    throw error;
  }
}

/** Parser warnings and the server's, in Nomad's multi-warning format. */
export function joinWarnings(parsed: readonly string[], server: string): string {
  if (parsed.length === 0) return server;
  const all = [...parsed, ...(server === "" ? [] : [server.trim()])];
  return `${all.length} warning(s):\n\n${all.map((w) => `* ${w}`).join("\n")}`;
}

function applyTokens(
  job: JobPayload,
  f: ReturnType<typeof defineFlags>,
  env: Readonly<Record<string, string>>,
): JobPayload {
  const result = { ...job };
  const consulToken = f.consulToken.value || env["CONSUL_HTTP_TOKEN"] || "";
  const vaultToken = f.vaultToken.value || env["VAULT_TOKEN"] || "";
  if (consulToken !== "") result["ConsulToken"] = consulToken;
  if (f.consulNamespace.value !== "") result["ConsulNamespace"] = f.consulNamespace.value;
  if (vaultToken !== "") result["VaultToken"] = vaultToken;
  if (f.vaultNamespace.value !== "") result["VaultNamespace"] = f.vaultNamespace.value;
  return result;
}

/** A job's own region and namespace win over flags and environment. */
function jobScopedClient(client: NomadClient, job: JobPayload): NomadClient {
  const region = typeof job["Region"] === "string" ? job["Region"] : "";
  const namespace = typeof job["Namespace"] === "string" ? job["Namespace"] : "";
  return client.with({
    ...(region !== "" ? { region } : {}),
    ...(namespace !== "" ? { namespace } : {}),
  });
}

async function register(
  client: NomadClient,
  job: JobPayload,
  submission: JobSubmission,
  f: ReturnType<typeof defineFlags>,
  ctx: CommandContext,
): Promise<JobRegisterResponse | null> {
  const checkIndex = f.checkIndex.value;
  if (checkIndex !== "" && !/^\d+$/.test(checkIndex)) {
    ctx.ui.error(
      `Error parsing check-index value ${quote(checkIndex)}: strconv.ParseUint: parsing ${
        quote(checkIndex)
      }: invalid syntax`,
    );
    return null;
  }
  try {
    const result = await client.jobs.register(job, {
      policyOverride: f.policyOverride.value,
      preserveCounts: f.preserveCounts.value,
      evalPriority: f.evalPriority.value,
      submission,
      ...(checkIndex !== "" ? { enforceIndex: true, modifyIndex: Number(checkIndex) } : {}),
    });
    return result.data;
  } catch (error) {
    const match = error instanceof ApiError ? ENFORCE_INDEX_PATTERN.exec(error.message) : null;
    if (match?.[1] !== undefined) {
      ctx.ui.error(match[1]);
      ctx.ui.error("Job not updated");
    } else {
      ctx.ui.error(`Error submitting job: ${errorMessage(error)}`);
    }
    return null;
  }
}

async function afterRegister(
  client: NomadClient,
  job: JobPayload,
  response: JobRegisterResponse,
  options: { detach: boolean; verbose: boolean },
  ctx: CommandContext,
): Promise<number> {
  if (response.Warnings) ctx.ui.output(`Job Warnings:\n${response.Warnings}\n`);
  const periodic = job["Periodic"] !== undefined && job["Periodic"] !== null;
  const parameterized = job["ParameterizedJob"] !== undefined && job["ParameterizedJob"] !== null &&
    job["Dispatched"] !== true;
  const multiregion = isMultiregion(job);
  if (options.detach || periodic || parameterized || multiregion) {
    ctx.ui.output("Job registration successful");
    if (!periodic && !parameterized) ctx.ui.output(`Evaluation ID: ${response.EvalID}`);
    return 0;
  }
  return await new EvalMonitor(ctx.io, client, idLength(options.verbose), {
    followDeployment: true,
  }).monitor(response.EvalID);
}

function isMultiregion(job: JobPayload): boolean {
  const multiregion = job["Multiregion"];
  if (typeof multiregion !== "object" || multiregion === null) return false;
  const regions = (multiregion as Record<string, unknown>)["Regions"];
  return Array.isArray(regions) && regions.length > 0;
}
