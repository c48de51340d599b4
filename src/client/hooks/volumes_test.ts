import assert from "node:assert/strict";
import { nullLogger, seededRng } from "../../core/mod.ts";
import type { Allocation, Node, TaskGroup, TaskState } from "../../structs/mod.ts";
import { allocDirPaths, buildAllocDir, taskDirPaths } from "../alloc_dir.ts";
import {
  allocationOf,
  type RunnerFixture,
  runnerFixture,
  shellTask,
  within,
} from "../lifecycle_testing.ts";
import { TaskRunner } from "../task_runner.ts";
import { hostVolumeMounts, mountTarget, symlinkMounter } from "./volumes.ts";

const test = { sanitizeOps: false, sanitizeResources: false };

const volumes: TaskGroup["Volumes"] = {
  data: { Name: "data", Type: "host", Source: "shared-data", ReadOnly: false },
  certs: { Name: "certs", Type: "host", Source: "certs", ReadOnly: true },
  ebs: { Name: "ebs", Type: "csi", Source: "vol-1", ReadOnly: false },
};
const node: Pick<Node, "HostVolumes"> = {
  HostVolumes: {
    "shared-data": { Path: "/srv/data", ReadOnly: false },
    certs: { Path: "/etc/certs", ReadOnly: false },
    "vol-1": { Path: "/never", ReadOnly: false },
  },
};
const mount = (volume: string, destination: string, readOnly = false) => ({
  Volume: volume,
  Destination: destination,
  ReadOnly: readOnly,
  PropagationMode: "private",
});

Deno.test("host volume mounts combine read_only from the node, the group request and the mount", () => {
  const mounts = hostVolumeMounts({ Volumes: volumes }, {
    VolumeMounts: [mount("data", "/data"), mount("certs", "certs"), mount("ebs", "/ebs")],
  }, node);
  assert.deepEqual(mounts, [
    { volume: "data", hostPath: "/srv/data", taskPath: "/data", readOnly: false },
    { volume: "certs", hostPath: "/etc/certs", taskPath: "certs", readOnly: true },
  ]);
  const readOnlyNode = {
    HostVolumes: { ...node.HostVolumes, "shared-data": { Path: "/srv/data", ReadOnly: true } },
  };
  assert.equal(
    hostVolumeMounts(
      { Volumes: volumes },
      { VolumeMounts: [mount("data", "/d")] },
      readOnlyNode,
    )[0]!.readOnly,
    true,
  );
  assert.equal(
    hostVolumeMounts({ Volumes: volumes }, { VolumeMounts: [mount("data", "/d", true)] }, node)[0]!
      .readOnly,
    true,
  );
});

Deno.test("bad volume requests and destinations are refused", () => {
  const cases: [() => unknown, RegExp][] = [
    [
      () => hostVolumeMounts({ Volumes: volumes }, { VolumeMounts: [] }, { HostVolumes: null }),
      /: host volume validation error: missing shared-data, missing certs$/,
    ],
    [
      () => hostVolumeMounts({ Volumes: volumes }, { VolumeMounts: [mount("nope", "/x")] }, node),
      /No group volume declaration found named: nope/,
    ],
    [() => mountTarget("/a/task", "../../etc"), /must be a path inside the task directory/],
    [() => mountTarget("/a/task", "/"), /must be a path inside the task directory/],
  ];
  for (const [fn, pattern] of cases) assert.throws(fn, pattern);
  assert.equal(mountTarget("/a/task", "/srv/data"), "/a/task/srv/data");
});

Deno.test("the symlink mounter links destinations, keeps its own links and refuses to replace files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const mounter = symlinkMounter();
    const mounts = [{ volume: "v", hostPath: "/tmp", taskPath: "/mnt/tmp", readOnly: true }];
    await mounter.mount(mounts, dir);
    await mounter.mount(mounts, dir);
    assert.equal(await Deno.readLink(`${dir}/mnt/tmp`), "/tmp");
    await Deno.writeTextFile(`${dir}/file`, "x");
    await assert.rejects(
      mounter.mount([{ ...mounts[0]!, taskPath: "file" }], dir),
      /destination "file" already exists/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function runTask(
  fixture: RunnerFixture,
  alloc: Allocation,
  taskNode: Node,
): Promise<TaskState> {
  const allocDir = allocDirPaths(fixture.allocRoot, alloc.ID);
  await buildAllocDir(allocDir);
  const task = alloc.Job!.TaskGroups[0]!.Tasks[0]!;
  const runner = new TaskRunner({
    alloc,
    task,
    node: taskNode,
    driver: fixture.driver,
    allocDir,
    taskDir: taskDirPaths(allocDir, task.Name),
    stateDb: fixture.stateDb,
    nowNs: () => Date.now() * 1e6,
    rng: seededRng(1),
    logger: nullLogger,
    hostEnv: () => ({ PATH: "/usr/bin:/bin" }),
    onChange: () => {},
  });
  await within("the task to finish", runner.run());
  return runner.state;
}

Deno.test({
  name: "a task reads a file from a read-only host volume at its mount destination",
  ...test,
  async fn() {
    const fixture = await runnerFixture();
    const hostDir = await Deno.makeTempDir({ prefix: "host-volume-" });
    try {
      await Deno.writeTextFile(`${hostDir}/hello.txt`, "from the host");
      const alloc = allocationOf(fixture, {
        tasks: [shellTask("reader", 'test "$(cat srv/data/hello.txt)" = "from the host"', {
          VolumeMounts: [mount("data", "/srv/data", true)],
        })],
        group: {
          Volumes: { data: { Name: "data", Type: "host", Source: "shared", ReadOnly: true } },
        },
      });
      const withVolume = {
        ...fixture.node,
        HostVolumes: { shared: { Path: hostDir, ReadOnly: true } },
      };
      const state = await runTask(fixture, alloc, withVolume);
      assert.equal(state.Failed, false, JSON.stringify(state.Events));

      const missing = await runTask(
        fixture,
        allocationOf(fixture, {
          tasks: [shellTask("reader", "exit 0", { VolumeMounts: [mount("data", "/srv/data")] })],
          group: {
            Volumes: { data: { Name: "data", Type: "host", Source: "shared", ReadOnly: false } },
          },
        }),
        { ...fixture.node, HostVolumes: {} },
      );
      assert.equal(missing.Failed, true);
      const failure = missing.Events!.find((e) => e.Type === "Task hook failed");
      assert.equal(
        failure?.DisplayMessage,
        "volumes: host volume validation error: missing shared",
      );
    } finally {
      await Deno.remove(hostDir, { recursive: true });
      await fixture.cleanup();
    }
  },
});
