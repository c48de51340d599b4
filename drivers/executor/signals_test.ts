import assert from "node:assert/strict";
import { parseSignal, signalNumber } from "./signals.ts";

Deno.test("parseSignal accepts Nomad's spellings and rejects unknown names", () => {
  assert.equal(parseSignal("SIGINT"), "SIGINT");
  assert.equal(parseSignal("term"), "SIGTERM");
  assert.equal(parseSignal(" sighup "), "SIGHUP");
  assert.throws(() => parseSignal("SIGNOPE"), RangeError);
});

Deno.test("signalNumber maps names to Linux numbers", () => {
  assert.equal(signalNumber("SIGKILL"), 9);
  assert.equal(signalNumber("SIGINT"), 2);
  assert.equal(signalNumber(null), 0);
  assert.equal(signalNumber("SIGNOPE"), 0);
});
