import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { HclSyntaxError } from "./errors.ts";
import { tokenize } from "./lexer.ts";

const types = (src: string) => tokenize(src, "t.hcl").map((t) => t.type);

Deno.test("lexer splits an attribute with a quoted string into tokens", () => {
  deepStrictEqual(types('a = "x"'), ["Ident", "Equal", "OQuote", "QuotedLit", "CQuote", "EOF"]);
});

Deno.test("lexer records 1-based line and column and 0-based offset", () => {
  const tokens = tokenize('job "a" {\n  count = 3\n}\n', "t.hcl");
  const count = tokens.find((t) => t.text === "count")!;
  deepStrictEqual(count.range.start, { line: 2, column: 3, offset: 12 });
  deepStrictEqual(count.range.end, { line: 2, column: 8, offset: 17 });
  const three = tokens.find((t) => t.text === "3")!;
  strictEqual(three.type, "Number");
  strictEqual(three.range.start.column, 11);
});

Deno.test("lexer skips all three comment styles but keeps the newline", () => {
  deepStrictEqual(types("a = 1 # c\nb = 2 // c\n/* multi\nline */c = 3"), [
    "Ident",
    "Equal",
    "Number",
    "Newline",
    "Ident",
    "Equal",
    "Number",
    "Newline",
    "Ident",
    "Equal",
    "Number",
    "EOF",
  ]);
});

Deno.test("lexer allows dashes inside identifiers", () => {
  const tokens = tokenize("my-key = a - b", "t.hcl");
  deepStrictEqual(tokens.map((t) => t.text), ["my-key", "=", "a", "-", "b", ""]);
});

Deno.test("lexer scans numbers with fractions and exponents", () => {
  const numbers = tokenize("[1, 2.5, 3e2, 4.5E-1]", "t.hcl").filter((t) => t.type === "Number");
  deepStrictEqual(numbers.map((t) => t.text), ["1", "2.5", "3e2", "4.5E-1"]);
});

Deno.test("lexer nests interpolations and strings inside templates", () => {
  deepStrictEqual(types('"a${f("b")}c"'), [
    "OQuote",
    "QuotedLit",
    "TemplateInterp",
    "Ident",
    "OParen",
    "OQuote",
    "QuotedLit",
    "CQuote",
    "CParen",
    "TemplateSeqEnd",
    "QuotedLit",
    "CQuote",
    "EOF",
  ]);
});

Deno.test("lexer keeps $${ and %%{ escapes inside literal text", () => {
  const tokens = tokenize('"$${x} %%{y}"', "t.hcl");
  deepStrictEqual(tokens.map((t) => t.type), ["OQuote", "QuotedLit", "CQuote", "EOF"]);
  strictEqual(tokens[1]!.text, "$${x} %%{y}");
});

Deno.test("lexer scans heredocs line by line up to the marker", () => {
  const tokens = tokenize("x = <<EOF\nhello ${name}\nEOF\n", "t.hcl");
  deepStrictEqual(tokens.map((t) => t.type), [
    "Ident",
    "Equal",
    "OHeredoc",
    "StringLit",
    "TemplateInterp",
    "Ident",
    "TemplateSeqEnd",
    "StringLit",
    "CHeredoc",
    "Newline",
    "EOF",
  ]);
});

Deno.test("lexer accepts an indented closing marker", () => {
  const tokens = tokenize("x = <<-EOT\n  a\n  EOT\n", "t.hcl");
  strictEqual(tokens.find((t) => t.type === "CHeredoc")!.text, "  EOT");
});

Deno.test("lexer reports an unterminated string at its opening quote", () => {
  throws(() => tokenize('a = "abc\nb = 1', "t.hcl"), (e: unknown) => {
    return e instanceof HclSyntaxError &&
      e.message.startsWith("t.hcl:1:5: Unterminated template string");
  });
});

Deno.test("lexer reports an unterminated heredoc", () => {
  throws(
    () => tokenize("a = <<EOF\nabc\n", "t.hcl"),
    /t\.hcl:1:5: Unterminated template string; No closing marker "EOF"/,
  );
});

Deno.test("lexer reports an invalid character with its position", () => {
  throws(() => tokenize("a = 1\nb = `x`", "t.hcl"), /t\.hcl:2:5: Invalid character/);
});

Deno.test("lexer reports an unterminated block comment", () => {
  throws(() => tokenize("a = 1 /* never closed", "t.hcl"), /t\.hcl:1:7: Unterminated comment/);
});

Deno.test("lexer reports an unclosed interpolation", () => {
  throws(() => tokenize('a = "${b', "t.hcl"), /Unterminated/);
});
