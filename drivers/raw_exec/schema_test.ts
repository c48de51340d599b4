import assert from "node:assert/strict";
import { decodeRawExecConfig, rawExecConfigSchema } from "./schema.ts";

Deno.test("raw_exec schema accepts Nomad's documented keys", () => {
  assert.deepEqual(
    rawExecConfigSchema.validate({
      command: "/bin/sleep",
      args: ["1", 2, true],
      oom_score_adj: 10,
      work_dir: "/srv",
      cgroup_v1_override: { pids: "/nomad/x" },
      cgroup_v2_override: "custom.slice/app.scope",
    }),
    [],
  );
});

Deno.test("raw_exec schema requires command and names it", () => {
  assert.deepEqual(rawExecConfigSchema.validate({ args: [] }), [
    'Missing required argument: The argument "command" is required, but no definition was found.',
  ]);
  assert.deepEqual(rawExecConfigSchema.validate({ command: 3 }), [
    'Incorrect attribute value type: Inappropriate value for attribute "command": string required.',
  ]);
  assert.equal(rawExecConfigSchema.validate({ command: " " }).length, 1);
});

Deno.test("raw_exec schema rejects unknown keys and wrong types, naming them", () => {
  const errors = rawExecConfigSchema.validate({
    command: "x",
    image: "redis",
    args: "not-a-list",
    oom_score_adj: -1,
    work_dir: "relative",
  });
  assert.deepEqual(errors, [
    'Unsupported argument: An argument named "image" is not expected here.',
    'Incorrect attribute value type: Inappropriate value for attribute "args": list of string required.',
    "oom_score_adj must be between 0 and 1000: got -1",
    'work_dir must be an absolute path: got "relative"',
  ]);
});

Deno.test("decodeRawExecConfig converts args to strings and fills defaults", () => {
  assert.deepEqual(decodeRawExecConfig({ command: "echo", args: [1, "a", false] }), {
    command: "echo",
    args: ["1", "a", "false"],
    oomScoreAdj: null,
    workDir: null,
  });
  assert.throws(() => decodeRawExecConfig({}), TypeError);
});
