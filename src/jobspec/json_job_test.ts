import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { canonicalizeJob } from "../structs/canonicalize.ts";
import { parseJob } from "./mod.ts";

Deno.test("a JSON job in the API form {Job: ...} is accepted", () => {
  const job = parseJob(
    '{"Job": {"ID": "web", "TaskGroups": [{"Name": "g", "Tasks": [{"Name": "t", "Driver": "raw_exec"}]}]}}',
    {
      filename: "web.json",
    },
  );
  strictEqual(job.ID, "web");
  strictEqual(canonicalizeJob(job).TaskGroups[0]!.Tasks[0]!.Driver, "raw_exec");
});

Deno.test("a bare JSON Job object is accepted", () => {
  const job = parseJob('  {"ID": "web", "Type": "batch"}', { filename: "web.json" });
  deepStrictEqual(job, { ID: "web", Type: "batch" });
});

Deno.test("invalid JSON is reported with line and column", () => {
  throws(
    () => parseJob('{\n  "ID": "web",\n  oops\n}', { filename: "bad.json" }),
    /^HclSyntaxError: bad\.json:3:3: Invalid JSON/,
  );
});

Deno.test("HCL's JSON syntax in a .json file parses like the native syntax", () => {
  const job = parseJob(
    '{"job": {"web": {"group": {"g": {"task": {"t": {"driver": "raw_exec"}}}}}}}',
    { filename: "hcl.json" },
  );
  strictEqual(job.ID, "web");
  const groups = job.TaskGroups as { Name: string; Tasks: { Driver: string }[] }[];
  strictEqual(groups[0]!.Name, "g");
  strictEqual(groups[0]!.Tasks[0]!.Driver, "raw_exec");
});
