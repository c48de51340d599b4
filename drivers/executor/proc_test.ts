import assert from "node:assert/strict";
import {
  isProcessAlive,
  parseProcStat,
  readProcStat,
  readRssBytes,
  scanProcesses,
} from "./proc.ts";

Deno.test("parseProcStat counts fields after the last parenthesis of the command", () => {
  const text = "42 (we ird) (x) S 1 40 41 0 -1 0 0 0 0 0 3 4 5 6 20 0 1 0 777 0 0";
  const stat = parseProcStat(text);
  assert.deepEqual(stat, {
    pid: 42,
    state: "S",
    ppid: 1,
    processGroup: 40,
    session: 41,
    cpuTicks: 18,
    startTicks: 777,
  });
  assert.throws(() => parseProcStat("garbage"), SyntaxError);
});

Deno.test("isProcessAlive checks the start time so a reused PID is not the task", async () => {
  const self = await readProcStat(Deno.pid);
  assert.ok(self);
  assert.equal(await isProcessAlive(Deno.pid, self.startTicks), true);
  assert.equal(await isProcessAlive(Deno.pid, 0), true);
  assert.equal(await isProcessAlive(Deno.pid, self.startTicks + 1), false);
  assert.equal(await isProcessAlive(2 ** 22 + 1, 0), false);
});

Deno.test("readRssBytes and scanProcesses see this process", async () => {
  assert.ok(await readRssBytes(Deno.pid) > 1024 * 1024);
  assert.ok((await scanProcesses()).some((p) => p.pid === Deno.pid));
});
