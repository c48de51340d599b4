import { strictEqual } from "node:assert";
import { NOMAD_VERSION } from "./version.ts";

Deno.test("deno.json's version matches the version the binary reports", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  strictEqual(config.version, NOMAD_VERSION);
});
