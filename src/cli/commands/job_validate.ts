/** `nomad job validate` (alias `nomad validate`): check a job file without running it. */

import { ConnectionError, type JobValidateResponse } from "../../api/mod.ts";
import type { Command, CommandContext } from "../cli.ts";
import { CommandError, errorMessage } from "../helpers.ts";
import {
  addClientFlags,
  clientFromFlags,
  commandErrorText,
  commandFlagSet,
  generalOptionsUsage,
  parseFlags,
} from "../meta.ts";
import { loadJobFile } from "./job_file.ts";
import { joinWarnings } from "./job_run.ts";

const HELP = `
Usage: nomad job validate [options] <path>
Alias: nomad validate

  Checks if a given HCL job file has a valid specification. This can be used to
  check for any syntax errors or validation problems with a job.

  If the supplied path is "-", the jobfile is read from stdin. Otherwise
  it is read from the file at the supplied path.

  When ACLs are enabled, this command requires a token with the 'read-job'
  capability for the job's namespace.

General Options:

  ${generalOptionsUsage()}

Validate Options:

  -json
    Parses the job file as JSON. If the outer object has a Job field, such as
    from "nomad job inspect" or "nomad run -output", the value of the field is
    used as the job.

  -hcl2-strict
    Whether an error should be produced from the HCL2 parser where a variable
    has been supplied which is not defined within the root variables. Defaults
    to true.

  -var 'key=value'
    Variable for template, can be used multiple times.

  -var-file=path
    Path to HCL2 file containing user variables.
`;

/** Printed when the agent is unreachable and the job was checked locally. */
export const LOCAL_ONLY_WARNING =
  "Driver configuration not validated since connection to Nomad agent couldn't be established.";

/** `nomad job validate`. */
export const jobValidateCommand: Command = {
  name: "job validate",
  synopsis: "Checks if a given job specification is valid",
  help: () => HELP.trim(),
  run: (args, ctx) => runJobValidate(jobValidateCommand, args, ctx),
};

/** Runs `job validate` for `command` (shared by the `validate` alias). */
export async function runJobValidate(
  command: Command,
  args: string[],
  ctx: CommandContext,
): Promise<number> {
  const flags = commandFlagSet(command, ctx);
  const clientFlags = addClientFlags(flags);
  const json = flags.bool("json");
  flags.bool("hcl2-strict", true);
  flags.string("vault-namespace");
  const vars = flags.stringList("var");
  const varFiles = flags.stringList("var-file");
  const positional = parseFlags(flags, args);
  if (positional === null) return 1;
  if (positional.length !== 1) {
    ctx.ui.error("This command takes one argument: <path>");
    ctx.ui.error(commandErrorText(command));
    return 1;
  }
  let response: JobValidateResponse;
  let warnings: string[] = [];
  try {
    const loaded = await loadJobFile(
      { path: positional[0]!, vars: vars.value, varFiles: varFiles.value, json: json.value },
      ctx.io,
    );
    warnings = loaded.warnings;
    try {
      response = await clientFromFlags(ctx, clientFlags).jobs.validate(loaded.job);
    } catch (error) {
      if (!(error instanceof ConnectionError)) {
        throw new CommandError(`Error validating job: ${errorMessage(error)}`);
      }
      response = await validateLocally(loaded.job);
    }
  } catch (error) {
    if (error instanceof CommandError) {
      ctx.ui.error(error.message);
      return 1;
    }
    throw error;
  }
  if (!response.DriverConfigValidated) ctx.ui.output(`${LOCAL_ONLY_WARNING}\n`);
  response.Warnings = joinWarnings(warnings, response.Warnings);
  if (response.Warnings !== "") ctx.ui.output(`Job Warnings:\n${response.Warnings}\n`);
  if (response.Error !== "") {
    ctx.ui.error(`Job validation errors:\n${response.Error}`);
    return 1;
  }
  ctx.ui.output("Job validation successful");
  return 0;
}

/** Nomad's fallback without an agent: canonicalize and validate, driver configs unchecked. */
async function validateLocally(job: Record<string, unknown>): Promise<JobValidateResponse> {
  const { canonicalizeJob, validateJob } = await import("../../structs/mod.ts");
  let errors: string[];
  try {
    errors = validateJob(canonicalizeJob(job));
  } catch (error) {
    throw new CommandError(`Error validating job: ${errorMessage(error)}`);
  }
  const { formatMultiError } = await import("../../core/errors.ts");
  return {
    DriverConfigValidated: false,
    ValidationErrors: errors.length > 0 ? errors : null,
    Error: errors.length > 0 ? formatMultiError(errors) : "",
    Warnings: "",
  };
}
