import assert from "node:assert/strict";
import { formatRfc3339Nano, parseRfc3339Ns } from "./time_format.ts";
import { TEST_NOW_NS } from "./testing.ts";

Deno.test("formats Unix nanoseconds as RFC 3339 in UTC", () => {
  assert.equal(formatRfc3339Nano(0), "1970-01-01T00:00:00Z");
  assert.equal(formatRfc3339Nano(1_500_000_000), "1970-01-01T00:00:01.5Z");
  assert.equal(formatRfc3339Nano(TEST_NOW_NS), "2024-01-01T00:00:00Z");
  assert.equal(formatRfc3339Nano(951_782_400_000_000_000), "2000-02-29T00:00:00Z");
});

Deno.test("parses RFC 3339 with fractions and offsets", () => {
  assert.equal(parseRfc3339Ns("1970-01-01T00:00:02Z"), 2_000_000_000);
  assert.equal(parseRfc3339Ns("1970-01-01T01:00:00.25+01:00"), 250_000_000);
  assert.equal(parseRfc3339Ns("2024-01-01T00:00:00Z"), TEST_NOW_NS);
  assert.equal(parseRfc3339Ns("yesterday"), undefined);
});

Deno.test("formatting then parsing returns the same second", () => {
  const ns = TEST_NOW_NS + 123 * 1_000_000_000;
  assert.equal(parseRfc3339Ns(formatRfc3339Nano(ns)), ns);
});
