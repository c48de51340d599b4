import assert from "node:assert/strict";
import { type TaskRecord, TaskStore } from "./task_store.ts";

function record(id: string, state: TaskRecord["state"]): TaskRecord {
  return {
    id,
    pid: 42,
    startTicks: 7,
    startedAt: "2024-01-01T00:00:00.000Z",
    command: "/bin/sleep",
    args: ["1"],
    cwd: "/",
    user: "",
    logs: { directory: "/tmp", name: "web", maxFiles: 1, maxFileSizeBytes: 1 },
    state,
    completedAt: null,
    exitResult: null,
  };
}

Deno.test("task store keeps one file per task ID, of any characters, and reloads them", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new TaskStore(dir);
    await store.init();
    await store.save(record("alloc/web", "running"));
    await store.save(record("alloc/web", "exited"));
    await store.save(record("../../etc/passwd", "running"));
    await Deno.writeTextFile(`${dir}/tasks/leftover.json.1.2.tmp`, "{");
    await Deno.writeTextFile(`${dir}/tasks/broken.json`, "{");
    const problems: string[] = [];
    const loaded = await store.loadAll((file) => problems.push(file));
    assert.deepEqual(loaded.map((r) => `${r.id}:${r.state}`).sort(), [
      "../../etc/passwd:running",
      "alloc/web:exited",
    ]);
    assert.deepEqual(problems, [`${dir}/tasks/broken.json`]);
    await store.remove("alloc/web");
    await store.remove("never-saved");
    assert.equal((await store.loadAll(() => {})).length, 1);
    const names = (await Array.fromAsync(Deno.readDir(`${dir}/tasks`))).map((e) => e.name);
    assert.ok(!names.some((n) => n.endsWith(".tmp")), "interrupted writes are cleaned up");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
