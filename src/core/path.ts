/**
 * POSIX path helpers with node:path's semantics for the functions we use.
 * Own code: importing `node:path` costs the agent several MB of memory.
 */

/** Collapses `.`, `..` and repeated slashes; "" becomes ".". */
export function normalize(path: string): string {
  if (path === "") return ".";
  const absolute = path.startsWith("/");
  const trailing = path.endsWith("/");
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!absolute) out.push("..");
    } else out.push(part);
  }
  let result = (absolute ? "/" : "") + out.join("/");
  if (result === "") return absolute ? "/" : trailing ? "./" : ".";
  if (trailing && result !== "/") result += "/";
  return result;
}

/** Joins segments and normalizes the result. */
export function join(...parts: string[]): string {
  const joined = parts.filter((p) => p !== "").join("/");
  return joined === "" ? "." : normalize(joined);
}

/** True for an absolute path. */
export function isAbsolute(path: string): boolean {
  return path.startsWith("/");
}

/** Absolute path of the segments, resolved right to left from the working directory. */
export function resolve(...parts: string[]): string {
  let path = "";
  for (let i = parts.length - 1; i >= 0 && !path.startsWith("/"); i--) {
    if (parts[i] !== "") path = path === "" ? parts[i]! : `${parts[i]}/${path}`;
  }
  if (!path.startsWith("/")) path = `${Deno.cwd()}/${path}`;
  const normalized = normalize(path);
  return normalized.length > 1 && normalized.endsWith("/") ? normalized.slice(0, -1) : normalized;
}

/** The directory part of a path. */
export function dirname(path: string): string {
  if (path === "") return ".";
  const trimmed = path.length > 1 ? path.replace(/\/+$/, "") : path;
  const slash = trimmed.lastIndexOf("/");
  if (slash < 0) return ".";
  if (slash === 0) return "/";
  return trimmed.slice(0, slash).replace(/\/+$/, "") || "/";
}

/** The last part of a path, without `ext` when it ends with it. */
export function basename(path: string, ext = ""): string {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, "") : path;
  const base = trimmed.slice(trimmed.lastIndexOf("/") + 1);
  return ext !== "" && base.endsWith(ext) && base !== ext ? base.slice(0, -ext.length) : base;
}

/** The path from `from` to `to` (both resolved). */
export function relative(from: string, to: string): string {
  const a = resolve(from).split("/").filter((p) => p !== "");
  const b = resolve(to).split("/").filter((p) => p !== "");
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  return [...Array(a.length - common).fill(".."), ...b.slice(common)].join("/");
}
