/**
 * Filesystem functions: abspath, basename, dirname, file, filebase64,
 * fileexists, fileset, pathexpand. All access goes through a
 * {@linkcode FileSystemHost}; a function whose capability the host lacks
 * fails with a clear error instead of touching the disk.
 */

import type { HclFunction } from "../evaluator.ts";
import { type Args, defineFunction } from "./args.ts";
import { encodeBase64 } from "./encoding.ts";

/** One entry of a directory listing. */
export interface DirectoryEntry {
  readonly name: string;
  readonly isDirectory: boolean;
}

/** What the filesystem functions may touch; relative paths are resolved by the host. */
export interface FileSystemHost {
  /** Reads a UTF-8 text file; throws when there is none. */
  readFile?: (path: string) => string;
  /** Reads a file's bytes (for `filebase64`); defaults to `readFile` encoded as UTF-8. */
  readFileBytes?: (path: string) => Uint8Array;
  /** What is at `path`; defaults to trying `readFile`. */
  statFile?: (path: string) => "file" | "directory" | undefined;
  /** Lists a directory (for `fileset`); throws when there is none. */
  readDirectory?: (path: string) => readonly DirectoryEntry[];
  /** The current directory, for `abspath`. */
  workingDirectory?: string;
  /** The user's home directory, for `pathexpand`. */
  homeDirectory?: string;
}

/** `fileset` stops after visiting this many directory entries. */
const FILESET_ENTRY_LIMIT = 100_000;

/** Go's path.Clean: lexical processing of `.`, `..` and repeated slashes. */
export function cleanPath(path: string): string {
  if (path === "") return ".";
  const rooted = path.startsWith("/");
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
    } else out.push(part);
  }
  const joined = out.join("/");
  return rooted ? `/${joined}` : joined === "" ? "." : joined;
}

/** Go's filepath.Base. */
export function baseName(path: string): string {
  if (path === "") return ".";
  const trimmed = path.replace(/\/+$/, "");
  if (trimmed === "") return "/";
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

/** Go's filepath.Dir. */
export function dirName(path: string): string {
  return cleanPath(path.slice(0, path.lastIndexOf("/") + 1));
}

function joinPath(a: string, b: string): string {
  return cleanPath(a === "" ? b : `${a}/${b}`);
}

/** Translates a doublestar glob (`**`, `*`, `?`, `[...]`, `{a,b}`) to an anchored RegExp. */
export function globRegExp(pattern: string): RegExp {
  let out = "";
  let braces = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*" && pattern[i + 1] === "*") {
      const slash = pattern[i + 2] === "/";
      out += slash ? "(?:.*/)?" : ".*";
      i += slash ? 2 : 1;
    } else if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end < 0) throw new SyntaxError("syntax error in pattern");
      const body = pattern.slice(i + 1, end).replace(/^[!^]/, "^").replace(/\\/g, "\\\\");
      out += `[${body}]`;
      i = end;
    } else if (c === "{") (out += "(?:"), braces++;
    else if (c === "}" && braces > 0) (out += ")"), braces--;
    else if (c === "," && braces > 0) out += "|";
    else if (c === "\\" && i + 1 < pattern.length) out += `\\${pattern[++i]}`;
    else out += c.replace(/[.+^$()|[\]\\/]/g, "\\$&");
  }
  if (braces > 0) throw new SyntaxError("syntax error in pattern");
  return new RegExp(`^${out}$`);
}

function need<T>(capability: T | undefined, what: string): T {
  if (capability === undefined) {
    throw new RangeError(`${what} is not available: the host gives no access to files`);
  }
  return capability;
}

function statFile(host: FileSystemHost, path: string): "file" | "directory" | undefined {
  if (host.statFile !== undefined) return host.statFile(path);
  const read = need(host.readFile, "reading files");
  try {
    read(path);
    return "file";
  } catch {
    return undefined;
  }
}

/** Reads a text file through `host`, with go-cty's errors for missing files and directories. */
export function readText(host: FileSystemHost, path: string): string {
  const kind = statFile(host, path);
  if (kind === undefined) throw new RangeError(`no file exists at ${path}`);
  if (kind === "directory") throw new RangeError(`failed to read ${path}`);
  return need(host.readFile, "reading files")(path);
}

function readBytes(host: FileSystemHost, path: string): Uint8Array {
  if (host.readFileBytes === undefined) return new TextEncoder().encode(readText(host, path));
  if (statFile(host, path) === undefined) throw new RangeError(`no file exists at ${path}`);
  return host.readFileBytes(path);
}

/** Every file below `root`, as slash-separated paths relative to it, sorted. */
function walk(host: FileSystemHost, root: string): string[] {
  const list = need(host.readDirectory, "listing directories");
  const out: string[] = [];
  let visited = 0;
  const visit = (relative: string) => {
    let entries: readonly DirectoryEntry[];
    try {
      entries = list(relative === "" ? root : joinPath(root, relative));
    } catch {
      return;
    }
    for (const entry of entries) {
      if (++visited > FILESET_ENTRY_LIMIT) {
        throw new RangeError(`more than ${FILESET_ENTRY_LIMIT} entries below ${root}`);
      }
      const path = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory) visit(path);
      else out.push(path);
    }
  };
  visit("");
  return out.sort();
}

function fileset(host: FileSystemHost, a: Args): string[] {
  const root = a.string(0);
  const pattern = a.string(1);
  let re: RegExp;
  try {
    re = globRegExp(cleanPath(pattern));
  } catch {
    throw new RangeError(
      `failed to glob pattern (${joinPath(root, pattern)}): syntax error in pattern`,
    );
  }
  return walk(host, root === "" ? "." : root).filter((path) => re.test(path));
}

function pathexpand(host: FileSystemHost, path: string): string {
  if (!path.startsWith("~")) return path;
  if (path.length > 1 && path[1] !== "/") {
    throw new RangeError("cannot expand user-specific home dir");
  }
  return need(host.homeDirectory, "finding the home directory") + path.slice(1);
}

/** The filesystem functions, reading through `host`. */
export function filesystemFunctions(host: FileSystemHost): Record<string, HclFunction> {
  return {
    abspath: defineFunction("abspath", { params: ["path"] }, (a) => {
      const path = a.string(0);
      if (path.startsWith("/")) return cleanPath(path);
      return joinPath(need(host.workingDirectory, "finding the current directory"), path);
    }),
    basename: defineFunction("basename", { params: ["path"] }, (a) => baseName(a.string(0))),
    dirname: defineFunction("dirname", { params: ["path"] }, (a) => dirName(a.string(0))),
    file: defineFunction("file", { params: ["path"] }, (a) => readText(host, a.string(0))),
    filebase64: defineFunction(
      "filebase64",
      { params: ["path"] },
      (a) => encodeBase64(readBytes(host, a.string(0))),
    ),
    fileexists: defineFunction("fileexists", { params: ["path"] }, (a) => {
      const path = a.string(0);
      const kind = statFile(host, path);
      if (kind === "directory") {
        throw new RangeError(`${path} is not a regular file, but "drwxr-xr-x"`);
      }
      return kind === "file";
    }),
    fileset: defineFunction("fileset", { params: ["path", "pattern"] }, (a) => fileset(host, a)),
    pathexpand: defineFunction(
      "pathexpand",
      { params: ["path"] },
      (a) => pathexpand(host, a.string(0)),
    ),
  };
}
