import { deepStrictEqual, ok, strictEqual } from "node:assert";
import { allocResourceUsage, cpuPercents, parseMeminfo, parseProcStat } from "./host_stats.ts";

Deno.test("CPU usage per core is measured between two /proc/stat readings", () => {
  const before = parseProcStat(
    "cpu  1 2 3 4\ncpu0 100 0 50 800 50 0 0 0\ncpu1 10 0 10 980 0 0 0 0\n",
  );
  const after = parseProcStat(
    "cpu  1 2 3 4\ncpu0 150 0 100 900 50 0 0 0\ncpu1 10 0 10 1080 0 0 0 0\n",
  );
  deepStrictEqual(cpuPercents(before, after), [
    { CPU: "cpu0", User: 25, System: 25, Idle: 50, Total: 50 },
    { CPU: "cpu1", User: 0, System: 0, Idle: 100, Total: 0 },
  ]);
});

Deno.test("memory comes from /proc/meminfo in bytes", () => {
  const memory = parseMeminfo("MemTotal:  1000 kB\nMemFree:  200 kB\nMemAvailable:  600 kB\n");
  deepStrictEqual(memory, { Total: 1024000, Available: 614400, Used: 409600, Free: 204800 });
});

Deno.test("an allocation's usage sums its tasks and converts CPU percent to MHz ticks", () => {
  const usage = allocResourceUsage({
    web: { timestampNs: 5, memoryRssBytes: 1000, cpuTotalTicks: 0, cpuPercent: 50, pids: [1] },
    log: { timestampNs: 6, memoryRssBytes: 24, cpuTotalTicks: 0, cpuPercent: 10, pids: [2] },
  }, { nowNs: 7, mhzPerCore: 2000 });
  strictEqual(usage.ResourceUsage.MemoryStats.RSS, 1024);
  strictEqual(usage.ResourceUsage.CpuStats.TotalTicks, 1200);
  strictEqual(usage.ResourceUsage.CpuStats.Percent, 60);
  strictEqual(usage.Tasks.web?.ResourceUsage.CpuStats.TotalTicks, 1000);
  strictEqual(usage.Timestamp, 7);
  ok(usage.Tasks.log?.ResourceUsage.MemoryStats.Measured.includes("RSS"));
});
