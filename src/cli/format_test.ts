import assert from "node:assert/strict";
import {
  columnize,
  formatKV,
  formatList,
  formatListWithSpaces,
  formatTime,
  formatUnixNanoTime,
  humanizeIBytes,
  limit,
  parseApiTime,
  prettyTimeDiff,
  quote,
} from "./format.ts";

Deno.test("columnize pads every column but the last with two spaces", () => {
  const out = columnize([
    "ID|Type|Priority|Status",
    "example|service|50|running",
    "a|batch|100|dead",
  ]);
  assert.equal(
    out,
    "ID       Type     Priority  Status\n" +
      "example  service  50        running\n" +
      "a        batch    100       dead",
  );
});

Deno.test("columnize trims cells and handles rows with fewer columns", () => {
  assert.equal(columnize([" a | b ", "ccc"]), "a    b\nccc");
});

Deno.test("formatList replaces empty cells with <none>; formatListWithSpaces keeps them blank", () => {
  assert.equal(formatList(["ID|Class", "abc|"]), "ID   Class\nabc  <none>");
  assert.equal(
    formatListWithSpaces(["CPU|Memory|Addresses", "500 MHz|256 MiB|"]),
    "CPU      Memory   Addresses\n500 MHz  256 MiB  ",
  );
});

Deno.test("formatKV aligns keys with ' = '", () => {
  assert.equal(
    formatKV(["ID|example", "Parameterized|false", "Submit Date|"]),
    "ID            = example\nParameterized = false\nSubmit Date   = <none>",
  );
});

Deno.test("formatTime prints RFC 3339 seconds with zone, blank at the epoch", () => {
  const ms = Date.UTC(2023, 0, 4, 15, 10, 12);
  assert.equal(formatTime(ms, 0), "2023-01-04T15:10:12Z");
  assert.equal(formatTime(ms, 540), "2023-01-05T00:10:12+09:00");
  assert.equal(formatTime(ms, -300), "2023-01-04T10:10:12-05:00");
  assert.equal(formatTime(0, 0), "");
  assert.equal(formatUnixNanoTime(ms * 1e6, 0), "2023-01-04T15:10:12Z");
});

Deno.test("parseApiTime treats Go's zero time as unset", () => {
  assert.equal(parseApiTime("0001-01-01T00:00:00Z"), 0);
  assert.equal(parseApiTime(null), 0);
  assert.equal(parseApiTime("2024-01-08T11:42:25Z"), Date.UTC(2024, 0, 8, 11, 42, 25));
});

Deno.test("prettyTimeDiff keeps the two largest units", () => {
  const now = Date.UTC(2024, 0, 8, 12, 0, 0);
  const ago = (s: number) => prettyTimeDiff(now - s * 1000, now);
  assert.equal(ago(5), "5s ago");
  assert.equal(ago(63), "1m3s ago");
  assert.equal(ago(60), "1m ago");
  assert.equal(ago(3600 + 13 * 60 + 7), "1h13m ago");
  assert.equal(ago(3600 + 5), "1h5s ago");
  assert.equal(ago(2 * 86400 + 3 * 3600), "2d3h ago");
  assert.equal(ago(40 * 86400), "1mo10d ago");
  assert.equal(ago(400 * 86400), "1y1mo ago");
  assert.equal(ago(0), "0s ago");
  assert.equal(prettyTimeDiff(now + 120_000, now), "2m from now");
  assert.equal(prettyTimeDiff(0, now), "");
});

Deno.test("humanizeIBytes matches go-humanize", () => {
  assert.equal(humanizeIBytes(0), "0 B");
  assert.equal(humanizeIBytes(512), "512 B");
  assert.equal(humanizeIBytes(256 * 1024 * 1024), "256 MiB");
  assert.equal(humanizeIBytes(1.9 * 1024 * 1024), "1.9 MiB");
  assert.equal(humanizeIBytes(1024 * 1024 * 1024), "1.0 GiB");
});

Deno.test("quote and limit behave like Go's %q and Nomad's limit", () => {
  assert.equal(quote('a"b\\c\n'), '"a\\"b\\\\c\\n"');
  assert.equal(quote("\x01"), '"\\x01"');
  assert.equal(limit("8ba85cef-1111", 8), "8ba85cef");
  assert.equal(limit("abc", 8), "abc");
});
