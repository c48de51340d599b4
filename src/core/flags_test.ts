import assert from "node:assert/strict";
import { FlagSet, parseGoBool, parseGoInt } from "./flags.ts";

function quietSet(name = "test") {
  const messages: string[] = [];
  let usageCalls = 0;
  const flags = new FlagSet(name, {
    output: (m) => messages.push(m),
    usage: () => usageCalls++,
  });
  return { flags, messages, usage: () => usageCalls };
}

Deno.test("flags: single and double dash, = and separate values", () => {
  const { flags } = quietSet();
  const a = flags.string("address");
  const r = flags.string("region");
  const n = flags.int("n", -1);
  const result = flags.parse(["--address=http://x:4646", "-region", "eu", "-n", "5", "job"]);
  assert.deepEqual(result, { ok: true, args: ["job"] });
  assert.equal(a.value, "http://x:4646");
  assert.equal(r.value, "eu");
  assert.equal(n.value, 5);
  assert.ok(flags.isSet("region"));
});

Deno.test("flags: parsing stops at the first positional argument (Go semantics)", () => {
  const { flags } = quietSet();
  const detach = flags.bool("detach");
  const result = flags.parse(["-detach", "file.hcl", "-verbose"]);
  assert.deepEqual(result, { ok: true, args: ["file.hcl", "-verbose"] });
  assert.equal(detach.value, true);
});

Deno.test("flags: -- ends flags and is consumed; a lone - is positional", () => {
  const { flags } = quietSet();
  flags.bool("x");
  assert.deepEqual(flags.parse(["-x", "--", "-y"]), { ok: true, args: ["-y"] });
  assert.deepEqual(flags.parse(["-", "-x"]), { ok: true, args: ["-", "-x"] });
});

Deno.test("flags: booleans take values only with = and accept Go's spellings", () => {
  const { flags } = quietSet();
  const purge = flags.bool("purge", true);
  assert.deepEqual(flags.parse(["-purge=false", "job"]), { ok: true, args: ["job"] });
  assert.equal(purge.value, false);
  assert.deepEqual(flags.parse(["-purge", "false"]), { ok: true, args: ["false"] });
  assert.equal(purge.value, true);
  for (const t of ["1", "t", "T", "TRUE", "true", "True"]) {
    assert.deepEqual(parseGoBool(t), { value: true });
  }
  for (const f of ["0", "f", "F", "FALSE", "false", "False"]) {
    assert.deepEqual(parseGoBool(f), { value: false });
  }
});

Deno.test("flags: invalid boolean value is Go's error", () => {
  const { flags, messages, usage } = quietSet();
  flags.bool("detach");
  const result = flags.parse(["-detach=maybe"]);
  assert.equal(result.ok, false);
  assert.deepEqual(messages, ['invalid boolean value "maybe" for -detach: parse error']);
  assert.equal(usage(), 1);
});

Deno.test("flags: unknown flag prints Go's message then usage", () => {
  const { flags, messages, usage } = quietSet();
  flags.bool("verbose");
  const result = flags.parse(["-x", "job"]);
  assert.equal(result.ok, false);
  if (!result.ok) assert.equal(result.error.kind, "undefined");
  assert.deepEqual(messages, ["flag provided but not defined: -x"]);
  assert.equal(usage(), 1);
});

Deno.test("flags: -h and -help request help without an error message", () => {
  for (const arg of ["-h", "--help", "-help"]) {
    const { flags, messages, usage } = quietSet();
    const result = flags.parse([arg]);
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.error.kind, "help");
    assert.deepEqual(messages, []);
    assert.equal(usage(), 1);
  }
});

Deno.test("flags: a non-bool flag at the end needs an argument", () => {
  const { flags, messages } = quietSet();
  flags.string("address");
  assert.equal(flags.parse(["-address"]).ok, false);
  assert.deepEqual(messages, ["flag needs an argument: -address"]);
});

Deno.test("flags: a non-bool flag takes the next argument even if it starts with -", () => {
  const { flags } = quietSet();
  const v = flags.string("var");
  assert.deepEqual(flags.parse(["-var", "-x", "a"]), { ok: true, args: ["a"] });
  assert.equal(v.value, "-x");
});

Deno.test("flags: bad syntax ---x and -=x", () => {
  for (const arg of ["---x", "-=x"]) {
    const { flags, messages } = quietSet();
    assert.equal(flags.parse([arg]).ok, false);
    assert.deepEqual(messages, [`bad flag syntax: ${arg}`]);
  }
});

Deno.test("flags: repeated list flags accumulate in order", () => {
  const { flags } = quietSet();
  const vars = flags.stringList("var");
  const files = flags.stringList("var-file");
  flags.parse(["-var", "a=1", "-var=b=2", "-var-file", "x.hcl", "job.hcl"]);
  assert.deepEqual(vars.value, ["a=1", "b=2"]);
  assert.deepEqual(files.value, ["x.hcl"]);
});

Deno.test("flags: repeated scalar flags keep the last value", () => {
  const { flags } = quietSet();
  const a = flags.string("address", "default");
  flags.parse(["-address=one", "-address=two"]);
  assert.equal(a.value, "two");
});

Deno.test("flags: ints use Go syntax and report parse/range errors", () => {
  assert.deepEqual(parseGoInt("42"), { value: 42 });
  assert.deepEqual(parseGoInt("-7"), { value: -7 });
  assert.deepEqual(parseGoInt("0x1f"), { value: 31 });
  assert.deepEqual(parseGoInt("0o17"), { value: 15 });
  assert.deepEqual(parseGoInt("017"), { value: 15 });
  assert.deepEqual(parseGoInt("0b101"), { value: 5 });
  assert.deepEqual(parseGoInt("1_000"), { value: 1000 });
  assert.deepEqual(parseGoInt("12abc"), { error: "parse error" });
  assert.deepEqual(parseGoInt("1__0"), { error: "parse error" });
  assert.deepEqual(parseGoInt("99999999999999999999"), { error: "value out of range" });
  const { flags, messages } = quietSet();
  flags.int("n");
  assert.equal(flags.parse(["-n", "ten"]).ok, false);
  assert.deepEqual(messages, ['invalid value "ten" for flag -n: parse error']);
});

Deno.test("flags: durations parse to nanoseconds", () => {
  const { flags, messages } = quietSet();
  const d = flags.duration("deadline", 3_600_000_000_000);
  flags.parse(["-deadline=1m30s"]);
  assert.equal(d.value, 90_000_000_000);
  assert.equal(flags.parse(["-deadline", "soon"]).ok, false);
  assert.deepEqual(messages, ['invalid value "soon" for flag -deadline: parse error']);
});

Deno.test("flags: func flags receive each value and may reject it", () => {
  const { flags, messages } = quietSet();
  const seen: string[] = [];
  flags.func("meta", "key=value", (v) => v.includes("=") ? void seen.push(v) : "missing =");
  assert.equal(flags.parse(["-meta", "a=b", "-meta", "c"]).ok, false);
  assert.deepEqual(seen, ["a=b"]);
  assert.deepEqual(messages, ['invalid value "c" for flag -meta: missing =']);
});

Deno.test("flags: redefinition throws like Go's panic", () => {
  const { flags } = quietSet();
  flags.bool("x");
  assert.throws(() => flags.string("x"), /flag redefined: x/);
});

Deno.test("flags: defaults are printed in Go's PrintDefaults layout", () => {
  const { flags } = quietSet();
  flags.bool("dev", false, "Start in dev mode.");
  flags.string("bind", "0.0.0.0", "Address to bind.");
  flags.int("n", 0, "Count.");
  flags.stringList("config", "Config file.");
  assert.equal(
    flags.defaults(),
    '  -bind string\n    \tAddress to bind. (default "0.0.0.0")\n' +
      "  -config value\n    \tConfig file.\n" +
      "  -dev\n    \tStart in dev mode.\n" +
      "  -n int\n    \tCount.\n",
  );
});
