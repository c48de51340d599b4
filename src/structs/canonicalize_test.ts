import { strictEqual } from "node:assert";
import { NS_PER_HOUR, NS_PER_MINUTE, NS_PER_SECOND } from "../core/clock.ts";
import { canonicalizeJob } from "./canonicalize.ts";

const task = { Name: "t", Driver: "raw_exec" };

Deno.test("a bare job gets Nomad's defaults", () => {
  const job = canonicalizeJob({ ID: "web", TaskGroups: [{ Name: "g", Tasks: [task] }] });
  strictEqual(job.Name, "web");
  strictEqual(job.Type, "service");
  strictEqual(job.Priority, 50);
  strictEqual(job.Region, "global");
  strictEqual(job.Namespace, "default");
  strictEqual(job.NodePool, "default");
  strictEqual(job.Datacenters.join(), "*");
  const group = job.TaskGroups[0]!;
  strictEqual(group.Count, 1);
  strictEqual(group.RestartPolicy.Attempts, 2);
  strictEqual(group.RestartPolicy.Interval, 30 * NS_PER_MINUTE);
  strictEqual(group.ReschedulePolicy!.Unlimited, true);
  strictEqual(group.ReschedulePolicy!.DelayFunction, "exponential");
  strictEqual(group.EphemeralDisk.SizeMB, 300);
  strictEqual(group.Tasks[0]!.Resources.CPU, 100);
  strictEqual(group.Tasks[0]!.Resources.MemoryMB, 300);
  strictEqual(group.Tasks[0]!.KillTimeout, 5 * NS_PER_SECOND);
  strictEqual(group.Tasks[0]!.LogConfig.MaxFiles, 10);
});

Deno.test("batch jobs get batch restart and reschedule defaults and no update strategy", () => {
  const job = canonicalizeJob({
    ID: "b",
    Type: "batch",
    TaskGroups: [{ Name: "g", Tasks: [task] }],
  });
  const group = job.TaskGroups[0]!;
  strictEqual(group.RestartPolicy.Attempts, 3);
  strictEqual(group.RestartPolicy.Interval, 24 * NS_PER_HOUR);
  strictEqual(group.ReschedulePolicy!.Attempts, 1);
  strictEqual(group.ReschedulePolicy!.DelayFunction, "constant");
  strictEqual(group.Update, null);
  strictEqual(job.Update.MaxParallel, 0);
});

Deno.test("a job-level reschedule block applies to groups, which may override it", () => {
  const job = canonicalizeJob({
    ID: "web",
    Reschedule: { Attempts: 4, Unlimited: false },
    TaskGroups: [{ Name: "a", Tasks: [task] }, {
      Name: "b",
      ReschedulePolicy: { Attempts: 9 },
      Tasks: [task],
    }],
  });
  strictEqual(job.TaskGroups[0]!.ReschedulePolicy!.Attempts, 4);
  strictEqual(job.TaskGroups[0]!.ReschedulePolicy!.Unlimited, false);
  strictEqual(job.TaskGroups[0]!.ReschedulePolicy!.DelayFunction, "exponential");
  strictEqual(job.TaskGroups[1]!.ReschedulePolicy!.Attempts, 9);
  strictEqual(job.TaskGroups[1]!.ReschedulePolicy!.Unlimited, false);
});

Deno.test("JSON keys match case-insensitively and wrong types are 400s naming the field", () => {
  const job = canonicalizeJob({ id: "web", taskgroups: [{ name: "g", count: 2, tasks: [task] }] });
  strictEqual(job.ID, "web");
  strictEqual(job.TaskGroups[0]!.Count, 2);
  try {
    canonicalizeJob({ ID: "x", TaskGroups: [{ Name: "g", Count: "2" }] });
    throw new Error("expected an error");
  } catch (err) {
    strictEqual((err as { code: number }).code, 400);
    strictEqual(
      (err as Error).message,
      "json: cannot unmarshal string into Go struct field Job.TaskGroups.Count of type int",
    );
  }
});
