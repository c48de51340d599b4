/**
 * `nomad job history`, `nomad job revert` and `nomad job scale`: a job's
 * stored versions, going back to one, and changing a group's count.
 */

import type { NomadClient } from "../../api/mod.ts";
import type { Job, JobDiff } from "../../structs/mod.ts";
import type { Command, CommandContext } from "../cli.ts";
import { columnize, formatTime, quote } from "../format.ts";
import { CommandError, errorMessage, jobIdByPrefix } from "../helpers.ts";
import {
  addClientFlags,
  clientFromFlags,
  commandErrorText,
  commandFlagSet,
  generalOptionsUsage,
  idLength,
  parseFlags,
} from "../meta.ts";
import { formatJobDiff } from "./job_plan.ts";
import { EvalMonitor } from "./monitor.ts";

const HISTORY_HELP = `
Usage: nomad job history [options] <job>

  History is used to display the known versions of a particular job. The command
  can display the diff between job versions and can be useful for understanding
  the changes that occurred to the job as well as deciding job versions to revert
  to.

General Options:

  ${generalOptionsUsage()}

History Options:

  -p
    Display the difference between each job and its predecessor.

  -full
    Display the full job definition for each version.

  -version <job version>
    Display only the history for the given job version.

  -json
    Output the job versions in a JSON format.
`;

const REVERT_HELP = `
Usage: nomad job revert [options] <job> <version>

  Revert is used to revert a job to a prior version of the job. The available
  versions to revert to can be found using "nomad job history" command.

General Options:

  ${generalOptionsUsage()}

Revert Options:

  -detach
    Return immediately instead of entering monitor mode. After job revert,
    the evaluation ID will be printed to the screen.

  -verbose
    Display full information.
`;

const SCALE_HELP = `
Usage: nomad job scale [options] <job> [<group>] <count>

  Perform a scaling action by altering the count within a job group.

  Upon successful job submission, this command will immediately
  enter an interactive monitor. This is useful to watch Nomad's
  internals make scheduling decisions and place the submitted work
  onto nodes. The monitor will end once job placement is done. It
  is safe to exit the monitor early using ctrl+c.

General Options:

  ${generalOptionsUsage()}

Scale Options:

  -detach
    Return immediately instead of entering monitor mode. After job scaling,
    the evaluation ID will be printed to the screen.

  -verbose
    Display full information.
`;

/** `nomad job history`. */
export const jobHistoryCommand: Command = {
  name: "job history",
  synopsis: "Display all tracked versions of a job",
  help: () => HISTORY_HELP.trim(),
  run: runJobHistory,
};

/** `nomad job revert`. */
export const jobRevertCommand: Command = {
  name: "job revert",
  synopsis: "Revert to a prior version of the job",
  help: () => REVERT_HELP.trim(),
  run: runJobRevert,
};

/** `nomad job scale`. */
export const jobScaleCommand: Command = {
  name: "job scale",
  synopsis: "Change the count of a Nomad job group",
  help: () => SCALE_HELP.trim(),
  run: runJobScale,
};

async function runJobHistory(args: string[], ctx: CommandContext): Promise<number> {
  const flags = commandFlagSet(jobHistoryCommand, ctx);
  const clientFlags = addClientFlags(flags);
  const diff = flags.bool("p");
  const full = flags.bool("full");
  const json = flags.bool("json");
  const versionFlag = flags.string("version");
  const positional = parseFlags(flags, args);
  if (positional === null) return 1;
  if (positional.length !== 1) {
    ctx.ui.error("This command takes one argument: <job>");
    ctx.ui.error(commandErrorText(jobHistoryCommand));
    return 1;
  }
  if (json.value && (diff.value || full.value)) {
    ctx.ui.error("-json and -t are exclusive with -p and -full");
    return 1;
  }
  let wanted: number | null = null;
  if (versionFlag.value !== "") {
    if (!/^\d+$/.test(versionFlag.value)) {
      ctx.ui.error(
        `Error parsing version value ${quote(versionFlag.value)}: strconv.ParseUint: parsing ${
          quote(versionFlag.value)
        }: invalid syntax`,
      );
      return 1;
    }
    wanted = Number(versionFlag.value);
  }
  try {
    const client = clientFromFlags(ctx, clientFlags);
    const { id, namespace } = await jobIdByPrefix(client, positional[0]!.trim());
    const scoped = namespace === "" ? client : client.with({ namespace });
    let response;
    try {
      response = (await scoped.jobs.versions(id, { diffs: diff.value })).data;
    } catch (error) {
      throw new CommandError(`Error retrieving job versions: ${errorMessage(error)}`);
    }
    const versions = response.Versions as Job[];
    const diffs = (response.Diffs ?? []) as JobDiff[];
    const shown = versions.map((job, i) => ({ job, diff: diffs[i] ?? null }))
      .filter((v) => wanted === null || v.job.Version === wanted);
    if (json.value) {
      const value = wanted === null ? versions : shown[0]?.job ?? null;
      ctx.ui.output(JSON.stringify(value, null, 4));
      return 0;
    }
    if (shown.length === 0) {
      throw new CommandError("Error printing job history for non-existing job or job version");
    }
    ctx.ui.output(
      shown.map((v) => formatVersion(v.job, v.diff, full.value)).join("\n\n"),
    );
    return 0;
  } catch (error) {
    if (error instanceof CommandError) {
      ctx.ui.error(error.message);
      return 1;
    }
    throw error;
  }
}

function formatVersion(job: Job, diff: JobDiff | null, full: boolean): string {
  const lines = [
    `Version|${job.Version}`,
    `Stable|${job.Stable}`,
    `Submit Date|${formatTime(job.SubmitTime / 1e6)}`,
  ];
  if (diff !== null && diff.Type !== "None") {
    lines.push(`Diff|\n${formatJobDiff(diff, false).trim()}`);
  }
  if (full) lines.push(`Full|JSON Job:\n${JSON.stringify(job, null, 4)}`);
  return columnize(lines, { glue: " = ", noTrim: true });
}

async function runJobRevert(args: string[], ctx: CommandContext): Promise<number> {
  const flags = commandFlagSet(jobRevertCommand, ctx);
  const clientFlags = addClientFlags(flags);
  const detach = flags.bool("detach");
  const verbose = flags.bool("verbose");
  flags.string("consul-token");
  flags.string("vault-token");
  const positional = parseFlags(flags, args);
  if (positional === null) return 1;
  if (positional.length !== 2) {
    ctx.ui.error("This command takes two arguments: <job> <version>");
    ctx.ui.error(commandErrorText(jobRevertCommand));
    return 1;
  }
  const versionText = positional[1]!;
  if (!/^\d+$/.test(versionText)) {
    ctx.ui.error(
      `The job version must be a number: strconv.ParseUint: parsing ${
        quote(versionText)
      }: invalid syntax`,
    );
    return 1;
  }
  return await submitThenMonitor(ctx, clientFlags, positional[0]!, {
    detach: detach.value,
    verbose: verbose.value,
    action: "revert",
    send: (client, id) => client.jobs.revert(id, Number(versionText)),
  });
}

async function runJobScale(args: string[], ctx: CommandContext): Promise<number> {
  const flags = commandFlagSet(jobScaleCommand, ctx);
  const clientFlags = addClientFlags(flags);
  const detach = flags.bool("detach");
  const verbose = flags.bool("verbose");
  const positional = parseFlags(flags, args);
  if (positional === null) return 1;
  if (positional.length < 2 || positional.length > 3) {
    ctx.ui.error("This command takes two or three arguments: <job> [<group>] <count>");
    ctx.ui.error(commandErrorText(jobScaleCommand));
    return 1;
  }
  const countText = positional[positional.length - 1]!;
  if (!/^-?\d+$/.test(countText)) {
    ctx.ui.error(
      `Failed to convert count string to int: strconv.Atoi: parsing ${
        quote(countText)
      }: invalid syntax`,
    );
    return 1;
  }
  const groupArg = positional.length === 3 ? positional[1]! : "";
  return await submitThenMonitor(ctx, clientFlags, positional[0]!, {
    detach: detach.value,
    verbose: verbose.value,
    action: "scale",
    send: async (client, id) => {
      let group = groupArg;
      if (group === "") {
        const job = (await client.jobs.info(id)).data;
        if (job.TaskGroups.length !== 1) {
          throw new CommandError(
            "Group name required when job has more than one task group: usage: nomad job scale <job> [<group>] <count>",
          );
        }
        group = job.TaskGroups[0]!.Name;
      }
      return await client.jobs.scale(id, group, Number(countText));
    },
  });
}

async function submitThenMonitor(
  ctx: CommandContext,
  clientFlags: ReturnType<typeof addClientFlags>,
  jobArg: string,
  options: {
    detach: boolean;
    verbose: boolean;
    action: "revert" | "scale";
    send: (client: NomadClient, id: string) => Promise<{ EvalID: string }>;
  },
): Promise<number> {
  let evalId: string;
  try {
    const client = clientFromFlags(ctx, clientFlags);
    const { id, namespace } = await jobIdByPrefix(client, jobArg.trim());
    const scoped = namespace === "" ? client : client.with({ namespace });
    try {
      evalId = (await options.send(scoped, id)).EvalID;
    } catch (error) {
      if (error instanceof CommandError) throw error;
      throw new CommandError(
        options.action === "revert"
          ? `Error retrieving job versions: ${errorMessage(error)}`
          : `Error submitting scaling request: ${errorMessage(error)}`,
      );
    }
    if (evalId === "" || options.detach) {
      if (evalId !== "") ctx.ui.output(`Evaluation ID: ${evalId}`);
      return 0;
    }
    return await new EvalMonitor(ctx.io, scoped, idLength(options.verbose)).monitor(evalId);
  } catch (error) {
    if (error instanceof CommandError) {
      ctx.ui.error(error.message);
      return 1;
    }
    throw error;
  }
}
