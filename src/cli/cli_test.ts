import assert from "node:assert/strict";
import { type Command, runCli } from "./cli.ts";
import { runNomad } from "./testing.ts";

Deno.test("nomad with no arguments prints the usage with common commands and exits 127", async () => {
  const { code, stdout, stderr } = await runNomad([]);
  assert.equal(code, 127);
  assert.equal(stderr, "");
  const lines = stdout.split("\n");
  assert.equal(
    lines[0],
    "Usage: nomad [-version] [-help] [-autocomplete-(un)install] <command> [args]",
  );
  assert.equal(lines[2], "Common commands:");
  assert.equal(lines[3], "    run         Run a new job or update an existing job");
  assert.equal(lines[9], "    agent       Runs a Nomad agent");
  assert.match(stdout, /\nOther commands:\n( {4}\S+ +\S.*\n)+/);
  assert.match(stdout, /\n {4}fmt +Rewrites Nomad config and job files to canonical format\n/);
  assert.match(stdout, /\n {4}server +Interact with servers\n/);
  assert.ok(!stdout.includes("executor"), "hidden commands are not listed");
  assert.ok(!stdout.includes("    logs"), "aliases are not listed");
});

Deno.test("nomad -h prints the usage and exits 0", async () => {
  for (const flag of ["-h", "-help", "--help"]) {
    const { code, stdout } = await runNomad([flag]);
    assert.equal(code, 0);
    assert.ok(stdout.startsWith("Usage: nomad [-version]"));
  }
});

Deno.test("an unknown command prints the usage and exits 127", async () => {
  const { code, stdout } = await runNomad(["frobnicate"]);
  assert.equal(code, 127);
  assert.ok(stdout.startsWith("Usage: nomad"));
});

Deno.test("nomad version and -v print 'Nomad v<version>'", async () => {
  for (const args of [["version"], ["-v"], ["--version"]]) {
    const { code, stdout } = await runNomad(args);
    assert.equal(code, 0);
    const [first, second] = (stdout.split("\n")[0] ?? "").split(" ");
    assert.equal(first, "Nomad");
    assert.match(second ?? "", /^v\d+\.\d+\.\d+/);
  }
});

Deno.test("a parent command alone prints its help with subcommands and exits 1", async () => {
  const { code, stdout } = await runNomad(["job"]);
  assert.equal(code, 1);
  assert.ok(stdout.startsWith("Usage: nomad job <subcommand> [options] [args]"));
  assert.ok(stdout.endsWith(
    "Subcommands:\n" +
      "    dispatch    Dispatch an instance of a parameterized job\n" +
      "    history     Display all tracked versions of a job\n" +
      "    init        Create an example job file\n" +
      "    periodic    Interact with periodic jobs\n" +
      "    plan        Dry-run a job update to determine its effects\n" +
      "    revert      Revert to a prior version of the job\n" +
      "    run         Run a new job or update an existing job\n" +
      "    scale       Change the count of a Nomad job group\n" +
      "    status      Display status information about a job\n" +
      "    stop        Stop a running job\n" +
      "    validate    Checks if a given job specification is valid\n",
  ));
});

Deno.test("an unknown subcommand falls back to the parent's help (exit 1)", async () => {
  const { code, stdout } = await runNomad(["job", "frobnicate"]);
  assert.equal(code, 1);
  assert.ok(stdout.startsWith("Usage: nomad job <subcommand>"));
});

Deno.test("<cmd> -h prints the command's help and exits 0, wherever -h appears", async () => {
  for (
    const args of [["job", "status", "-h"], ["job", "status", "example", "--help"], [
      "status",
      "-help",
    ]]
  ) {
    const { code, stdout } = await runNomad(args);
    assert.equal(code, 0, args.join(" "));
    assert.ok(stdout.startsWith("Usage: nomad"), args.join(" "));
  }
  const { stdout } = await runNomad(["job", "run", "-h"]);
  assert.ok(stdout.startsWith("Usage: nomad job run [options] <path>\nAlias: nomad run"));
  assert.ok(stdout.includes("  -address=<addr>\n    The address of the Nomad server."));
});

Deno.test("an undefined flag prints Go's error on stderr, the help on stdout, exit 1", async () => {
  const { code, stdout, stderr } = await runNomad(["job", "status", "-x"]);
  assert.equal(code, 1);
  assert.equal(stderr, "flag provided but not defined: -x\n");
  assert.ok(stdout.startsWith("Usage: nomad job status [options] <job>"));
});

Deno.test("flags before the subcommand are rejected like mitchellh/cli", async () => {
  const { code, stdout } = await runNomad(["-address=http://x", "status"]);
  assert.equal(code, 1);
  assert.ok(
    stdout.startsWith(
      "Invalid flags before the subcommand. If these flags are for\nthe subcommand",
    ),
  );
});

Deno.test("aliases run the same command: 'nomad run' without a path", async () => {
  const { code, stderr } = await runNomad(["run"]);
  assert.equal(code, 1);
  assert.equal(
    stderr,
    "This command takes one argument: <path>\nFor additional help try 'nomad run -help'\n",
  );
});

Deno.test("commands that own -h receive it with all other arguments", async () => {
  const received: string[][] = [];
  const agentLike: Command = {
    name: "agent",
    synopsis: "Runs a Nomad agent",
    ownsHelpFlag: true,
    help: () => "Usage: nomad agent [options]",
    run: (args) => {
      received.push(args);
      return Promise.resolve(3);
    },
  };
  let out = "";
  const io = {
    stdout: { write: (c: string | Uint8Array) => void (out += String(c)) },
    stderr: { write: () => {} },
    env: {},
    readStdin: () => Promise.resolve(""),
    readLine: () => Promise.resolve(null),
    interruptSignal: () => new AbortController().signal,
    now: () => 0,
  };
  const options = { versionText: "Nomad v0.0.0", commonCommands: ["agent"], aliases: [] };
  const code = await runCli([agentLike], ["agent", "-dev", "-h", "-config", "x.hcl"], io, options);
  assert.equal(code, 3);
  assert.deepEqual(received, [["-dev", "-h", "-config", "x.hcl"]]);
  assert.equal(out, "");
});
