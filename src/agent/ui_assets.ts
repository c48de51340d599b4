/** Serves the static UI from `ui/dist`, which `deno compile --include ui/dist` embeds. */

const CONTENT_TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  json: "application/json",
  ico: "image/x-icon",
};

const UI_ROOT = new URL("../../ui/dist/", import.meta.url);

/** Reads one UI file; undefined when missing or when the path leaves the UI root. */
export async function uiAsset(
  path: string,
): Promise<{ body: Uint8Array<ArrayBuffer>; contentType: string } | undefined> {
  const clean = path === "" ? "index.html" : path;
  if (clean.split("/").some((part) => part === ".." || part === "")) return undefined;
  try {
    const body = await Deno.readFile(new URL(clean, UI_ROOT));
    const ext = clean.split(".").pop() ?? "";
    return { body, contentType: CONTENT_TYPES[ext] ?? "application/octet-stream" };
  } catch {
    return undefined;
  }
}
