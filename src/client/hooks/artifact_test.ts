import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { nullLogger, seededRng } from "../../core/mod.ts";
import type { Allocation, TaskState } from "../../structs/mod.ts";
import { allocDirPaths, buildAllocDir, taskDirPaths } from "../alloc_dir.ts";
import { gzip, serveArtifacts, tarArchive } from "../artifact/testing.ts";
import {
  allocationOf,
  type RunnerFixture,
  runnerFixture,
  shellTask,
  within,
} from "../lifecycle_testing.ts";
import { TaskRunner } from "../task_runner.ts";

const test = { sanitizeOps: false, sanitizeResources: false };

async function runTask(fixture: RunnerFixture, alloc: Allocation): Promise<TaskState> {
  const allocDir = allocDirPaths(fixture.allocRoot, alloc.ID);
  await buildAllocDir(allocDir);
  const task = alloc.Job!.TaskGroups[0]!.Tasks[0]!;
  const runner = new TaskRunner({
    alloc,
    task,
    node: fixture.node,
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
  name: "artifacts are downloaded (source interpolated, checksum checked) before the task starts",
  ...test,
  async fn() {
    const archive = await gzip(
      tarArchive([{ name: "bin/hello.sh", content: "echo hello\n", mode: 0o755 }]),
    );
    const server = serveArtifacts({ "/web.tar.gz": archive });
    const fixture = await runnerFixture();
    try {
      const checksum = `sha256:${createHash("sha256").update(archive).digest("hex")}`;
      const alloc = allocationOf(fixture, {
        tasks: [shellTask("web", 'test "$(sh local/bin/hello.sh)" = hello', {
          Artifacts: [{
            GetterSource: `${server.url}/\${NOMAD_TASK_NAME}.tar.gz`,
            GetterOptions: { checksum },
          }],
        })],
      });
      const state = await runTask(fixture, alloc);
      const types = state.Events!.map((e) => e.Type);
      assert.deepEqual(types.slice(0, 4), [
        "Received",
        "Task Setup",
        "Downloading Artifacts",
        "Started",
      ]);
      assert.equal(state.Events![2]!.DisplayMessage, "Client is downloading artifacts");
      assert.equal(state.Failed, false, JSON.stringify(state.Events));
    } finally {
      await server.close();
      await fixture.cleanup();
    }
  },
});

Deno.test({
  name: "a failed artifact download fails the start under the restart policy with Nomad's event",
  ...test,
  async fn() {
    const server = serveArtifacts({ "/app.tar": tarArchive([{ name: "a", content: "x" }]) });
    const fixture = await runnerFixture();
    try {
      const alloc = allocationOf(fixture, {
        tasks: [shellTask("web", "exit 0", {
          Artifacts: [{
            GetterSource: `${server.url}/app.tar`,
            GetterOptions: { checksum: `md5:${"0".repeat(32)}` },
          }],
        })],
        group: { RestartPolicy: { Attempts: 1, Mode: "fail", Delay: 1e6, Interval: 600e9 } },
      });
      const state = await runTask(fixture, alloc);
      assert.equal(state.State, "dead");
      assert.equal(state.Failed, true);
      const failures = state.Events!.filter((e) => e.Type === "Failed Artifact Download");
      assert.equal(failures.length, 2, "one attempt and one restart");
      assert.match(
        failures[0]!.DownloadError,
        new RegExp(`^failed to download artifact "${server.url}/app.tar": Checksums did not match`),
      );
      assert.equal(failures[0]!.DisplayMessage, failures[0]!.DownloadError);
      assert.equal(state.Events!.some((e) => e.Type === "Driver Failure"), false);
      assert.equal(
        state.Events!.some((e) => e.Type === "Started"),
        false,
        "the task never started",
      );
      assert.equal(state.Events!.at(-1)!.Type, "Not Restarting");
    } finally {
      await server.close();
      await fixture.cleanup();
    }
  },
});
