/**
 * The template hook (Nomad's template hook and template manager): before the
 * first start it renders every `template` block, fetching data until nothing
 * is missing (a "Missing: ..." event after a while), and writes the files;
 * `env = true` files join the task environment on every start. A watcher then
 * waits on the data the templates used, renders again on a change and applies
 * each changed template's `change_mode` (restart, signal, script or noop),
 * after a random `splay`. It stops when the task is killed or dead.
 */

import type { ExecResult } from "../../../drivers/driver.ts";
import type { Logger } from "../../core/logger.ts";
import type { Rng } from "../../core/rng.ts";
import { newTaskEvent, type TaskEvent, type Template } from "../../structs/mod.ts";
import { nodeVariables } from "../task_env.ts";
import {
  type Dependency,
  type DependencyValue,
  fetchDependency,
  type TemplateSources,
} from "../template/mod.ts";
import {
  type PreparedTemplate,
  prepareTemplates,
  renderTemplates,
  sandboxedReader,
  templateEnv,
  type TemplatePaths,
  TemplateRenderError,
  TemplateSetupError,
  writeTemplate,
} from "../template/task_templates.ts";
import { HookError, type TaskHook, type TaskHookContext } from "./mod.ts";

/** Nomad's event type of template messages ("Missing: ..."). */
export const TEMPLATE_EVENT = "Template";
/** How long the first render may lack data before a "Missing" event (Nomad's max event rate). */
export const MISSING_EVENT_DELAY_MS = 3_000;
/** Missing dependencies named in one event before "and N more". */
export const MISSING_EVENT_LIMIT = 3;
/** Most dependencies one task's templates may watch. */
export const MAX_TEMPLATE_DEPENDENCIES = 256;
/** Pause after a failed lookup or one that returned without progress. */
export const LOOKUP_RETRY_MS = 1_000;

/** What the hook may do to its task (Nomad's TaskLifecycle). */
export interface TemplateLifecycle {
  /** Restarts the running task after recording `event`. */
  restart(event: TaskEvent): Promise<void>;
  /** Sends `signal` to the running task after recording `event`. */
  signal(signal: string, event: TaskEvent): Promise<void>;
  /** Kills the task for good after recording `event` (FailsTask: it fails). */
  kill(event: TaskEvent): Promise<void>;
  /** Runs a command in the running task's context. */
  exec(command: string[], timeoutMs: number): Promise<ExecResult>;
}

/** Options of {@linkcode templateHook}. */
export interface TemplateHookOptions {
  sources: TemplateSources;
  lifecycle: TemplateLifecycle;
  rng: Rng;
  logger: Logger;
  /** Aborts when the task is killed or dead for good: waits and the watcher end. */
  stopped: AbortSignal;
  /** Replaceable for tests; defaults to {@linkcode MISSING_EVENT_DELAY_MS}. */
  missingEventDelayMs?: number;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Resolves after `ms`, or early when `signal` aborts; true when the time passed. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (passed: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      resolve(passed);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Nomad's "Missing: a, b, c, and 2 more" text of sorted dependency keys. */
export function missingMessage(keys: readonly string[]): string {
  const sorted = [...keys].sort();
  if (sorted.length > MISSING_EVENT_LIMIT) {
    const rest = sorted.length - MISSING_EVENT_LIMIT;
    sorted.splice(MISSING_EVENT_LIMIT, rest, `and ${rest} more`);
  }
  return `Missing: ${sorted.join(", ")}`;
}

/** What the change modes of re-rendered templates ask for. */
export interface ChangeActions {
  restart: boolean;
  signals: string[];
  scripts: NonNullable<Template["ChangeScript"]>[];
  /** The largest splay among them (ns). */
  splayNs: number;
}

/** Combines the change modes of `changed` templates as Nomad does (restart wins). */
export function changeActions(changed: readonly Template[]): ChangeActions {
  const actions: ChangeActions = { restart: false, signals: [], scripts: [], splayNs: 0 };
  for (const spec of changed) {
    const mode = spec.ChangeMode || "restart";
    if (mode === "noop") continue;
    if (mode === "restart") actions.restart = true;
    if (mode === "signal") {
      const signal = (spec.ChangeSignal ?? "").toUpperCase();
      if (!actions.signals.includes(signal)) actions.signals.push(signal);
    }
    if (mode === "script" && spec.ChangeScript) actions.scripts.push(spec.ChangeScript);
    actions.splayNs = Math.max(actions.splayNs, spec.Splay ?? 0);
  }
  return actions;
}

/** Fetched data plus one blocking watch per dependency; wakes the render loop on changes. */
class DependencyWatcher {
  readonly data = new Map<string, { value: DependencyValue; index: number }>();
  readonly #watching = new Set<string>();
  #wake = Promise.withResolvers<void>();
  readonly #options: TemplateHookOptions;

  constructor(options: TemplateHookOptions) {
    this.#options = options;
  }

  /** Starts watching every dependency in `deps` not watched yet. */
  watch(deps: ReadonlyMap<string, Dependency>): void {
    for (const [key, dep] of deps) {
      if (this.#watching.has(key)) continue;
      if (this.#watching.size >= MAX_TEMPLATE_DEPENDENCIES) {
        throw new TemplateRenderError(
          `templates use more than ${MAX_TEMPLATE_DEPENDENCIES} dependencies`,
        );
      }
      this.#watching.add(key);
      void this.#watchOne(key, dep);
    }
  }

  /** Resolves when data changed since the last call; false once stopped. */
  async changed(): Promise<boolean> {
    const { stopped } = this.#options;
    if (stopped.aborted) return false;
    const aborted = new Promise<void>((r) => stopped.addEventListener("abort", () => r()));
    await Promise.race([this.#wake.promise, aborted]);
    this.#wake = Promise.withResolvers();
    return !stopped.aborted;
  }

  /** Waits up to `ms` for another change; true when one came. */
  async changedWithin(ms: number): Promise<boolean> {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), ms);
    const { stopped } = this.#options;
    const either = AbortSignal.any([timeout.signal, stopped]);
    const aborted = new Promise<void>((r) => either.addEventListener("abort", () => r()));
    const woke = await Promise.race([
      this.#wake.promise.then(() => true),
      aborted.then(() => false),
    ]);
    clearTimeout(timer);
    if (woke) this.#wake = Promise.withResolvers();
    return woke;
  }

  async #watchOne(key: string, dep: Dependency): Promise<void> {
    const { sources, stopped, logger } = this.#options;
    let index = 0;
    while (!stopped.aborted) {
      try {
        const result = await fetchDependency(sources, dep, {
          namespace: dep.namespace,
          minIndex: index,
          signal: stopped,
        });
        if (stopped.aborted) return;
        const previous = this.data.get(key);
        const progressed = result.index > index;
        // An index going backwards (servers restored from a snapshot) starts over.
        index = result.index < index ? 0 : result.index;
        if (
          previous === undefined || JSON.stringify(previous.value) !== JSON.stringify(result.value)
        ) {
          this.data.set(key, result);
          this.#wake.resolve();
        } else if (!progressed) await sleep(LOOKUP_RETRY_MS, stopped);
      } catch (err) {
        logger.warn("template data lookup failed", { dependency: key, error: errorText(err) });
        await sleep(LOOKUP_RETRY_MS, stopped);
      }
    }
  }
}

/** What every render of a task's templates sees besides the data. */
interface RenderContext {
  env: Record<string, string>;
  namespace: string;
  readFile: (path: string) => string;
}

/** The rendering state of one task's templates. */
class TaskTemplates {
  readonly watcher: DependencyWatcher;
  readonly #templates: PreparedTemplate[];
  readonly #context: RenderContext;
  /** Last written output of each template. */
  readonly #outputs: string[] = [];

  constructor(
    templates: PreparedTemplate[],
    context: RenderContext,
    options: TemplateHookOptions,
  ) {
    this.#templates = templates;
    this.#context = context;
    this.watcher = new DependencyWatcher(options);
  }

  get templates(): readonly PreparedTemplate[] {
    return this.#templates;
  }

  /** Renders every template, watching what they used; the outputs, or the missing keys. */
  render(): { outputs: string[]; missing: string[] } {
    const result = renderTemplates(this.#templates, {
      ...this.#context,
      data: this.watcher.data,
      nowMs: Date.now(),
    });
    this.watcher.watch(result.used);
    return { outputs: result.outputs, missing: [...result.missing.keys()] };
  }

  /** Writes the outputs that differ from the last written; the templates that changed. */
  async write(outputs: readonly string[], options: { first: boolean }): Promise<Template[]> {
    const changed: Template[] = [];
    for (const [i, t] of this.#templates.entries()) {
      const output = outputs[i]!;
      if (!options.first && (t.spec.Once === true || this.#outputs[i] === output)) continue;
      const written = await writeTemplate(t, output);
      this.#outputs[i] = output;
      if (written && !options.first) changed.push(t.spec);
    }
    return changed;
  }
}

function killingEvent(ctx: TaskHookContext, message: string): TaskEvent {
  return newTaskEvent("Killing", ctx.nowNs(), { DisplayMessage: message, FailsTask: true });
}

/**
 * Renders until no data is missing; null when the task was stopped first. A
 * "Missing" event goes out when the missing set has stood for a while.
 */
async function firstRender(
  ctx: TaskHookContext,
  state: TaskTemplates,
  options: TemplateHookOptions,
): Promise<string[] | null> {
  const delayMs = options.missingEventDelayMs ?? MISSING_EVENT_DELAY_MS;
  let missing: string[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    for (;;) {
      const result = state.render();
      if (result.missing.length === 0) return result.outputs;
      const different = result.missing.length !== missing.length ||
        result.missing.some((key) => !missing.includes(key));
      missing = result.missing;
      if (different && timer === undefined) {
        timer = setTimeout(() => {
          timer = undefined;
          ctx.emit(newTaskEvent(TEMPLATE_EVENT, ctx.nowNs(), {
            DisplayMessage: missingMessage(missing),
          }));
        }, delayMs);
      }
      if (!await state.watcher.changed()) return null;
    }
  } finally {
    clearTimeout(timer);
  }
}

/** The render failure as Nomad's killing event; it fails the task without restarts. */
function renderFailure(ctx: TaskHookContext, err: unknown): HookError {
  const message = `Template failed: ${errorText(err)}`;
  return new HookError(message, killingEvent(ctx, message), { cause: err, unrecoverable: true });
}

/** Nomad's failure of a hook that could not start: "Task hook failed", not retried. */
function setupFailure(ctx: TaskHookContext, err: Error): HookError {
  const message = `template: ${err.message}`;
  const event = newTaskEvent("Task hook failed", ctx.nowNs(), {
    Message: message,
    DisplayMessage: message,
  });
  return new HookError(message, event, { cause: err, unrecoverable: true });
}

/** Runs the change scripts concurrently with Nomad's events. */
async function runScripts(
  ctx: TaskHookContext,
  scripts: ChangeActions["scripts"],
  lifecycle: TemplateLifecycle,
): Promise<void> {
  await Promise.all(scripts.map(async (script) => {
    const args = `[${(script.Args ?? []).join(" ")}]`;
    let failure: string;
    try {
      const result = await lifecycle.exec(
        [script.Command, ...(script.Args ?? [])],
        (script.Timeout || 5e9) / 1e6,
      );
      if (result.exitCode === 0) {
        ctx.emit(newTaskEvent("Task hook message", ctx.nowNs(), {
          DisplayMessage:
            `Template successfully ran script ${script.Command} with arguments: ${args}. Exit code: 0`,
        }));
        return;
      }
      failure =
        `Template ran script ${script.Command} with arguments ${args} on change but it exited with code: ${result.exitCode}`;
    } catch (err) {
      failure =
        `Template failed to run script ${script.Command} with arguments ${args} on change: ${
          errorText(err)
        }. Exit code: 0`;
    }
    ctx.emit(newTaskEvent("Task hook failed", ctx.nowNs(), { DisplayMessage: failure }));
    if (script.FailOnError) {
      await lifecycle.kill(killingEvent(ctx, "Template script failed, task is being killed"));
    }
  }));
}

/** Applies the change modes of re-rendered templates. */
async function applyChanges(
  ctx: TaskHookContext,
  actions: ChangeActions,
  options: TemplateHookOptions,
): Promise<void> {
  const { lifecycle, logger } = options;
  if (actions.restart) {
    await lifecycle.restart(newTaskEvent("Restart Signaled", ctx.nowNs(), {
      DisplayMessage: "Template with change_mode restart re-rendered",
    })).catch((err) => logger.warn("template restart failed", { error: errorText(err) }));
    return;
  }
  const failed: string[] = [];
  for (const signal of actions.signals) {
    const event = newTaskEvent("Signaling", ctx.nowNs(), {
      TaskSignal: signal,
      DisplayMessage: "Template re-rendered",
    });
    await lifecycle.signal(signal, event).catch((err) => {
      // Between restarts there is no process; the next one reads the new file.
      if (!(err instanceof Error && err.message === "Task not running")) {
        failed.push(errorText(err));
      }
    });
  }
  if (failed.length > 0) {
    await lifecycle.kill(
      killingEvent(
        ctx,
        `Template failed to send signals [${actions.signals.join(" ")}]: ${failed[0]}`,
      ),
    );
    return;
  }
  await runScripts(ctx, actions.scripts, lifecycle);
}

/** Quiescence of `wait` blocks: more changes within `min` postpone the render, up to `max`. */
async function quiesce(state: TaskTemplates): Promise<void> {
  const waits = state.templates.map((t) => t.spec.Wait).filter((w) => w != null);
  if (waits.length === 0) return;
  const minMs = Math.max(...waits.map((w) => (w.Min ?? 0) / 1e6));
  const maxMs = Math.max(minMs, ...waits.map((w) => (w.Max ?? 0) / 1e6));
  const start = Date.now();
  for (;;) {
    const leftMs = Math.min(minMs, maxMs - (Date.now() - start));
    if (leftMs <= 0 || !await state.watcher.changedWithin(leftMs)) return;
  }
}

/** Re-renders on every data change until the task stops, applying change modes. */
async function watchChanges(
  ctx: TaskHookContext,
  state: TaskTemplates,
  options: TemplateHookOptions,
): Promise<void> {
  const { stopped, rng, logger } = options;
  while (await state.watcher.changed()) {
    await quiesce(state);
    if (stopped.aborted) return;
    let changed: Template[];
    try {
      const result = state.render();
      if (result.missing.length > 0) continue;
      changed = await state.write(result.outputs, { first: false });
    } catch (err) {
      const failure = renderFailure(ctx, err);
      await options.lifecycle.kill(failure.event);
      return;
    }
    if (changed.length === 0) continue;
    logger.debug("templates re-rendered", { count: changed.length });
    const actions = changeActions(changed);
    if (!actions.restart && actions.signals.length === 0 && actions.scripts.length === 0) continue;
    if (actions.splayNs > 0 && !await sleep(rng.next() * actions.splayNs / 1e6, stopped)) return;
    await applyChanges(ctx, actions, options);
  }
}

/**
 * The template hook of one task.
 *
 * @example
 * ```ts ignore
 * import { templateHook } from "./template.ts";
 * const hook = templateHook({ sources, lifecycle, rng, logger, stopped: controller.signal });
 * ```
 */
export function templateHook(options: TemplateHookOptions): TaskHook {
  let state: TaskTemplates | null = null;
  const hook: TaskHook = {
    name: "template",
    // A reattached task renders again (a first render: no change mode) and is
    // watched again; waiting for missing data must not hold up the runner.
    recover(ctx: TaskHookContext): Promise<void> {
      void hook.prestart!(ctx).catch((err) =>
        options.logger.warn("template recovery failed", { error: errorText(err) })
      );
      return Promise.resolve();
    },
    async prestart(ctx: TaskHookContext): Promise<void> {
      const specs = ctx.task.Templates ?? [];
      if (specs.length === 0) return;
      if (state === null) {
        const env = { ...nodeVariables(ctx.node), ...ctx.env };
        const paths: TemplatePaths = {
          taskDir: ctx.taskDir.root,
          allocDir: ctx.allocDir.root,
          sharedDir: ctx.allocDir.shared,
        };
        let outputs: string[] | null;
        const next = await prepareTemplates(specs, { ...paths, env })
          .then((templates) =>
            new TaskTemplates(templates, {
              env,
              namespace: ctx.alloc.Namespace,
              readFile: sandboxedReader(paths),
            }, options)
          )
          .catch((err) => {
            throw err instanceof TemplateSetupError
              ? setupFailure(ctx, err)
              : renderFailure(ctx, err);
          });
        try {
          outputs = await firstRender(ctx, next, options);
          if (outputs === null) return;
          await next.write(outputs, { first: true });
        } catch (err) {
          throw renderFailure(ctx, err);
        }
        state = next;
        void watchChanges(ctx, next, options);
      }
      try {
        ctx.env = { ...ctx.env, ...await templateEnv(state.templates) };
      } catch (err) {
        const message = `Template failed to read environment variables: ${errorText(err)}`;
        throw new HookError(message, killingEvent(ctx, message), {
          cause: err,
          unrecoverable: true,
        });
      }
    },
  };
  return hook;
}
