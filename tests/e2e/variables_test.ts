/** `nomad var put|get|list|purge` against a real agent. */

import { deepStrictEqual, ok, strictEqual } from "node:assert";
import type { Variable } from "../../src/structs/mod.ts";
import { nomad, startAgent } from "./harness.ts";

Deno.test({
  name: "variables are put, read, listed, guarded by check-index and purged from the CLI",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const agent = await startAgent();
    const run = (...args: string[]) => nomad(agent.address, ["var", ...args]);
    try {
      const put = await run("put", "app/db", "user=me", "pass=secret");
      strictEqual(put.code, 0, put.stderr);
      const created = JSON.parse(put.stdout) as Variable;
      deepStrictEqual([created.Path, created.Items], ["app/db", { user: "me", pass: "secret" }]);

      // Overwriting needs -check-index or -force.
      const conflict = await run("put", "app/db", "user=you");
      strictEqual(conflict.code, 1);
      ok(conflict.stderr.includes("Check-and-Set conflict"), conflict.stderr);
      ok(conflict.stderr.includes(`-check-index=${created.ModifyIndex}`), conflict.stderr);
      const checked = await run(
        "put",
        "-out=none",
        `-check-index=${created.ModifyIndex}`,
        "app/db",
        "user=you",
      );
      strictEqual(checked.code, 0, checked.stderr);
      ok(
        /^Created variable "app\/db" with modify index \d+\n$/.test(checked.stdout),
        checked.stdout,
      );

      const item = await run("get", "-item=user", "app/db");
      strictEqual(item.stdout, "you");
      const table = await run("get", "-out=table", "app/db");
      ok(/Path\s+= app\/db/.test(table.stdout), table.stdout);
      ok(/\nItems\nuser = you\n/.test(table.stdout), table.stdout);
      strictEqual((await run("put", "-force", "app/cache", "size=1")).code, 0);
      const list = await run("list", "-out=table", "app/");
      const rows = list.stdout.trim().split("\n");
      deepStrictEqual(rows.map((r) => r.split(/\s+/).slice(0, 2)), [
        ["Namespace", "Path"],
        ["default", "app/cache"],
        ["default", "app/db"],
      ]);

      strictEqual(
        (await run("purge", "app/db")).stdout,
        'Successfully purged variable "app/db"!\n',
      );
      const missing = await run("get", "app/db");
      strictEqual(missing.code, 1);
      strictEqual(missing.stderr, "Variable not found\n");
      const bad = await run("put", "nomad/other", "a=b");
      strictEqual(bad.code, 1);
      strictEqual(
        bad.stderr,
        'Error creating variable: Unexpected response code: 400 (only paths at "nomad/jobs" or ' +
          '"nomad/job-templates" and below are valid paths under the top-level "nomad" directory)\n',
      );
      strictEqual((await run("get", "-out=yaml", "app/cache")).code, 1);
    } finally {
      await agent.stop();
    }
  },
});
