import assert from "node:assert/strict";
import {
  AllocFsError,
  DELETE_EVENT,
  detectContentType,
  type FileChunk,
  goFileMode,
  joinInside,
  listAllocDir,
  openAllocFile,
  statAllocPath,
  streamAllocFile,
  TRUNCATE_EVENT,
} from "./fs.ts";

async function withAllocDir(
  body: (fs: { root: string; taskNames: string[] }) => Promise<void>,
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "alloc-fs-" });
  try {
    await Deno.mkdir(`${root}/alloc/logs`, { recursive: true });
    await Deno.mkdir(`${root}/web/secrets`, { recursive: true });
    await Deno.mkdir(`${root}/web/local`, { recursive: true });
    await Deno.writeTextFile(`${root}/web/local/app.conf`, "port = 8080\n");
    await Deno.writeTextFile(`${root}/web/secrets/token`, "s3cr3t");
    await Deno.writeTextFile(`${root}/alloc/data.json`, "{}");
    await body({ root, taskNames: ["web"] });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

function isFsError(kind: string, message: string | RegExp) {
  return (error: unknown) =>
    error instanceof AllocFsError && error.kind === kind &&
    (typeof message === "string" ? error.message === message : message.test(error.message));
}

Deno.test("joinInside refuses paths that climb above the root", () => {
  assert.equal(joinInside("/a", "/"), "/a");
  assert.equal(joinInside("/a", "web/./local/../local/x"), "/a/web/local/x");
  assert.equal(joinInside("/a", "../b"), null);
  assert.equal(joinInside("/a", "web/../../b"), null);
});

Deno.test("ls lists a directory sorted by name with Nomad's fields", async () => {
  await withAllocDir(async (fs) => {
    const root = await listAllocDir(fs, "/");
    assert.deepEqual(root.map((f) => [f.Name, f.IsDir]), [["alloc", true], ["web", true]]);
    const local = await listAllocDir(fs, "web/local");
    assert.equal(local.length, 1);
    assert.equal(local[0]!.Name, "app.conf");
    assert.equal(local[0]!.Size, 12);
    assert.match(local[0]!.FileMode, /^-rw/);
    assert.ok(!Number.isNaN(Date.parse(local[0]!.ModTime)));
    assert.equal(local[0]!.ContentType, undefined);
  });
});

Deno.test("ls and stat refuse paths escaping the alloc dir, also through symlinks", async () => {
  await withAllocDir(async (fs) => {
    const escape = isFsError("escape", "Path escapes the alloc directory");
    await assert.rejects(listAllocDir(fs, "../"), escape);
    await assert.rejects(statAllocPath(fs, "web/../../etc/passwd"), escape);
    await Deno.symlink("/etc", `${fs.root}/web/local/etc`);
    await assert.rejects(listAllocDir(fs, "web/local/etc"), escape);
    await assert.rejects(openAllocFile(fs, "web/local/etc/hostname"), escape);
  });
});

Deno.test("stat reports content type; missing paths are not_found with Go's text", async () => {
  await withAllocDir(async (fs) => {
    const conf = await statAllocPath(fs, "web/local/app.conf");
    assert.equal(conf.Name, "app.conf");
    assert.equal(conf.ContentType, "text/plain; charset=utf-8");
    assert.equal((await statAllocPath(fs, "alloc/data.json")).ContentType, "application/json");
    assert.equal((await statAllocPath(fs, "alloc")).IsDir, true);
    await assert.rejects(
      statAllocPath(fs, "nope"),
      isFsError("not_found", `stat ${fs.root}/nope: no such file or directory`),
    );
    await assert.rejects(listAllocDir(fs, "nope"), isFsError("not_found", /^open .*no such file/));
  });
});

Deno.test("reading refuses directories and task secrets", async () => {
  await withAllocDir(async (fs) => {
    await assert.rejects(
      openAllocFile(fs, "web"),
      isFsError("is_dir", `file "web" is a directory`),
    );
    await assert.rejects(
      openAllocFile(fs, "web/secrets/token"),
      isFsError("prohibited", "Reading secret file prohibited: web/secrets/token"),
    );
    const file = await openAllocFile(fs, "/web/local/app.conf");
    assert.equal(file.size, 12);
  });
});

Deno.test("goFileMode and detectContentType follow Go", () => {
  assert.equal(goFileMode({ isDirectory: true, isSymlink: false, mode: 0o755 }), "drwxr-xr-x");
  assert.equal(goFileMode({ isDirectory: false, isSymlink: false, mode: 0o640 }), "-rw-r-----");
  assert.equal(detectContentType(new Uint8Array([0x1f, 0x8b, 0x08, 0])), "application/x-gzip");
  assert.equal(detectContentType(new Uint8Array([0, 1, 2])), "application/octet-stream");
  assert.equal(detectContentType(new TextEncoder().encode("hi\n")), "text/plain; charset=utf-8");
});

async function take(
  stream: AsyncGenerator<FileChunk>,
  until: (chunks: FileChunk[]) => boolean,
): Promise<FileChunk[]> {
  // Not `for await`: breaking out of it would close the stream.
  const chunks: FileChunk[] = [];
  for (;;) {
    const next = await stream.next();
    if (next.done) return chunks;
    chunks.push(next.value);
    if (until(chunks)) return chunks;
  }
}

Deno.test("streamAllocFile reads from an offset up to a limit, then stops without follow", async () => {
  await withAllocDir(async (fs) => {
    const path = `${fs.root}/web/local/app.conf`;
    const signal = new AbortController().signal;
    const chunks = await take(
      streamAllocFile(path, { offset: 2, limit: 4, follow: false, signal }),
      () => false,
    );
    assert.equal(chunks.length, 1);
    assert.equal(new TextDecoder().decode(chunks[0]!.data), "rt =");
    assert.equal(chunks[0]!.offset, 6);
  });
});

Deno.test("streamAllocFile follows appends, reports truncation and deletion", async () => {
  await withAllocDir(async (fs) => {
    const path = `${fs.root}/alloc/logs/out`;
    await Deno.writeTextFile(path, "abc");
    const abort = new AbortController();
    const stream = streamAllocFile(path, {
      offset: 0,
      limit: 0,
      follow: true,
      signal: abort.signal,
    });
    const text = (c: FileChunk) => c === null ? "" : new TextDecoder().decode(c.data);
    assert.equal(text((await stream.next()).value as FileChunk), "abc");
    await Deno.writeTextFile(path, "de", { append: true });
    const appended = await take(stream, (cs) => cs.some((c) => text(c) === "de"));
    assert.ok(appended.length >= 1);
    await Deno.writeTextFile(path, "x");
    const truncated = await take(stream, (cs) => cs.some((c) => c?.event === TRUNCATE_EVENT));
    const event = truncated.find((c) => c?.event === TRUNCATE_EVENT)!;
    assert.equal(text(event), "x");
    await Deno.remove(path);
    const deleted = await take(stream, (cs) => cs.some((c) => c?.event === DELETE_EVENT));
    assert.ok(deleted.length >= 1);
    assert.equal((await stream.next()).done, true);
    abort.abort();
  });
});
