/** `nomad service list|info|delete`: native service registrations from the command line. */

import type { NomadClient } from "../../api/mod.ts";
import type { ServiceRegistration, ServiceRegistrationListStub } from "../../structs/mod.ts";
import { type Command, type CommandContext, RUN_RESULT_HELP } from "../cli.ts";
import { formatKV, formatList, limit, SHORT_ID_LENGTH } from "../format.ts";
import { errorMessage } from "../helpers.ts";
import {
  addClientFlags,
  allNamespaces,
  clientFromFlags,
  commandErrorText,
  commandFlagSet,
  generalOptionsUsage,
  parseFlags,
} from "../meta.ts";

const NO_TEMPLATES = "Go templates (-t) are not supported by this agent; use -json";

/** `nomad service`. */
export const serviceGroup: Command = {
  name: "service",
  synopsis: "Interact with registered services",
  help: () =>
    `
Usage: nomad service <subcommand> [options]

  This command groups subcommands for interacting with the services API.

  List services:

      $ nomad service list

  Detail an individual service:

      $ nomad service info <service_name>

  Delete an individual service registration:

      $ nomad service delete <service_name> <service_id>

  Please see the individual subcommand help for detailed usage information.
`.trim(),
  run: () => Promise.resolve(RUN_RESULT_HELP),
};

/** Nomad's `service list` table: names (and namespaces with `-namespace=*`) with sorted tags. */
export function formatServiceList(
  list: readonly ServiceRegistrationListStub[],
  options: { allNamespaces: boolean },
): string {
  const header = options.allNamespaces ? "Service Name|Namespace|Tags" : "Service Name|Tags";
  const rows: string[] = [header];
  for (const entry of [...list].sort((a, b) => a.Namespace < b.Namespace ? -1 : 1)) {
    const services = [...entry.Services].sort((a, b) => a.ServiceName < b.ServiceName ? -1 : 1);
    for (const service of services) {
      const tags = `[${[...service.Tags].sort().join(",")}]`;
      rows.push(
        options.allNamespaces
          ? `${service.ServiceName}|${entry.Namespace}|${tags}`
          : `${service.ServiceName}|${tags}`,
      );
    }
  }
  return formatList(rows);
}

/** Go's net.JoinHostPort, or the bare address without a port (Nomad's formatAddress). */
function formatAddress(address: string, port: number): string {
  if (port === 0) return address;
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}

function byJob(services: readonly ServiceRegistration[]): ServiceRegistration[] {
  const jobs = [...new Set(services.map((s) => s.JobID))].sort();
  return jobs.flatMap((job) => services.filter((s) => s.JobID === job));
}

/** Nomad's `service info` table, sorted by job ID. */
export function formatServiceInfo(services: readonly ServiceRegistration[]): string {
  return formatList([
    "Job ID|Address|Tags|Node ID|Alloc ID",
    ...byJob(services).map((s) =>
      `${s.JobID}|${formatAddress(s.Address, s.Port)}|[${(s.Tags ?? []).join(",")}]|${
        limit(s.NodeID, SHORT_ID_LENGTH)
      }|${limit(s.AllocID, SHORT_ID_LENGTH)}`
    ),
  ]);
}

/** Nomad's `service info -verbose` blocks, one per registration. */
export function formatServiceInfoVerbose(services: readonly ServiceRegistration[]): string {
  return byJob(services).map((s) =>
    formatKV([
      `ID|${s.ID}`,
      `Service Name|${s.ServiceName}`,
      `Namespace|${s.Namespace}`,
      `Job ID|${s.JobID}`,
      `Alloc ID|${s.AllocID}`,
      `Node ID|${s.NodeID}`,
      `Datacenter|${s.Datacenter}`,
      `Address|${s.Address}:${s.Port}`,
      `Tags|[${(s.Tags ?? []).join(",")}]`,
    ]) + "\n\n"
  ).join("\n");
}

/** `nomad service list`. */
export const serviceListCommand: Command = {
  name: "service list",
  synopsis: "Display all registered Nomad services",
  help: () =>
    `
Usage: nomad service list [options]

  List is used to list the currently registered services.

  If ACLs are enabled, this command requires a token with the 'read-job'
  capabilities for the namespace of all services. Any namespaces that the token
  does not have access to will have its services filtered from the results.

General Options:

  ${generalOptionsUsage()}

Service List Options:

  -json
    Output the services in JSON format.

  -t
    Format and display the services using a Go template.
`.trim(),
  run: async (args, ctx) => {
    const flags = commandFlagSet(serviceListCommand, ctx);
    const clientFlags = addClientFlags(flags);
    const json = flags.bool("json");
    const template = flags.string("t");
    const positional = parseFlags(flags, args);
    if (positional === null) return 1;
    if (positional.length > 0) {
      ctx.ui.error("This command takes no arguments");
      ctx.ui.error(commandErrorText(serviceListCommand));
      return 1;
    }
    if (template.value !== "") {
      ctx.ui.error(NO_TEMPLATES);
      return 1;
    }
    const client = clientFromFlags(ctx, clientFlags);
    let list: ServiceRegistrationListStub[];
    try {
      list = (await client.services.list()).data;
    } catch (error) {
      ctx.ui.error(`Error listing service registrations: ${errorMessage(error)}`);
      return 1;
    }
    if (list.length === 0) {
      ctx.ui.output("No service registrations found");
      return 0;
    }
    if (json.value) {
      ctx.ui.output(JSON.stringify(list, null, 4));
      return 0;
    }
    ctx.ui.output(formatServiceList(list, { allNamespaces: allNamespaces(client) }));
    return 0;
  },
};

/** Resolves a name prefix to one service and its namespace, or prints Nomad's error. */
async function resolveService(
  client: NomadClient,
  prefix: string,
  ctx: CommandContext,
): Promise<{ name: string; namespace: string } | null> {
  const list = (await client.services.list({ prefix })).data;
  const matches = list.flatMap((entry) =>
    entry.Services.filter((s) => s.ServiceName.startsWith(prefix)).map((s) => ({
      name: s.ServiceName,
      namespace: entry.Namespace,
    }))
  );
  const exact = matches.filter((m) => m.name === prefix);
  if (exact.length === 1) return exact[0]!;
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) {
    ctx.ui.error(`No service registrations with prefix ${JSON.stringify(prefix)} found`);
    return null;
  }
  ctx.ui.error(
    `Prefix matched multiple services\n\n${
      formatServiceList(list, { allNamespaces: allNamespaces(client) })
    }`,
  );
  return null;
}

/** `nomad service info`. */
export const serviceInfoCommand: Command = {
  name: "service info",
  synopsis: "Display an individual Nomad service registration",
  help: () =>
    `
Usage: nomad service info [options] <service_name>

  Info is used to read the services registered to a single service name.

  When ACLs are enabled, this command requires a token with the 'read-job'
  capability for the service namespace.

General Options:

  ${generalOptionsUsage()}

Service Info Options:

  -verbose
    Display full information.

  -json
    Output the service in JSON format.

  -t
    Format and display the service using a Go template.
`.trim(),
  run: async (args, ctx) => {
    const flags = commandFlagSet(serviceInfoCommand, ctx);
    const clientFlags = addClientFlags(flags);
    const json = flags.bool("json");
    const verbose = flags.bool("verbose");
    const template = flags.string("t");
    const positional = parseFlags(flags, args);
    if (positional === null) return 1;
    if (positional.length !== 1) {
      ctx.ui.error("This command takes one argument: <service_name>");
      ctx.ui.error(commandErrorText(serviceInfoCommand));
      return 1;
    }
    if (template.value !== "") {
      ctx.ui.error(NO_TEMPLATES);
      return 1;
    }
    const client = clientFromFlags(ctx, clientFlags);
    let services: ServiceRegistration[];
    try {
      const target = await resolveService(client, positional[0]!, ctx);
      if (target === null) return 1;
      services = (await client.services.get(target.name, { namespace: target.namespace })).data;
    } catch (error) {
      ctx.ui.error(`Error listing service registrations: ${errorMessage(error)}`);
      return 1;
    }
    if (services.length === 0) {
      ctx.ui.output("No service registrations found");
      return 0;
    }
    if (json.value) {
      ctx.ui.output(JSON.stringify(services, null, 4));
      return 0;
    }
    ctx.ui.output(
      verbose.value ? formatServiceInfoVerbose(services) : formatServiceInfo(services),
    );
    return 0;
  },
};

/** `nomad service delete`. */
export const serviceDeleteCommand: Command = {
  name: "service delete",
  synopsis: "Deregister a registered service",
  help: () =>
    `
Usage: nomad service delete [options] <service_name> <service_id>

  Delete is used to deregister the specified service registration. It should be
  used with caution and can only remove a single registration, via the service
  name and service ID, at a time.

  When ACLs are enabled, this command requires a token with the 'submit-job'
  capability for the service registration namespace.

General Options:

  ${generalOptionsUsage()}
`.trim(),
  run: async (args, ctx) => {
    const flags = commandFlagSet(serviceDeleteCommand, ctx);
    const clientFlags = addClientFlags(flags);
    const positional = parseFlags(flags, args);
    if (positional === null) return 1;
    if (positional.length !== 2) {
      ctx.ui.error("This command takes two arguments: <service_name> and <service_id>");
      ctx.ui.error(commandErrorText(serviceDeleteCommand));
      return 1;
    }
    try {
      await clientFromFlags(ctx, clientFlags).services.delete(positional[0]!, positional[1]!);
    } catch (error) {
      ctx.ui.error(`Error deleting service registration: ${errorMessage(error)}`);
      return 1;
    }
    ctx.ui.output("Successfully deleted service registration");
    return 0;
  },
};
