import assert from "node:assert/strict";
import { lookupCommand } from "./lookup_path.ts";
import { ExecutorError } from "./protocol.ts";

Deno.test("lookupCommand searches the task directory, then PATH", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/local`);
    await Deno.writeTextFile(`${dir}/local/tool`, "#!/bin/sh\n", { mode: 0o755 });
    await Deno.writeTextFile(`${dir}/data`, "not executable", { mode: 0o644 });
    assert.equal(
      await lookupCommand("tool", { cwd: dir, searchPath: "/bin" }),
      `${dir}/local/tool`,
    );
    assert.equal(
      await lookupCommand("local/tool", { cwd: dir, searchPath: "" }),
      `${dir}/local/tool`,
    );
    assert.equal(
      await lookupCommand("sh", { cwd: dir, searchPath: "/usr/bin:/bin" }),
      "/usr/bin/sh",
    );
    await assert.rejects(
      lookupCommand("./data", { cwd: dir, searchPath: undefined }),
      (e: unknown) =>
        e instanceof ExecutorError && e.message === `fork/exec ${dir}/./data: permission denied`,
    );
    await assert.rejects(
      lookupCommand("nope-xyz", { cwd: dir, searchPath: "/bin" }),
      { message: 'exec: "nope-xyz": executable file not found in $PATH' },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
