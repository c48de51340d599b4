/**
 * Regenerates golden files from real Nomad (see README.md). Development only.
 *
 *     deno run -A tests/oracle/regen.ts [--shape] [fixture names...]
 */

const ROOT = new URL("../../", import.meta.url).pathname;
const CORPUS = `${ROOT}tests/fixtures/jobspecs/`;
const BIN = `${ROOT}.tmp/oracle`;

async function run(cmd: string, args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(cmd, {
    args,
    env,
    cwd: CORPUS,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

const build = await new Deno.Command("go", {
  args: ["build", "-o", BIN, "."],
  cwd: `${ROOT}tests/oracle`,
}).output();
if (build.code !== 0) {
  console.error(new TextDecoder().decode(build.stderr));
  Deno.exit(1);
}

if (Deno.args.includes("--shape")) {
  const shape = await run(BIN, ["shape"]);
  await Deno.writeTextFile(`${ROOT}src/jobspec/api_shape.json`, shape.stdout);
  console.log("wrote src/jobspec/api_shape.json");
}

const wanted = Deno.args.filter((a) => !a.startsWith("--"));
let failed = 0;
for (const entry of [...Deno.readDirSync(CORPUS)].sort((a, b) => a.name.localeCompare(b.name))) {
  const match = /^(.*)\.nomad\.(hcl|json)$/.exec(entry.name);
  if (!entry.isFile || match === null) continue;
  const name = match[1]!;
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  const options = await readOptions(name);
  const args = ["parse"];
  for (const v of options.vars ?? []) args.push("-var", v);
  for (const f of options.varFiles ?? []) args.push("-var-file", f);
  args.push(entry.name);
  const result = await run(BIN, args, options.env ?? {});
  if (result.code !== 0) {
    failed++;
    console.error(`${name}: Nomad rejects it:\n${result.stderr}`);
    continue;
  }
  await Deno.writeTextFile(`${CORPUS}${name}.golden.json`, result.stdout);
  console.log(`${name}: golden written`);
}
Deno.exit(failed === 0 ? 0 : 1);

async function readOptions(
  name: string,
): Promise<{ vars?: string[]; varFiles?: string[]; env?: Record<string, string> }> {
  try {
    return JSON.parse(await Deno.readTextFile(`${CORPUS}${name}.options.json`));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return {};
    throw error;
  }
}
