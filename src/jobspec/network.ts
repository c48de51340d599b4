/** `network` blocks (group level, and legacy task `resources` level) and their ports. */

import type { JsonObject } from "../structs/decode.ts";
import type { ScopedBlock } from "../hcl/mod.ts";
import { Stanza, type StanzaSpec } from "./stanza.ts";

const NETWORK: StanzaSpec = {
  fields: {
    mode: ["Mode", "string"],
    mbits: ["MBits", "int"],
    hostname: ["Hostname", "string"],
  },
  // Nomad's network block takes no label; `network "web" {}` is rejected as in Nomad.
  blocks: { port: { labels: ["label"] }, dns: {} },
  lenient: { cni: "CNI" },
};

const PORT: StanzaSpec = {
  fields: {
    to: ["To", "int"],
    host_network: ["HostNetwork", "string"],
    ignore_collision: ["IgnoreCollision", "bool"],
  },
  attributes: ["static"],
};

const DNS: StanzaSpec = {
  fields: {
    servers: ["Servers", "strings"],
    searches: ["Searches", "strings"],
    options: ["Options", "strings"],
  },
};

/**
 * One `network` block. Ports with `static` go to ReservedPorts (Value = the
 * static port), the others to DynamicPorts (Value 0), as Nomad does.
 */
export function decodeNetwork(scoped: ScopedBlock): JsonObject {
  const st = Stanza.of(scoped, NETWORK);
  const out = st.decodeInto({});
  const reserved: JsonObject[] = [];
  const dynamic: JsonObject[] = [];
  for (const portBlock of st.blocks("port")) {
    const port = Stanza.of(portBlock, PORT);
    const decoded = port.decodeInto({ Label: port.label() });
    const value = port.read("static", "int");
    if (typeof value === "number") reserved.push({ ...decoded, Value: value });
    else dynamic.push({ ...decoded, Value: 0 });
  }
  if (reserved.length > 0) out.ReservedPorts = reserved;
  if (dynamic.length > 0) out.DynamicPorts = dynamic;
  const dns = st.single("dns");
  if (dns !== undefined) out.DNS = Stanza.of(dns, DNS).decodeInto({});
  return out;
}
