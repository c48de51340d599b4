/**
 * Reads a job file (or stdin) and turns it into API job JSON plus the
 * submission record Nomad stores with each version (Nomad's `JobGetter`).
 * HCL goes through `src/jobspec`, imported lazily.
 */

import type { JobPayload, JobSubmission } from "../../api/mod.ts";
import { CommandError, errorMessage } from "../helpers.ts";
import { quote } from "../format.ts";
import type { CliIo } from "../io.ts";
import type { JobFileHost, ParseJobOptions } from "../../jobspec/mod.ts";

/** What the CLI needs from `src/jobspec/mod.ts`. */
export interface JobspecModule {
  parseJob(
    source: string,
    options: ParseJobOptions,
  ): Record<string, unknown> | Promise<Record<string, unknown>>;
  jobInitTemplate(short: boolean): string;
}

/**
 * Where the jobspec module comes from. Tests replace `load` to run commands
 * without the real parser; production code never changes it.
 */
export const jobspecSource: { load: () => Promise<JobspecModule> } = {
  load: async () => await import("../../jobspec/mod.ts"),
};

/** Loads the jobspec module; a missing module is reported as a command error. */
export async function loadJobspec(): Promise<JobspecModule> {
  try {
    return await jobspecSource.load();
  } catch (error) {
    throw new CommandError(`Error loading job parser: ${errorMessage(error)}`);
  }
}

/** How to read a job file. */
export interface JobFileRequest {
  /** Path given on the command line; "-" reads stdin. */
  path: string;
  /** `-var k=v` values in order. */
  vars: readonly string[];
  /** `-var-file` paths in order. */
  varFiles: readonly string[];
  /** `-json`: the file is API JSON (optionally wrapped in `{"Job": ...}`). */
  json: boolean;
}

/** The parsed job and the submission to send with it. */
export interface LoadedJob {
  job: JobPayload;
  submission: JobSubmission;
  /** Stanzas the parser accepted but this agent does not act on. */
  warnings: string[];
}

/** Prefix of environment variables that set HCL variables (`NOMAD_VAR_name=value`). */
export const VAR_ENV_PREFIX = "NOMAD_VAR_";

/** Reads and parses a job file; failures throw {@linkcode CommandError} with Nomad's wording. */
export async function loadJobFile(request: JobFileRequest, io: CliIo): Promise<LoadedJob> {
  if ((request.vars.length > 0 || request.varFiles.length > 0) && request.json) {
    throw new CommandError("Invalid job options: cannot use variables with JSON files.");
  }
  const source = await readSource(request.path, io);
  const looksJson = request.json || (request.path.endsWith(".json") && isApiJson(source));
  if (looksJson) {
    return {
      job: parseApiJson(source),
      submission: { Source: source, Format: "json" },
      warnings: [],
    };
  }
  const jobspec = await loadJobspec();
  const variables = parseVarFlags(request.vars, request.path);
  const varFiles = await readVarFiles(request.varFiles, request.path);
  const filename = request.path === "-" ? "stdin" : basename(request.path);
  let job: Record<string, unknown>;
  const warnings: string[] = [];
  try {
    job = await jobspec.parseJob(source, {
      filename,
      variables,
      env: { ...io.env },
      varFiles,
      ...jobFileHost(request.path, io),
      onWarning: (message) => warnings.push(message),
    });
  } catch (error) {
    throw new CommandError(
      `Error getting job struct: Error parsing job file from ${request.path}:\n${
        errorMessage(error)
      }`,
    );
  }
  const variableFlags = { ...envVariables(io.env), ...variables };
  const submission: JobSubmission = {
    Source: source,
    Format: "hcl2",
    VariableFlags: variableFlags,
  };
  const catted = varFiles.map((f) => f.source + "\n").join("");
  if (catted !== "") submission.Variables = catted;
  return { job, submission, warnings };
}

async function readSource(path: string, io: CliIo): Promise<string> {
  if (path === "") {
    throw new CommandError("Error getting job struct: Error jobfile path has to be specified.");
  }
  if (path === "-") return await io.readStdin();
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? `stat ${path}: no such file or directory`
      : errorMessage(error);
    throw new CommandError(
      `Error getting job struct: Error getting jobfile from ${quote(path)}: ${reason}`,
    );
  }
}

function isApiJson(source: string): boolean {
  try {
    const value = JSON.parse(source) as unknown;
    if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
    const keys = Object.keys(value);
    return keys.includes("Job") || keys.includes("ID") || keys.includes("TaskGroups");
  } catch {
    return false;
  }
}

function parseApiJson(source: string): JobPayload {
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    throw new CommandError(
      `Error getting job struct: Failed to parse JSON job: ${errorMessage(error)}`,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CommandError("Error getting job struct: Failed to parse JSON job: not an object");
  }
  const record = value as Record<string, unknown>;
  const nested = record["Job"];
  if (typeof nested === "object" && nested !== null && !Array.isArray(nested)) {
    return nested as JobPayload;
  }
  return record;
}

/** `-var` values as a map; a value without `=` is rejected like HCL2 does. */
function parseVarFlags(vars: readonly string[], path: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const entry of vars) {
    const eq = entry.indexOf("=");
    if (eq <= 0) {
      throw new CommandError(
        `Error getting job struct: Error parsing job file from ${path}:\n` +
          `Invalid -var option: The given -var option ${quote(entry)} is not correctly specified.` +
          ` Must be a variable name and value separated by an equals sign, like -var="key=value".`,
      );
    }
    result[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return result;
}

async function readVarFiles(
  paths: readonly string[],
  jobPath: string,
): Promise<{ filename: string; source: string }[]> {
  const files: { filename: string; source: string }[] = [];
  for (const path of paths) {
    try {
      files.push({ filename: path, source: await Deno.readTextFile(path) });
    } catch (error) {
      throw new CommandError(
        `Error getting job struct: Error parsing job file from ${jobPath}:\n` +
          `Failed to read var file ${quote(path)}: ${errorMessage(error)}`,
      );
    }
  }
  return files;
}

/** `NOMAD_VAR_*` environment variables as HCL variable values. */
export function envVariables(env: Readonly<Record<string, string>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith(VAR_ENV_PREFIX) && key.length > VAR_ENV_PREFIX.length) {
      result[key.slice(VAR_ENV_PREFIX.length)] = value;
    }
  }
  return result;
}

/**
 * What `file()`, `fileset()`, `abspath()`, `uuidv4()` and friends may use.
 * Relative paths are relative to the job file's directory, as in Nomad.
 */
export function jobFileHost(jobPath: string, io: CliIo): JobFileHost {
  const slash = jobPath.lastIndexOf("/");
  const base = slash < 0 || jobPath === "-" ? "" : jobPath.slice(0, slash + 1);
  const resolve = (path: string) => path.startsWith("/") ? path : `${base}${path}`;
  return {
    readFile: (path) => Deno.readTextFileSync(resolve(path)),
    readFileBytes: (path) => Deno.readFileSync(resolve(path)),
    statFile: (path) => {
      try {
        return Deno.statSync(resolve(path)).isDirectory ? "directory" : "file";
      } catch {
        return undefined;
      }
    },
    readDirectory: (path) =>
      [...Deno.readDirSync(resolve(path))].map((e) => ({
        name: e.name,
        isDirectory: e.isDirectory,
      })),
    workingDirectory: Deno.cwd(),
    homeDirectory: io.env["HOME"] ?? "",
    randomBytes: (length) => crypto.getRandomValues(new Uint8Array(length)),
  };
}

function basename(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}
