import assert from "node:assert/strict";
import { HclSyntaxError } from "./errors.ts";
import { formatHcl } from "./fmt.ts";
import { tokenize } from "./lexer.ts";
import { parse } from "./parser.ts";

const FIXTURES = new URL("../../tests/fixtures/", import.meta.url).pathname;
const GOLDENS = `${FIXTURES}fmt/`;

/** Inputs of the golden tests: `<name>.hcl` beside `<name>.golden.hcl`. */
function goldenNames(): string[] {
  return [...Deno.readDirSync(GOLDENS)]
    .map((entry) => entry.name)
    .filter((name) => name.endsWith(".hcl") && !/\.(golden|bad)\.hcl$/.test(name))
    .map((name) => name.slice(0, -".hcl".length))
    .sort();
}

/** Every HCL file under tests/fixtures (other suites keep adding job files there). */
function corpusFiles(dir = FIXTURES): string[] {
  const out: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const path = `${dir}${entry.name}`;
    if (entry.isDirectory) out.push(...corpusFiles(`${path}/`));
    else if (entry.isFile && /\.(hcl|nomad)$/.test(entry.name)) out.push(path);
  }
  return out.sort();
}

/** The corpus files that parse, with their text. */
function parsingCorpus(): { path: string; source: string }[] {
  const out: { path: string; source: string }[] = [];
  for (const path of corpusFiles()) {
    const source = Deno.readTextFileSync(path);
    try {
      parse(source, path);
    } catch (error) {
      if (error instanceof HclSyntaxError) continue;
      throw error;
    }
    out.push({ path, source });
  }
  return out;
}

/**
 * Comment texts of a file, found independently of the formatter: the lexer
 * skips comments, so they are whatever non-blank text lies between tokens.
 */
function commentsOf(source: string): string[] {
  const out: string[] = [];
  let offset = 0;
  for (const token of tokenize(source, "comments.hcl")) {
    const gap = source.slice(offset, token.range.start.offset);
    for (const match of gap.matchAll(/\/\*[\s\S]*?\*\/|(?:#|\/\/)[^\r\n]*/g)) {
      out.push(match[0]);
    }
    offset = token.range.end.offset;
  }
  return out;
}

Deno.test("formatHcl reproduces every golden byte for byte", () => {
  const names = goldenNames();
  assert.ok(names.length >= 20, `expected at least 20 goldens, found ${names.length}`);
  const mismatches: string[] = [];
  for (const name of names) {
    const input = Deno.readTextFileSync(`${GOLDENS}${name}.hcl`);
    const golden = Deno.readTextFileSync(`${GOLDENS}${name}.golden.hcl`);
    if (formatHcl(input, `${name}.hcl`) !== golden) mismatches.push(name);
  }
  assert.deepEqual(mismatches, []);
});

Deno.test("formatHcl leaves every golden unchanged", () => {
  for (const name of goldenNames()) {
    const golden = Deno.readTextFileSync(`${GOLDENS}${name}.golden.hcl`);
    assert.equal(formatHcl(golden, `${name}.golden.hcl`), golden, name);
  }
});

Deno.test("formatHcl is idempotent and keeps every comment on the fixture corpus", () => {
  const corpus = parsingCorpus();
  assert.ok(corpus.length > 20, `expected a corpus, found ${corpus.length} files`);
  for (const { path, source } of corpus) {
    const once = formatHcl(source, path);
    assert.equal(formatHcl(once, path), once, `${path} is not a fixed point`);
    const kept = commentsOf(once);
    for (const comment of commentsOf(source)) {
      assert.ok(kept.includes(comment), `${path} lost the comment ${JSON.stringify(comment)}`);
    }
    assert.deepEqual(kept, commentsOf(source), `${path} reordered its comments`);
  }
});

Deno.test("formatHcl throws the parser's positioned error for invalid input", () => {
  const source = Deno.readTextFileSync(`${GOLDENS}syntax_error.bad.hcl`);
  assert.throws(
    () => formatHcl(source, "syntax_error.bad.hcl"),
    (error: unknown) => {
      assert.ok(error instanceof HclSyntaxError);
      assert.equal(error.filename, "syntax_error.bad.hcl");
      assert.equal(error.line, 2);
      assert.equal(error.column, 7);
      assert.match(error.message, /^syntax_error\.bad\.hcl:2:7: /);
      return true;
    },
  );
  assert.throws(() => formatHcl("a = /* open", "open.hcl"), /^HclSyntaxError: open.hcl:1:5: /);
});

Deno.test("formatHcl aligns the = of consecutive one-line attributes only", () => {
  assert.equal(
    formatHcl("a=1\nlong_name = 2\n\nb = {\nc=3\n}\n", "t.hcl"),
    "a         = 1\nlong_name = 2\n\nb = {\n  c = 3\n}\n",
  );
});

Deno.test("formatHcl aligns consecutive trailing line comments", () => {
  assert.equal(
    formatHcl('a = 1 # one\nbbb = "two" // two\n', "t.hcl"),
    'a   = 1     # one\nbbb = "two" // two\n',
  );
});

Deno.test("formatHcl leaves heredoc text alone but spaces its interpolations", () => {
  const source = "x {\ny = <<EOT\n  keep   this\n\tand ${ a+1 }\nEOT\n}\n";
  assert.equal(
    formatHcl(source, "t.hcl"),
    "x {\n  y = <<EOT\n  keep   this\n\tand ${a + 1}\nEOT\n}\n",
  );
});

Deno.test("formatHcl keeps blank lines, CRLF line ends and a missing final newline", () => {
  assert.equal(formatHcl("a=1\n\n\nb=2", "t.hcl"), "a = 1\n\n\nb = 2");
  assert.equal(formatHcl("a {\r\nb=1\r\n}\r\n", "t.hcl"), "a {\r\n  b = 1\r\n}\r\n");
});

Deno.test("formatHcl tells negation from subtraction by the token before the minus", () => {
  assert.equal(
    formatHcl("x = [a-1, b - -1, -c, f(-1)]\n", "t.hcl"),
    "x = [a-1, b - -1, -c, f(-1)]\n",
  );
  assert.equal(formatHcl("x = 1-1\n", "t.hcl"), "x = 1 - 1\n");
});
