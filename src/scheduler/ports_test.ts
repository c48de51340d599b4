import assert from "node:assert/strict";
import { seededRng } from "../core/mod.ts";
import type { NetworkResource } from "../structs/mod.ts";
import { assignPorts, newPortIndex, nodeAddress, parsePortRanges, reserveOffer } from "./ports.ts";
import { mockNode } from "./testing.ts";

function ask(fields: Partial<NetworkResource>): NetworkResource {
  return {
    Mode: "host",
    Device: "",
    CIDR: "",
    IP: "",
    Hostname: "",
    MBits: 0,
    DNS: null,
    ReservedPorts: null,
    DynamicPorts: null,
    ...fields,
  };
}

Deno.test("port range specs parse into sorted unique ports", () => {
  assert.deepEqual(parsePortRanges("22, 80-82,22"), { ok: true, value: [22, 80, 81, 82] });
  assert.deepEqual(parsePortRanges(""), { ok: true, value: [] });
  assert.equal(parsePortRanges("10-5").ok, false);
  assert.equal(parsePortRanges("http").ok, false);
});

Deno.test("node address prefers the first host network IP", () => {
  assert.equal(nodeAddress(mockNode({ Name: "x" })).startsWith("192.168.0."), true);
  const bare = mockNode();
  const noNet = { ...bare, NodeResources: { ...bare.NodeResources, Networks: null } };
  assert.equal(nodeAddress(noNet), bare.Attributes["unique.network.ip-address"]);
  assert.equal(nodeAddress({ ...noNet, Attributes: {} }), "127.0.0.1");
});

Deno.test("dynamic ports fall in the node's range and differ from each other", () => {
  const index = newPortIndex(mockNode());
  assert.ok(index.ok);
  const labels = Array.from({ length: 50 }, (_, i) => ({
    Label: `p${i}`,
    Value: 0,
    To: 0,
    HostNetwork: "default",
  }));
  const offer = assignPorts(index.value, ask({ DynamicPorts: labels }), "10.0.0.1", seededRng(3));
  assert.ok(offer.ok);
  const values = offer.value.map((p) => p.Value);
  assert.equal(new Set(values).size, 50);
  assert.ok(values.every((v) => v >= 20000 && v <= 32000));
});

Deno.test("a taken static port is a reserved port collision", () => {
  const index = newPortIndex(mockNode());
  assert.ok(index.ok);
  const static8080 = ask({
    ReservedPorts: [{ Label: "http", Value: 8080, To: 0, HostNetwork: "default" }],
  });
  const first = assignPorts(index.value, static8080, "10.0.0.1", seededRng(1));
  assert.ok(first.ok);
  reserveOffer(index.value, first.value);
  assert.deepEqual(assignPorts(index.value, static8080, "10.0.0.1", seededRng(1)), {
    ok: false,
    error: "reserved port collision http=8080",
  });
});

Deno.test("dynamic port selection fails when the range is exhausted", () => {
  const node = mockNode();
  const tiny = {
    ...node,
    NodeResources: { ...node.NodeResources, MinDynamicPort: 30000, MaxDynamicPort: 30001 },
  };
  const index = newPortIndex(tiny);
  assert.ok(index.ok);
  const three = ask({
    DynamicPorts: ["a", "b", "c"].map((Label) => ({ Label, Value: 0, To: -1, HostNetwork: "" })),
  });
  assert.deepEqual(assignPorts(index.value, three, "10.0.0.1", seededRng(1)), {
    ok: false,
    error: "dynamic port selection failed",
  });
});

Deno.test("a dynamic port with To = -1 maps to the same port inside", () => {
  const index = newPortIndex(mockNode());
  assert.ok(index.ok);
  const offer = assignPorts(
    index.value,
    ask({ DynamicPorts: [{ Label: "db", Value: 0, To: -1, HostNetwork: "" }] }),
    "10.0.0.1",
    seededRng(9),
  );
  assert.ok(offer.ok);
  assert.equal(offer.value[0]?.To, offer.value[0]?.Value);
});
