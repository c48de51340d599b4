/**
 * A directory that archive entries are written into without escaping it:
 * entry names with `..` are refused, nothing is written through a symlink that
 * leads outside, symlinks may not point outside, and entry count and total size
 * are bounded (Nomad's `decompression_file_count_limit` / `decompression_size_limit`).
 */

import { dirname, isAbsolute, join, normalize, relative, resolve } from "../../core/path.ts";

/** Most entries one artifact may unpack (Nomad's default decompression_file_count_limit). */
export const MAX_ARTIFACT_ENTRIES = 4096;
/** Most bytes one artifact may unpack to (Nomad's default decompression_size_limit, 100 GB). */
export const MAX_ARTIFACT_UNPACKED_BYTES = 100 * 1024 ** 3;

/** An artifact that would write or point outside its sandbox. */
export class ArtifactSandboxError extends Error {
  override name = "ArtifactSandboxError";
}

/** True when `path` is `root` or below it (both absolute and normalized). */
export function isWithin(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/**
 * An archive entry name as a path relative to the root: leading `/` and `./`
 * are dropped (as go-getter joins names onto the destination); `..` is refused.
 *
 * @example
 * ```ts
 * import { entryPath } from "./safe_dir.ts";
 * entryPath("./bin/app"); // "bin/app"
 * ```
 */
export function entryPath(name: string): string {
  if (name.includes("\0")) throw new ArtifactSandboxError(`entry name contains NUL: ${name}`);
  if (name.split(/[\\/]/).includes("..")) {
    throw new ArtifactSandboxError(`entry contains '..': ${name}`);
  }
  const path = normalize(name.replace(/^\/+/, "")).replace(/\/+$/, "");
  return path === "." ? "" : path;
}

/** Writes entries below one root directory. */
export class SafeDir {
  readonly root: string;
  #realRoot: string | null = null;
  #entries = 0;
  #bytes = 0;

  /** A writer into `root` (which must exist). */
  constructor(root: string) {
    this.root = resolve(root);
  }

  async #real(): Promise<string> {
    this.#realRoot ??= await Deno.realPath(this.root);
    return this.#realRoot;
  }

  #count(): void {
    if (++this.#entries > MAX_ARTIFACT_ENTRIES) {
      throw new RangeError(
        `artifact has too many entries: limit is ${MAX_ARTIFACT_ENTRIES}`,
      );
    }
  }

  /** Creates the parent of `rel` and checks it resolves inside the root. */
  async #parent(rel: string): Promise<string> {
    const path = join(this.root, rel);
    const parent = dirname(path);
    await Deno.mkdir(parent, { recursive: true, mode: 0o755 });
    const real = await Deno.realPath(parent);
    if (!isWithin(await this.#real(), real)) {
      throw new ArtifactSandboxError(`entry ${rel} would be written outside the artifact`);
    }
    // A previous entry of the same name (file or link) is replaced, never followed.
    await Deno.remove(path, { recursive: true }).catch(() => {});
    return path;
  }

  /** A directory entry. */
  async directory(name: string, mode = 0o755): Promise<void> {
    const rel = entryPath(name);
    this.#count();
    if (rel === "") return;
    const path = join(this.root, rel);
    await Deno.mkdir(path, { recursive: true, mode: mode & 0o777 });
    if (!isWithin(await this.#real(), await Deno.realPath(path))) {
      throw new ArtifactSandboxError(`entry ${rel} would be written outside the artifact`);
    }
  }

  /** A regular file entry; setuid/setgid/sticky bits are dropped. */
  async file(name: string, data: ReadableStream<Uint8Array>, mode = 0o644): Promise<void> {
    const rel = entryPath(name);
    this.#count();
    if (rel === "") throw new ArtifactSandboxError(`file entry has no name: ${name}`);
    const path = await this.#parent(rel);
    const file = await Deno.open(path, { write: true, createNew: true, mode: mode & 0o777 });
    try {
      for await (const chunk of data) {
        this.#bytes += chunk.byteLength;
        if (this.#bytes > MAX_ARTIFACT_UNPACKED_BYTES) {
          throw new RangeError(
            `artifact unpacks to more than ${MAX_ARTIFACT_UNPACKED_BYTES} bytes`,
          );
        }
        for (let off = 0; off < chunk.byteLength;) {
          off += await file.write(chunk.subarray(off));
        }
      }
    } finally {
      file.close();
    }
    await Deno.chmod(path, mode & 0o777);
  }

  /** A symlink entry whose target must stay inside the root. */
  async symlink(name: string, target: string): Promise<void> {
    const rel = entryPath(name);
    this.#count();
    if (rel === "") throw new ArtifactSandboxError(`symlink entry has no name: ${name}`);
    const lexical = resolve(this.root, dirname(rel), target);
    if (isAbsolute(target) || !isWithin(this.root, lexical)) {
      throw new ArtifactSandboxError(`symlink ${rel} -> ${target} points outside the artifact`);
    }
    const path = await this.#parent(rel);
    await Deno.symlink(target, path);
  }

  /** A hard link entry to an earlier entry; it is written as a copy. */
  async link(name: string, target: string): Promise<void> {
    const source = join(this.root, entryPath(target));
    const real = await Deno.realPath(source);
    if (!isWithin(await this.#real(), real)) {
      throw new ArtifactSandboxError(`hard link ${name} -> ${target} points outside the artifact`);
    }
    const mode = (await Deno.stat(real)).mode ?? 0o644;
    const file = await Deno.open(real, { read: true });
    await this.file(name, file.readable, mode);
  }
}

/**
 * Checks that every symlink below `root` resolves inside it (Nomad's artifact
 * inspection); a dangling link is judged by its text.
 */
export async function inspectSymlinks(root: string): Promise<void> {
  const realRoot = await Deno.realPath(root);
  const walk = async (dir: string): Promise<void> => {
    for await (const entry of Deno.readDir(dir)) {
      const path = join(dir, entry.name);
      if (entry.isSymlink) {
        let resolved: string;
        try {
          resolved = await Deno.realPath(path);
        } catch {
          resolved = resolve(dir, await Deno.readLink(path));
        }
        if (!isWithin(realRoot, resolved) && !isWithin(root, resolved)) {
          throw new ArtifactSandboxError(
            "artifact includes symlink that resolves outside of sandbox",
          );
        }
      } else if (entry.isDirectory) {
        await walk(path);
      }
    }
  };
  await walk(root);
}
