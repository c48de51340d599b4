import assert from "node:assert/strict";
import type { AllocationListStub } from "../../structs/mod.ts";
import { allocationListStub } from "../../structs/mod.ts";
import { mockAlloc, mockJob, mockNode } from "../../scheduler/testing.ts";
import { formatPreemptions } from "./job_plan.ts";

function stubs(count: number, jobs: number): AllocationListStub[] {
  const node = mockNode();
  return Array.from({ length: count }, (_, i) => {
    const job = mockJob({ ID: `job${i % jobs}`, Type: "batch" });
    return allocationListStub(mockAlloc(job, node));
  });
}

function annotations(allocs: AllocationListStub[]) {
  return { Annotations: { DesiredTGUpdates: null, PreemptedAllocs: allocs } };
}

Deno.test("job plan prints no preemption section without preemptions", () => {
  assert.equal(formatPreemptions({ Annotations: null }), null);
  assert.equal(formatPreemptions(annotations([])), null);
});

Deno.test("job plan lists each preempted allocation when there are few", () => {
  const allocs = stubs(2, 2);
  const out = formatPreemptions(annotations(allocs)) ?? "";
  const lines = out.split("\n");
  assert.equal(lines[0], "Preemptions:");
  assert.equal(lines[1], "");
  assert.match(lines[2] ?? "", /^Alloc ID\s+Job ID\s+Task Group$/);
  assert.match(lines[3] ?? "", new RegExp(`^${allocs[0]!.ID}\\s+job0\\s+web$`));
  assert.equal(lines.length, 5);
});

Deno.test("job plan summarizes many preempted allocations per job, then per job type", () => {
  const perJob = formatPreemptions(annotations(stubs(12, 3))) ?? "";
  assert.match(perJob, /Job ID\s+Namespace\s+Job Type\s+Preemptions/);
  assert.match(perJob, /job0\s+default\s+batch\s+4/);
  const perType = formatPreemptions(annotations(stubs(12, 12))) ?? "";
  assert.match(perType, /Job Type\s+Preemptions\nbatch\s+12$/);
});
