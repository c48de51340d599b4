/**
 * Every job file in tests/fixtures/jobspecs parses to exactly the JSON real
 * Nomad prints for `nomad job run -output` (goldens recorded by tests/oracle).
 */

import { strictEqual } from "node:assert";
import { goJson } from "../src/core/go_json.ts";
import { jobFileHost } from "../src/cli/commands/job_file.ts";
import type { CliIo } from "../src/cli/io.ts";
import { jobInitTemplate, parseJob } from "../src/jobspec/mod.ts";

const CORPUS = new URL("./fixtures/jobspecs/", import.meta.url).pathname;

interface FixtureOptions {
  vars?: string[];
  varFiles?: string[];
  env?: Record<string, string>;
}

/** The fixtures with a golden file, sorted by name. */
export function corpusFixtures(): { name: string; file: string }[] {
  const out: { name: string; file: string }[] = [];
  for (const entry of Deno.readDirSync(CORPUS)) {
    const match = /^(.*)\.nomad\.(hcl|json)$/.exec(entry.name);
    if (entry.isFile && match !== null) out.push({ name: match[1]!, file: entry.name });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

function readOptions(name: string): FixtureOptions {
  try {
    return JSON.parse(Deno.readTextFileSync(`${CORPUS}${name}.options.json`));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return {};
    throw error;
  }
}

for (const { name, file } of corpusFixtures()) {
  Deno.test(`jobspec corpus: ${file} parses like Nomad`, () => {
    const options = readOptions(name);
    const variables: Record<string, string> = {};
    for (const v of options.vars ?? []) {
      const eq = v.indexOf("=");
      variables[v.slice(0, eq)] = v.slice(eq + 1);
    }
    const varFiles = (options.varFiles ?? []).map((f) => ({
      filename: f,
      source: Deno.readTextFileSync(`${CORPUS}${f}`),
    }));
    const job = parseJob(Deno.readTextFileSync(`${CORPUS}${file}`), {
      filename: file,
      variables,
      env: options.env ?? {},
      varFiles,
      ...jobFileHost(`${CORPUS}${file}`, { env: {} } as unknown as CliIo),
    });
    const golden = Deno.readTextFileSync(`${CORPUS}${name}.golden.json`);
    strictEqual(goJson({ Job: job }, 4) + "\n", golden);
  });
}

Deno.test("job init writes the files recorded as init_short and init_long in the corpus", () => {
  strictEqual(jobInitTemplate(true), Deno.readTextFileSync(`${CORPUS}init_short.nomad.hcl`));
  strictEqual(jobInitTemplate(false), Deno.readTextFileSync(`${CORPUS}init_long.nomad.hcl`));
});
