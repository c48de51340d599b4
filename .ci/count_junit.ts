/** Counts passed and failed test cases in a JUnit XML report: prints "N passed, N failed". */
const xml = await Deno.readTextFile(Deno.args[0] ?? ".tmp/junit.xml");
const cases = xml.match(/<testcase\b[\s\S]*?(?:\/>|<\/testcase>)/g) ?? [];
let failed = 0;
let skipped = 0;
for (const testCase of cases) {
  if (/<failure\b|<error\b/.test(testCase)) failed++;
  else if (/<skipped\b/.test(testCase)) skipped++;
}
console.log(`${cases.length - failed - skipped} passed, ${failed} failed`);
