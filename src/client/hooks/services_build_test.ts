import { deepStrictEqual } from "node:assert";
import { mockAlloc, mockJob, mockNode } from "../../scheduler/testing.ts";
import type { Allocation, Service } from "../../structs/mod.ts";
import { buildRegistration, checkAddress, resolveAddress, serviceID } from "./services_build.ts";

const node = mockNode();
const base = mockAlloc(mockJob(), node);
const alloc: Allocation = {
  ...base,
  AllocatedResources: {
    ...base.AllocatedResources!,
    Shared: {
      ...base.AllocatedResources!.Shared,
      Ports: [{ Label: "http", Value: 23456, To: 8080, HostIP: "10.0.0.5" }],
    },
  },
};

const service: Service = {
  Name: "api-${NOMAD_JOB_NAME}",
  TaskName: "",
  PortLabel: "http",
  AddressMode: "auto",
  Address: "",
  Tags: ["v-${NOMAD_ALLOC_INDEX}"],
  CanaryTags: ["canary"],
  Checks: null,
  Meta: null,
  Provider: "nomad",
  OnUpdate: "require_healthy",
};

Deno.test("registrations interpolate names and tags and use the host port", () => {
  const env = { NOMAD_JOB_NAME: "shop", NOMAD_ALLOC_INDEX: "0" };
  const built = buildRegistration({ alloc, node, owner: "web", env }, service);
  deepStrictEqual("registration" in built && built.registration, {
    ID: serviceID(alloc.ID, "web", { Name: "api-shop", PortLabel: "http" }),
    ServiceName: "api-shop",
    Namespace: alloc.Namespace,
    NodeID: node.ID,
    Datacenter: node.Datacenter,
    JobID: alloc.JobID,
    AllocID: alloc.ID,
    Tags: ["v-0"],
    Address: "10.0.0.5",
    Port: 23456,
    CreateIndex: 0,
    ModifyIndex: 0,
  });
  const canary = {
    ...alloc,
    DeploymentStatus: { Healthy: null, Timestamp: "", Canary: true, ModifyIndex: 0 },
  };
  const tagged = buildRegistration({ alloc: canary, node, owner: "web", env }, service);
  deepStrictEqual("registration" in tagged && tagged.registration.Tags, ["canary"]);
});

Deno.test("address modes resolve as Nomad's, with its errors", () => {
  const resolve = (address: string, addressMode: string, portLabel: string) =>
    resolveAddress({ address, addressMode, portLabel }, alloc);
  deepStrictEqual(resolve("", "auto", "http"), { address: "10.0.0.5", port: 23456 });
  deepStrictEqual(resolve("", "host", "9999"), { address: "", port: 9999 });
  deepStrictEqual(resolve("1.2.3.4", "auto", "http"), { address: "1.2.3.4", port: 23456 });
  deepStrictEqual(resolve("1.2.3.4", "auto", ""), { address: "1.2.3.4", port: 0 });
  deepStrictEqual(resolve("", "host", "nope"), {
    error: 'invalid port "nope": port label not found',
  });
  deepStrictEqual(resolve("", "host", "0"), { error: 'invalid port: "0": port must be >0' });
  deepStrictEqual(resolve("1.2.3.4", "host", "http"), {
    error: 'cannot use custom advertise address with "host" address mode',
  });
  deepStrictEqual(resolve("", "driver", "http"), {
    error: 'cannot use address_mode="driver": no driver network exists',
  });
  deepStrictEqual(resolve("", "bogus", "http"), { error: 'invalid address mode "bogus"' });
  deepStrictEqual(
    checkAddress({ PortLabel: "", AddressMode: "" }, { Address: "", PortLabel: "http" }, alloc),
    { address: "10.0.0.5", port: 23456 },
  );
  const built = buildRegistration({ alloc, node, owner: "web", env: {} }, {
    ...service,
    AddressMode: "driver",
  });
  deepStrictEqual("error" in built, true);
});
