import { deepStrictEqual, ok, strictEqual, throws } from "node:assert";
import { canonicalizeJob } from "./canonicalize.ts";
import { validateJob } from "./validate.ts";

function job(group: Record<string, unknown>, type = "service") {
  return canonicalizeJob({
    ID: "edge",
    Type: type,
    Datacenters: ["dc1"],
    TaskGroups: [{
      Name: "g",
      Tasks: [{ Name: "t", Driver: "raw_exec", Config: { command: "sleep" } }],
      ...group,
    }],
  });
}

Deno.test("canonicalize keeps the disconnect block with Nomad's defaults", () => {
  const g = job({ Disconnect: { LostAfter: 6e9, Reconcile: "keep_original" } }).TaskGroups[0]!;
  deepStrictEqual(g.Disconnect, {
    LostAfter: 6e9,
    StopOnClientAfter: null,
    Replace: true,
    Reconcile: "keep_original",
  });
  const explicit = job({ Disconnect: { LostAfter: 1e9, Replace: false } }).TaskGroups[0]!;
  strictEqual(explicit.Disconnect?.Replace, false);
  strictEqual(explicit.Disconnect?.Reconcile, "best_score");
  strictEqual(job({}).TaskGroups[0]!.Disconnect, null);
  // The legacy field stays where it was.
  strictEqual(job({ MaxClientDisconnect: 3e9 }).TaskGroups[0]!.MaxClientDisconnect, 3e9);
  throws(
    () => job({ Disconnect: { LostAfter: "6h" } }),
    /cannot unmarshal string into Go struct field Job\.TaskGroups\.Disconnect\.LostAfter of type int/,
  );
});

Deno.test("canonicalize keeps the scaling policy: min defaults to the count, max to -1", () => {
  const g = job({ Count: 3, Scaling: { Max: 10, Policy: { cooldown: "1m" } } }).TaskGroups[0]!;
  deepStrictEqual(g.Scaling, {
    ID: "",
    Type: "horizontal",
    Target: { Namespace: "default", Job: "edge", Group: "g" },
    Policy: { cooldown: "1m" },
    Min: 3,
    Max: 10,
    Enabled: true,
    CreateIndex: 0,
    ModifyIndex: 0,
  });
  // Without a count the group starts at the policy's minimum.
  const fromMin = job({ Scaling: { Min: 2, Max: 5, Enabled: false } }).TaskGroups[0]!;
  strictEqual(fromMin.Count, 2);
  strictEqual(fromMin.Scaling?.Enabled, false);
  strictEqual(job({ Scaling: {} }).TaskGroups[0]!.Scaling?.Max, -1);
  strictEqual(job({}).TaskGroups[0]!.Scaling, null);
});

Deno.test("validation rejects bad disconnect blocks with Nomad's messages", () => {
  const errors = (group: Record<string, unknown>, type = "service") =>
    validateJob(job(group, type)).join("\n");
  strictEqual(errors({ Disconnect: { LostAfter: 6e9 } }), "");
  const negative = errors({ Disconnect: { LostAfter: -1, StopOnClientAfter: -1 } });
  ok(negative.includes("lost_after cannot be a negative duration"), negative);
  ok(negative.includes("stop_after cannot be a negative duration"), negative);
  ok(
    negative.includes("Disconnect cannot be configured with both lost_after and stop_after"),
    negative,
  );
  ok(
    errors({ Disconnect: { StopOnClientAfter: 1e9 } }, "system").includes(
      "stop_after can only be used with service or batch job types",
    ),
  );
  ok(
    errors({ Disconnect: { Reconcile: "newest" } }).includes("reconcile option is invalid: newest"),
  );
  ok(
    errors({ Disconnect: { LostAfter: 1e9 }, MaxClientDisconnect: 1e9 }).includes(
      "Task group cannot be configured with both max_client_disconnect and disconnect.lost_after",
    ),
  );
  ok(
    errors({ Disconnect: { LostAfter: 1e9 }, PreventRescheduleOnLost: true }).includes(
      "prevent_reschedule_on_lost and disconnect.replace",
    ),
  );
});

Deno.test("validation rejects scaling bounds that exclude the count", () => {
  const errors = (group: Record<string, unknown>) => validateJob(job(group)).join("\n");
  strictEqual(errors({ Count: 5, Scaling: { Min: 5, Max: 5 } }), "");
  const inverted = errors({ Count: 5, Scaling: { Min: 10, Max: 0 } });
  ok(
    inverted.includes("Scaling policy invalid: maximum count must not be less than minimum count"),
  );
  ok(
    inverted.includes("task group count must not be greater than maximum count in scaling policy"),
  );
  ok(inverted.includes("task group count must not be less than minimum count in scaling policy"));
  ok(
    errors({ Scaling: {} }).includes(
      "Scaling policy invalid: maximum count must be specified and non-negative",
    ),
  );
  ok(
    errors({ Count: 1, Scaling: { Min: -1, Max: 3 } }).includes(
      "minimum count must be specified and non-negative",
    ),
  );
});
