import assert from "node:assert/strict";
import { LogRotator } from "./log_rotator.ts";

const encoder = new TextEncoder();

async function names(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
}

Deno.test("log rotator splits writes so no file passes the size limit", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = await LogRotator.open({
      directory: dir,
      name: "web",
      stream: "stdout",
      maxFiles: 10,
      maxFileSizeBytes: 4,
    });
    await out.write(encoder.encode("abcdefghij"));
    out.close();
    assert.deepEqual(await names(dir), ["web.stdout.0", "web.stdout.1", "web.stdout.2"]);
    assert.equal(await Deno.readTextFile(`${dir}/web.stdout.0`), "abcd");
    assert.equal(await Deno.readTextFile(`${dir}/web.stdout.2`), "ij");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("log rotator deletes the oldest files beyond maxFiles", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = await LogRotator.open({
      directory: dir,
      name: "web",
      stream: "stderr",
      maxFiles: 2,
      maxFileSizeBytes: 1,
    });
    for (const c of "abcde") await out.write(encoder.encode(c));
    out.close();
    assert.deepEqual(await names(dir), ["web.stderr.3", "web.stderr.4"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("log rotator continues in the highest existing file after a restart", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/web.stdout.0`, "old0");
    await Deno.writeTextFile(`${dir}/web.stdout.7`, "ab");
    await Deno.writeTextFile(`${dir}/web.stdout.x`, "not ours");
    const out = await LogRotator.open({
      directory: dir,
      name: "web",
      stream: "stdout",
      maxFiles: 3,
      maxFileSizeBytes: 4,
    });
    assert.equal(out.index, 7);
    await out.write(encoder.encode("cdef"));
    out.close();
    assert.equal(await Deno.readTextFile(`${dir}/web.stdout.7`), "abcd");
    assert.equal(await Deno.readTextFile(`${dir}/web.stdout.8`), "ef");
    // Index 0 is older than the 3 newest (6, 7, 8) and goes; unrelated names stay.
    assert.deepEqual(await names(dir), ["web.stdout.7", "web.stdout.8", "web.stdout.x"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
