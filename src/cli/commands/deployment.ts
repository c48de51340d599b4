/**
 * `nomad deployment list|status|promote|fail|pause|resume`, and the
 * deployment monitor that `job run` uses after its evaluation finishes.
 */

import type { NomadClient } from "../../api/mod.ts";
import type { Deployment } from "../../structs/mod.ts";
import type { Command, CommandContext } from "../cli.ts";
import { formatTime, limit, quote } from "../format.ts";
import { errorMessage, sanitizeUUIDPrefix } from "../helpers.ts";
import {
  addClientFlags,
  clientFromFlags,
  commandErrorText,
  commandFlagSet,
  generalOptionsUsage,
  idLength,
  parseFlags,
} from "../meta.ts";
import {
  formatDeploymentList,
  formatDeploymentStatus,
  monitorDeployment,
} from "./deployment_monitor.ts";
import { EvalMonitor } from "./monitor.ts";

const LIST_HELP = `
Usage: nomad deployment list [options]

  List is used to list the set of deployments tracked by Nomad.

  When ACLs are enabled, this command requires a token with the 'read-job'
  capability for the deployment's namespace.

General Options:

  ${generalOptionsUsage()}

List Options:

  -json
    Output the deployments in a JSON format.

  -verbose
    Display full information.
`;

const STATUS_HELP = `
Usage: nomad deployment status [options] <deployment id>

  Status is used to display the status of a deployment. The status will display
  the number of desired changes as well as the currently applied changes.

  When ACLs are enabled, this command requires a token with the 'read-job'
  capability for the deployment's namespace.

General Options:

  ${generalOptionsUsage()}

Status Options:

  -verbose
    Display full information.

  -json
    Output the deployment in its JSON format.

  -monitor
    Enter monitor mode directly without modifying the deployment status.
`;

function writeHelp(verb: string, extra: string): string {
  return `
Usage: nomad deployment ${verb} [options] <deployment id>

${extra}

General Options:

  ${generalOptionsUsage()}
`;
}

const PROMOTE_HELP = writeHelp(
  "promote",
  `  Promote is used to promote task groups in a deployment. Promotion should occur
  when the deployment has placed canaries for a task group and those canaries have
  been deemed healthy. When a task group is promoted, the rolling upgrade of the
  remaining allocations is unblocked. If the canaries are found to be unhealthy,
  the deployment may either be failed using the "nomad deployment fail" command,
  the job can be failed forward by submitting a new version or failed backwards by
  reverting to an older version using the "nomad job revert" command.

  When ACLs are enabled, this command requires a token with the 'submit-job'
  and 'read-job' capabilities for the deployment's namespace.`,
) + `
Promote Options:

  -group
    Group may be specified many times and is used to promote that particular
    group. If no specific groups are specified, all groups are promoted.

  -detach
    Return immediately instead of entering monitor mode. After deployment
    resume, the evaluation ID will be printed to the screen, which can be used
    to examine the evaluation using the eval-status command.

  -verbose
    Display full information.
`;

const FAIL_HELP = writeHelp(
  "fail",
  `  Fail is used to mark a deployment as failed. Failing a deployment will
  stop the placement of new allocations as part of rolling deployment and
  if the job is configured to auto revert, the job will attempt to roll back to a
  stable version.

  When ACLs are enabled, this command requires a token with the 'submit-job'
  and 'read-job' capabilities for the deployment's namespace.`,
) + `
Fail Options:

  -detach
    Return immediately instead of entering monitor mode. After deployment
    resume, the evaluation ID will be printed to the screen, which can be used
    to examine the evaluation using the eval-status command.

  -verbose
    Display full information.
`;

const PAUSE_HELP = writeHelp(
  "pause",
  `  Pause is used to pause a deployment. Pausing a deployment will pause the
  placement of new allocations as part of rolling deployment.

  When ACLs are enabled, this command requires a token with the 'submit-job'
  and 'read-job' capabilities for the deployment's namespace.`,
) + `
Pause Options:

  -verbose
    Display full information.
`;

const RESUME_HELP = writeHelp(
  "resume",
  `  Resume is used to unpause a paused deployment. Resuming a deployment will
  resume the placement of new allocations as part of rolling deployment.

  When ACLs are enabled, this command requires a token with the 'submit-job'
  and 'read-job' capabilities for the deployment's namespace.`,
) + `
Resume Options:

  -detach
    Return immediately instead of entering monitor mode. After deployment
    resume, the evaluation ID will be printed to the screen, which can be used
    to examine the evaluation using the eval-status command.

  -verbose
    Display full information.
`;

/** Finds one deployment by ID prefix, with Nomad's messages for none or many. */
async function deploymentByPrefix(
  client: NomadClient,
  input: string,
  ctx: CommandContext,
): Promise<Deployment | null> {
  if (input.length === 1) {
    ctx.ui.error("Identifier must contain at least two characters.");
    return null;
  }
  const prefix = sanitizeUUIDPrefix(input);
  let matches: Deployment[];
  try {
    matches = (await client.deployments.prefixList(prefix)).data;
  } catch (error) {
    ctx.ui.error(`Error retrieving deployment: ${errorMessage(error)}`);
    return null;
  }
  if (matches.length === 0) {
    ctx.ui.error(`No deployment(s) with prefix or id ${quote(prefix)} found`);
    return null;
  }
  if (matches.length > 1 && !matches.some((d) => d.ID === prefix)) {
    ctx.ui.error(
      `Prefix matched multiple deployments\n\n${formatDeploymentList(matches, 36)}`,
    );
    return null;
  }
  return matches.find((d) => d.ID === prefix) ?? matches[0] ?? null;
}

/** Shared argument handling: flags, exactly one deployment ID, the client. */
function parseOne<T>(
  command: Command,
  args: string[],
  ctx: CommandContext,
  extra: (flags: ReturnType<typeof commandFlagSet>) => T,
) {
  const flags = commandFlagSet(command, ctx);
  const clientFlags = addClientFlags(flags);
  const verbose = flags.bool("verbose");
  const detach = flags.bool("detach");
  const more = extra(flags);
  const positional = parseFlags(flags, args);
  if (positional === null) return null;
  if (positional.length !== 1) {
    ctx.ui.error("This command takes one argument: <deployment id>");
    ctx.ui.error(commandErrorText(command));
    return null;
  }
  return {
    id: (positional[0] ?? "").trim(),
    client: clientFromFlags(ctx, clientFlags),
    length: idLength(verbose.value),
    verbose: verbose.value,
    detach: detach.value,
    more,
  };
}

/** `nomad deployment list`. */
export const deploymentListCommand: Command = {
  name: "deployment list",
  synopsis: "List all deployments",
  help: () => LIST_HELP.trim(),
  run: async (args, ctx) => {
    const flags = commandFlagSet(deploymentListCommand, ctx);
    const clientFlags = addClientFlags(flags);
    const verbose = flags.bool("verbose");
    const json = flags.bool("json");
    const positional = parseFlags(flags, args);
    if (positional === null) return 1;
    if (positional.length !== 0) {
      ctx.ui.error("This command takes no arguments");
      ctx.ui.error(commandErrorText(deploymentListCommand));
      return 1;
    }
    const client = clientFromFlags(ctx, clientFlags);
    try {
      const list = (await client.deployments.list()).data;
      ctx.ui.output(
        json.value
          ? JSON.stringify(list, null, 4)
          : formatDeploymentList(list, idLength(verbose.value)),
      );
      return 0;
    } catch (error) {
      ctx.ui.error(`Error retrieving deployments: ${errorMessage(error)}`);
      return 1;
    }
  },
};

/** `nomad deployment status`. */
export const deploymentStatusCommand: Command = {
  name: "deployment status",
  synopsis: "Display the status of a deployment",
  help: () => STATUS_HELP.trim(),
  run: async (args, ctx) => {
    const parsed = parseOne(deploymentStatusCommand, args, ctx, (flags) => ({
      json: flags.bool("json"),
      monitor: flags.bool("monitor"),
    }));
    if (parsed === null) return 1;
    const json = parsed.more.json.value;
    const monitor = parsed.more.monitor.value;
    const d = await deploymentByPrefix(parsed.client, parsed.id, ctx);
    if (d === null) return 1;
    if (json) {
      ctx.ui.output(JSON.stringify(d, null, 4));
      return 0;
    }
    if (monitor) {
      // Nomad's `deployment status -monitor` exits 0 whatever the outcome
      // (unlike the `job run` monitor, which exits 1 unless it succeeded).
      ctx.ui.output(
        `${formatTime(ctx.io.now())}: Monitoring deployment ${quote(limit(d.ID, parsed.length))}`,
      );
      await monitorDeployment(ctx.io, parsed.client, {
        id: d.ID,
        length: parsed.length,
        verbose: parsed.verbose,
      });
      return 0;
    }
    ctx.ui.output(formatDeploymentStatus(d, parsed.length));
    return 0;
  },
};

async function monitorEval(
  ctx: CommandContext,
  client: NomadClient,
  options: { evalID: string; length: number; detach: boolean },
): Promise<number> {
  if (options.detach || options.evalID === "") return 0;
  ctx.ui.output("");
  return await new EvalMonitor(ctx.io, client, options.length).monitor(options.evalID);
}

/** `nomad deployment promote`. */
export const deploymentPromoteCommand: Command = {
  name: "deployment promote",
  synopsis: "Promote canaries in a deployment",
  help: () => PROMOTE_HELP.trim(),
  run: async (args, ctx) => {
    const parsed = parseOne(
      deploymentPromoteCommand,
      args,
      ctx,
      (flags) => flags.stringList("group"),
    );
    if (parsed === null) return 1;
    const d = await deploymentByPrefix(parsed.client, parsed.id, ctx);
    if (d === null) return 1;
    try {
      const chosen = parsed.more.value;
      const response = chosen.length === 0
        ? await parsed.client.deployments.promoteAll(d.ID)
        : await parsed.client.deployments.promoteGroups(d.ID, chosen);
      return await monitorEval(ctx, parsed.client, { ...parsed, evalID: response.EvalID });
    } catch (error) {
      ctx.ui.error(`Error promoting deployment: ${errorMessage(error)}`);
      return 1;
    }
  },
};

/** `nomad deployment fail`. */
export const deploymentFailCommand: Command = {
  name: "deployment fail",
  synopsis: "Manually fail a deployment",
  help: () => FAIL_HELP.trim(),
  run: async (args, ctx) => {
    const parsed = parseOne(deploymentFailCommand, args, ctx, () => null);
    if (parsed === null) return 1;
    const d = await deploymentByPrefix(parsed.client, parsed.id, ctx);
    if (d === null) return 1;
    try {
      const response = await parsed.client.deployments.fail(d.ID);
      const id = quote(limit(d.ID, parsed.length));
      ctx.ui.output(
        response.RevertedJobVersion === null
          ? `Deployment ${id} failed`
          : `Deployment ${id} failed. Auto-reverted to job version ${response.RevertedJobVersion}.`,
      );
      return await monitorEval(ctx, parsed.client, { ...parsed, evalID: response.EvalID });
    } catch (error) {
      ctx.ui.error(`Error failing deployment: ${errorMessage(error)}`);
      return 1;
    }
  },
};

function pauseCommand(pause: boolean): Command {
  const command: Command = {
    name: pause ? "deployment pause" : "deployment resume",
    synopsis: pause ? "Pause a deployment" : "Resume a paused deployment",
    help: () => (pause ? PAUSE_HELP : RESUME_HELP).trim(),
    run: async (args, ctx) => {
      const parsed = parseOne(command, args, ctx, () => null);
      if (parsed === null) return 1;
      const d = await deploymentByPrefix(parsed.client, parsed.id, ctx);
      if (d === null) return 1;
      try {
        const response = await parsed.client.deployments.pause(d.ID, pause);
        const id = quote(limit(d.ID, parsed.length));
        ctx.ui.output(pause ? `Deployment ${id} paused` : `Deployment ${id} resumed`);
        if (pause) return 0;
        return await monitorEval(ctx, parsed.client, { ...parsed, evalID: response.EvalID });
      } catch (error) {
        ctx.ui.error(`Error ${pause ? "pausing" : "resuming"} deployment: ${errorMessage(error)}`);
        return 1;
      }
    },
  };
  return command;
}

/** `nomad deployment pause`. */
export const deploymentPauseCommand: Command = pauseCommand(true);
/** `nomad deployment resume`. */
export const deploymentResumeCommand: Command = pauseCommand(false);
