/**
 * A task's `template` blocks as files: paths resolved and kept inside the task
 * (or shared alloc) directory, sources read and parsed, renders against fetched
 * data, atomic writes with `perms`, and the variables of `env = true` files.
 * Error texts follow Nomad and consul-template ("(dynamic): execute: ...").
 */

import { dirname, isAbsolute, join, normalize } from "../../core/path.ts";
import type { Template } from "../../structs/mod.ts";
import { interpolate } from "../task_env.ts";
import { parseEnvFile } from "./env_file.ts";
import { type GoTemplate, nomadTemplate, renderNomadTemplate } from "./mod.ts";
import type { Dependency, DependencyData } from "./sources.ts";

/** Largest template source file read. */
export const MAX_TEMPLATE_SOURCE_BYTES = 4 * 1024 * 1024;
/** Largest rendered output written. */
export const MAX_TEMPLATE_OUTPUT_BYTES = 16 * 1024 * 1024;

/** Nomad's texts for templates that would leave their sandbox. */
export const SOURCE_ESCAPES = "template source path escapes alloc directory";
/** See {@linkcode SOURCE_ESCAPES}. */
export const DESTINATION_ESCAPES = "template destination path escapes alloc directory";

/** Directories a task's templates live in. */
export interface TemplatePaths {
  taskDir: string;
  allocDir: string;
  sharedDir: string;
}

/** A template ready to render. */
export interface PreparedTemplate {
  readonly spec: Template;
  /** Absolute path of the rendered file. */
  readonly destination: string;
  /** consul-template's name of the source in errors: its path, or "(dynamic)". */
  readonly sourceName: string;
  readonly template: GoTemplate;
  readonly perms: number;
}

/** A render failure with consul-template's text (the task fails with "Template failed: ..."). */
export class TemplateRenderError extends Error {
  override name = "TemplateRenderError";
}

/** A template block Nomad refuses before rendering (a path escaping the sandbox, bad perms). */
export class TemplateSetupError extends Error {
  override name = "TemplateSetupError";
}

function within(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith("/") ? root : `${root}/`);
}

/**
 * Nomad's ClientPath: `raw` with the task environment interpolated, relative
 * paths under the task directory; it escapes when it leaves both the task and
 * the shared alloc directory.
 */
export function clientPath(
  raw: string,
  options: TemplatePaths & { env: Readonly<Record<string, string>> },
): { path: string; escapes: boolean } {
  const expanded = interpolate(raw, { ...options.env });
  const path = normalize(isAbsolute(expanded) ? expanded : join(options.taskDir, expanded));
  const escapes = !within(options.taskDir, path) && !within(options.sharedDir, path);
  return { path, escapes };
}

function parsePerms(perms: string): number {
  const text = perms === "" ? "0644" : perms;
  if (!/^[0-7]{1,4}$/.test(text)) {
    throw new TemplateSetupError(
      `Failed to parse ${JSON.stringify(text)} as octal: strconv.ParseUint: parsing ${
        JSON.stringify(text)
      }: invalid syntax`,
    );
  }
  return parseInt(text, 8);
}

async function readSource(path: string): Promise<string> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (err) {
    throw new TemplateRenderError(
      `failed to read template ${JSON.stringify(path)}: ${(err as Error).message}`,
    );
  }
  if (info.size > MAX_TEMPLATE_SOURCE_BYTES) {
    throw new TemplateRenderError(
      `template ${JSON.stringify(path)} is larger than ${MAX_TEMPLATE_SOURCE_BYTES} bytes`,
    );
  }
  return await Deno.readTextFile(path);
}

/**
 * Resolves, reads and parses the task's templates; throws TemplateSetupError
 * for blocks Nomad refuses up front, TemplateRenderError for reads and parses.
 */
export async function prepareTemplates(
  templates: readonly Template[],
  options: TemplatePaths & { env: Readonly<Record<string, string>> },
): Promise<PreparedTemplate[]> {
  const prepared: PreparedTemplate[] = [];
  for (const spec of templates) {
    let text = spec.EmbeddedTmpl ?? "";
    let sourceName = "(dynamic)";
    if ((spec.SourcePath ?? "") !== "") {
      const source = clientPath(spec.SourcePath, options);
      if (source.escapes) throw new TemplateSetupError(SOURCE_ESCAPES);
      sourceName = source.path;
      text = await readSource(source.path);
    }
    const destination = clientPath(spec.DestPath ?? "", options);
    if (destination.escapes) throw new TemplateSetupError(DESTINATION_ESCAPES);
    let template: GoTemplate;
    try {
      // consul-template names every template "" (errors read `template: :1:...`).
      template = nomadTemplate("", text, {
        leftDelim: spec.LeftDelim ?? "",
        rightDelim: spec.RightDelim ?? "",
        errMissingKey: spec.ErrMissingKey === true,
      });
    } catch (err) {
      throw new TemplateRenderError(`${sourceName}: parse: ${(err as Error).message}`);
    }
    prepared.push({
      spec,
      destination: destination.path,
      sourceName,
      template,
      perms: parsePerms(spec.Perms ?? ""),
    });
  }
  return prepared;
}

/** What rendering every template against the fetched data came to. */
export interface TemplatesRender {
  outputs: string[];
  used: Map<string, Dependency>;
  /** Data still lacking; outputs are incomplete while it is not empty. */
  missing: Map<string, Dependency>;
}

/** A file reader for `file` confined to the allocation directory (consul-template's sandbox). */
export function sandboxedReader(paths: TemplatePaths): (path: string) => string {
  return (raw) => {
    const path = normalize(isAbsolute(raw) ? raw : join(paths.taskDir, raw));
    if (!within(paths.allocDir, path)) throw new Error(`'${path}' is outside of sandbox`);
    return Deno.readTextFileSync(path);
  };
}

/** Renders every template; throws TemplateRenderError with consul-template's text. */
export function renderTemplates(
  templates: readonly PreparedTemplate[],
  context: {
    env: Readonly<Record<string, string>>;
    namespace: string;
    data: DependencyData;
    readFile: (path: string) => string;
    nowMs: number;
  },
): TemplatesRender {
  const result: TemplatesRender = { outputs: [], used: new Map(), missing: new Map() };
  for (const t of templates) {
    let render;
    try {
      render = renderNomadTemplate(t.template, context);
    } catch (err) {
      throw new TemplateRenderError(`${t.sourceName}: execute: ${(err as Error).message}`);
    }
    if (render.output.length > MAX_TEMPLATE_OUTPUT_BYTES) {
      throw new TemplateRenderError(
        `${t.sourceName}: output is larger than ${MAX_TEMPLATE_OUTPUT_BYTES} bytes`,
      );
    }
    for (const [key, dep] of render.used) result.used.set(key, dep);
    for (const [key, dep] of render.missing) result.missing.set(key, dep);
    result.outputs.push(render.output);
  }
  return result;
}

/**
 * Writes `output` to the template's destination through a temporary file (a
 * reader never sees half a file), with its perms and owner. False when the
 * file already held exactly `output`.
 */
export async function writeTemplate(t: PreparedTemplate, output: string): Promise<boolean> {
  const current = await Deno.readTextFile(t.destination).catch(() => null);
  if (current === output) return false;
  await Deno.mkdir(dirname(t.destination), { recursive: true });
  const temporary = join(dirname(t.destination), `.${crypto.randomUUID()}.tmp`);
  try {
    await Deno.writeTextFile(temporary, output, { mode: t.perms });
    await Deno.chmod(temporary, t.perms);
    const uid = t.spec.Uid ?? -1;
    const gid = t.spec.Gid ?? -1;
    if (uid >= 0 || gid >= 0) {
      await Deno.chown(temporary, uid >= 0 ? uid : null, gid >= 0 ? gid : null);
    }
    await Deno.rename(temporary, t.destination);
  } catch (err) {
    await Deno.remove(temporary).catch(() => {});
    throw err;
  }
  return true;
}

/** The variables of every `env = true` template's file (later files win). */
export async function templateEnv(
  templates: readonly PreparedTemplate[],
): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const t of templates) {
    if (t.spec.Envvars !== true) continue;
    let text: string;
    try {
      text = await Deno.readTextFile(t.destination);
    } catch (err) {
      throw new TemplateRenderError(`error opening env template: ${(err as Error).message}`);
    }
    try {
      Object.assign(env, parseEnvFile(text));
    } catch (err) {
      throw new TemplateRenderError(
        `error parsing env template ${JSON.stringify(t.destination)}: ${(err as Error).message}`,
      );
    }
  }
  return env;
}
