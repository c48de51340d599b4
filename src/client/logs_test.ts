import assert from "node:assert/strict";
import { CodedError } from "../core/errors.ts";
import { listLogFiles, startPosition, taskLogs } from "./logs.ts";

const text = (data: Uint8Array) => new TextDecoder().decode(data);

async function withLogDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "logs-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function collect(options: Parameters<typeof taskLogs>[0]): Promise<string> {
  let out = "";
  for await (const chunk of taskLogs(options)) if (chunk !== null) out += text(chunk.data);
  return out;
}

const base = {
  task: "web",
  type: "stdout",
  origin: "start" as const,
  offset: 0,
  follow: false,
  signal: new AbortController().signal,
  done: () => true,
};

Deno.test("logs read across rotated files in index order, not name order", async () => {
  await withLogDir(async (dir) => {
    // Index 10 sorts before 9 by name; the reader must order by number.
    await Deno.writeTextFile(`${dir}/web.stdout.9`, "nine-");
    await Deno.writeTextFile(`${dir}/web.stdout.10`, "ten");
    await Deno.writeTextFile(`${dir}/web.stderr.9`, "other stream");
    const files = await listLogFiles(dir, "web", "stdout");
    assert.deepEqual(files.map((f) => f.name), [
      "alloc/logs/web.stdout.9",
      "alloc/logs/web.stdout.10",
    ]);
    assert.equal(await collect({ ...base, logDir: dir }), "nine-ten");
    // Offsets run over all files: 3 bytes from the end spans nothing but "ten".
    assert.equal(await collect({ ...base, logDir: dir, origin: "end", offset: 3 }), "ten");
    assert.equal(await collect({ ...base, logDir: dir, origin: "end", offset: 5 }), "e-ten");
    assert.equal(await collect({ ...base, logDir: dir, offset: 6 }), "en");
  });
});

Deno.test("startPosition clamps offsets past either end", () => {
  const files = [
    { index: 0, path: "a", name: "a", size: 4 },
    { index: 1, path: "b", name: "b", size: 2 },
  ];
  assert.deepEqual(startPosition(files, "start", 100), { fileIndex: 1, offset: 2 });
  assert.deepEqual(startPosition(files, "end", 100), { fileIndex: 0, offset: 0 });
  assert.deepEqual(startPosition(files, "end", 0), { fileIndex: 1, offset: 2 });
});

Deno.test("logs of a stream with no files are a 404 with Nomad's text", async () => {
  await withLogDir(async (dir) => {
    await assert.rejects(
      collect({ ...base, logDir: dir, type: "stderr" }),
      (error: unknown) =>
        error instanceof CodedError && error.code === 404 &&
        error.message === 'log entry for task "web" and log type "stderr" not found',
    );
  });
});

Deno.test("followed logs continue into the next rotated file and end when the task is done", async () => {
  await withLogDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/web.stdout.0`, "first ");
    let done = false;
    const abort = new AbortController();
    const stream = taskLogs({
      ...base,
      logDir: dir,
      follow: true,
      signal: abort.signal,
      done: () => done,
    });
    const seen: string[] = [];
    const next = async () => {
      for (;;) {
        const item = await stream.next();
        if (item.done) return null;
        if (item.value !== null) return item.value;
      }
    };
    const first = await next();
    seen.push(text(first!.data));
    assert.equal(first!.file, "alloc/logs/web.stdout.0");
    // Rotation: the writer finishes .0 and moves on to .1.
    await Deno.writeTextFile(`${dir}/web.stdout.0`, "tail ", { append: true });
    await Deno.writeTextFile(`${dir}/web.stdout.1`, "second");
    while (seen.join("") !== "first tail second") {
      const chunk = await next();
      assert.ok(chunk !== null, `stream ended early after ${JSON.stringify(seen)}`);
      seen.push(text(chunk.data));
    }
    done = true;
    assert.equal(await next(), null);
    abort.abort();
  });
});
