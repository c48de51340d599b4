/** `nomad job plan` against a real agent: annotated diffs, exit codes, -check-index. */

import { ok, strictEqual } from "node:assert";
import { nomad, startAgent, writeJobFile } from "./harness.ts";

const e2e = { sanitizeOps: false, sanitizeResources: false };

function jobFile(count: number, seconds: string): string {
  return `job "planned" {
  group "g" {
    count = ${count}
    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/sleep"
        args    = ["${seconds}"]
      }
    }
  }
}
`;
}

Deno.test({
  name: "job plan shows what a run would change and exits 1 only when allocations change",
  ...e2e,
  async fn() {
    const agent = await startAgent();
    try {
      const first = await writeJobFile(agent.dataDir, "v1.hcl", jobFile(1, "300"));
      const fresh = await nomad(agent.address, ["job", "plan", first]);
      strictEqual(fresh.code, 1, fresh.stderr);
      ok(fresh.stdout.startsWith('+ Job: "planned"\n+ Task Group: "g" (1 create)\n'), fresh.stdout);
      ok(fresh.stdout.includes('  + Task: "t" (forces create)'), fresh.stdout);
      ok(fresh.stdout.includes("- All tasks successfully allocated."), fresh.stdout);
      ok(fresh.stdout.includes("nomad job run -check-index 0 "), fresh.stdout);

      const run = await nomad(agent.address, ["job", "run", "-detach", first]);
      strictEqual(run.code, 0, run.stderr);
      const same = await nomad(agent.address, ["plan", first]);
      strictEqual(same.code, 0, same.stdout);
      ok(same.stdout.startsWith('Job: "planned"\nTask Group: "g" (1 ignore)\n'), same.stdout);
      const index = /Job Modify Index: (\d+)/.exec(same.stdout)?.[1];
      ok(index !== undefined && Number(index) > 0, same.stdout);

      const second = await writeJobFile(agent.dataDir, "v2.hcl", jobFile(2, "301"));
      const changed = await nomad(agent.address, ["job", "plan", second]);
      strictEqual(changed.code, 1, changed.stdout);
      ok(changed.stdout.includes('+/- Task Group: "g" (1 create, 1 create/destroy update)'));
      ok(changed.stdout.includes('  +/- Count: "1" => "2" (forces create)'), changed.stdout);
      ok(changed.stdout.includes('+/- args[0]: "300" => "301"'), changed.stdout);

      // The plan's index guards the run: a stale index is refused.
      const stale = await nomad(agent.address, [
        "job",
        "run",
        "-check-index",
        String(Number(index) - 1),
        second,
      ]);
      strictEqual(stale.code, 1);
      ok(stale.stderr.includes("Enforcing job modify index"), stale.stderr);
      const guarded = await nomad(agent.address, [
        "job",
        "run",
        "-detach",
        "-check-index",
        index!,
        second,
      ]);
      strictEqual(guarded.code, 0, guarded.stderr);

      const broken = await writeJobFile(agent.dataDir, "broken.hcl", 'job "x" {\n  group "g" {\n');
      const bad = await nomad(agent.address, ["job", "plan", broken]);
      strictEqual(bad.code, 255);
      ok(/broken\.hcl:\d+:\d+/.test(bad.stderr), bad.stderr);

      const mismatch = await fetch(`${agent.address}/v1/job/other/plan`, {
        method: "PUT",
        body: JSON.stringify({ Job: { ID: "planned", TaskGroups: [] }, Diff: true }),
      });
      strictEqual(mismatch.status, 400);
      strictEqual(await mismatch.text(), "Job ID does not match");
      const empty = await fetch(`${agent.address}/v1/job/planned/plan`, {
        method: "PUT",
        body: "{}",
      });
      strictEqual(empty.status, 400);
      strictEqual(await empty.text(), "Job must be specified");
    } finally {
      await agent.stop();
    }
  },
});
