import { deepStrictEqual } from "node:assert";
import { canonicalizeJob } from "./canonicalize.ts";
import { validateJob } from "./validate.ts";

function errors(extra: Record<string, unknown>, task: Record<string, unknown> = {}): string[] {
  return validateJob(canonicalizeJob({
    ID: "j",
    Type: "batch",
    TaskGroups: [{ Name: "g", Tasks: [{ Name: "t", Driver: "raw_exec", ...task }] }],
    ...extra,
  }));
}

Deno.test("validate: periodic blocks get Nomad's checks", () => {
  deepStrictEqual(errors({ Periodic: { Spec: "*/5 * * * *", TimeZone: "Europe/Berlin" } }), []);
  deepStrictEqual(errors({ Periodic: { Specs: ["0 1 * * *", "0 2 * * *"] } }), []);
  deepStrictEqual(errors({ Type: "service", Periodic: { Spec: "* * * * *" } }), [
    `Periodic can only be used with "batch" or "sysbatch" scheduler`,
  ]);
  deepStrictEqual(errors({ Periodic: {} }), ["Must specify a spec"]);
  deepStrictEqual(errors({ Periodic: { Spec: "* * * * *", Specs: ["* * * * *"] } }), [
    "Only cron or crons may be used",
  ]);
  deepStrictEqual(errors({ Periodic: { Spec: "61 * * * *" } }), [
    `Invalid cron spec "61 * * * *": syntax error in minute field: '61'`,
  ]);
  deepStrictEqual(errors({ Periodic: { Spec: "* * * * *", TimeZone: "Mars/Base" } }), [
    `Invalid time zone "Mars/Base": unknown time zone Mars/Base`,
  ]);
  deepStrictEqual(errors({ Periodic: { Spec: "* * * * *", SpecType: "x" } }), [
    `Unknown periodic specification type "x"`,
  ]);
  // A disabled block is not checked.
  deepStrictEqual(errors({ Periodic: { Spec: "bad", Enabled: false } }), []);
});

Deno.test("validate: parameterized blocks and dispatch_payload paths get Nomad's checks", () => {
  deepStrictEqual(errors({ ParameterizedJob: { Payload: "required", MetaRequired: ["a"] } }), []);
  deepStrictEqual(errors({ Type: "service", ParameterizedJob: {} }), [
    `Parameterized job can only be used with "batch" or "sysbatch" scheduler`,
  ]);
  deepStrictEqual(errors({ ParameterizedJob: { Payload: "maybe" } }), [
    `Unknown payload requirement: "maybe"`,
  ]);
  deepStrictEqual(errors({ ParameterizedJob: { MetaRequired: ["a", "b"], MetaOptional: ["b"] } }), [
    "Required and optional meta keys should be disjoint. Following keys exist in both: [b]",
  ]);
  deepStrictEqual(errors({}, { DispatchPayload: { File: "in/data.txt" } }), []);
  deepStrictEqual(
    errors({}, { DispatchPayload: { File: "../../../etc/passwd" } }),
    [
      "Task group g validation failed: 1 error occurred:\n\t* Task t validation failed: 1 error occurred:\n\t* Dispatch Payload validation failed: destination escapes allocation directory\n\n",
    ].map((s) => s.trimEnd()),
  );
});
