import assert from "node:assert/strict";
import { runNomad } from "../testing.ts";

const GOLDENS = new URL("../../../tests/fixtures/fmt/", import.meta.url).pathname;
const UGLY = Deno.readTextFileSync(`${GOLDENS}align_attributes.hcl`);
const PRETTY = Deno.readTextFileSync(`${GOLDENS}align_attributes.golden.hcl`);
const BROKEN = 'job "x" {\n  a = \n}\n';

/** Runs `fn` in a fresh directory holding `files` (relative path → text), then removes it. */
async function withFiles(
  files: Record<string, string>,
  fn: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "nomad-fmt-test-" });
  try {
    for (const [name, text] of Object.entries(files)) {
      const path = `${dir}/${name}`;
      await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
      await Deno.writeTextFile(path, text);
    }
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const read = (path: string) => Deno.readTextFileSync(path);

Deno.test("fmt rewrites the .nomad and .hcl files of a directory and lists the changed ones", async () => {
  await withFiles({
    "b.nomad": UGLY,
    "a.hcl": UGLY,
    "ok.nomad.hcl": PRETTY,
    "notes.txt": "a   =   1\n",
    "sub/deep.hcl": UGLY,
  }, async (dir) => {
    const { code, stdout, stderr } = await runNomad(["fmt", dir]);
    assert.equal(stderr, "");
    assert.equal(code, 0);
    assert.equal(stdout, `${dir}/a.hcl\n${dir}/b.nomad\n`);
    assert.equal(read(`${dir}/a.hcl`), PRETTY);
    assert.equal(read(`${dir}/b.nomad`), PRETTY);
    assert.equal(read(`${dir}/ok.nomad.hcl`), PRETTY);
    assert.equal(read(`${dir}/notes.txt`), "a   =   1\n");
    assert.equal(read(`${dir}/sub/deep.hcl`), UGLY, "subdirectories need -recursive");
  });
});

Deno.test("fmt -recursive also formats subdirectories", async () => {
  await withFiles({ "a.hcl": PRETTY, "sub/deep.hcl": UGLY, "sub/x/y.nomad": UGLY }, async (dir) => {
    const { code, stdout } = await runNomad(["fmt", "-recursive", dir]);
    assert.equal(code, 0);
    assert.equal(stdout, `${dir}/sub/deep.hcl\n${dir}/sub/x/y.nomad\n`);
    assert.equal(read(`${dir}/sub/x/y.nomad`), PRETTY);
  });
});

Deno.test("fmt -check lists files that need formatting, writes nothing and exits 1", async () => {
  await withFiles({ "a.hcl": UGLY, "b.hcl": PRETTY }, async (dir) => {
    const failing = await runNomad(["fmt", "-check", dir]);
    assert.equal(failing.code, 1);
    assert.equal(failing.stdout, `${dir}/a.hcl\n`);
    assert.equal(read(`${dir}/a.hcl`), UGLY);
    const passing = await runNomad(["fmt", "-check", `${dir}/b.hcl`]);
    assert.deepEqual(passing, { code: 0, stdout: "", stderr: "" });
  });
});

Deno.test("fmt -write=false only lists; with -list=false it prints the formatted text", async () => {
  await withFiles({ "a.hcl": UGLY }, async (dir) => {
    const listed = await runNomad(["fmt", "-write=false", `${dir}/a.hcl`]);
    assert.deepEqual(listed, { code: 0, stdout: `${dir}/a.hcl\n`, stderr: "" });
    const printed = await runNomad(["fmt", "-write=false", "-list=false", `${dir}/a.hcl`]);
    assert.deepEqual(printed, { code: 0, stdout: PRETTY, stderr: "" });
    assert.equal(read(`${dir}/a.hcl`), UGLY);
  });
});

Deno.test("fmt - reads standard input and writes the result to standard output", async () => {
  const { code, stdout, stderr } = await runNomad(["fmt", "-"], { stdin: UGLY });
  assert.equal(stderr, "");
  assert.equal(code, 0);
  assert.equal(stdout, PRETTY);
});

Deno.test("fmt reports a syntax error as file:line:col, exits 1 and still formats the rest", async () => {
  await withFiles({ "a.hcl": UGLY, "bad.hcl": BROKEN }, async (dir) => {
    const { code, stdout, stderr } = await runNomad(["fmt", dir]);
    assert.equal(code, 1);
    assert.equal(stdout, `${dir}/a.hcl\n`);
    assert.match(stderr, new RegExp(`^${dir}/bad\\.hcl:2:7: Invalid expression`));
    assert.equal(read(`${dir}/bad.hcl`), BROKEN);
    assert.equal(read(`${dir}/a.hcl`), PRETTY);
  });
  const stdin = await runNomad(["fmt", "-"], { stdin: BROKEN });
  assert.equal(stdin.code, 1);
  assert.equal(stdin.stdout, "");
  assert.match(stdin.stderr, /^<stdin>:2:7: /);
});

Deno.test("fmt rejects missing paths and files that are not .nomad or .hcl", async () => {
  await withFiles({ "notes.txt": "x\n" }, async (dir) => {
    const { code, stdout, stderr } = await runNomad(["fmt", `${dir}/nope.hcl`, `${dir}/notes.txt`]);
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.equal(
      stderr,
      "2 errors occurred:\n" +
        `\t* No file or directory at ${dir}/nope.hcl\n` +
        "\t* Only .nomad and .hcl files can be processed using nomad fmt\n\n" +
        "For additional help try 'nomad fmt -help'\n",
    );
  });
});

Deno.test("fmt with an unknown flag prints the error and the usage and exits 1", async () => {
  const { code, stdout, stderr } = await runNomad(["fmt", "-bogus"]);
  assert.equal(code, 1);
  assert.equal(stderr, "flag provided but not defined: -bogus\n");
  assert.match(stdout, /^Usage: nomad fmt \[flags\] paths \.\.\./);
});

Deno.test("fmt without a path formats the current directory", async () => {
  await withFiles({ "a.hcl": UGLY }, async (dir) => {
    const previous = Deno.cwd();
    Deno.chdir(dir);
    try {
      const { code, stdout } = await runNomad(["fmt"]);
      assert.equal(code, 0);
      assert.equal(stdout, "a.hcl\n");
      assert.equal(read(`${dir}/a.hcl`), PRETTY);
    } finally {
      Deno.chdir(previous);
    }
  });
});
