import assert from "node:assert/strict";
import { parseExecutorFlags } from "./run_executor.ts";
import { EXECUTOR_IDLE_EXIT_MS } from "./limits.ts";
import { isCompiled, selfCommand } from "./self_command.ts";

Deno.test("parseExecutorFlags reads Go-style flags", () => {
  assert.deepEqual(parseExecutorFlags(["-socket", "/s", "--state-dir=/d"]), {
    socketPath: "/s",
    stateDir: "/d",
    idleExitMs: EXECUTOR_IDLE_EXIT_MS,
  });
  assert.equal(
    parseExecutorFlags(["-socket=/s", "-state-dir", "/d", "-idle-exit-ms", "5"]).idleExitMs,
    5,
  );
  assert.throws(() => parseExecutorFlags(["-socket", "/s"]), /required/);
  assert.throws(
    () => parseExecutorFlags(["-socket", "/s", "-state-dir", "/d", "-x", "1"]),
    /not defined/,
  );
  assert.throws(
    () => parseExecutorFlags(["-socket", `/${"a".repeat(200)}`, "-state-dir", "/d"]),
    /longer/,
  );
});

Deno.test("selfCommand runs main.ts through deno when not compiled", () => {
  assert.equal(isCompiled(), false);
  const argv = selfCommand();
  assert.equal(argv[0], Deno.execPath());
  assert.equal(argv[1], "run");
  assert.ok(argv.at(-2)?.endsWith("/main.ts"));
  assert.equal(argv.at(-1), "executor");
});
