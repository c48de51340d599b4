/**
 * Fetches one artifact: download (http(s)) or copy (local path inside the
 * allocation directory) into a staging directory inside the allocation,
 * verify the checksum, unpack archives through {@linkcode SafeDir}, inspect
 * symlinks, then move the result to its destination.
 *
 * Local sources (`file://` URLs and plain paths, relative ones taken from the
 * task directory) must resolve inside this allocation's directory. Nomad runs
 * go-getter in a sandbox (Landlock on Linux) that can read and write only the
 * alloc and task directories, so its file getter cannot read other host
 * paths either; without that sandbox an artifact would be a way to copy any
 * file the agent (often root) can read into a task.
 */

import { basename, dirname, join } from "../../core/path.ts";
import { checksumFromFile, parseChecksum, verifyChecksum } from "./checksum.ts";
import { ArtifactSandboxError, inspectSymlinks, isWithin, SafeDir } from "./safe_dir.ts";
import { ArtifactConfigError, type ArtifactRequest } from "./source.ts";
import { untar } from "./tar.ts";
import { unzip } from "./zip.ts";

/** Longest an artifact download may take (Nomad's default http_read_timeout, 30m). */
export const ARTIFACT_DOWNLOAD_TIMEOUT_MS = 30 * 60 * 1000;
/** Largest download accepted (Nomad's default http_max_size, 100 GB). */
export const MAX_ARTIFACT_DOWNLOAD_BYTES = 100 * 1024 ** 3;

/** Where this allocation lives; local sources and staging stay inside it. */
export interface GetArtifactOptions {
  /** `<alloc_dir>/<alloc_id>`. */
  allocDir: string;
  /** Replaceable for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

async function writeStream(path: string, body: ReadableStream<Uint8Array>): Promise<void> {
  const file = await Deno.open(path, { write: true, createNew: true, mode: 0o644 });
  let total = 0;
  try {
    for await (const chunk of body) {
      total += chunk.byteLength;
      if (total > MAX_ARTIFACT_DOWNLOAD_BYTES) {
        throw new RangeError(`artifact is larger than ${MAX_ARTIFACT_DOWNLOAD_BYTES} bytes`);
      }
      for (let off = 0; off < chunk.byteLength;) off += await file.write(chunk.subarray(off));
    }
  } finally {
    file.close();
  }
}

async function httpGet(
  url: string,
  headers: Record<string, string>,
  options: GetArtifactOptions,
): Promise<Response> {
  const res = await (options.fetch ?? fetch)(url, {
    headers,
    signal: AbortSignal.timeout(ARTIFACT_DOWNLOAD_TIMEOUT_MS),
  });
  if (!res.ok || res.body === null) {
    await res.body?.cancel();
    throw new Error(`bad response code: ${res.status}`);
  }
  return res;
}

/** A local source's real path, refused unless it lies inside the allocation directory. */
async function localSource(path: string, allocDir: string): Promise<string> {
  let real: string;
  try {
    real = await Deno.realPath(path);
  } catch {
    throw new Error(`local artifact source ${path} does not exist`);
  }
  if (!isWithin(await Deno.realPath(allocDir), real)) {
    throw new ArtifactConfigError(
      `local artifact source ${path} is outside the allocation directory; ` +
        `only files inside the allocation directory may be used`,
    );
  }
  return real;
}

/** Resolves the expected digest, fetching a `file:` checksum when given. */
async function expectedChecksum(request: ArtifactRequest, options: GetArtifactOptions) {
  const parsed = parseChecksum(request.checksum!);
  if (parsed.type !== "file") return parsed;
  let content: string;
  if (/^https?:\/\//.test(parsed.url)) {
    content = await (await httpGet(parsed.url, request.headers, options)).text();
  } else {
    const path = parsed.url.replace(/^file:\/\//, "");
    content = await Deno.readTextFile(await localSource(path, options.allocDir));
  }
  return checksumFromFile(content, request.fileName);
}

/** Copies a directory tree; symlinks are copied as links and inspected later. */
async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    if (entry.isSymlink) await Deno.symlink(await Deno.readLink(src), dst);
    else if (entry.isDirectory) await copyTree(src, dst);
    else await Deno.copyFile(src, dst);
  }
}

/** Moves everything in `from` into `to`, merging directories (as Nomad does). */
async function merge(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true, mode: 0o755 });
  for await (const entry of Deno.readDir(from)) {
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    const existing = await Deno.lstat(dst).catch(() => null);
    if (existing?.isDirectory === true && entry.isDirectory) {
      await merge(src, dst);
      continue;
    }
    if (existing !== null) await Deno.remove(dst, { recursive: true });
    await Deno.rename(src, dst);
  }
}

/** The only regular file below `dir` (mode "file" of an archive). */
async function singleFile(dir: string): Promise<string> {
  const files: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for await (const entry of Deno.readDir(d)) {
      if (entry.isDirectory) await walk(join(d, entry.name));
      else files.push(join(d, entry.name));
    }
  };
  await walk(dir);
  if (files.length !== 1) {
    throw new Error(`mode "file" needs an archive with exactly one file: found ${files.length}`);
  }
  return files[0]!;
}

/** Unpacks `file` (of a known archive type) into the empty directory `out`. */
async function unpack(file: string, request: ArtifactRequest, out: string): Promise<void> {
  const dir = new SafeDir(out);
  const source = async () => (await Deno.open(file, { read: true })).readable;
  if (request.archive === "zip") await unzip(file, dir);
  else if (request.archive === "tar") await untar(await source(), dir);
  else if (request.archive === "tar.gz") {
    await untar((await source()).pipeThrough(new DecompressionStream("gzip")), dir);
  } else {
    const name = request.fileName.replace(/\.gz$/i, "") || "artifact";
    await dir.file(name, (await source()).pipeThrough(new DecompressionStream("gzip")));
  }
  await inspectSymlinks(out);
}

/**
 * Fetches `request` into its destination.
 *
 * @example
 * ```ts ignore
 * import { artifactRequest, getArtifact } from "./mod.ts";
 * await getArtifact(artifactRequest(artifact, { paths, expand }), { allocDir });
 * ```
 */
export async function getArtifact(
  request: ArtifactRequest,
  options: GetArtifactOptions,
): Promise<void> {
  const work = await Deno.makeTempDir({ dir: options.allocDir, prefix: "artifact-" });
  try {
    const out = join(work, "out");
    await Deno.mkdir(out);
    let file: string;
    if (request.kind === "http") {
      file = join(work, "download");
      await writeStream(file, (await httpGet(request.location, request.headers, options)).body!);
    } else {
      file = await localSource(request.location, options.allocDir);
      if ((await Deno.stat(file)).isDirectory) {
        if (request.mode === "file") throw new Error(`mode "file" cannot fetch directory ${file}`);
        if (isWithin(file, work)) {
          throw new ArtifactSandboxError(`local artifact source ${file} contains its destination`);
        }
        await copyTree(file, out);
        await inspectSymlinks(out);
        return await merge(out, request.destination);
      }
    }
    if (request.checksum !== null) {
      await verifyChecksum(
        file,
        basename(request.location),
        await expectedChecksum(request, options),
      );
    }
    if (request.archive !== null) {
      await unpack(file, request, out);
      if (request.mode !== "file") return await merge(out, request.destination);
      file = await singleFile(out);
    } else if (request.mode === "dir") {
      throw new Error(`mode "dir" needs an archive or a directory: ${request.source} is neither`);
    }
    const target = request.mode === "file"
      ? request.destination
      : join(request.destination, request.fileName);
    await Deno.mkdir(dirname(target), { recursive: true, mode: 0o755 });
    await Deno.remove(target, { recursive: true }).catch(() => {});
    if (file.startsWith(work)) await Deno.rename(file, target);
    else await Deno.copyFile(file, target);
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}
