/**
 * Data sources of Nomad templates (`nomadVar*`, `nomadService*`) as
 * dependencies: a render records which it used and which it still lacks (like
 * consul-template's brain); the caller fetches those and renders again.
 */

import type { GoMap } from "./format.ts";

/** A Nomad variable as templates see it. */
export interface TemplateVariable {
  Namespace: string;
  Path: string;
  Items: Record<string, string>;
  CreateIndex: number;
  ModifyIndex: number;
  CreateTime: number;
  ModifyTime: number;
}

/** A service registration as `nomadService` returns it. */
export interface TemplateService {
  ID: string;
  Name: string;
  Namespace: string;
  NodeID: string;
  Datacenter: string;
  JobID: string;
  AllocID: string;
  Tags: string[];
  Address: string;
  Port: number;
}

/** A service name with its tags, as `nomadServices` returns it. */
export interface TemplateServiceSummary {
  Name: string;
  Namespace: string;
  Tags: string[];
}

/** Options of every blocking lookup. */
export interface LookupOptions {
  namespace: string;
  /** Resolve once the data's index is above this (at once when 0). */
  minIndex: number;
  signal: AbortSignal;
}

/**
 * Where templates read variables and services from, with blocking-query
 * semantics so the template hook can wait for a change after an index.
 */
export interface TemplateSources {
  /** The variable at `path`, or null when there is none. */
  variable(
    path: string,
    options: LookupOptions,
  ): Promise<{ variable: TemplateVariable | null; index: number }>;
  /** Variables under `prefix` (their Items may be empty). */
  variables(
    prefix: string,
    options: LookupOptions,
  ): Promise<{ variables: TemplateVariable[]; index: number }>;
  /** Registrations of service `name`. */
  service(
    name: string,
    options: LookupOptions,
  ): Promise<{ services: TemplateService[]; index: number }>;
  /** Every service name with its tags. */
  services(options: LookupOptions): Promise<{ services: TemplateServiceSummary[]; index: number }>;
}

/** One piece of data a template depends on. */
export type Dependency =
  | { kind: "variable"; path: string; namespace: string; blockOnMissing: boolean }
  | { kind: "variableList"; prefix: string; namespace: string }
  | { kind: "service"; name: string; tag: string; namespace: string }
  | { kind: "services"; namespace: string };

/** Fetched data of a dependency. */
export type DependencyValue =
  | TemplateVariable
  | null
  | TemplateVariable[]
  | TemplateService[]
  | TemplateServiceSummary[];

const REGION = "global";

/** consul-template's name of a dependency, as "Missing: ..." events show it. */
export function dependencyKey(dep: Dependency): string {
  switch (dep.kind) {
    case "variable":
      return `nomad.var.${
        dep.blockOnMissing ? "block" : "get"
      }(${dep.path}@${dep.namespace}.${REGION})`;
    case "variableList":
      return `nomad.var.list(${dep.prefix}@${dep.namespace}.${REGION})`;
    case "service":
      return `nomad.service(${
        dep.tag === "" ? "" : dep.tag + "."
      }${dep.name}@${dep.namespace}.${REGION})`;
    case "services":
      return `nomad.services(@${dep.namespace}.${REGION})`;
  }
}

/** Runs the blocking query behind `dep`. */
export async function fetchDependency(
  sources: TemplateSources,
  dep: Dependency,
  options: LookupOptions,
): Promise<{ value: DependencyValue; index: number }> {
  const opts = { ...options, namespace: dep.namespace };
  switch (dep.kind) {
    case "variable": {
      const { variable, index } = await sources.variable(dep.path, opts);
      return { value: variable, index };
    }
    case "variableList": {
      const { variables, index } = await sources.variables(dep.prefix, opts);
      return { value: variables, index };
    }
    case "service": {
      const { services, index } = await sources.service(dep.name, opts);
      const tagged = dep.tag === "" ? services : services.filter((s) => s.Tags.includes(dep.tag));
      return { value: tagged, index };
    }
    case "services": {
      const { services, index } = await sources.services(opts);
      return { value: services, index };
    }
  }
}

/** Fetched values by dependency key; absent keys were never fetched. */
export type DependencyData = ReadonlyMap<string, { value: DependencyValue; index: number }>;

/** What one render used and what it still lacks. */
export class DependencyRecorder {
  readonly used = new Map<string, Dependency>();
  readonly missing = new Map<string, Dependency>();
  readonly #data: DependencyData;

  /** Records lookups against `data`. */
  constructor(data: DependencyData) {
    this.#data = data;
  }

  /** The value of `dep`, or undefined (and `dep` recorded missing) when not there yet. */
  lookup(dep: Dependency): DependencyValue | undefined {
    const key = dependencyKey(dep);
    this.used.set(key, dep);
    const entry = this.#data.get(key);
    const absent = entry === undefined ||
      (dep.kind === "variable" && dep.blockOnMissing && entry.value === null);
    if (absent) this.missing.set(key, dep);
    return entry?.value;
  }
}

/** One item of a variable: prints as its value. */
export class NomadVarItem {
  /** The item's key and value. */
  constructor(readonly Key: string, readonly Value: string) {}
  /** Go's Stringer: the value. */
  String(): string {
    return this.Value;
  }
}

/** A variable's metadata. */
export class NomadVarMeta {
  readonly Namespace: string;
  readonly Path: string;
  readonly CreateIndex: number;
  readonly ModifyIndex: number;
  readonly CreateTime: number;
  readonly ModifyTime: number;
  /** Copies the metadata fields of `variable`. */
  constructor(variable: TemplateVariable) {
    this.Namespace = variable.Namespace;
    this.Path = variable.Path;
    this.CreateIndex = variable.CreateIndex;
    this.ModifyIndex = variable.ModifyIndex;
    this.CreateTime = variable.CreateTime;
    this.ModifyTime = variable.ModifyTime;
  }
  /** Prints as the path, like consul-template. */
  String(): string {
    return this.Path;
  }
}

/** The items of a variable: a map of key to item, with consul-template's methods. */
export class NomadVarItems implements GoMap {
  readonly #items: NomadVarItem[];
  readonly #meta: NomadVarMeta | null;
  /** Wraps `variable` (null: an empty map). */
  constructor(variable: TemplateVariable | null) {
    this.#meta = variable === null ? null : new NomadVarMeta(variable);
    this.#items = Object.entries(variable?.Items ?? {})
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => new NomadVarItem(k, v));
  }
  goMapEntries(): [string, unknown][] {
    return this.#items.map((i) => [i.Key, i]);
  }
  /** Item keys, sorted. */
  Keys(): string[] {
    return this.#items.map((i) => i.Key);
  }
  /** Items, sorted by key. */
  Values(): NomadVarItem[] {
    return [...this.#items];
  }
  /** `{K, V}` pairs, sorted by key. */
  Tuples(): { K: string; V: NomadVarItem }[] {
    return this.#items.map((i) => ({ K: i.Key, V: i }));
  }
  /** The variable's metadata. */
  Metadata(): NomadVarMeta | null {
    return this.#meta;
  }
  /** The variable's metadata (consul-template's other name for it). */
  Parent(): NomadVarMeta | null {
    return this.#meta;
  }
}
