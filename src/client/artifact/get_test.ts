import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { TaskArtifact } from "../../structs/mod.ts";
import { ArtifactConfigError, artifactRequest, getArtifact, parseChecksum } from "./mod.ts";
import { gzip, serveArtifacts, tarArchive, type TestEntry, zipArchive } from "./testing.ts";

/** An allocation directory with one task directory, and an artifact fetcher into it. */
async function allocFixture() {
  const allocDir = await Deno.makeTempDir({ prefix: "artifact-test-" });
  const taskDir = `${allocDir}/web`;
  const sharedDir = `${allocDir}/alloc`;
  await Deno.mkdir(`${taskDir}/local`, { recursive: true });
  await Deno.mkdir(sharedDir, { recursive: true });
  const get = async (artifact: Partial<TaskArtifact>) =>
    await getArtifact(
      artifactRequest(
        {
          GetterSource: "",
          GetterOptions: null,
          GetterHeaders: null,
          GetterMode: "any",
          RelativeDest: "",
          ...artifact,
        },
        {
          paths: { taskDir, sharedDir },
          expand: (s) => s.replaceAll("${NOMAD_TASK_DIR}", `${taskDir}/local`),
        },
      ),
      { allocDir },
    );
  return { allocDir, taskDir, get, cleanup: () => Deno.remove(allocDir, { recursive: true }) };
}

function sha256(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

/** Entries left in the allocation directory besides the task's own (staging must be gone). */
async function leftovers(allocDir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(allocDir)) names.push(e.name);
  return names.filter((n) => n !== "web" && n !== "alloc");
}

const APP: TestEntry[] = [
  { name: "app/", type: "dir" },
  { name: "app/run.sh", content: "#!/bin/sh\necho hi\n", mode: 0o755 },
  { name: "app/conf/settings.ini", content: "a=1\n" },
  { name: "app/current", type: "symlink", target: "conf/settings.ini" },
];

Deno.test("a tar.gz over http with a good sha256 checksum is unpacked into local/", async () => {
  const archive = await gzip(tarArchive(APP));
  const server = serveArtifacts({ "/app.tar.gz": archive });
  const fx = await allocFixture();
  try {
    await fx.get({
      GetterSource: `${server.url}/app.tar.gz`,
      GetterOptions: { checksum: `sha256:${sha256(archive)}` },
    });
    assert.equal(await Deno.readTextFile(`${fx.taskDir}/local/app/conf/settings.ini`), "a=1\n");
    assert.equal((await Deno.stat(`${fx.taskDir}/local/app/run.sh`)).mode! & 0o777, 0o755);
    assert.equal(await Deno.readLink(`${fx.taskDir}/local/app/current`), "conf/settings.ini");
    assert.equal(server.requests[0]!.path, "/app.tar.gz", "checksum is not sent to the server");
    assert.deepEqual(await leftovers(fx.allocDir), []);
  } finally {
    await server.close();
    await fx.cleanup();
  }
});

Deno.test("a bad checksum fails with go-getter's message and writes nothing", async () => {
  const archive = await gzip(tarArchive(APP));
  const server = serveArtifacts({ "/app.tgz": archive });
  const fx = await allocFixture();
  try {
    const wrong = "0".repeat(64);
    await assert.rejects(
      fx.get({ GetterSource: `${server.url}/app.tgz?checksum=sha256:${wrong}` }),
      (err: Error) => {
        assert.match(
          err.message,
          /^Checksums did not match for app\.tgz\.\nExpected: 0{64}\nGot: [0-9a-f]{64}/,
        );
        return true;
      },
    );
    assert.equal(await exists(`${fx.taskDir}/local/app`), false);
    assert.deepEqual(await leftovers(fx.allocDir), []);
  } finally {
    await server.close();
    await fx.cleanup();
  }
});

Deno.test("md5, sha1 and sha512 checksums and a file: checksum URL are verified", async () => {
  const data = new TextEncoder().encode("payload\n");
  const sums = `${sha256(data)}  tool.bin\n${"f".repeat(64)}  other.bin\n`;
  const server = serveArtifacts({ "/tool.bin": data, "/SHA256SUMS": sums });
  const fx = await allocFixture();
  try {
    for (const type of ["md5", "sha1", "sha512"]) {
      const hex = createHash(type).update(data).digest("hex");
      await fx.get({
        GetterSource: `${server.url}/tool.bin`,
        GetterOptions: { checksum: `${type}:${hex}` },
      });
    }
    await fx.get({
      GetterSource: `${server.url}/tool.bin`,
      GetterOptions: { checksum: `file:${server.url}/SHA256SUMS` },
    });
    assert.equal(await Deno.readTextFile(`${fx.taskDir}/local/tool.bin`), "payload\n");
    await assert.rejects(
      fx.get({
        GetterSource: `${server.url}/tool.bin`,
        GetterOptions: { checksum: `md5:${"0".repeat(32)}` },
      }),
      /Checksums did not match/,
    );
  } finally {
    await server.close();
    await fx.cleanup();
  }
});

Deno.test("invalid checksum options are refused before any download", () => {
  assert.throws(() => parseChecksum("crc32:abcd"), /unsupported checksum type: "crc32"/);
  assert.throws(() => parseChecksum("sha256:abc"), /is not a sha256 hex digest/);
  assert.throws(() => parseChecksum("xyz"), /cannot be guessed/);
  assert.deepEqual(parseChecksum("A".repeat(40)), { type: "sha1", hex: "a".repeat(40) });
});

Deno.test("a zip over http is unpacked with modes, directories and symlinks", async () => {
  const server = serveArtifacts({ "/bundle.zip": await zipArchive(APP) });
  const fx = await allocFixture();
  try {
    await fx.get({ GetterSource: `${server.url}/bundle.zip`, RelativeDest: "local/out" });
    assert.equal(
      await Deno.readTextFile(`${fx.taskDir}/local/out/app/run.sh`),
      "#!/bin/sh\necho hi\n",
    );
    assert.equal((await Deno.stat(`${fx.taskDir}/local/out/app/run.sh`)).mode! & 0o777, 0o755);
    assert.equal(await Deno.readTextFile(`${fx.taskDir}/local/out/app/current`), "a=1\n");
  } finally {
    await server.close();
    await fx.cleanup();
  }
});

Deno.test("a 404 fails with the response code", async () => {
  const server = serveArtifacts({});
  const fx = await allocFixture();
  try {
    await assert.rejects(
      fx.get({ GetterSource: `${server.url}/missing.tar.gz` }),
      /^Error: bad response code: 404$/,
    );
    assert.deepEqual(await leftovers(fx.allocDir), []);
  } finally {
    await server.close();
    await fx.cleanup();
  }
});

Deno.test("zip-slip and escaping symlinks are refused and nothing lands outside", async () => {
  const hostile: Record<string, TestEntry[]> = {
    "/slip.zip": [{ name: "ok.txt", content: "x" }, {
      name: "../../escaped.txt",
      content: "pwned",
    }],
    "/abs-link.zip": [{ name: "etc", type: "symlink", target: "/etc" }],
    "/up-link.tar": [{ name: "up", type: "symlink", target: "../../.." }],
    // Each link looks inside on its own; together "a/b" resolves above the root.
    "/chain.tar": [{ name: "a", type: "symlink", target: "." }, {
      name: "a/b",
      type: "symlink",
      target: "../x",
    }],
    "/through.tar": [{ name: "d", type: "symlink", target: "." }, {
      name: "d/../../escaped.txt",
      content: "x",
    }],
  };
  const files: Record<string, Uint8Array> = {};
  for (const [path, entries] of Object.entries(hostile)) {
    files[path] = path.endsWith(".zip") ? await zipArchive(entries) : tarArchive(entries);
  }
  const server = serveArtifacts(files);
  const fx = await allocFixture();
  try {
    const expected: Record<string, RegExp> = {
      "/slip.zip": /entry contains '\.\.': \.\.\/\.\.\/escaped\.txt/,
      "/abs-link.zip": /points outside the artifact/,
      "/up-link.tar": /points outside the artifact/,
      "/chain.tar": /symlink that resolves outside of sandbox/,
      "/through.tar": /entry contains '\.\.'/,
    };
    for (const [path, pattern] of Object.entries(expected)) {
      await assert.rejects(fx.get({ GetterSource: `${server.url}${path}` }), pattern, path);
    }
    assert.equal(await exists(`${fx.allocDir}/escaped.txt`), false);
    assert.equal(await exists(`${fx.taskDir}/escaped.txt`), false);
    assert.deepEqual(
      [...Deno.readDirSync(`${fx.taskDir}/local`)],
      [],
      "nothing is merged from a refused archive",
    );
    assert.deepEqual(await leftovers(fx.allocDir), []);
  } finally {
    await server.close();
    await fx.cleanup();
  }
});

Deno.test("archive = false keeps the file; mode file writes to the destination path; headers are sent", async () => {
  const archive = tarArchive(APP);
  const server = serveArtifacts({ "/app.tar": archive, "/dl": "plain" });
  const fx = await allocFixture();
  try {
    await fx.get({
      GetterSource: `${server.url}/app.tar`,
      GetterOptions: { archive: "false" },
      GetterHeaders: { "X-Token": "secret" },
    });
    assert.deepEqual(await Deno.readFile(`${fx.taskDir}/local/app.tar`), archive);
    assert.equal(server.requests[0]!.headers.get("x-token"), "secret");
    await fx.get({
      GetterSource: `${server.url}/dl`,
      GetterMode: "file",
      RelativeDest: "${NOMAD_TASK_DIR}/conf/plain.txt",
    });
    assert.equal(await Deno.readTextFile(`${fx.taskDir}/local/conf/plain.txt`), "plain");
    await assert.rejects(
      fx.get({ GetterSource: `${server.url}/dl`, GetterMode: "dir" }),
      /mode "dir" needs an archive/,
    );
  } finally {
    await server.close();
    await fx.cleanup();
  }
});

Deno.test("a single .gz file is decompressed next to its name", async () => {
  const server = serveArtifacts({ "/notes.txt.gz": await gzip(new TextEncoder().encode("hello")) });
  const fx = await allocFixture();
  try {
    await fx.get({ GetterSource: `${server.url}/notes.txt.gz` });
    assert.equal(await Deno.readTextFile(`${fx.taskDir}/local/notes.txt`), "hello");
  } finally {
    await server.close();
    await fx.cleanup();
  }
});

Deno.test("local paths are fetched only from inside the allocation directory", async () => {
  const fx = await allocFixture();
  const outside = await Deno.makeTempFile({ prefix: "outside-" });
  try {
    await Deno.writeFile(`${fx.allocDir}/alloc/app.tar`, tarArchive(APP));
    await fx.get({ GetterSource: "../alloc/app.tar", RelativeDest: "local/from-rel" });
    assert.equal(
      await Deno.readTextFile(`${fx.taskDir}/local/from-rel/app/conf/settings.ini`),
      "a=1\n",
    );
    await fx.get({
      GetterSource: `file://${fx.allocDir}/alloc/app.tar`,
      RelativeDest: "local/from-url",
    });
    assert.equal(await exists(`${fx.taskDir}/local/from-url/app/run.sh`), true);
    await assert.rejects(fx.get({ GetterSource: outside }), /is outside the allocation directory/);
    await assert.rejects(
      fx.get({ GetterSource: "file:///etc/hostname" }),
      /is outside the allocation directory/,
    );
    await assert.rejects(fx.get({ GetterSource: "/no/such/file" }), /does not exist/);
  } finally {
    await Deno.remove(outside);
    await fx.cleanup();
  }
});

Deno.test("bad artifact blocks are refused with a clear error", async () => {
  const fx = await allocFixture();
  try {
    const cases: [Partial<TaskArtifact>, RegExp][] = [
      [{ GetterSource: "" }, /artifact source must be specified/],
      [
        { GetterSource: "http://127.0.0.1:1/a", RelativeDest: "../../../etc" },
        /escapes alloc directory/,
      ],
      [
        { GetterSource: "http://127.0.0.1:1/a", GetterMode: "sideways" },
        /invalid artifact mode "sideways"/,
      ],
      [{ GetterSource: "s3::https://bucket/a" }, /unsupported artifact getter "s3"/],
      [{ GetterSource: "git@github.com:hashicorp/nomad.git" }, /unsupported artifact source/],
      [{ GetterSource: "http://127.0.0.1:1/a.tar.xz" }, /archive type "tar.xz" is not supported/],
      [
        { GetterSource: "http://127.0.0.1:1/a", GetterOptions: { archive: "rar" } },
        /unsupported archive option "rar"/,
      ],
    ];
    for (const [artifact, pattern] of cases) {
      await assert.rejects(fx.get(artifact), (err: Error) => {
        assert.ok(err instanceof ArtifactConfigError, `${err}`);
        assert.match(err.message, pattern);
        return true;
      });
    }
  } finally {
    await fx.cleanup();
  }
});

const hasTools = ["/usr/bin/tar", "/usr/bin/zip"].every((p) => {
  try {
    return Deno.statSync(p).isFile;
  } catch {
    return false;
  }
});

Deno.test({
  name: "archives made by GNU tar and Info-ZIP unpack (long names, symlinks)",
  ignore: !hasTools,
  async fn() {
    const src = await Deno.makeTempDir({ prefix: "artifact-src-" });
    const fx = await allocFixture();
    try {
      const long = `${"deep/".repeat(30)}file-with-a-long-name.txt`;
      await Deno.mkdir(`${src}/tree/${long.slice(0, long.lastIndexOf("/"))}`, { recursive: true });
      await Deno.writeTextFile(`${src}/tree/${long}`, "deep");
      await Deno.symlink("deep", `${src}/tree/link`);
      const run = (cmd: string, args: string[]) =>
        new Deno.Command(cmd, { args, cwd: src, stdout: "null", stderr: "null" }).output();
      await run("tar", ["czf", `${fx.allocDir}/alloc/t.tgz`, "tree"]);
      await run("zip", ["-qry", `${fx.allocDir}/alloc/t.zip`, "tree"]);
      for (const name of ["t.tgz", "t.zip"]) {
        await fx.get({ GetterSource: `../alloc/${name}`, RelativeDest: `local/${name}` });
        assert.equal(
          await Deno.readTextFile(`${fx.taskDir}/local/${name}/tree/${long}`),
          "deep",
          name,
        );
        assert.equal(await Deno.readLink(`${fx.taskDir}/local/${name}/tree/link`), "deep", name);
      }
    } finally {
      await Deno.remove(src, { recursive: true });
      await fx.cleanup();
    }
  },
});
