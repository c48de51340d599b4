/** `nomad job dispatch`: create an instance of a parameterized job and monitor its evaluation. */

import type { NomadClient } from "../../api/mod.ts";
import type { JobListStub } from "../../structs/mod.ts";
import type { Command, CommandContext } from "../cli.ts";
import { formatKV, limit, quote } from "../format.ts";
import { CommandError, createStatusListOutput, errorMessage } from "../helpers.ts";
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
import { EvalMonitor } from "./monitor.ts";

const HELP = `
Usage: nomad job dispatch [options] <parameterized job> [input source]

  Dispatch creates an instance of a parameterized job. A data payload to the
  dispatched instance can be provided via stdin by using "-" or by specifying a
  path to a file. Metadata can be supplied by using the meta flag one or more
  times.

  An optional idempotency token can be used to prevent more than one instance
  of the job to be dispatched. If an instance with the same token already
  exists, the command returns without any action.

  Upon successful creation, the dispatched job ID will be printed and the
  triggered evaluation will be monitored. This can be disabled by supplying the
  detach flag.

  When ACLs are enabled, this command requires a token with the 'dispatch-job'
  capability for the job's namespace. The 'list-jobs' capability is required to
  run the command with a job prefix instead of the exact job ID. The 'read-job'
  capability is required to monitor the resulting evaluation when -detach is
  not used.

General Options:

  ${generalOptionsUsage()}

Dispatch Options:

  -meta <key>=<value>
    Meta takes a key/value pair separated by "=". The metadata key will be
    merged into the job's metadata. The job may define a default value for the
    key which is overridden when dispatching. The flag can be provided more than
    once to inject multiple metadata key/value pairs. Arbitrary keys are not
    allowed. The parameterized job must allow the key to be merged.

  -detach
    Return immediately instead of entering monitor mode. After job dispatch,
    the evaluation ID will be printed to the screen, which can be used to
    examine the evaluation using the eval-status command.

  -idempotency-token
    Optional identifier used to prevent more than one instance of the job from
    being dispatched.

  -id-prefix-template
    Optional prefix template for dispatched job IDs.

  -verbose
    Display full information.
`;

/** `nomad job dispatch`. */
export const jobDispatchCommand: Command = {
  name: "job dispatch",
  synopsis: "Dispatch an instance of a parameterized job",
  help: () => HELP.trim(),
  run: (args, ctx) => runJobDispatch(args, ctx),
};

/**
 * The one job whose ID starts with `prefix` among those `keep` accepts, with
 * the messages of Nomad's Meta.JobIDByPrefix.
 */
export async function filteredJobIdByPrefix(
  client: NomadClient,
  prefix: string,
  keep: (job: JobListStub) => boolean,
): Promise<{ id: string; namespace: string }> {
  let jobs: JobListStub[];
  try {
    jobs = (await client.jobs.prefixList(prefix)).data.filter(keep);
  } catch (error) {
    throw new CommandError(`Error querying job prefix ${quote(prefix)}: ${errorMessage(error)}`);
  }
  const all = allNamespaces(client);
  const first = jobs[0];
  if (first === undefined) {
    throw new CommandError(`No job(s) with prefix or ID ${quote(prefix)} found`);
  }
  if (jobs.length > 1 && (prefix !== first.ID || (all && jobs[1]?.ID === first.ID))) {
    throw new CommandError(
      `Prefix ${quote(prefix)} matched multiple jobs\n\n${createStatusListOutput(jobs, all)}`,
    );
  }
  return { id: first.ID, namespace: first.JobSummary?.Namespace ?? first.Namespace };
}

/** Parses `-meta k=v` values; returns the bad one on failure. */
export function parseMetaFlags(values: readonly string[]): Record<string, string> | string {
  const meta: Record<string, string> = {};
  for (const value of values) {
    const at = value.indexOf("=");
    if (at < 0) return value;
    meta[value.slice(0, at)] = value.slice(at + 1);
  }
  return meta;
}

async function readPayload(ctx: CommandContext, source: string): Promise<Uint8Array> {
  if (source === "-") return new TextEncoder().encode(await ctx.io.readStdin());
  try {
    return await Deno.readFile(source);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new CommandError(`Error reading input data: open ${source}: no such file or directory`);
    }
    throw new CommandError(`Error reading input data: ${errorMessage(error)}`);
  }
}

async function runJobDispatch(args: string[], ctx: CommandContext): Promise<number> {
  const flags = commandFlagSet(jobDispatchCommand, ctx);
  const clientFlags = addClientFlags(flags);
  const detach = flags.bool("detach");
  const verbose = flags.bool("verbose");
  const token = flags.string("idempotency-token");
  const metaFlags = flags.stringList("meta");
  const idPrefixTemplate = flags.string("id-prefix-template");
  const positional = parseFlags(flags, args);
  if (positional === null) return 1;
  if (positional.length < 1 || positional.length > 2) {
    ctx.ui.error("This command takes one or two argument: <parameterized job> [input source]");
    ctx.ui.error(commandErrorText(jobDispatchCommand));
    return 1;
  }
  const length = idLength(verbose.value);
  try {
    const payload = positional.length === 2
      ? await readPayload(ctx, positional[1]!)
      : new Uint8Array();
    const meta = parseMetaFlags(metaFlags.value);
    if (typeof meta === "string") throw new CommandError(`Error parsing meta value: ${meta}`);
    const client = clientFromFlags(ctx, clientFlags);
    const { id, namespace } = await filteredJobIdByPrefix(
      client,
      positional[0]!.trim(),
      (job) => job.ParameterizedJob,
    );
    const scoped = namespace === "" ? client : client.with({ namespace });
    let response;
    try {
      response = await scoped.jobs.dispatch(id, {
        meta,
        payload,
        idPrefixTemplate: idPrefixTemplate.value,
        idempotencyToken: token.value,
      });
    } catch (error) {
      throw new CommandError(`Failed to dispatch job: ${errorMessage(error)}`);
    }
    // A periodic parameterized job's children get no evaluation.
    const evalCreated = response.EvalID !== "";
    const basic = [`Dispatched Job ID|${response.DispatchedJobID}`];
    if (evalCreated) basic.push(`Evaluation ID|${limit(response.EvalID, length)}`);
    ctx.ui.output(formatKV(basic));
    if (detach.value || !evalCreated) return 0;
    ctx.ui.output("");
    return await new EvalMonitor(ctx.io, scoped, length).monitor(response.EvalID);
  } catch (error) {
    ctx.ui.error(errorMessage(error));
    return 1;
  }
}
