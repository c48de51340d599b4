/**
 * What every API command shares (Nomad's `command.Meta`): the client flags
 * (`-address`, `-region`, `-namespace`, `-token`, TLS and colour flags), the
 * client built from them and the environment, and flag-parsing glue.
 */

import { NomadClient } from "../api/mod.ts";
import type { Command, CommandContext } from "./cli.ts";
import { FlagSet } from "../core/flags.ts";
import { FULL_ID_LENGTH, SHORT_ID_LENGTH } from "./format.ts";

/** Values of the client flags after parsing. */
export interface ClientFlags {
  readonly address: { readonly value: string };
  readonly region: { readonly value: string };
  readonly namespace: { readonly value: string };
  readonly token: { readonly value: string };
}

/** Creates a FlagSet whose errors and usage go through the command's Ui, like Nomad's Meta.FlagSet. */
export function commandFlagSet(command: Command, ctx: CommandContext): FlagSet {
  return new FlagSet(command.name, {
    output: (message) => ctx.ui.error(message),
    usage: () => ctx.ui.output(command.help()),
  });
}

/** Registers the client flags every API command accepts. */
export function addClientFlags(flags: FlagSet): ClientFlags {
  const address = flags.string("address", "", "The address of the Nomad server.");
  const region = flags.string("region", "", "The region of the Nomad servers.");
  const namespace = flags.string("namespace", "", "The target namespace.");
  flags.bool("no-color", false, "Disables colored command output.");
  flags.bool("force-color", false, "Forces colored command output.");
  for (const name of ["ca-cert", "ca-path", "client-cert", "client-key", "tls-server-name"]) {
    flags.string(name, "", "TLS setting.");
  }
  flags.bool("insecure", false, "Do not verify TLS certificates.");
  flags.bool("tls-skip-verify", false, "Do not verify TLS certificates.");
  const token = flags.string("token", "", "The SecretID of an ACL token.");
  return { address, region, namespace, token };
}

/** Builds the API client: flags override `NOMAD_ADDR`, `NOMAD_REGION`, `NOMAD_NAMESPACE`, `NOMAD_TOKEN`. */
export function clientFromFlags(ctx: CommandContext, flags: ClientFlags): NomadClient {
  return NomadClient.fromEnv(ctx.io.env, {
    address: flags.address.value,
    region: flags.region.value,
    namespace: flags.namespace.value,
    token: flags.token.value,
  });
}

/** True when the effective namespace is `*` (all namespaces). */
export function allNamespaces(client: NomadClient): boolean {
  return client.config.namespace === "*";
}

/** Parses flags; returns the positional arguments or null when parsing failed (exit 1). */
export function parseFlags(flags: FlagSet, args: readonly string[]): string[] | null {
  const result = flags.parse(args);
  return result.ok ? result.args : null;
}

/** ID display length for `-verbose`. */
export function idLength(verbose: boolean): number {
  return verbose ? FULL_ID_LENGTH : SHORT_ID_LENGTH;
}

/** Nomad's hint after a usage error. */
export function commandErrorText(command: Command): string {
  return `For additional help try 'nomad ${command.name} -help'`;
}

/** Help text of the general (client) options, in Nomad's layout. */
export function generalOptionsUsage(options: { namespace?: boolean } = {}): string {
  const parts = [
    `  -address=<addr>
    The address of the Nomad server.
    Overrides the NOMAD_ADDR environment variable if set.
    Default = http://127.0.0.1:4646

  -region=<region>
    The region of the Nomad servers to forward commands to.
    Overrides the NOMAD_REGION environment variable if set.
    Defaults to the Agent's local region.`,
  ];
  if (options.namespace !== false) {
    parts.push(`  -namespace=<namespace>
    The target namespace for queries and actions bound to a namespace.
    Overrides the NOMAD_NAMESPACE environment variable if set.
    If set to '*', subcommands which support this functionality query
    all namespaces authorized to user.
    Defaults to the "default" namespace.`);
  }
  parts.push(`  -no-color
    Disables colored command output. Alternatively, NOMAD_CLI_NO_COLOR may be
    set. This option takes precedence over -force-color.

  -force-color
    Forces colored command output. This can be used in cases where the usual
    terminal detection fails. Alternatively, NOMAD_CLI_FORCE_COLOR may be set.
    This option has no effect if -no-color is also used.

  -ca-cert=<path>, -ca-path=<path>, -client-cert=<path>, -client-key=<path>
    TLS material for talking to the Nomad server. Accepted for compatibility;
    overrides NOMAD_CACERT, NOMAD_CAPATH, NOMAD_CLIENT_CERT, NOMAD_CLIENT_KEY.

  -tls-server-name=<value>
    The server name to use as the SNI host when connecting via TLS.

  -tls-skip-verify
    Do not verify TLS certificate. This is highly not recommended.

  -token
    The SecretID of an ACL token to use to authenticate API requests with.
    Overrides the NOMAD_TOKEN environment variable if set.`);
  return parts.join("\n\n").trim();
}

/** Indents every line after the first by `pad` spaces (Nomad's `indentString`). */
export function indentString(text: string, pad: number): string {
  return text.split("\n").join("\n" + " ".repeat(pad));
}
