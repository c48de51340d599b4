/**
 * From an `artifact` block to a concrete request: where to fetch from (http(s)
 * or a local path), the checksum and archive options (from `options` or the
 * source URL's query, as go-getter reads them), the mode, and the absolute
 * destination, which must stay inside the task or shared alloc directory.
 */

import { basename, isAbsolute, join, normalize } from "../../core/path.ts";
import type { TaskArtifact } from "../../structs/mod.ts";
import { isWithin } from "./safe_dir.ts";

/** Archive formats unpacked without extra dependencies. */
export type ArchiveType = "tar" | "tar.gz" | "zip" | "gz";
/** The artifact's `mode`. */
export type ArtifactMode = "any" | "file" | "dir";

/** What to fetch and where to put it. */
export interface ArtifactRequest {
  /** The source as the job wrote it (for messages). */
  source: string;
  kind: "http" | "file";
  /** For http: the URL without go-getter's own query options; for file: an absolute path. */
  location: string;
  /** The name a downloaded file gets in `any` mode. */
  fileName: string;
  checksum: string | null;
  archive: ArchiveType | null;
  mode: ArtifactMode;
  /** Absolute host path: a directory, or the file's path in `file` mode. */
  destination: string;
  headers: Record<string, string>;
}

/** An artifact block that cannot be fetched as written; never worth a retry. */
export class ArtifactConfigError extends Error {
  override name = "ArtifactConfigError";
}

/** Where a task's paths live on the host. */
export interface ArtifactPaths {
  /** `<alloc>/<task>`. */
  taskDir: string;
  /** `<alloc>/alloc`. */
  sharedDir: string;
}

const UNSUPPORTED_ARCHIVES = [
  ".tar.bz2",
  ".tbz2",
  ".bz2",
  ".tar.xz",
  ".txz",
  ".xz",
  ".tar.zst",
  ".zst",
];
/** Query keys go-getter consumes itself rather than sending to the server. */
const GETTER_KEYS = ["checksum", "archive", "filename"];

/**
 * The archive type a path's name implies, or null.
 *
 * @example
 * ```ts
 * import { archiveOf } from "./source.ts";
 * archiveOf("/dl/app.tgz"); // "tar.gz"
 * ```
 */
export function archiveOf(path: string): ArchiveType | null {
  const lower = path.toLowerCase();
  if (lower.endsWith(".tar.gz") || lower.endsWith(".tgz")) return "tar.gz";
  if (lower.endsWith(".tar")) return "tar";
  if (lower.endsWith(".zip")) return "zip";
  if (lower.endsWith(".gz")) return "gz";
  const other = UNSUPPORTED_ARCHIVES.find((suffix) => lower.endsWith(suffix));
  if (other !== undefined) {
    throw new ArtifactConfigError(
      `archive type "${other.slice(1)}" is not supported (tar, tar.gz, tgz, zip and gz are); ` +
        `set options { archive = false } to download the file as is`,
    );
  }
  return null;
}

function archiveOption(value: string): ArchiveType | null {
  if (value === "false") return null;
  if (value === "tgz") return "tar.gz";
  if (value === "tar" || value === "tar.gz" || value === "zip" || value === "gz") return value;
  throw new ArtifactConfigError(
    `unsupported archive option "${value}" (want tar, tar.gz, tgz, zip, gz or false)`,
  );
}

/**
 * The absolute destination: relative paths (and absolute ones outside the
 * allocation) are taken inside the task directory, as Nomad's ClientPath does;
 * the result must lie in the task directory or the shared alloc directory.
 */
export function artifactDestination(dest: string, paths: ArtifactPaths): string {
  const inside = (p: string) => isWithin(paths.taskDir, p) || isWithin(paths.sharedDir, p);
  let path = normalize(dest);
  if (!isAbsolute(path) || !inside(path)) path = join(paths.taskDir, dest);
  path = normalize(path);
  if (!inside(path)) {
    throw new ArtifactConfigError("artifact destination path escapes alloc directory");
  }
  return path;
}

/** Splits `source` into kind and location, dropping go-getter's forced-getter prefix. */
function classify(source: string): { kind: "http" | "file"; raw: string } {
  const forced = /^([a-z0-9]+)::(.*)$/.exec(source);
  if (forced !== null && !["http", "https", "file"].includes(forced[1]!)) {
    throw new ArtifactConfigError(
      `unsupported artifact getter "${forced[1]}": only http(s) and local paths are supported`,
    );
  }
  const raw = forced?.[2] ?? source;
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(raw)?.[1]?.toLowerCase();
  if (scheme === "http" || scheme === "https") return { kind: "http", raw };
  if (scheme === "file" || (scheme === undefined && !raw.startsWith("git@"))) {
    return { kind: "file", raw };
  }
  throw new ArtifactConfigError(
    `unsupported artifact source "${source}": only http(s) URLs and local paths are supported`,
  );
}

/** Builds the request for one artifact; `expand` interpolates `${...}` in user values. */
export function artifactRequest(
  artifact: TaskArtifact,
  options: { paths: ArtifactPaths; expand: (text: string) => string },
): ArtifactRequest {
  const { expand, paths } = options;
  const source = expand(artifact.GetterSource ?? "");
  if (source === "") throw new ArtifactConfigError("artifact source must be specified");
  const mode = (artifact.GetterMode || "any") as ArtifactMode;
  if (!["any", "file", "dir"].includes(mode)) {
    throw new ArtifactConfigError(`invalid artifact mode "${mode}" (want any, file or dir)`);
  }
  const { kind, raw } = classify(source);
  const query = rawQuery(raw);
  for (const [k, v] of Object.entries(artifact.GetterOptions ?? {})) query.set(k, expand(v));
  const own = Object.fromEntries(GETTER_KEYS.map((k) => [k, query.get(k)]));
  for (const k of GETTER_KEYS) query.delete(k);
  const location = kind === "http" ? httpLocation(raw, query) : filePath(raw, paths.taskDir);
  const pathPart = kind === "http" ? new URL(location).pathname : location;
  const archive = own.archive != null ? archiveOption(own.archive) : archiveOf(pathPart);
  const fileName = own.filename ?? (basename(decodeURIComponent(pathPart)) || "index.html");
  const dest = artifact.RelativeDest || (mode === "file" ? join("local", fileName) : "local/");
  return {
    source: artifact.GetterSource,
    kind,
    location,
    fileName,
    checksum: own.checksum ?? null,
    archive,
    mode,
    destination: artifactDestination(expand(dest), paths),
    headers: Object.fromEntries(
      Object.entries(artifact.GetterHeaders ?? {}).map(([k, v]) => [k, expand(v)]),
    ),
  };
}

function rawQuery(raw: string): URLSearchParams {
  const q = raw.indexOf("?");
  return new URLSearchParams(q === -1 ? "" : raw.slice(q + 1));
}

function httpLocation(raw: string, query: URLSearchParams): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ArtifactConfigError(`failed to parse source URL "${raw}"`);
  }
  url.search = query.toString();
  return url.toString();
}

/** A local source as an absolute path; relative paths are the task directory's. */
function filePath(raw: string, taskDir: string): string {
  const withoutQuery = raw.split("?")[0]!;
  const path = withoutQuery.startsWith("file://")
    ? decodeURIComponent(new URL(withoutQuery).pathname)
    : withoutQuery;
  return normalize(isAbsolute(path) ? path : join(taskDir, path));
}
