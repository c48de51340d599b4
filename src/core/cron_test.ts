import { deepStrictEqual, strictEqual, throws } from "node:assert";
import {
  effectiveTimeZone,
  instantOf,
  nextCronTime,
  nextLaunchTime,
  parseCron,
  timeZoneError,
} from "./cron.ts";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const next = (spec: string, from: string, zone = "UTC") =>
  iso(nextCronTime(parseCron(spec), Date.parse(from), zone));

Deno.test("cron: five fields are minute based and fire strictly after the start", () => {
  strictEqual(next("*/15 * * * *", "2024-03-01T10:07:00Z"), "2024-03-01T10:15:00.000Z");
  strictEqual(next("*/15 * * * *", "2024-03-01T10:15:00Z"), "2024-03-01T10:30:00.000Z");
  strictEqual(next("0 12 * * *", "2024-12-31T13:00:00Z"), "2025-01-01T12:00:00.000Z");
});

Deno.test("cron: six fields end with a year, seven start with seconds", () => {
  // `* * * * * *` is every minute (the sixth field is the year), as in cronexpr.
  strictEqual(next("* * * * * *", "2024-03-01T10:07:30Z"), "2024-03-01T10:08:00.000Z");
  strictEqual(next("0 0 1 1 * 2030", "2024-03-01T00:00:00Z"), "2030-01-01T00:00:00.000Z");
  strictEqual(next("*/5 * * * * * *", "2024-03-01T10:07:31Z"), "2024-03-01T10:07:35.000Z");
  strictEqual(next("* * * * * 2020", "2024-03-01T10:07:31Z"), null);
});

Deno.test("cron: macros, names, ranges and steps", () => {
  strictEqual(next("@hourly", "2024-03-01T10:07:00Z"), "2024-03-01T11:00:00.000Z");
  strictEqual(next("@daily", "2024-03-01T10:07:00Z"), "2024-03-02T00:00:00.000Z");
  strictEqual(next("@weekly", "2024-03-01T10:07:00Z"), "2024-03-03T00:00:00.000Z"); // a Sunday
  strictEqual(next("@monthly", "2024-03-01T10:07:00Z"), "2024-04-01T00:00:00.000Z");
  strictEqual(next("@yearly", "2024-03-01T10:07:00Z"), "2025-01-01T00:00:00.000Z");
  strictEqual(next("15 10 * * MON-FRI", "2024-03-02T00:00:00Z"), "2024-03-04T10:15:00.000Z");
  strictEqual(next("0 0 * JAN,jul *", "2024-03-02T00:00:00Z"), "2024-07-01T00:00:00.000Z");
  strictEqual(next("3-59/15 * * * *", "2024-03-02T00:04:00Z"), "2024-03-02T00:18:00.000Z");
  strictEqual(next("0 0 * * 7", "2024-03-01T00:00:00Z"), "2024-03-03T00:00:00.000Z"); // 7 = Sunday
  strictEqual(next("0 0 * * fri-sun", "2024-03-02T01:00:00Z"), "2024-03-03T00:00:00.000Z");
});

Deno.test("cron: L, W, nL and n#k day rules", () => {
  strictEqual(next("0 0 L * *", "2024-02-10T00:00:00Z"), "2024-02-29T00:00:00.000Z");
  // 2024-06-01 is a Saturday: 1W is Monday the 3rd (never jumps back into May).
  strictEqual(next("0 0 1W * *", "2024-05-31T12:00:00Z"), "2024-06-03T00:00:00.000Z");
  // 2024-06-15 is a Saturday: 15W is Friday the 14th.
  strictEqual(next("0 0 15W * *", "2024-06-02T00:00:00Z"), "2024-06-14T00:00:00.000Z");
  // Last weekday of June 2024 (the 30th is a Sunday) is Friday the 28th.
  strictEqual(next("0 0 LW * *", "2024-06-02T00:00:00Z"), "2024-06-28T00:00:00.000Z");
  strictEqual(next("0 0 * * 5L", "2024-06-02T00:00:00Z"), "2024-06-28T00:00:00.000Z");
  strictEqual(next("0 0 * * 1#2", "2024-06-02T00:00:00Z"), "2024-06-10T00:00:00.000Z");
});

Deno.test("cron: a restricted day of month and day of week match either", () => {
  // The 13th or any Friday: Friday 2024-09-06 comes before the 13th.
  strictEqual(next("0 0 13 * FRI", "2024-09-01T00:00:00Z"), "2024-09-06T00:00:00.000Z");
  strictEqual(next("0 0 29 2 *", "2025-01-01T00:00:00Z"), "2028-02-29T00:00:00.000Z");
});

Deno.test("cron: time zones shift the wall clock", () => {
  // 09:00 in New York (EST, UTC-5) is 14:00 UTC.
  strictEqual(
    next("0 9 * * *", "2024-01-10T00:00:00Z", "America/New_York"),
    "2024-01-10T14:00:00.000Z",
  );
  strictEqual(
    next("0 9 * * *", "2024-07-10T00:00:00Z", "America/New_York"),
    "2024-07-10T13:00:00.000Z",
  );
  strictEqual(
    next("30 0 * * *", "2024-07-10T00:00:00Z", "Asia/Kolkata"),
    "2024-07-10T19:00:00.000Z",
  );
});

Deno.test("cron: a wall time skipped by DST runs shifted forward by the gap, as Go's time.Date does", () => {
  // 2024-03-10: New York jumps from 02:00 EST to 03:00 EDT; 02:30 does not exist.
  strictEqual(
    next("30 2 * * *", "2024-03-10T05:00:00Z", "America/New_York"),
    "2024-03-10T07:30:00.000Z", // 03:30 EDT
  );
  // The day after, 02:30 EDT exists again.
  strictEqual(
    next("30 2 * * *", "2024-03-10T07:30:00Z", "America/New_York"),
    "2024-03-11T06:30:00.000Z",
  );
});

Deno.test("cron: a wall time repeated by DST runs once, at its first occurrence", () => {
  // 2024-11-03: New York goes back from 02:00 EDT to 01:00 EST; 01:30 happens twice.
  const first = next("30 1 * * *", "2024-11-03T04:00:00Z", "America/New_York");
  strictEqual(first, "2024-11-03T05:30:00.000Z"); // 01:30 EDT
  strictEqual(
    next("30 1 * * *", first!, "America/New_York"),
    "2024-11-04T06:30:00.000Z", // not 01:30 EST the same night
  );
  strictEqual(
    iso(
      instantOf(
        { year: 2024, month: 11, day: 3, hour: 1, minute: 30, second: 0 },
        "America/New_York",
      ),
    ),
    "2024-11-03T05:30:00.000Z",
  );
});

Deno.test("cron: a crons list launches at the earliest of its specs", () => {
  const from = Date.parse("2024-03-01T10:07:00Z");
  strictEqual(
    iso(nextLaunchTime(["0 12 * * *", "30 10 * * *"], from, "UTC")),
    "2024-03-01T10:30:00.000Z",
  );
  strictEqual(iso(nextLaunchTime(["0 0 1 1 * 2020"], from, "UTC")), null);
  strictEqual(nextLaunchTime([], from, "UTC"), null);
});

Deno.test("cron: bad expressions name the field", () => {
  throws(() => parseCron("61 * * * *"), { message: "syntax error in minute field: '61'" });
  throws(() => parseCron("* 24 * * *"), { message: "syntax error in hour field: '24'" });
  throws(() => parseCron("* * 0 * *"), { message: "syntax error in day-of-month field: '0'" });
  throws(() => parseCron("* * * foo *"), { message: "syntax error in month field: 'foo'" });
  throws(() => parseCron("* * * * 9"), { message: "syntax error in day-of-week field: '9'" });
  throws(() => parseCron("* * * *"), { message: "missing field(s)" });
  throws(() => parseCron("* * * * * * * *"), { message: "too many fields" });
  throws(() => parseCron("*/0 * * * *"), { message: "syntax error in minute field: '*/0'" });
  throws(() => parseCron("1,,2 * * * *"), { message: "minute field: missing directive" });
});

Deno.test("cron: time zone names are checked", () => {
  strictEqual(timeZoneError("America/New_York"), null);
  strictEqual(timeZoneError(""), null);
  strictEqual(timeZoneError("Mars/Olympus"), "unknown time zone Mars/Olympus");
  strictEqual(effectiveTimeZone(""), "UTC");
  deepStrictEqual(typeof effectiveTimeZone("Local"), "string");
});
