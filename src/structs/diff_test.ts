import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { canonicalizeJob } from "./canonicalize.ts";
import { annotateDiff, jobDiff } from "./diff.ts";
import type { Job } from "./job.ts";
import type { DesiredUpdates } from "./plan.ts";

function job(edit: (j: Record<string, unknown>) => void = () => {}): Job {
  const raw: Record<string, unknown> = {
    ID: "web",
    Datacenters: ["dc1"],
    Meta: { team: "a" },
    TaskGroups: [{
      Name: "g",
      Count: 1,
      Tasks: [{
        Name: "t",
        Driver: "docker",
        Config: { image: "redis:7", ports: ["db"] },
        Resources: { CPU: 100, MemoryMB: 64 },
      }],
    }],
  };
  edit(raw);
  return canonicalizeJob(raw);
}

const group = (j: Record<string, unknown>) => (j.TaskGroups as Record<string, unknown>[])[0]!;
const task = (j: Record<string, unknown>) => (group(j).Tasks as Record<string, unknown>[])[0]!;

function updates(partial: Partial<DesiredUpdates>): DesiredUpdates {
  return {
    Ignore: 0,
    Place: 0,
    Migrate: 0,
    Stop: 0,
    InPlaceUpdate: 0,
    DestructiveUpdate: 0,
    Canary: 0,
    Preemptions: 0,
    Disconnect: 0,
    Reconnect: 0,
    RescheduleNow: 0,
    RescheduleLater: 0,
    ...partial,
  };
}

Deno.test("an unchanged job diffs to None with nothing listed", () => {
  const diff = jobDiff(job(), job(), true);
  strictEqual(diff.Type, "None");
  strictEqual(diff.Fields, null);
  strictEqual(diff.TaskGroups![0]!.Type, "None");
  strictEqual(diff.TaskGroups![0]!.Tasks![0]!.Type, "None");
});

Deno.test("a count change edits the group and is annotated as forcing creates", () => {
  const diff = annotateDiff(
    jobDiff(job(), job((j) => group(j).Count = 3), true),
    { g: updates({ Place: 2, Ignore: 1 }) },
  );
  strictEqual(diff.Type, "Edited");
  const tg = diff.TaskGroups![0]!;
  strictEqual(tg.Type, "Edited");
  deepStrictEqual(tg.Fields, [{
    Type: "Edited",
    Name: "Count",
    Old: "1",
    New: "3",
    Annotations: ["forces create"],
  }]);
  deepStrictEqual(tg.Updates, { create: 2, ignore: 1 });
  strictEqual(tg.Tasks![0]!.Annotations, null, "an unchanged task is not annotated");
});

Deno.test("a driver config change shows the whole config and forces a destructive update", () => {
  const diff = annotateDiff(
    jobDiff(job(), job((j) => (task(j).Config as Record<string, unknown>).image = "redis:8"), true),
    null,
  );
  const t = diff.TaskGroups![0]!.Tasks![0]!;
  strictEqual(t.Type, "Edited");
  deepStrictEqual(t.Annotations, ["forces create/destroy update"]);
  const config = t.Objects!.find((o) => o.Name === "Config")!;
  strictEqual(config.Type, "Edited");
  deepStrictEqual(config.Fields!.map((f) => [f.Type, f.Name, f.Old, f.New]), [
    ["Edited", "image", "redis:7", "redis:8"],
    ["None", "ports[0]", "db", "db"],
  ]);
});

Deno.test("datacenters, meta and constraints diff as sets and map keys", () => {
  const next = job((j) => {
    j.Datacenters = ["dc2"];
    j.Meta = { team: "b", tier: "web" };
    task(j).Constraints = [{ LTarget: "${attr.kernel.name}", RTarget: "linux", Operand: "=" }];
  });
  const diff = annotateDiff(jobDiff(job(), next, true), null);
  deepStrictEqual(diff.Fields!.map((f) => [f.Type, f.Name, f.Old, f.New]), [
    ["Edited", "Meta[team]", "a", "b"],
    ["Added", "Meta[tier]", "", "web"],
  ]);
  const dcs = diff.Objects!.find((o) => o.Name === "Datacenters")!;
  strictEqual(dcs.Type, "Edited");
  deepStrictEqual(dcs.Fields!.map((f) => [f.Type, f.Old, f.New]), [
    ["Added", "", "dc2"],
    ["Deleted", "dc1", ""],
  ]);
  const t = diff.TaskGroups![0]!.Tasks![0]!;
  strictEqual(t.Objects![0]!.Name, "Constraint");
  strictEqual(t.Objects![0]!.Type, "Added");
  deepStrictEqual(t.Annotations, ["forces in-place update"], "a constraint alone is in-place");
});

Deno.test("an added group and a new job are Added, their tasks forced to create", () => {
  const next = job((j) => {
    (j.TaskGroups as unknown[]).push({
      Name: "h",
      Tasks: [{ Name: "u", Driver: "raw_exec", Config: { command: "/bin/true" } }],
    });
  });
  const diff = annotateDiff(jobDiff(job(), next, true), { h: updates({ Place: 1 }) });
  const added = diff.TaskGroups!.find((g) => g.Name === "h")!;
  strictEqual(added.Type, "Added");
  deepStrictEqual(added.Tasks![0]!.Annotations, ["forces create"]);
  deepStrictEqual(added.Updates, { create: 1 });
  const fresh = jobDiff(null, job(), true);
  strictEqual(fresh.Type, "Added");
  strictEqual(fresh.ID, "web");
  strictEqual(fresh.TaskGroups![0]!.Type, "Added");
});

Deno.test("plan annotations list no disconnect, reconnect or reschedule counts, as Nomad's annotate", () => {
  const counts = { Disconnect: 1, Reconnect: 2, RescheduleNow: 3, RescheduleLater: 4 };
  const diff = annotateDiff(
    jobDiff(job(), job((j) => group(j).Count = 3), true),
    { g: updates({ Place: 2, Stop: 1, ...counts }) },
  );
  deepStrictEqual(diff.TaskGroups![0]!.Updates, { create: 2, destroy: 1 });
  const only = annotateDiff(jobDiff(job(), job(), true), { g: updates(counts) });
  strictEqual(only.TaskGroups![0]!.Updates, null);
});
