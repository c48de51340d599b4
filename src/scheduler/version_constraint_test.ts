import assert from "node:assert/strict";
import { checkVersionConstraint, compareVersions, parseVersion } from "./version_constraint.ts";

Deno.test("version parsing pads segments and keeps the pre-release", () => {
  assert.deepEqual(parseVersion("1.2"), { segments: [1, 2, 0], specified: 2, prerelease: "" });
  assert.deepEqual(parseVersion("v1.2.3-beta.1+build"), {
    segments: [1, 2, 3],
    specified: 3,
    prerelease: "beta.1",
  });
  assert.equal(parseVersion("not-a-version"), undefined);
});

Deno.test("versions compare numerically and pre-releases sort before releases", () => {
  const v = (s: string) => parseVersion(s)!;
  assert.equal(compareVersions(v("1.10.0"), v("1.9.9")), 1);
  assert.equal(compareVersions(v("1.2"), v("1.2.0")), 0);
  assert.equal(compareVersions(v("1.2.0-rc1"), v("1.2.0")), -1);
  assert.equal(compareVersions(v("1.2.0-alpha.2"), v("1.2.0-alpha.10")), -1);
});

Deno.test("version constraint with a range matches versions inside it only", () => {
  assert.equal(checkVersionConstraint("1.4.2", ">= 1.2, < 2.0", "version"), true);
  assert.equal(checkVersionConstraint("2.0.0", ">= 1.2, < 2.0", "version"), false);
  assert.equal(checkVersionConstraint("1.1.9", ">= 1.2, < 2.0", "version"), false);
});

Deno.test("version constraint supports = and != and a missing operator", () => {
  assert.equal(checkVersionConstraint("1.2.0", "= 1.2", "version"), true);
  assert.equal(checkVersionConstraint("1.2.0", "1.2.0", "version"), true);
  assert.equal(checkVersionConstraint("1.2.1", "!= 1.2.0", "version"), true);
  assert.equal(checkVersionConstraint("1.2.0", "!= 1.2.0", "version"), false);
});

Deno.test("pessimistic constraint allows only the last specified segment to grow", () => {
  assert.equal(checkVersionConstraint("1.2.9", "~> 1.2.3", "version"), true);
  assert.equal(checkVersionConstraint("1.3.0", "~> 1.2.3", "version"), false);
  assert.equal(checkVersionConstraint("1.9", "~> 1.2", "version"), true);
  assert.equal(checkVersionConstraint("2.0", "~> 1.2", "version"), false);
  assert.equal(checkVersionConstraint("1.2.2", "~> 1.2.3", "version"), false);
});

Deno.test("version mode rejects pre-releases for plain clauses but semver orders them", () => {
  assert.equal(checkVersionConstraint("1.3.0-beta", ">= 1.2", "version"), false);
  assert.equal(checkVersionConstraint("1.3.0-beta", ">= 1.2", "semver"), true);
  assert.equal(checkVersionConstraint("1.3.0-beta.2", ">= 1.3.0-beta.1", "version"), true);
});

Deno.test("an unparsable version or constraint never matches", () => {
  assert.equal(checkVersionConstraint("abc", ">= 1.0", "version"), false);
  assert.equal(checkVersionConstraint("1.0", ">= x", "version"), false);
  assert.equal(checkVersionConstraint("1.0", "", "version"), false);
});
