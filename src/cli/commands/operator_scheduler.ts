/**
 * `nomad operator`, `nomad operator scheduler`, and its `get-config` and
 * `set-config` subcommands: read and change the cluster's scheduler
 * configuration.
 */

import { goJson } from "../../core/go_json.ts";
import type { SchedulerConfiguration } from "../../structs/mod.ts";
import { type Command, type CommandContext, RUN_RESULT_HELP } from "../cli.ts";
import { formatKV } from "../format.ts";
import { formatData } from "../data_format.ts";
import { errorMessage } from "../helpers.ts";
import {
  addClientFlags,
  clientFromFlags,
  commandErrorText,
  commandFlagSet,
  generalOptionsUsage,
  parseFlags,
} from "../meta.ts";

/** `nomad operator`. */
export const operatorGroup: Command = {
  name: "operator",
  synopsis: "Provides cluster-level tools for Nomad operators",
  help: () =>
    `
Usage: nomad operator <subcommand> [options]

  Provides cluster-level tools for Nomad operators, such as interacting with
  the Raft subsystem. NOTE: Use this command with extreme caution, as improper
  use could lead to a Nomad outage and even loss of data.

  Please see the individual subcommand help for detailed usage information.
`.trim(),
  run: () => Promise.resolve(RUN_RESULT_HELP),
};

/** `nomad operator scheduler`. */
export const operatorSchedulerGroup: Command = {
  name: "operator scheduler",
  synopsis: "Provides access to the scheduler configuration",
  help: () =>
    `
Usage: nomad operator scheduler <subcommand> [options]

  This command groups subcommands for interacting with Nomad's scheduler
  subsystem.

  Get the scheduler configuration:

      $ nomad operator scheduler get-config

  Set the scheduler to use the spread algorithm:

      $ nomad operator scheduler set-config -scheduler-algorithm=spread

  Please see the individual subcommand help for detailed usage information.
`.trim(),
  run: () => Promise.resolve(RUN_RESULT_HELP),
};

/** The human-readable `get-config` table, in Nomad's order. */
export function formatSchedulerConfig(config: SchedulerConfiguration): string {
  const p = config.PreemptionConfig;
  return formatKV([
    `Scheduler Algorithm|${config.SchedulerAlgorithm}`,
    `Memory Oversubscription|${config.MemoryOversubscriptionEnabled}`,
    `Reject Job Registration|${config.RejectJobRegistration}`,
    `Pause Eval Broker|${config.PauseEvalBroker}`,
    `Preemption System Scheduler|${p.SystemSchedulerEnabled}`,
    `Preemption Service Scheduler|${p.ServiceSchedulerEnabled}`,
    `Preemption Batch Scheduler|${p.BatchSchedulerEnabled}`,
    `Preemption SysBatch Scheduler|${p.SysBatchSchedulerEnabled}`,
    `Modify Index|${config.ModifyIndex}`,
  ]);
}

/** `nomad operator scheduler get-config`. */
export const operatorSchedulerGetConfigCommand: Command = {
  name: "operator scheduler get-config",
  synopsis: "Display the current scheduler configuration",
  help: () =>
    `
Usage: nomad operator scheduler get-config [options]

  Displays the current scheduler configuration.

  If ACLs are enabled, this command requires a token with the 'operator:read'
  capability.

General Options:

  ${generalOptionsUsage({ namespace: false })}

Scheduler Get Config Options:

  -json
    Output the scheduler config in its JSON format.

  -t
    Format and display the scheduler config using a Go template.
`.trim(),
  run: (args, ctx) => runGetConfig(operatorSchedulerGetConfigCommand, args, ctx),
};

async function runGetConfig(command: Command, args: string[], ctx: CommandContext) {
  const flags = commandFlagSet(command, ctx);
  const clientFlags = addClientFlags(flags);
  const json = flags.bool("json");
  const template = flags.string("t");
  if (parseFlags(flags, args) === null) return 1;
  const client = clientFromFlags(ctx, clientFlags);
  const started = performance.now();
  let result;
  try {
    result = await client.operator.schedulerGetConfiguration();
  } catch (error) {
    ctx.ui.error(`Error querying scheduler configuration: ${errorMessage(error)}`);
    return 1;
  }
  const config = result.data.SchedulerConfig;
  // The shape of Nomad's api.SchedulerConfigurationResponse: the query metadata is embedded.
  const response = () => ({
    SchedulerConfig: config,
    LastIndex: result.index,
    LastContact: result.lastContactMs * 1e6,
    KnownLeader: result.knownLeader,
    RequestTime: Math.round((performance.now() - started) * 1e6),
    NextToken: result.nextToken,
  });
  if (template.value !== "") {
    try {
      ctx.ui.output(formatData(json.value, template.value, response()));
    } catch (error) {
      ctx.ui.error(errorMessage(error));
      return 1;
    }
    return 0;
  }
  if (json.value) {
    ctx.ui.output(goJson(response(), 4));
    return 0;
  }
  if (config === null) {
    ctx.ui.error("Error querying scheduler configuration: no scheduler configuration stored yet");
    return 1;
  }
  ctx.ui.output(formatSchedulerConfig(config));
  return 0;
}

const SET_CONFIG_HELP = `
Usage: nomad operator scheduler set-config [options]

  Modifies the current scheduler configuration.

  If ACLs are enabled, this command requires a token with the 'operator:write'
  capability.

General Options:

  ${generalOptionsUsage({ namespace: false })}

Scheduler Set Config Options:

  -check-index
    If set, the scheduler config is only updated if the passed modify index
    matches the current server side version. If a non-zero value is passed, it
    ensures that the scheduler config is being updated from a known state.

  -scheduler-algorithm=["binpack"|"spread"]
    Specifies whether scheduler binpacks or spreads allocations on available
    nodes.

  -memory-oversubscription=[true|false]
    When true, tasks may exceed their reserved memory limit, if the client has
    excess memory capacity. Tasks must specify memory_max to take advantage of
    memory oversubscription.

  -reject-job-registration=[true|false]
    When true, the server will return permission denied errors for job registration,
    job dispatch, and job scale APIs, unless the ACL token for the request is a
    management token. If ACLs are disabled, no user will be able to register jobs.
    This allows operators to shed load from automated processes during incident
    response.

  -pause-eval-broker=[true|false]
    When set to true, the eval broker which usually runs on the leader will be
    disabled. This will prevent the scheduler workers from receiving new work.

  -preempt-batch-scheduler=[true|false]
    Specifies whether preemption for batch jobs is enabled. Note that if this
    is set to true, then batch jobs can preempt any other jobs.

  -preempt-service-scheduler=[true|false]
    Specifies whether preemption for service jobs is enabled. Note that if this
    is set to true, then service jobs can preempt any other jobs.

  -preempt-sysbatch-scheduler=[true|false]
    Specifies whether preemption for system batch jobs is enabled. Note that if
    this is set to true, then system batch jobs can preempt any other jobs.

  -preempt-system-scheduler=[true|false]
    Specifies whether preemption for system jobs is enabled. Note that if this
    is set to true, then system jobs can preempt any other jobs.
`;

/** `nomad operator scheduler set-config`. */
export const operatorSchedulerSetConfigCommand: Command = {
  name: "operator scheduler set-config",
  synopsis: "Modify the current scheduler configuration",
  help: () => SET_CONFIG_HELP.trim(),
  run: (args, ctx) => runSetConfig(operatorSchedulerSetConfigCommand, args, ctx),
};

/** The boolean flags of `set-config` and the field each one sets. */
const BOOL_FLAGS: readonly [string, (c: SchedulerConfiguration, v: boolean) => void][] = [
  ["memory-oversubscription", (c, v) => (c.MemoryOversubscriptionEnabled = v)],
  ["reject-job-registration", (c, v) => (c.RejectJobRegistration = v)],
  ["pause-eval-broker", (c, v) => (c.PauseEvalBroker = v)],
  ["preempt-batch-scheduler", (c, v) => (c.PreemptionConfig.BatchSchedulerEnabled = v)],
  ["preempt-service-scheduler", (c, v) => (c.PreemptionConfig.ServiceSchedulerEnabled = v)],
  ["preempt-sysbatch-scheduler", (c, v) => (c.PreemptionConfig.SysBatchSchedulerEnabled = v)],
  ["preempt-system-scheduler", (c, v) => (c.PreemptionConfig.SystemSchedulerEnabled = v)],
];

/** Go's strconv.ParseUint for -check-index ("" is 0). */
function parseCheckIndex(text: string): number | string {
  if (text === "") return 0;
  if (/^\d+$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
  return `strconv.ParseUint: parsing ${JSON.stringify(text)}: invalid syntax`;
}

async function runSetConfig(command: Command, args: string[], ctx: CommandContext) {
  const flags = commandFlagSet(command, ctx);
  const clientFlags = addClientFlags(flags);
  const checkIndexText = flags.string("check-index");
  const algorithm = flags.string("scheduler-algorithm");
  const bools = BOOL_FLAGS.map(([name, set]) => ({ name, set, flag: flags.bool(name) }));
  const positional = parseFlags(flags, args);
  if (positional === null) return 1;
  const client = clientFromFlags(ctx, clientFlags);
  if (positional.length !== 0) {
    ctx.ui.error("This command takes no arguments");
    ctx.ui.error(commandErrorText(command));
    return 1;
  }
  const checkIndex = parseCheckIndex(checkIndexText.value);
  if (typeof checkIndex === "string") {
    ctx.ui.error(
      `Error parsing check-index value ${JSON.stringify(checkIndexText.value)}: ${checkIndex}`,
    );
    return 1;
  }
  let current: SchedulerConfiguration | null;
  try {
    current = (await client.operator.schedulerGetConfiguration()).data.SchedulerConfig;
  } catch (error) {
    ctx.ui.error(`Error querying for scheduler configuration: ${errorMessage(error)}`);
    return 1;
  }
  if (current === null) {
    ctx.ui.error(
      "Error querying for scheduler configuration: no scheduler configuration stored yet",
    );
    return 1;
  }
  if (checkIndex > 0 && current.ModifyIndex !== checkIndex) {
    ctx.ui.error(
      `Error performing check index set: check-index ${checkIndex} does not match does not match current state value ${current.ModifyIndex}`,
    );
    return 1;
  }
  const next: SchedulerConfiguration = {
    ...current,
    PreemptionConfig: { ...current.PreemptionConfig },
    ModifyIndex: checkIndex > 0 ? checkIndex : current.ModifyIndex,
  };
  if (algorithm.value !== "") {
    next.SchedulerAlgorithm = algorithm.value as SchedulerConfiguration["SchedulerAlgorithm"];
  }
  for (const { name, set, flag } of bools) if (flags.isSet(name)) set(next, flag.value);
  let updated: boolean;
  try {
    updated = (await client.operator.schedulerCasConfiguration(next)).Updated;
  } catch (error) {
    ctx.ui.error(`Error setting scheduler configuration: ${errorMessage(error)}`);
    return 1;
  }
  if (updated) {
    ctx.ui.output("Scheduler configuration updated!");
    return 0;
  }
  ctx.ui.output("Scheduler configuration could not be atomically updated, please try again");
  return 1;
}
