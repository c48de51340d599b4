import assert from "node:assert/strict";
import { nullLogger, seededRng } from "../../core/mod.ts";
import type { Allocation, JsonObject, TaskEvent } from "../../structs/mod.ts";
import { taskDirPaths } from "../alloc_dir.ts";
import { AllocRunner } from "../alloc_runner.ts";
import {
  allocationOf,
  type RunnerFixture,
  runnerFixture,
  shellTask,
  within,
} from "../lifecycle_testing.ts";
import type {
  LookupOptions,
  TemplateService,
  TemplateServiceSummary,
  TemplateSources,
  TemplateVariable,
} from "../template/mod.ts";
import { changeActions, missingMessage } from "./template.ts";

const test = { sanitizeOps: false, sanitizeResources: false };

/** Variables in memory with blocking-query semantics (one index for all of them). */
class MemorySources implements TemplateSources {
  readonly #variables = new Map<string, TemplateVariable>();
  #index = 1;
  #changed = Promise.withResolvers<void>();
  /** Lookups waiting for a change right now. */
  blocked = 0;

  /** Writes the variable at `path` in namespace "default". */
  set(path: string, items: Record<string, string>): void {
    this.#index++;
    const old = this.#variables.get(path);
    this.#variables.set(path, {
      Namespace: "default",
      Path: path,
      Items: items,
      CreateIndex: old?.CreateIndex ?? this.#index,
      ModifyIndex: this.#index,
      CreateTime: 0,
      ModifyTime: 0,
    });
    this.#changed.resolve();
    this.#changed = Promise.withResolvers();
  }

  async #after(options: LookupOptions): Promise<number> {
    while (this.#index <= options.minIndex && !options.signal.aborted) {
      const aborted = new Promise<void>((r) => options.signal.addEventListener("abort", () => r()));
      this.blocked++;
      await Promise.race([this.#changed.promise, aborted]);
      this.blocked--;
    }
    return this.#index;
  }

  async variable(path: string, options: LookupOptions) {
    const index = await this.#after(options);
    return { variable: this.#variables.get(path) ?? null, index };
  }
  async variables(prefix: string, options: LookupOptions) {
    const index = await this.#after(options);
    const variables = [...this.#variables.values()].filter((v) => v.Path.startsWith(prefix));
    return { variables, index };
  }
  async service(_name: string, options: LookupOptions) {
    return { services: [] as TemplateService[], index: await this.#after(options) };
  }
  async services(options: LookupOptions) {
    return { services: [] as TemplateServiceSummary[], index: await this.#after(options) };
  }
}

async function withFixture(body: (fixture: RunnerFixture) => Promise<void>): Promise<void> {
  const fixture = await runnerFixture();
  try {
    await body(fixture);
  } finally {
    await fixture.cleanup();
  }
}

function runnerOf(fixture: RunnerFixture, alloc: Allocation, sources: TemplateSources) {
  return new AllocRunner({
    alloc,
    node: fixture.node,
    drivers: new Map([[fixture.driver.name, fixture.driver]]),
    allocRoot: fixture.allocRoot,
    stateDb: fixture.stateDb,
    nowNs: () => Date.now() * 1e6,
    rng: seededRng(1),
    logger: nullLogger,
    hostEnv: () => ({ PATH: "/usr/bin:/bin" }),
    onUpdate: () => {},
    templateSources: sources,
  });
}

/** A template block with Nomad's defaults, `extra` replacing fields. */
function template(destination: string, data: string, extra: JsonObject = {}): JsonObject {
  return {
    SourcePath: "",
    DestPath: destination,
    EmbeddedTmpl: data,
    ChangeMode: "restart",
    ChangeSignal: "",
    Splay: 0,
    Perms: "0644",
    LeftDelim: "{{",
    RightDelim: "}}",
    Envvars: false,
    Once: false,
    ErrMissingKey: false,
    ...extra,
  };
}

/** Polls `check` every 20ms (bounded by the caller's {@linkcode within}). */
async function waitUntil(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!await check()) await new Promise((r) => setTimeout(r, 20));
}

const readOr = (path: string) => Deno.readTextFile(path).catch(() => "");
const GREETING = '{{ with nomadVar "nomad/jobs/web" }}{{ .greeting }}{{ end }}';

function events(runner: AllocRunner, task = "web"): TaskEvent[] {
  return runner.taskStates()[task]?.Events ?? [];
}

Deno.test({
  name: "templates render before the start; an env = true file joins the task environment",
  ...test,
  fn: () =>
    withFixture(async (fixture) => {
      const sources = new MemorySources();
      sources.set("nomad/jobs/web", { greeting: "hello" });
      const alloc = allocationOf(fixture, {
        tasks: [shellTask(
          "web",
          'cat "$NOMAD_TASK_DIR/app.conf" > "$NOMAD_ALLOC_DIR/data/out"; echo "env=$GREETING" >> "$NOMAD_ALLOC_DIR/data/out"',
          {
            Templates: [
              template(
                "local/app.conf",
                `greeting=${GREETING}\nalloc={{ env "NOMAD_ALLOC_ID" }}\n{{ range $i, $e := split "," "a,b" }}{{ $i }}={{ $e }};{{ end }}\n`,
                { Perms: "0600" },
              ),
              template("local/web.env", `GREETING=${GREETING}\n`, { Envvars: true }),
            ],
          },
        )],
      });
      const runner = runnerOf(fixture, alloc, sources);
      await within("the allocation to finish", runner.run());
      const out = await Deno.readTextFile(`${runner.dir.shared}/data/out`);
      assert.equal(out, `greeting=hello\nalloc=${alloc.ID}\n0=a;1=b;\nenv=hello\n`);
      const { local } = taskDirPaths(runner.dir, "web");
      assert.equal((await Deno.stat(`${local}/app.conf`)).mode! & 0o777, 0o600);
      assert.equal(runner.taskStates()["web"]!.Failed, false);
    }),
});

Deno.test({
  name: "a missing variable holds the start with a Missing event until it is written",
  ...test,
  fn: () =>
    withFixture(async (fixture) => {
      const sources = new MemorySources();
      const alloc = allocationOf(fixture, {
        tasks: [shellTask("web", 'cat "$NOMAD_TASK_DIR/app.conf" > "$NOMAD_ALLOC_DIR/data/out"', {
          Templates: [template("local/app.conf", GREETING)],
        })],
      });
      const runner = runnerOf(fixture, alloc, sources);
      const done = runner.run();
      const missing = () => events(runner).find((e) => e.Type === "Template");
      await within("the Missing event", waitUntil(() => missing() !== undefined));
      assert.equal(
        missing()!.DisplayMessage,
        "Missing: nomad.var.block(nomad/jobs/web@default.global)",
      );
      assert.equal(fixture.driver.started.length, 0, "the task waits for its data");
      sources.set("nomad/jobs/web", { greeting: "late" });
      await within("the allocation to finish", done);
      assert.equal(await Deno.readTextFile(`${runner.dir.shared}/data/out`), "late");
    }),
});

Deno.test({
  name: "a stop during the wait for a missing variable ends the task without starting it",
  ...test,
  fn: () =>
    withFixture(async (fixture) => {
      const alloc = allocationOf(fixture, {
        type: "service",
        tasks: [shellTask("web", "sleep 300", {
          Templates: [template("local/app.conf", GREETING)],
        })],
      });
      const sources = new MemorySources();
      const runner = runnerOf(fixture, alloc, sources);
      const done = runner.run();
      await within("the lookup to block", waitUntil(() => sources.blocked === 1));
      await within("the stop", runner.stop());
      await within("the allocation to finish", done);
      assert.equal(runner.taskStates()["web"]!.State, "dead");
      assert.equal(fixture.driver.started.length, 0);
      await within("the lookup to end", waitUntil(() => sources.blocked === 0));
    }),
});

/** A service task that appends its rendered file to data/log at each start. */
function serviceOf(fixture: RunnerFixture, script: string, extra: JsonObject): Allocation {
  return allocationOf(fixture, {
    type: "service",
    tasks: [shellTask("web", script, {
      Templates: [template("local/app.conf", `${GREETING}\n`, extra)],
    })],
  });
}

const APPEND = 'cat "$NOMAD_TASK_DIR/app.conf" >> "$NOMAD_ALLOC_DIR/data/log"';

Deno.test({
  name: "a variable change with change_mode restart re-renders and restarts the task",
  ...test,
  fn: () =>
    withFixture(async (fixture) => {
      const sources = new MemorySources();
      sources.set("nomad/jobs/web", { greeting: "hello" });
      const alloc = serviceOf(fixture, `${APPEND}; sleep 300`, { Splay: 50e6 });
      const runner = runnerOf(fixture, alloc, sources);
      const done = runner.run();
      const log = `${runner.dir.shared}/data/log`;
      await within("the first start", waitUntil(async () => await readOr(log) === "hello\n"));
      sources.set("nomad/jobs/web", { greeting: "bye" });
      await within("the restart", waitUntil(async () => await readOr(log) === "hello\nbye\n"));
      const signaled = events(runner).find((e) => e.Type === "Restart Signaled");
      assert.equal(signaled?.DisplayMessage, "Template with change_mode restart re-rendered");
      // The restarted process may write before its start is recorded: wait for the record.
      await within(
        "the second start recorded",
        waitUntil(() => fixture.driver.started.length === 2),
      );
      assert.equal(runner.taskStates()["web"]!.Restarts, 1);
      await within("the stop", runner.stop());
      await done;
    }),
});

Deno.test({
  name: "a variable change with change_mode signal signals the running task instead",
  ...test,
  fn: () =>
    withFixture(async (fixture) => {
      const sources = new MemorySources();
      sources.set("nomad/jobs/web", { greeting: "hello" });
      const script = `trap '${APPEND}' HUP; ${APPEND}; while true; do sleep 0.1; done`;
      const alloc = serviceOf(fixture, script, { ChangeMode: "signal", ChangeSignal: "sighup" });
      const runner = runnerOf(fixture, alloc, sources);
      const done = runner.run();
      const log = `${runner.dir.shared}/data/log`;
      await within("the first start", waitUntil(async () => await readOr(log) === "hello\n"));
      sources.set("nomad/jobs/web", { greeting: "bye" });
      await within("the trap", waitUntil(async () => await readOr(log) === "hello\nbye\n"));
      const signaling = events(runner).find((e) => e.Type === "Signaling");
      assert.equal(signaling?.DisplayMessage, "Template re-rendered");
      assert.equal(signaling?.TaskSignal, "SIGHUP");
      assert.equal(runner.taskStates()["web"]!.Restarts, 0);
      assert.equal(fixture.driver.started.length, 1, "the same process got the signal");
      await within("the stop", runner.stop());
      await done;
    }),
});

Deno.test({
  name: "a variable change with change_mode noop only rewrites the file",
  ...test,
  fn: () =>
    withFixture(async (fixture) => {
      const sources = new MemorySources();
      sources.set("nomad/jobs/web", { greeting: "hello" });
      const alloc = serviceOf(fixture, `${APPEND}; sleep 300`, { ChangeMode: "noop" });
      const runner = runnerOf(fixture, alloc, sources);
      const done = runner.run();
      const file = `${taskDirPaths(runner.dir, "web").local}/app.conf`;
      await within("the start", waitUntil(() => fixture.driver.started.length === 1));
      sources.set("nomad/jobs/web", { greeting: "bye" });
      await within("the re-render", waitUntil(async () => await readOr(file) === "bye\n"));
      const types = events(runner).map((e) => e.Type);
      assert.ok(!types.includes("Restart Signaled") && !types.includes("Signaling"), `${types}`);
      assert.equal(fixture.driver.started.length, 1);
      await within("the stop", runner.stop());
      await done;
    }),
});

Deno.test({
  name: "a variable change with change_mode script runs the script in the task",
  ...test,
  fn: () =>
    withFixture(async (fixture) => {
      const sources = new MemorySources();
      sources.set("nomad/jobs/web", { greeting: "hello" });
      const alloc = serviceOf(fixture, "sleep 300", {
        ChangeMode: "script",
        ChangeScript: {
          Command: "/bin/sh",
          Args: ["-c", 'cat "$NOMAD_TASK_DIR/app.conf" > "$NOMAD_ALLOC_DIR/data/script"'],
          Timeout: 5e9,
          FailOnError: false,
        },
      });
      const runner = runnerOf(fixture, alloc, sources);
      const done = runner.run();
      await within("the start", waitUntil(() => fixture.driver.started.length === 1));
      sources.set("nomad/jobs/web", { greeting: "bye" });
      const script = `${runner.dir.shared}/data/script`;
      await within("the script", waitUntil(async () => await readOr(script) === "bye\n"));
      const message = () => events(runner).find((e) => e.Type === "Task hook message");
      await within("the script's event", waitUntil(() => message() !== undefined));
      assert.equal(
        message()!.DisplayMessage,
        'Template successfully ran script /bin/sh with arguments: [-c cat "$NOMAD_TASK_DIR/app.conf" > "$NOMAD_ALLOC_DIR/data/script"]. Exit code: 0',
      );
      assert.equal(fixture.driver.started.length, 1);
      await within("the stop", runner.stop());
      await done;
    }),
});

Deno.test({
  name: "a template that fails to render fails the task with Template failed and no start",
  ...test,
  fn: () =>
    withFixture(async (fixture) => {
      const alloc = allocationOf(fixture, {
        type: "service",
        tasks: [shellTask("web", "sleep 300", {
          Templates: [template("local/app.conf", '{{ parseInt "x" }}')],
        })],
      });
      const runner = runnerOf(fixture, alloc, new MemorySources());
      await within("the allocation to finish", runner.run());
      const state = runner.taskStates()["web"]!;
      assert.equal(state.Failed, true);
      const killing = state.Events!.find((e) => e.Type === "Killing");
      assert.equal(
        killing?.DisplayMessage,
        'Template failed: (dynamic): execute: template: :1:3: executing "" at <parseInt "x">: error calling parseInt: parseInt: strconv.ParseInt: parsing "x": invalid syntax',
      );
      assert.equal(fixture.driver.started.length, 0);
      assert.equal(state.Restarts, 0, "a render failure is not retried");
    }),
});

Deno.test({
  name: "templates whose paths leave the task directory or whose perms are bad are refused",
  ...test,
  fn: () =>
    withFixture(async (fixture) => {
      const cases: [JsonObject, string][] = [
        [
          template("../../../etc/passwd", "x"),
          "template: template destination path escapes alloc directory",
        ],
        [
          template("local/a", "", { SourcePath: "/etc/passwd" }),
          "template: template source path escapes alloc directory",
        ],
        [
          template("local/a", "x", { Perms: "0999" }),
          'template: Failed to parse "0999" as octal: strconv.ParseUint: parsing "0999": invalid syntax',
        ],
      ];
      for (const [block, want] of cases) {
        const alloc = allocationOf(fixture, {
          tasks: [shellTask("web", "true", { Templates: [block] })],
        });
        const runner = runnerOf(fixture, alloc, new MemorySources());
        await within("the allocation to finish", runner.run());
        const state = runner.taskStates()["web"]!;
        assert.equal(state.Failed, true, want);
        const failed = state.Events!.find((e) => e.Type === "Task hook failed");
        assert.equal(failed?.DisplayMessage, want);
      }
      // A destination in the shared alloc directory is allowed.
      const shared = allocationOf(fixture, {
        tasks: [shellTask("web", "true", {
          Templates: [template("../alloc/data/shared.conf", "ok")],
        })],
      });
      const runner = runnerOf(fixture, shared, new MemorySources());
      await within("the allocation to finish", runner.run());
      assert.equal(await Deno.readTextFile(`${runner.dir.shared}/data/shared.conf`), "ok");
      assert.equal(fixture.driver.started.length, 1);
    }),
});

Deno.test("a Missing event names three dependencies, then how many more", () => {
  assert.equal(missingMessage(["b", "a"]), "Missing: a, b");
  assert.equal(missingMessage(["e", "d", "c", "b", "a"]), "Missing: a, b, c, and 2 more");
});

Deno.test("change modes combine as Nomad's: restart wins, signals are deduplicated", () => {
  const spec = (extra: JsonObject) => template("local/a", "", extra) as never;
  const actions = changeActions([
    spec({ ChangeMode: "signal", ChangeSignal: "SIGHUP", Splay: 5 }),
    spec({ ChangeMode: "signal", ChangeSignal: "sighup", Splay: 9 }),
    spec({ ChangeMode: "noop", Splay: 100 }),
  ]);
  assert.deepEqual(actions, { restart: false, signals: ["SIGHUP"], scripts: [], splayNs: 9 });
  assert.equal(changeActions([spec({ ChangeMode: "restart" })]).restart, true);
});
