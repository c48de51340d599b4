/**
 * Driver registry for job submission: the config schema of every driver the cluster
 * knows, checked without I/O. Drivers not implemented yet have permissive placeholder
 * schemas that only check their one required key.
 */
import type { DriverConfigSchema } from "./driver.ts";
import { rawExecConfigSchema } from "./raw_exec/schema.ts";

/** A schema that only requires one of `keys` to be present. */
function placeholderSchema(name: string, keys: readonly string[]): DriverConfigSchema {
  return {
    name,
    validate(config: Record<string, unknown>): string[] {
      if (keys.some((key) => config[key] !== undefined && config[key] !== null)) return [];
      const names = keys.map((k) => `"${k}"`).join(" or ");
      return [
        `Missing required argument: The argument ${names} is required, but no definition was found.`,
      ];
    },
  };
}

/** Config schemas by driver name. */
export const DRIVER_CONFIG_SCHEMAS: Readonly<Record<string, DriverConfigSchema>> = Object.freeze({
  raw_exec: rawExecConfigSchema,
  exec: placeholderSchema("exec", ["command"]),
  docker: placeholderSchema("docker", ["image"]),
  java: placeholderSchema("java", ["jar_path", "class"]),
  qemu: placeholderSchema("qemu", ["image_path"]),
});

/** Names of the drivers jobs may use. */
export const KNOWN_DRIVERS: readonly string[] = Object.freeze(Object.keys(DRIVER_CONFIG_SCHEMAS));
