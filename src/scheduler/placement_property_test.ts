/**
 * Seeded property test of placement: random clusters (1–50 nodes with random
 * attributes, meta, classes, pools, datacenters, eligibility, drain, status,
 * resources, reserved ports, host volumes and devices) and random service and
 * batch jobs (constraints with every operator, cpu or cores, memory, disk,
 * static and dynamic ports, host volumes, devices) go through the generic
 * scheduler. After each evaluation: no node is overcommitted on cpu, memory,
 * disk, cores, devices or ports; nothing runs on an unusable or infeasible
 * node; and a group placed short of its count is reported in FailedTGAllocs.
 *
 * Replay one seed: PLACEMENT_SEED=1234 deno test -A src/scheduler/placement_property_test.ts
 * More seeds: PLACEMENT_SEEDS=20000 deno test -A src/scheduler/placement_property_test.ts
 */

import assert from "node:assert/strict";
import { randomInt, type Rng, seededRng } from "../core/mod.ts";
import type {
  Allocation,
  AllocationMetric,
  Constraint,
  Job,
  JsonObject,
  Node,
  NodeDeviceResource,
} from "../structs/mod.ts";
import { meetsConstraint, resolveTarget } from "./constraints.ts";
import { deviceMatches } from "./devices.ts";
import { datacenterMatches } from "./feasibility.ts";
import { parsePortRanges } from "./ports.ts";
import { Harness, mockEval, mockJob, mockNode, testId } from "./testing.ts";

const DEFAULT_SEEDS = 2000;
const MAX_NODES = 50;
const MAX_JOBS_PER_CASE = 3;

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no --allow-env: use the defaults
  }
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  const item = items[randomInt(rng, 0, items.length - 1)];
  if (item === undefined) throw new RangeError("pick from an empty list");
  return item;
}

function chance(rng: Rng, p: number): boolean {
  return rng.next() < p;
}

const DATACENTERS = ["dc1", "dc2", "eu-west"];
const POOLS = ["default", "default", "gpu", "batch"];
const CLASSES = ["", "small", "large"];
const RACKS = ["r1", "r2", "r3", "r4"];
const TAGS = ["a", "b", "c", "d"];
const VERSIONS = ["1.5.0", "1.6.3", "1.7.0-beta.1", "1.7.2", "2.0.0"];
const DRIVERS = ["exec", "docker", "raw_exec"];
const STATIC_PORTS = [22, 80, 443, 8080, 8081, 20003, 25000];

function randomTags(rng: Rng): string {
  return TAGS.filter(() => chance(rng, 0.5)).join(",");
}

function randomDevices(rng: Rng, caseSeed: number, i: number): NodeDeviceResource[] | null {
  if (!chance(rng, 0.3)) return null;
  const model = pick(rng, ["t4", "a100"]);
  return [{
    Vendor: "nvidia",
    Type: "gpu",
    Name: model,
    Instances: Array.from({ length: randomInt(rng, 1, 4) }, (_, k) => ({
      ID: `GPU-${caseSeed}-${i}-${k}`,
      Healthy: chance(rng, 0.85),
      HealthDescription: "",
      Locality: null,
    })),
    Attributes: { memory: { IntVal: model === "t4" ? 16 : 80, Unit: "GiB" } },
  }];
}

function randomDrivers(rng: Rng, base: Node["Drivers"]): Node["Drivers"] {
  const out: Node["Drivers"] = {};
  for (const name of DRIVERS) {
    const info = base["exec"]!;
    if (chance(rng, 0.85)) {
      out[name] = { ...info, Detected: chance(rng, 0.95), Healthy: chance(rng, 0.9) };
    }
  }
  return out;
}

function randomNode(rng: Rng, caseSeed: number, i: number): Node {
  const base = mockNode({ ID: testId(70, i), Name: `node-${i}` });
  const cores = randomInt(rng, 1, 8);
  const narrow = chance(rng, 0.15);
  const minPort = narrow ? 20000 : 20000;
  const maxPort = narrow ? 20000 + randomInt(rng, 0, 6) : 32000;
  const meta: Record<string, string> = {};
  if (chance(rng, 0.8)) meta["rack"] = pick(rng, RACKS);
  if (chance(rng, 0.6)) meta["tags"] = randomTags(rng);
  if (chance(rng, 0.5)) meta["zone"] = pick(rng, ["a", "b"]);
  const attributes: Record<string, string> = {
    "kernel.name": chance(rng, 0.85) ? "linux" : "windows",
    "cpu.arch": pick(rng, ["amd64", "arm64"]),
    "nomad.version": pick(rng, VERSIONS),
    "cpu.numcores": String(cores),
    "unique.network.ip-address": `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`,
  };
  if (chance(rng, 0.5)) attributes["os.version"] = pick(rng, ["20.04", "22.04", "9"]);
  const volumes: Record<string, { Path: string; ReadOnly: boolean }> = {};
  for (const name of ["data", "logs"]) {
    if (chance(rng, 0.3)) volumes[name] = { Path: `/srv/${name}`, ReadOnly: chance(rng, 0.4) };
  }
  const reservedPorts = pick(rng, ["", "22", "22,80", "8080-8081", "20000-20002"]);
  return {
    ...base,
    Datacenter: pick(rng, DATACENTERS),
    NodePool: pick(rng, POOLS),
    NodeClass: pick(rng, CLASSES),
    ComputedClass: "",
    Status: chance(rng, 0.85) ? "ready" : pick(rng, ["down", "initializing", "disconnected"]),
    SchedulingEligibility: chance(rng, 0.9) ? "eligible" : "ineligible",
    Drain: chance(rng, 0.08),
    Attributes: attributes,
    Meta: meta,
    Drivers: randomDrivers(rng, base.Drivers),
    HostVolumes: Object.keys(volumes).length > 0 ? volumes : null,
    NodeResources: {
      ...base.NodeResources,
      Cpu: {
        CpuShares: cores * randomInt(rng, 500, 1500),
        TotalCpuCores: cores,
        ReservableCpuCores: null,
      },
      Memory: { MemoryMB: randomInt(rng, 1024, 16384) },
      Disk: { DiskMB: randomInt(rng, 500, 50000) },
      Devices: randomDevices(rng, caseSeed, i),
      MinDynamicPort: minPort,
      MaxDynamicPort: maxPort,
    },
    ReservedResources: {
      Cpu: { CpuShares: randomInt(rng, 0, 300) },
      Memory: { MemoryMB: randomInt(rng, 0, 512) },
      Disk: { DiskMB: randomInt(rng, 0, 400) },
      Networks: { ReservedHostPorts: reservedPorts },
    },
  };
}

/** A constraint drawn over every operator Nomad supports, on targets nodes may have. */
function randomConstraint(rng: Rng): JsonObject {
  const kind = randomInt(rng, 0, 13);
  switch (kind) {
    case 0:
      return { LTarget: "${attr.kernel.name}", Operand: "=", RTarget: "linux" };
    case 1:
      return { LTarget: "${attr.cpu.arch}", Operand: "!=", RTarget: pick(rng, ["amd64", "arm64"]) };
    case 2:
      return {
        LTarget: "${attr.cpu.numcores}",
        Operand: pick(rng, [">", ">=", "<", "<="]),
        RTarget: String(randomInt(rng, 1, 8)),
      };
    case 3:
      return { LTarget: "${meta.rack}", Operand: "regexp", RTarget: pick(rng, ["^r[12]$", "3|4"]) };
    case 4:
      return { LTarget: "${meta.tags}", Operand: "set_contains", RTarget: pick(rng, TAGS) };
    case 5:
      return {
        LTarget: "${meta.tags}",
        Operand: pick(rng, ["set_contains_all", "set_contains_any"]),
        RTarget: `${pick(rng, TAGS)},${pick(rng, TAGS)}`,
      };
    case 6:
      return {
        LTarget: "${attr.nomad.version}",
        Operand: "version",
        RTarget: pick(rng, [">= 1.6", "< 2.0", "~> 1.7"]),
      };
    case 7:
      return {
        LTarget: "${attr.nomad.version}",
        Operand: "semver",
        RTarget: pick(rng, [">= 1.7.0-beta", "< 1.7.2"]),
      };
    case 8:
      return { LTarget: pick(rng, ["${attr.os.version}", "${meta.zone}"]), Operand: "is_set" };
    case 9:
      return { LTarget: pick(rng, ["${attr.os.version}", "${meta.zone}"]), Operand: "is_not_set" };
    case 10:
      return { LTarget: "${node.class}", Operand: "=", RTarget: pick(rng, CLASSES) };
    case 11:
      return { LTarget: "${node.datacenter}", Operand: "!=", RTarget: pick(rng, DATACENTERS) };
    case 12:
      return { LTarget: "${meta.zone}", Operand: "=", RTarget: "${meta.zone}" };
    default:
      return { LTarget: "${node.pool}", Operand: "=", RTarget: pick(rng, POOLS) };
  }
}

function randomConstraints(rng: Rng, max: number): JsonObject[] {
  return Array.from({ length: randomInt(rng, 0, max) }, () => randomConstraint(rng));
}

function randomTask(rng: Rng, name: string): JsonObject {
  const resources: JsonObject = { MemoryMB: randomInt(rng, 32, 3000) };
  if (chance(rng, 0.15)) resources["Cores"] = randomInt(rng, 1, 2);
  else resources["CPU"] = randomInt(rng, 50, 2500);
  if (chance(rng, 0.2)) resources["MemoryMaxMB"] = 4096;
  if (chance(rng, 0.15)) {
    const device: JsonObject = { Name: pick(rng, ["gpu", "nvidia/gpu", "nvidia/gpu/t4"]) };
    device["Count"] = randomInt(rng, 1, 2);
    if (chance(rng, 0.4)) {
      device["Constraints"] = [{
        LTarget: "${device.attr.memory}",
        Operand: ">=",
        RTarget: pick(rng, ["16 GiB", "40 GiB"]),
      }];
    }
    resources["Devices"] = [device];
  }
  return {
    Name: name,
    Driver: pick(rng, DRIVERS),
    Config: { command: "/bin/true" },
    Constraints: randomConstraints(rng, 1),
    Resources: resources,
  };
}

function randomNetwork(rng: Rng): JsonObject[] | undefined {
  if (!chance(rng, 0.6)) return undefined;
  const statics = STATIC_PORTS.filter(() => chance(rng, 0.12));
  return [{
    ReservedPorts: statics.map((v, k) => ({ Label: `s${k}`, Value: v })),
    DynamicPorts: Array.from({ length: randomInt(rng, 0, 3) }, (_, k) => ({ Label: `d${k}` })),
  }];
}

function randomGroup(rng: Rng, name: string): JsonObject {
  const constraints = randomConstraints(rng, 2);
  if (chance(rng, 0.15)) constraints.push({ Operand: "distinct_hosts" });
  if (chance(rng, 0.15)) {
    constraints.push({
      Operand: "distinct_property",
      LTarget: pick(rng, ["${meta.rack}", "${node.datacenter}"]),
      RTarget: String(randomInt(rng, 1, 3)),
    });
  }
  const group: JsonObject = {
    Name: name,
    Count: randomInt(rng, 1, 8),
    Constraints: constraints,
    EphemeralDisk: { SizeMB: randomInt(rng, 10, 3000) },
    Tasks: Array.from({ length: randomInt(rng, 1, 2) }, (_, k) => randomTask(rng, `t${k}`)),
  };
  const network = randomNetwork(rng);
  if (network !== undefined) group["Networks"] = network;
  if (chance(rng, 0.25)) {
    const source = pick(rng, ["data", "logs"]);
    group["Volumes"] = {
      v: { Name: "v", Type: "host", Source: source, ReadOnly: chance(rng, 0.5) },
    };
  }
  return group;
}

function randomJob(rng: Rng, id: string): Job {
  const job = mockJob({
    ID: id,
    Name: id,
    Type: chance(rng, 0.7) ? "service" : "batch",
    Datacenters: pick(rng, [["dc1"], ["dc1", "dc2"], ["dc*"], ["*"], ["eu-*"]]),
    NodePool: pick(rng, ["default", "default", "all", "gpu", ""]),
    Constraints: randomConstraints(rng, 2),
    TaskGroups: Array.from({ length: randomInt(rng, 1, 2) }, (_, k) => randomGroup(rng, `g${k}`)),
  });
  if (chance(rng, 0.1)) {
    return {
      ...job,
      Constraints: [...(job.Constraints ?? []), {
        Operand: "distinct_hosts",
        LTarget: "",
        RTarget: "",
      }],
    };
  }
  return job;
}

// ---------------------------------------------------------------------------
// Invariants, computed from the placed allocations without the scheduler's helpers
// where that is practical.

function live(h: Harness): Allocation[] {
  return h.runningAllocs();
}

function nodeUsable(node: Node, job: Job): string | null {
  if (node.Status !== "ready") return `node status ${node.Status}`;
  if (node.SchedulingEligibility !== "eligible") return "node ineligible";
  if (node.Drain) return "node draining";
  if (!job.Datacenters.some((dc) => datacenterMatches(dc, node.Datacenter))) {
    return `datacenter ${node.Datacenter} not in ${job.Datacenters.join(",")}`;
  }
  const pool = job.NodePool === "" ? "default" : job.NodePool;
  if (pool !== "all" && node.NodePool !== pool) return `pool ${node.NodePool} is not ${pool}`;
  return null;
}

function allConstraints(job: Job, group: string): Constraint[] {
  const tg = job.TaskGroups.find((g) => g.Name === group);
  return [
    ...(job.Constraints ?? []),
    ...(tg?.Constraints ?? []),
    ...(tg?.Tasks.flatMap((t) => t.Constraints ?? []) ?? []),
  ];
}

function checkPlacementFeasible(alloc: Allocation, node: Node, all: readonly Allocation[]): void {
  const job = alloc.Job!;
  const tg = job.TaskGroups.find((g) => g.Name === alloc.TaskGroup)!;
  const usable = nodeUsable(node, job);
  assert.equal(usable, null, `alloc ${alloc.Name} on unusable node ${node.ID}: ${usable}`);
  for (const c of allConstraints(job, tg.Name)) {
    assert.ok(
      meetsConstraint(c, node),
      `alloc ${alloc.Name} breaks constraint ${JSON.stringify(c)}`,
    );
  }
  for (const task of tg.Tasks) {
    const info = node.Drivers[task.Driver];
    assert.ok(info?.Detected && info.Healthy, `driver ${task.Driver} not healthy on ${node.ID}`);
  }
  for (const volume of Object.values(tg.Volumes ?? {})) {
    const hostVolume = node.HostVolumes?.[volume.Source];
    assert.ok(hostVolume !== undefined, `host volume ${volume.Source} missing on ${node.ID}`);
    assert.ok(volume.ReadOnly || !hostVolume.ReadOnly, `read-only volume ${volume.Source} written`);
  }
  const sameJob = all.filter((a) => a.JobID === job.ID && a.ID !== alloc.ID);
  const jobDistinct = (job.Constraints ?? []).some((c) => c.Operand === "distinct_hosts");
  const groupDistinct = (tg.Constraints ?? []).some((c) => c.Operand === "distinct_hosts");
  for (const other of sameJob.filter((a) => a.NodeID === node.ID)) {
    assert.ok(!jobDistinct, `job distinct_hosts broken on ${node.ID}`);
    assert.ok(!groupDistinct || other.TaskGroup !== tg.Name, `group distinct_hosts broken`);
  }
}

function checkDistinctProperties(
  job: Job,
  allocs: readonly Allocation[],
  nodes: Map<string, Node>,
) {
  const scopes = [
    ...(job.Constraints ?? []).map((c) => ({ c, group: null as string | null })),
    ...job.TaskGroups.flatMap((g) => (g.Constraints ?? []).map((c) => ({ c, group: g.Name }))),
  ].filter((x) => x.c.Operand === "distinct_property");
  for (const { c, group } of scopes) {
    const limit = c.RTarget === "" ? 1 : Number(c.RTarget);
    const counts = new Map<string, number>();
    for (const a of allocs) {
      if (a.JobID !== job.ID || (group !== null && a.TaskGroup !== group)) continue;
      const value = resolveTarget(c.LTarget, nodes.get(a.NodeID)!);
      assert.ok(value.found, `alloc ${a.Name} on a node without ${c.LTarget}`);
      counts.set(value.value, (counts.get(value.value) ?? 0) + 1);
    }
    for (const [value, n] of counts) {
      assert.ok(n <= limit, `distinct_property ${c.LTarget}=${value} used ${n} > ${limit}`);
    }
  }
}

function checkNodeCapacity(node: Node, allocs: readonly Allocation[]): void {
  let cpu = 0;
  let memory = 0;
  let disk = 0;
  const cores = new Set<number>();
  const devices = new Set<string>();
  const ports = new Set<number>();
  const reserved = parsePortRanges(node.ReservedResources.Networks.ReservedHostPorts);
  assert.ok(reserved.ok);
  for (const alloc of allocs) {
    const resources = alloc.AllocatedResources!;
    const tg = alloc.Job!.TaskGroups.find((g) => g.Name === alloc.TaskGroup)!;
    disk += resources.Shared.DiskMB;
    for (const task of tg.Tasks) {
      const assigned = resources.Tasks[task.Name]!;
      cpu += assigned.Cpu.CpuShares;
      memory += assigned.Memory.MemoryMB;
      assert.equal(assigned.Memory.MemoryMB, task.Resources.MemoryMB);
      const taskCores = assigned.Cpu.ReservedCores ?? [];
      assert.equal(taskCores.length, task.Resources.Cores, `task ${task.Name} cores`);
      for (const core of taskCores) {
        assert.ok(core >= 0 && core < node.NodeResources.Cpu.TotalCpuCores, `core ${core} absent`);
        assert.ok(!cores.has(core), `core ${core} reserved twice on ${node.ID}`);
        cores.add(core);
      }
      checkTaskDevices(node, task.Resources.Devices ?? [], assigned.Devices ?? [], devices);
    }
    const ask = tg.Networks?.[0];
    for (const port of resources.Shared.Ports ?? []) {
      assert.ok(!ports.has(port.Value), `port ${port.Value} used twice on ${node.ID}`);
      assert.ok(!reserved.value.includes(port.Value), `reserved port ${port.Value} used`);
      ports.add(port.Value);
      const asked = ask?.ReservedPorts?.find((p) => p.Label === port.Label);
      if (asked !== undefined) assert.equal(port.Value, asked.Value, "static port moved");
      else {
        const { MinDynamicPort: min, MaxDynamicPort: max } = node.NodeResources;
        assert.ok(
          port.Value >= min && port.Value <= max,
          `dynamic port ${port.Value} out of range`,
        );
      }
    }
    const wanted = (ask?.ReservedPorts?.length ?? 0) + (ask?.DynamicPorts?.length ?? 0);
    assert.equal(resources.Shared.Ports?.length ?? 0, wanted, "every asked port is assigned");
  }
  const r = node.ReservedResources;
  const where = `on ${node.ID} by ${allocs.map((a) => `${a.JobID}/${a.Name}`).join(" ")}`;
  const room = (total: number, held: number, used: number, what: string) =>
    assert.ok(used <= total - held, `${what} overcommitted ${where}: ${used} > ${total} - ${held}`);
  room(node.NodeResources.Cpu.CpuShares, r.Cpu.CpuShares, cpu, "cpu");
  room(node.NodeResources.Memory.MemoryMB, r.Memory.MemoryMB, memory, "memory");
  room(node.NodeResources.Disk.DiskMB, r.Disk.DiskMB, disk, "disk");
}

function checkTaskDevices(
  node: Node,
  requests: readonly { Name: string; Count: number }[],
  assigned: readonly { Vendor: string; Type: string; Name: string; DeviceIDs: string[] }[],
  seen: Set<string>,
): void {
  assert.equal(assigned.length, requests.length, "one device assignment per request");
  requests.forEach((request, k) => {
    const got = assigned[k]!;
    assert.equal(got.DeviceIDs.length, request.Count, "device count");
    const group = (node.NodeResources.Devices ?? []).find((d) =>
      d.Vendor === got.Vendor && d.Type === got.Type && d.Name === got.Name
    );
    assert.ok(
      group !== undefined && deviceMatches(group, request as never),
      "device group matches",
    );
    for (const id of got.DeviceIDs) {
      const instance = group.Instances?.find((i) => i.ID === id);
      assert.ok(instance?.Healthy, `device ${id} missing or unhealthy`);
      assert.ok(!seen.has(id), `device ${id} assigned twice`);
      seen.add(id);
    }
  });
}

/** Returns how many groups fell short of their count. */
function checkFailures(h: Harness, job: Job): number {
  let short = 0;
  const update = h.lastEvalUpdate();
  assert.ok(update !== undefined, "the evaluation was updated");
  assert.equal(update.Status, "complete", `eval status ${update.Status}`);
  for (const tg of job.TaskGroups) {
    const running = live(h).filter((a) => a.JobID === job.ID && a.TaskGroup === tg.Name).length;
    const failed: AllocationMetric | undefined = update.FailedTGAllocs?.[tg.Name];
    if (running < tg.Count) {
      short += 1;
      assert.ok(
        failed !== undefined,
        `group ${tg.Name} placed ${running}/${tg.Count} without FailedTGAllocs`,
      );
    } else {
      assert.equal(failed, undefined, `group ${tg.Name} fully placed yet reported failed`);
    }
  }
  return short;
}

/** Runs one seeded case; returns what it placed and how many groups fell short. */
async function runCase(seed: number): Promise<{ placed: number; short: number }> {
  const rng = seededRng(seed);
  const nodes = Array.from(
    { length: randomInt(rng, 1, MAX_NODES) },
    (_, i) => randomNode(rng, seed, i),
  );
  const byID = new Map(nodes.map((n) => [n.ID, n]));
  const h = new Harness();
  h.algorithm = chance(rng, 0.5) ? "binpack" : "spread";
  h.upsertNode(...nodes);
  const jobs = Array.from(
    { length: randomInt(rng, 1, MAX_JOBS_PER_CASE) },
    (_, k) => randomJob(rng, `job-${k}`),
  );
  let short = 0;
  for (const [k, job] of jobs.entries()) {
    h.upsertJob(job);
    await h.process(mockEval(job, { ID: testId(71, k) }), { seed: seed * 31 + k });
    short += checkFailures(h, job);
  }
  const allocs = live(h);
  for (const alloc of allocs) checkPlacementFeasible(alloc, byID.get(alloc.NodeID)!, allocs);
  for (const job of jobs) checkDistinctProperties(job, allocs, byID);
  for (const node of nodes) checkNodeCapacity(node, allocs.filter((a) => a.NodeID === node.ID));
  return { placed: allocs.length, short };
}

Deno.test("placement never overcommits a node nor uses an unusable or infeasible one", async () => {
  const only = env("PLACEMENT_SEED");
  const count = Number(env("PLACEMENT_SEEDS") ?? DEFAULT_SEEDS);
  const seeds = only !== undefined
    ? [Number(only)]
    : Array.from({ length: count }, (_, i) => i + 1);
  let placed = 0;
  let short = 0;
  for (const seed of seeds) {
    try {
      const result = await runCase(seed);
      placed += result.placed;
      short += result.short;
    } catch (err) {
      const replay = `PLACEMENT_SEED=${seed} deno test -A src/scheduler/placement_property_test.ts`;
      throw new Error(`placement property failed for seed ${seed} (replay: ${replay})`, {
        cause: err,
      });
    }
  }
  if (only === undefined) {
    // The generator must exercise both outcomes, or the invariants prove nothing.
    assert.ok(
      placed > seeds.length,
      `only ${placed} allocations placed over ${seeds.length} seeds`,
    );
    assert.ok(short > seeds.length / 10, `only ${short} groups fell short`);
  }
});
