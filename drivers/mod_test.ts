import assert from "node:assert/strict";
import { DRIVER_CONFIG_SCHEMAS, KNOWN_DRIVERS } from "./mod.ts";

Deno.test("driver registry knows raw_exec, exec, docker, java and qemu", () => {
  assert.deepEqual([...KNOWN_DRIVERS].sort(), ["docker", "exec", "java", "qemu", "raw_exec"]);
  for (const [name, schema] of Object.entries(DRIVER_CONFIG_SCHEMAS)) {
    assert.equal(schema.name, name);
  }
});

Deno.test("placeholder schemas check only their required key", () => {
  assert.deepEqual(DRIVER_CONFIG_SCHEMAS["docker"]!.validate({ image: "redis", anything: 1 }), []);
  assert.deepEqual(DRIVER_CONFIG_SCHEMAS["docker"]!.validate({}), [
    'Missing required argument: The argument "image" is required, but no definition was found.',
  ]);
  assert.deepEqual(DRIVER_CONFIG_SCHEMAS["java"]!.validate({ class: "Main" }), []);
  assert.equal(DRIVER_CONFIG_SCHEMAS["java"]!.validate({}).length, 1);
  assert.deepEqual(DRIVER_CONFIG_SCHEMAS["qemu"]!.validate({ image_path: "/x.img" }), []);
  assert.equal(DRIVER_CONFIG_SCHEMAS["exec"]!.validate({}).length, 1);
  assert.equal(DRIVER_CONFIG_SCHEMAS["raw_exec"]!.validate({ command: "x", bogus: 1 }).length, 1);
});
