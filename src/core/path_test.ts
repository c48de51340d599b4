import { strictEqual } from "node:assert";
import * as node from "node:path";
import * as ours from "./path.ts";

const samples = [
  "",
  ".",
  "/",
  "a",
  "a/",
  "/a/b/../c",
  "a//b/./c/",
  "../x/../../y",
  "/../a",
  "local/../..",
  "a/b/c.tar.gz",
  "/x/y/",
];

Deno.test("path helpers agree with node:path on POSIX paths", () => {
  for (const p of samples) {
    strictEqual(ours.normalize(p), node.posix.normalize(p), `normalize ${p}`);
    strictEqual(ours.dirname(p), node.posix.dirname(p), `dirname ${p}`);
    strictEqual(ours.basename(p), node.posix.basename(p), `basename ${p}`);
    strictEqual(ours.basename(p, ".gz"), node.posix.basename(p, ".gz"), `basename ${p} .gz`);
    strictEqual(ours.isAbsolute(p), node.posix.isAbsolute(p), `isAbsolute ${p}`);
    strictEqual(ours.resolve(p), node.posix.resolve(p), `resolve ${p}`);
    for (const q of samples) {
      strictEqual(ours.join(p, q), node.posix.join(p, q), `join ${p} ${q}`);
      strictEqual(ours.resolve(p, q), node.posix.resolve(p, q), `resolve ${p} ${q}`);
      strictEqual(ours.relative(p, q), node.posix.relative(p, q), `relative ${p} ${q}`);
    }
  }
});
