/**
 * Builds the single `nomad` binary with `deno compile`. `deno compile` downloads
 * its runtime (denort) unless `DENORT_BIN` points at a local one; we never fake it.
 * Usage: deno task compile [--target x86_64-unknown-linux-gnu|aarch64-unknown-linux-gnu]
 */

const targetIndex = Deno.args.indexOf("--target");
const target = targetIndex >= 0 ? Deno.args[targetIndex + 1] : undefined;
const output = target?.startsWith("aarch64") ? "dist/nomad-linux-arm64" : "dist/nomad";
const args = [
  "compile",
  "-A",
  "--include",
  "ui/dist",
  "--output",
  output,
  ...(target !== undefined ? ["--target", target] : []),
  "main.ts",
];
const env: Record<string, string> = {};
const denort = Deno.env.get("DENORT_BIN");
if (denort) env.DENORT_BIN = denort;
console.log(`deno ${args.join(" ")}${denort ? ` (DENORT_BIN=${denort})` : ""}`);
const status = await new Deno.Command(Deno.execPath(), {
  args,
  env,
  stdout: "inherit",
  stderr: "inherit",
}).spawn()
  .status;
Deno.exit(status.code);
